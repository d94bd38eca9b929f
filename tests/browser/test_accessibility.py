"""axe-core finds no serious or critical violation on the pages issue 11 names: every public page
(with the sign-up form showing its errors, the pages after signing up, the ticket, the guest's own
page, the cancel confirmation, the login), the door page, every staff list page and the event form,
on a phone (390x844) and a desktop (1280x900).

axe-core is vendored from npm for the tests alone (vendor/axe-core/README.md) and injected into
each page by the test; Podium never serves it. The context bypasses the page's
Content-Security-Policy, which rightly refuses scripts the page did not bring itself.
"""
from pathlib import Path

import pytest

from .conftest import SIZES
from .tour import TOUR, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; its violations (every rule axe runs by default)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def describe(violations: list[dict]) -> str:
    """Each violation with its rule, impact and the elements to fix: what a failure has to say."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:6]:
            summary = " ".join(node.get("failureSummary", "").split())[:240]
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
        if len(violation["nodes"]) > 6:
            lines.append(f"    ... and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stop", [stop for stop in TOUR if stop.axe], ids=str)
def test_axe_finds_no_serious_or_critical_violation(scene_page, scene_server, stop, size):
    page = scene_page(stop.who, size, bypass_csp=True)
    response = visit(page, scene_server.base_url, scene_server.scene, stop)
    assert response.status < 500, f"{stop} answers {response.status}"

    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]

    assert not blocking, f"axe-core on {stop} at {size} size:\n{describe(blocking)}"


def test_the_vendored_axe_sees_a_violation_and_says_where(scene_browser):
    """The negative control: the same check on a page with two known faults fails, and says what to fix."""
    page = scene_browser.new_page()
    try:
        page.set_content('<!doctype html><html lang="en"><title>t</title><main>'
                         '<img src="data:,"><button></button></main></html>')
        violations = axe_violations(page)
        assert page.evaluate("axe.version") == AXE_VERSION  # what vendor/axe-core/README.md says
    finally:
        page.close()

    blocking = {v["id"]: v for v in violations if v["impact"] in BLOCKING}
    assert {"image-alt", "button-name"} <= set(blocking)
    report = describe(list(blocking.values()))
    assert "image-alt (critical)" in report and "    img:" in report
