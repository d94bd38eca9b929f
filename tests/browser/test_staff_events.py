"""The staff's event pages in a real browser: the registrations table at 1280x900 shows every row
action where it can be clicked without scrolling sideways, and no page of events, registrations or
attendance scrolls sideways on a phone (390x844). The pages speak German, as the browser asks:
the longest words people see here."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.audit import Actor
from app.auth.services import create_user
from app.checkin import services as door
from app.database import utcnow
from app.registrations.services import cancel_registration
from tests.conftest import STAFF_PASSWORD
from tests.rows import reload

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
OFFICE = "buero@podium.test"


@pytest.fixture
def forum(make_event, sign_up):
    """A full event with long names, addresses and notes: confirmed, waitlisted, cancelled and
    checked-in guests, and a door log."""
    event = make_event(title="Fachforum Anerkennung ausländischer Berufsabschlüsse und Qualifizierung",
                       capacity=3, venue="Handwerkskammer Trier, Großer Sitzungssaal im Erdgeschoss",
                       starts_at=utcnow().replace(microsecond=0) + timedelta(days=3))
    guests = [
        sign_up(event, name="Maximiliane Schmidt-Hohenstein", email="maximiliane.schmidt-hohenstein@"
                "verbandsgemeinde-example.de", organisation="Agentur für Arbeit Trier, Arbeitgeberservice",
                note="Rollstuhl, bitte einen Platz am Gang und eine Induktionsschleife"),
        sign_up(event, name="Ben Weber", organisation="IHK Trier"),
        sign_up(event, name="Özlem Öztürk", organisation="Caritasverband Trier e. V."),
        sign_up(event, name="Cem Yilmaz", organisation="Handwerkskammer Trier"),  # waitlisted
        sign_up(event, name="Fatima Al-Hassan", organisation="Volkshochschule Trier"),  # waitlisted
        sign_up(event, name="Dora Storniert", organisation="Jobcenter Trier-Stadt"),  # waitlisted, then cancelled
    ]
    cancel_registration(guests[5].id)
    door.check_in(event.id, guests[1].ticket_code, Actor(name="Anna Door", device="Tablet am Haupteingang"))
    return reload(event)


@pytest.fixture
def office(live_server, chromium, app):
    """open(viewport) -> a page logged in as staff, speaking German (the default)."""
    create_user(OFFICE, role="staff", password=STAFF_PASSWORD, name="Sabine Büro")
    browser = chromium()

    def open_page(viewport):
        page = browser.new_context(viewport=viewport, locale="de-DE").new_page()
        page.goto(f"{live_server}/staff/login")
        page.fill("input[name=email]", OFFICE)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state()
        assert "/staff/login" not in page.url
        return page

    return open_page


def sideways(page) -> int:
    """How far the page can be scrolled sideways (0: not at all)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_every_row_action_of_the_registrations_table_is_visible_and_clickable_at_1280(
        office, live_server, forum):
    page = office(DESKTOP)
    page.goto(f"{live_server}/staff/events/{forum.id}/registrations")

    assert sideways(page) == 0
    # The table fits its frame: nothing hides behind a scroll bar of its own either.
    assert page.evaluate("(w => w.scrollWidth - w.clientWidth)(document.querySelector('.table-wrap'))") == 0
    actions = page.locator("table.registrations td.actions-cell").locator("a, button")
    assert actions.count() == 8  # cancel for the three confirmed and two waiting, move up two, confirm again one
    for n in range(actions.count()):
        action = actions.nth(n)
        box = action.bounding_box()  # where it is, before anything is scrolled
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], \
            f"{action.inner_text()} at {box}"
        action.click(trial=True)  # visible, enabled, not covered: a click would land on it
    assert page.evaluate("document.querySelector('.table-wrap').scrollLeft") == 0

    page.locator("tr", has_text="Cem Yilmaz").get_by_role("button", name="Von der Warteliste bestätigen").click()
    expect(page.locator("h1")).to_have_text("Die Veranstaltung ist voll")  # asked: over capacity
    page.get_by_role("button", name="Über die Platzzahl hinaus bestätigen").click()
    expect(page.locator("tr", has_text="Cem Yilmaz").locator(".badge--confirmed")).to_be_visible()


def test_no_page_of_events_registrations_or_attendance_scrolls_sideways_on_a_phone(office, live_server, forum):
    page = office(PHONE)
    paths = [
        "/staff/", "/staff/events/new", f"/staff/events/{forum.id}/edit",
        f"/staff/events/{forum.id}/duplicate", f"/staff/events/{forum.id}/cancel",
        f"/staff/events/{forum.id}/preview", f"/staff/events/{forum.id}/registrations",
        f"/staff/events/{forum.id}/registrations?sort=-name&status=waitlisted",
        f"/staff/events/{forum.id}/registrations/new", f"/staff/events/{forum.id}/attendance",
    ]
    too_wide = {}
    for path in paths:
        page.goto(live_server + path)
        if sideways(page):
            too_wide[path] = sideways(page)
    page.goto(f"{live_server}/staff/events/{forum.id}/registrations")
    page.locator("td.actions-cell a").first.click()  # the question before cancelling a registration
    expect(page.locator("h1")).to_have_text("Anmeldung stornieren?")
    if sideways(page):
        too_wide["cancel a registration"] = sideways(page)
    page.goto(f"{live_server}/staff/events/{forum.id}/edit")
    page.fill("input[name=venue]", "Industrie- und Handelskammer Trier, Saal 2")
    page.fill("textarea[name=speakers]", "Dr. Jan Glockauer, IHK Trier\nAxel Bettendorf, HWK Trier")
    page.locator("form.event-form .actions button[type=submit]").click()
    expect(page.locator("#guests-to-tell")).to_be_visible()  # the question before mailing every guest
    if sideways(page):
        too_wide["tell the guests?"] = sideways(page)

    assert too_wide == {}
    page.locator("button[name=back]").click()  # "Back to the form": what was typed comes back, lines and all
    expect(page.locator("textarea[name=speakers]")).to_have_value(
        "Dr. Jan Glockauer, IHK Trier\nAxel Bettendorf, HWK Trier")
    expect(page.locator("input[name=venue]")).to_have_value("Industrie- und Handelskammer Trier, Saal 2")
    assert reload(forum).venue == "Handwerkskammer Trier, Großer Sitzungssaal im Erdgeschoss"
