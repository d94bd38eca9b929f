"""Signing up and cancelling with the keyboard alone, as someone who cannot use a mouse or a touch
screen does: Tab and Shift+Tab to move, typing into the field that has the focus, Space for radio
buttons and check boxes, Enter to follow a link or send a form. No clicks, no fill().
"""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.registrations.models import Affiliation, Registration, RegistrationStatus

from .conftest import SIZES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MOST_KEY_PRESSES = 120  # more than any page of Podium has stops for the focus

# Where the focus is, and whether `selector`'s first element lies before it in the page.
FOCUS = """selector => {
    const here = document.activeElement, target = document.querySelector(selector);
    return {
        at: here === document.body ? null : here.outerHTML.slice(0, 120),
        arrived: !!here && here !== document.body && here.matches(selector),
        behind: !!target && here !== document.body
            && !!(target.compareDocumentPosition(here) & Node.DOCUMENT_POSITION_FOLLOWING),
        exists: !!target,
    };
}"""


def tab_to(page, selector: str) -> None:
    """Press Tab (or Shift+Tab, when the target lies behind the focus) until the focus is on `selector`."""
    trail = []
    for _ in range(MOST_KEY_PRESSES):
        where = page.evaluate(FOCUS, selector)
        if where["arrived"]:
            return
        assert where["exists"], f"nothing on {page.url} matches {selector}"
        trail.append(where["at"])
        page.keyboard.press("Shift+Tab" if where["behind"] else "Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}; the focus went: {trail[-12:]}")


def focused(page, attribute: str) -> str | None:
    return page.evaluate("name => document.activeElement.getAttribute(name)", attribute)


def registration_of(email: str) -> Registration:
    db.session.rollback()  # the server thread wrote in its own session
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one()


@pytest.mark.parametrize("size", SIZES)
def test_a_guest_signs_up_and_cancels_with_the_keyboard_alone(live_server, chromium, make_event, size):
    event = make_event(title="Forum Sprache und Arbeit", capacity=30)
    context = chromium().new_context(viewport=SIZES[size], locale="en-US")
    page = context.new_page()
    keyboard = page.keyboard
    page.goto(f"{live_server}/events/{event.slug}/")

    tab_to(page, "form#signup input[name=name]")
    keyboard.type("Nadia Rahimi")
    tab_to(page, "form#signup input[name=email]")
    keyboard.type("nadia.rahimi@example.org")
    tab_to(page, "form#signup input[name=organisation]")
    keyboard.type("Deutsch für alle e. V.")
    tab_to(page, "form#signup input[name=affiliation]")
    keyboard.press("Space")  # choose the radio button that has the focus
    for _ in range(len(Affiliation)):
        if focused(page, "value") == Affiliation.volunteer.value:
            break
        keyboard.press("ArrowDown")
    keyboard.press("Space")
    tab_to(page, "form#signup input[name=consent]")
    keyboard.press("Space")
    tab_to(page, "form#signup button[type=submit]")
    with page.expect_navigation():
        keyboard.press("Enter")

    registration = registration_of("nadia.rahimi@example.org")
    assert registration.status == RegistrationStatus.confirmed
    assert (registration.name, registration.organisation) == ("Nadia Rahimi", "Deutsch für alle e. V.")
    assert registration.affiliation == Affiliation.volunteer
    expect(page.locator("section.outcome")).to_contain_text("nadia.rahimi@example.org")

    # From the page after signing up to the guest's own page, and on to cancelling.
    token = registration.manage_token
    tab_to(page, f"main a[href$='/r/{token}']")
    with page.expect_navigation():
        keyboard.press("Enter")
    tab_to(page, f"a[href$='/r/{token}/cancel'], form[action$='/r/{token}/cancel'] button")
    with page.expect_navigation():
        keyboard.press("Enter")
    if page.url.endswith("/cancel"):  # the question before cancelling
        tab_to(page, f"form[action$='/r/{token}/cancel'] button")
        with page.expect_navigation():
            keyboard.press("Enter")

    assert registration_of("nadia.rahimi@example.org").status == RegistrationStatus.cancelled
    expect(page.locator("main")).to_contain_text("cancelled")
    context.close()
