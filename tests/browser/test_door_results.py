"""The door's answer where the organiser looks, on a phone (390x844): after a search check-in far
down the list, an undo, a walk-in, and the over-capacity question in the page's own dialog; with
JavaScript and without. The modes are one tap apart."""
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.registrations.models import Registration
from tests.rows import registrations_of

from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def door_page(live_server, chromium, door_user):
    """open(event, javascript=True) -> a phone-sized page, logged in as the door, on the event's door."""
    contexts = []

    def open_page(event, *, javascript=True, query=""):
        context = chromium().new_context(viewport=PHONE, locale="en-US", java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.browser_dialogs = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("dialog", lambda dialog: (page.browser_dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, live_server)
        page.goto(f"{live_server}/staff/events/{event.id}/checkin{query}")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def crowded(make_event, sign_up):
    """An event with a dozen Schmidts, so that the last one sits far below the answer on a phone."""
    event = make_event(title="Forum Arbeit und Migration")
    for n in range(12):
        sign_up(event, name=f"Schmidt {n:02d}", organisation="Handwerkskammer Trier")
    sign_up(event, name="Zora Schmidt", organisation="IHK Trier")
    return event


def stored(registration_id: int) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, registration_id)


def the_answer_is_in_view_with(page, name: str, look: str):
    banner = page.locator("#banner")
    expect(banner).to_have_class(re.compile(rf"\bbanner-{look}\b"))
    expect(banner).to_contain_text(name)
    expect(banner).to_be_in_viewport(ratio=1)


def test_a_search_check_in_far_down_the_list_is_answered_in_view_and_the_list_follows(door_page, crowded):
    page = door_page(crowded)
    page.click("#tab-search")
    page.locator("#search-q").type("schmidt")
    zora = page.locator("#search-results li", has_text="Zora Schmidt")
    zora.get_by_role("button", name="Check in").scroll_into_view_if_needed()
    expect(page.locator("#banner")).not_to_be_in_viewport()  # the answer is far above the button

    zora.get_by_role("button", name="Check in").click()

    the_answer_is_in_view_with(page, "Zora Schmidt", "green")
    expect(zora.locator(".badge")).to_contain_text("checked in at")

    zora.get_by_role("button", name="Undo check-in").scroll_into_view_if_needed()
    zora.get_by_role("button", name="Undo check-in").click()

    the_answer_is_in_view_with(page, "Zora Schmidt", "neutral")  # an undo is not the green of letting in
    expect(page.locator("#banner")).to_contain_text("Check-in undone")
    expect(zora.get_by_role("button", name="Check in")).to_be_visible()
    expect(zora.locator(".badge")).to_have_text("confirmed")
    assert page.errors == [] and page.browser_dialogs == []


def test_a_walk_in_is_answered_in_view(door_page, crowded):
    page = door_page(crowded)
    page.click("#tab-walk-in")
    form = page.locator("#walk-in-form")
    form.locator("input[name=name]").fill("Eva Neu")
    form.locator("input[name=organisation]").fill("Stadt Trier")
    form.get_by_role("button", name="Register and check in").scroll_into_view_if_needed()

    form.get_by_role("button", name="Register and check in").click()

    the_answer_is_in_view_with(page, "Eva Neu", "green")
    expect(page.locator("#banner")).to_contain_text("Stadt Trier")
    expect(form.locator("input[name=name]")).to_have_value("")  # ready for the next
    assert page.errors == []


def test_over_capacity_the_page_asks_in_its_own_dialog_and_lets_in(door_page, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event)
    page = door_page(event)
    page.click("#tab-walk-in")
    page.locator("#walk-in-form input[name=name]").fill("Eva Neu")

    page.get_by_role("button", name="Register and check in").click()

    question = page.locator("dialog#over-capacity")
    expect(question).to_be_visible()
    expect(question).to_have_attribute("open", "")
    expect(question).to_contain_text("The event is full")
    expect(question).to_contain_text("Eva Neu")
    expect(question).to_contain_text("1 places, 1 confirmed.")
    assert page.evaluate("document.querySelector('dialog#over-capacity').matches(':modal')") is True

    question.get_by_role("button", name="Let in anyway").click()

    expect(question).to_be_hidden()
    the_answer_is_in_view_with(page, "Eva Neu", "green")
    expect(page.locator("#count-confirmed")).to_have_text("2")
    assert page.browser_dialogs == []  # never the browser's confirm()
    assert [r.name for r in registrations_of(event)][-1] == "Eva Neu"


def test_cancelling_the_over_capacity_question_lets_nobody_in(door_page, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event)
    page = door_page(event)
    page.click("#tab-walk-in")
    page.locator("#walk-in-form input[name=name]").fill("Eva Neu")
    page.get_by_role("button", name="Register and check in").click()

    page.locator("dialog#over-capacity").get_by_role("button", name="Cancel").click()

    expect(page.locator("dialog#over-capacity")).to_be_hidden()
    expect(page.locator("#walk-in-form input[name=name]")).to_have_value("Eva Neu")  # nothing typed is lost
    expect(page.locator("#banner")).not_to_contain_text("Eva Neu")
    assert len(registrations_of(event)) == 1


def test_a_waitlisted_guest_is_given_a_place_from_the_list_after_the_question(door_page, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    cem = sign_up(event, name="Cem Yilmaz")
    page = door_page(event)
    page.click("#tab-search")
    page.locator("#search-q").type("cem")
    item = page.locator("#search-results li", has_text="Cem Yilmaz")
    expect(item.locator(".badge")).to_have_text("on the waitlist")
    expect(item).to_contain_text("not let in")

    item.get_by_role("button", name="Give a place and check in").click()
    page.locator("dialog#over-capacity").get_by_role("button", name="Let in anyway").click()

    the_answer_is_in_view_with(page, "Cem Yilmaz", "green")
    expect(item.locator(".badge")).to_contain_text("checked in at")
    assert stored(cem.id).status == "confirmed"


def test_without_javascript_a_search_check_in_lands_on_the_answer(door_page, crowded):
    page = door_page(crowded, javascript=False, query="?mode=search&q=schmidt")
    zora = page.locator("#search-results li", has_text="Zora Schmidt")

    zora.get_by_role("button", name="Check in").click()

    the_answer_is_in_view_with(page, "Zora Schmidt", "green")
    expect(page.locator("#search-results li", has_text="Zora Schmidt").locator(".badge")).to_contain_text(
        "checked in at")


def test_without_javascript_a_walk_in_lands_on_the_answer(door_page, crowded):
    page = door_page(crowded, javascript=False, query="?mode=walk-in")
    page.locator("#walk-in-form input[name=name]").fill("Eva Neu")

    page.get_by_role("button", name="Register and check in").click()

    the_answer_is_in_view_with(page, "Eva Neu", "green")


def test_every_mode_is_one_tap_away_in_the_first_screen(door_page, crowded):
    page = door_page(crowded)
    panels = {"camera": "#mode-camera", "code": "#mode-code", "search": "#mode-search", "walk-in": "#mode-walk-in"}

    for mode, panel in panels.items():
        tab = page.locator(f"#tab-{mode}")
        expect(tab).to_be_in_viewport(ratio=1)
        tab.click()
        expect(page.locator(panel)).to_be_visible()
        expect(tab).to_have_attribute("aria-current", "page")
        for other, other_panel in panels.items():
            if other != mode:
                expect(page.locator(other_panel)).to_be_hidden()
        page.evaluate("window.scrollTo(0, 0)")
    assert "mode=walk-in" in page.url  # a reload comes back to the same mode
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert page.errors == []
