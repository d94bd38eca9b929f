"""The traps of the sign-up form (app/formtrap.py) in a real browser, with CSRF on and the event
page served from the page cache: the honeypot is not there for a person (not seen, never
reached with Tab), a form sent faster than the time trap allows comes back with a message and
everything typed, and pressing the button again a moment later signs the guest up."""
import time

import pytest

from tests.rows import registrations_of

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MIN_SECONDS = 2


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "FORM_MIN_SECONDS": MIN_SECONDS}


@pytest.fixture
def guest(chromium, live_server, make_event):
    """A guest's phone on the event page (once served, so that this visit comes from the cache)."""
    event = make_event(title="Forum Sprache und Arbeit", capacity=30)
    browser = chromium()
    browser.new_context(locale="en-GB").new_page().goto(f"{live_server}/events/{event.slug}/")
    page = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    page.goto(f"{live_server}/events/{event.slug}/")
    return page, event


def focus_stops(page, last: str) -> list[str]:
    """The name (or id) of every element Tab stops at from the name field until `last`."""
    page.focus("#name")
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        here = page.evaluate("document.activeElement.name || document.activeElement.id || "
                             "document.activeElement.tagName")
        stops.append(here)
        if page.evaluate("(s) => document.activeElement.matches(s)", last):
            return stops
    raise AssertionError(f"Tab never reached {last}: {stops}")


def test_a_person_never_sees_or_reaches_the_honeypot(guest):
    page, _event = guest
    honeypot = page.locator("form#signup input[name=remarks]")

    assert honeypot.count() == 1
    assert not honeypot.is_visible()
    assert honeypot.bounding_box() is None  # takes no room: no layout shift, nothing to tap
    stops = focus_stops(page, "form#signup button[type=submit]")
    assert "remarks" not in stops
    assert stops[0] == "email"


def test_a_form_sent_too_fast_comes_back_and_goes_through_when_sent_again(guest):
    page, event = guest
    page.fill("#name", "Anna Schmidt")
    page.fill("#email", "anna@example.org")
    page.check("input[name=affiliation][value=volunteer]")
    page.fill("#note", "Rollstuhl")
    page.check("#consent")

    with page.expect_navigation():
        page.click("form#signup button[type=submit]")  # milliseconds after the page came

    assert "Please send the form again" in page.locator(".error-summary").inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('error-summary')")
    assert (page.input_value("#name"), page.input_value("#email"), page.input_value("#note")) == \
        ("Anna Schmidt", "anna@example.org", "Rollstuhl")
    assert page.is_checked("#consent") and page.is_checked("input[name=affiliation][value=volunteer]")
    assert registrations_of(event) == []

    time.sleep(MIN_SECONDS)  # reading the message
    with page.expect_navigation():
        page.click("form#signup button[type=submit]")

    (anna,) = registrations_of(event)
    assert page.url.split("#")[0].endswith(f"/r/{anna.manage_token}/signed-up")
    assert (anna.name, anna.note) == ("Anna Schmidt", "Rollstuhl")
