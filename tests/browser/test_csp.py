"""No page breaks its own Content-Security-Policy: headless Chromium visits every stop of the tour
(tour.py) as the guest, the door or staff, does what is done there, and hears of every
violation the browser reports. The door's camera scanner runs too, with a fake camera showing a
ticket: qr-scanner's module, its worker (made from a blob: URL) and the check-in it sends.

The browser tells of a violation in three ways, and all are heard: a `securitypolicyviolation`
event in the document (a listener added to every frame before the page's own scripts, by
Playwright, outside the page's policy), an error on the page's console ("... violates the
following Content Security Policy directive ..."), and, for workers, whose events and console the
page does not see, the same error in Chromium's log (DevTools protocol, Log domain). Negative
controls serve a real page with an inline script and an inline style added, and start a worker
that reaches for another host: each must be refused and heard, or the tour proves nothing.
"""
import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, camera_feed, log_in
from .tour import TOUR, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each violation as the page reports it, in every frame (a mail's HTML is a frame of its staff page).
LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => window.podiumCspViolation({
    directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile,
    line: event.lineNumber, sample: event.sample, page: location.href,
}), true);
"""
# Where people look at the pages: guests and the door on a phone, staff, partners and admins at a desk.
SIZE = {"guest": "phone", "door": "phone", "staff": "desktop", "partner": "desktop", "admin": "desktop"}
SCAN_TIMEOUT_MS = 20_000  # the fake camera and qr-scanner's worker


def listen_for_violations(page) -> list:
    """From now on, every CSP violation reported in the page, its frames and its workers, as a list
    that fills up."""
    heard = []
    page.context.expose_function("podiumCspViolation", lambda report: heard.append(report))
    page.context.add_init_script(script=LISTENER)
    page.on("console", lambda message: heard.append({"console": message.text})
            if "Content Security Policy" in message.text else None)
    devtools = page.context.new_cdp_session(page)
    devtools.on("Log.entryAdded", lambda event: heard.append({"log": event["entry"]["text"]})
                if "Content Security Policy" in event["entry"]["text"] else None)
    devtools.send("Log.enable")
    return heard


def settle(page) -> None:
    """Let what the page does after loading happen, and its reports arrive, before looking."""
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 150)))")


@pytest.mark.parametrize("stop", TOUR, ids=str)
def test_no_page_of_the_tour_violates_its_content_security_policy(scene_page, scene_server, stop):
    page = scene_page(stop.who, SIZE[stop.who])
    heard = listen_for_violations(page)

    response = visit(page, scene_server.base_url, scene_server.scene, stop)
    settle(page)

    assert response.status < 500, f"{stop} answers {response.status}"
    assert "content-security-policy" in response.headers  # what the browser had to keep to
    assert heard == [], f"{stop}: the browser refused what the page asked for:\n" + "\n".join(map(str, heard))
    assert page.errors == []


def test_a_page_with_an_inline_script_and_style_is_refused_and_heard(scene_page, scene_server):
    """The negative control: the event list as Podium serves it, headers and all, with an inline
    script and an inline style added to its HTML. Neither may apply, and both must be heard."""
    page = scene_page("guest", "phone")
    heard = listen_for_violations(page)
    url = f"{scene_server.base_url}/events/"

    def with_inline_script(route):
        served = route.fetch()
        body = served.text().replace("</main>", '<p id="styled" style="color: rgb(255, 0, 0)">x</p>'
                                                "<script>window.inlineScriptRan = true;</script></main>")
        route.fulfill(response=served, body=body)

    page.route(url, with_inline_script)
    response = page.goto(url)
    settle(page)

    assert "script-src 'self'" in response.headers["content-security-policy"]  # Podium's own header
    assert page.evaluate("window.inlineScriptRan") is None
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    directives = {report.get("directive") for report in heard}
    assert {"script-src-elem", "style-src-attr"} <= directives, heard
    assert any("Content Security Policy" in report.get("console", "") for report in heard)


def test_a_worker_that_reaches_for_another_host_is_refused_and_heard(scene_page, scene_server):
    """The negative control for workers: their violations reach neither the document's listener nor
    the page's console, only Chromium's log."""
    page = scene_page("door", "phone")
    heard = listen_for_violations(page)
    page.goto(f"{scene_server.base_url}/staff/checkin/")

    outcome = page.evaluate("""() => new Promise(done => {
        const code = "fetch('https://elsewhere.invalid/')"
                   + ".then(() => postMessage('reached'), () => postMessage('refused'));";
        const worker = new Worker(URL.createObjectURL(new Blob([code])));
        worker.onmessage = (event) => done(event.data);
    })""")
    settle(page)

    assert outcome == "refused"
    assert any("connect-src" in report.get("log", "") for report in heard), heard


def test_the_camera_scanner_runs_under_the_policy_and_checks_a_ticket_in(
        live_server, chromium, door_user, make_event, sign_up, tmp_path):
    event = make_event(title="Forum Fachkräfte")
    anna = sign_up(event, name="Anna Schmidt")
    context = chromium(camera_feed(tmp_path, anna.ticket_code)).new_context(viewport=PHONE, locale="en-US")
    try:
        page = context.new_page()
        heard = listen_for_violations(page)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        workers = []
        page.on("worker", lambda worker: workers.append(worker.url))
        log_in(page, live_server)
        page.goto(f"{live_server}/staff/events/{event.id}/checkin")

        page.click("#tab-camera")

        expect(page.locator("#camera-section")).to_be_visible()
        banner = page.locator("#banner")
        expect(banner).to_have_class(re.compile(r"\bbanner-green\b"), timeout=SCAN_TIMEOUT_MS)
        expect(banner).to_contain_text("Anna Schmidt")
        settle(page)
        assert any(url.startswith("blob:") for url in workers), workers  # the decoder ran in its worker
        assert heard == [], "\n".join(map(str, heard))
        assert errors == []
    finally:
        context.close()
