"""The door page in a real browser: camera scanning, a keyboard-wedge scanner, search, walk-ins, undo.

Headless Chromium gets a fake camera whose picture is the guest's ticket QR code
(the same image the confirmation mail carries). Waits use expect() with generous
timeouts; nothing here asserts how fast anything is.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.checkin.models import CheckInRecord
from app.extensions import db
from app.registrations.models import Registration

from .conftest import PHONE, camera_feed, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOT = "/tmp/door.png"
SCAN_TIMEOUT_MS = 20_000  # the fake camera, qr-scanner's worker and a 4 s same-code pause


def green():
    return re.compile(r"\bbanner-green\b")


def amber():
    return re.compile(r"\bbanner-amber\b")


def stored(registration_id: int) -> Registration:
    db.session.rollback()  # a fresh snapshot: the server thread wrote in its own session
    return db.session.get(Registration, registration_id)


def records_of(registration_id: int) -> list[CheckInRecord]:
    db.session.rollback()
    query = select(CheckInRecord).where(CheckInRecord.registration_id == registration_id)
    return list(db.session.execute(query.order_by(CheckInRecord.id)).scalars())


@pytest.fixture
def door_page(live_server, chromium, door_user):
    """open(event, video=None) -> a phone-sized page, logged in as the door, on the event's check-in page."""
    pages = []

    def open_page(event, video=None):
        context = chromium(video).new_context(viewport=PHONE, locale="en-US")
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        log_in(page, live_server)
        page.goto(f"{live_server}/staff/events/{event.id}/checkin")
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


def test_the_camera_checks_a_ticket_in_and_the_same_ticket_again_says_already(
        door_page, make_event, sign_up, tmp_path):
    event = make_event(title="Forum Fachkräfte")
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")
    page = door_page(event, video=camera_feed(tmp_path, anna.ticket_code))
    banner = page.locator("#banner")
    expect(banner).to_have_class(re.compile(r"\bbanner-idle\b"))

    page.click("#tab-camera")  # the camera's tab starts it: one tap

    expect(page.locator("#camera-section")).to_be_visible()
    expect(banner).to_have_class(green(), timeout=SCAN_TIMEOUT_MS)
    expect(banner).to_contain_text("Anna Schmidt")
    expect(banner).to_contain_text("IHK Trier")
    expect(page.locator("#count-checked-in")).to_have_text("1")
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert stored(anna.id).checked_in_by == "Anna Door"
    expect(page.locator("#camera-start")).to_be_hidden()  # the camera runs: nothing to start
    # The fake camera's label is a long file path: the camera list must still fit the phone.
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0

    # The guest still holds the phone up: after the pause for the same code, the next
    # look is a second scan, and the door is told who let the guest in.
    expect(banner).to_have_class(amber(), timeout=SCAN_TIMEOUT_MS)
    expect(banner).to_contain_text("by Anna Door")
    expect(banner).to_contain_text("Anna Schmidt")
    expect(page.locator("#count-checked-in")).to_have_text("1")
    assert [(r.action, r.method) for r in records_of(anna.id)] == [("check_in", "scan")]
    assert page.errors == []


def test_a_camera_scan_after_reloading_the_page_says_already_checked_in(door_page, make_event, sign_up,
                                                                        tmp_path):
    event = make_event()
    anna = sign_up(event, name="Anna Schmidt")
    page = door_page(event, video=camera_feed(tmp_path, anna.ticket_code))
    page.click("#tab-camera")
    expect(page.locator("#banner")).to_have_class(green(), timeout=SCAN_TIMEOUT_MS)

    page.reload()
    expect(page.locator("#mode-camera")).to_be_visible()  # the page stays in its mode
    page.click("#camera-start")  # but the camera starts only when asked

    expect(page.locator("#banner")).to_have_class(amber(), timeout=SCAN_TIMEOUT_MS)
    expect(page.locator("#banner")).to_contain_text("by Anna Door")
    assert len(records_of(anna.id)) == 1


def test_a_keyboard_scanner_checks_in_on_enter_without_reloading_the_page(door_page, make_event, sign_up):
    event = make_event()
    anna = sign_up(event, name="Anna Schmidt")
    page = door_page(event)
    page.evaluate("window.stillTheSamePage = true")
    code_field = page.locator("#code")
    expect(code_field).to_be_focused()  # a wedge scanner types wherever the focus is

    code_field.type(f"http://podium.test/t/{anna.ticket_code}")
    code_field.press("Enter")

    banner = page.locator("#banner")
    expect(banner).to_have_class(green())
    expect(banner).to_contain_text("Anna Schmidt")
    expect(page.locator("#count-checked-in")).to_have_text("1")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(code_field).to_have_value("")
    expect(code_field).to_be_focused()  # ready for the next guest

    code_field.type(anna.ticket_code)
    code_field.press("Enter")
    expect(banner).to_have_class(amber())
    expect(banner).to_contain_text("by Anna Door")

    code_field.type("not-a-ticket-at-all")
    code_field.press("Enter")
    expect(banner).to_have_class(re.compile(r"\bbanner-red\b"))
    expect(banner).to_contain_text("Unknown ticket")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.errors == []


def test_search_walk_in_and_undo_work_without_leaving_the_page(door_page, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")
    page = door_page(event)
    page.evaluate("window.stillTheSamePage = true")
    banner = page.locator("#banner")

    browser_dialogs = []
    page.on("dialog", lambda dialog: (browser_dialogs.append(dialog.message), dialog.dismiss()))

    # Search as you type, then the button next to the name.
    page.click("#tab-search")
    page.locator("#search-q").type("schmi")
    result = page.locator("#search-results li", has_text="Anna Schmidt")
    result.get_by_role("button", name="Check in").click()
    expect(banner).to_have_class(green())
    expect(banner).to_contain_text("Anna Schmidt")
    expect(page.locator("#count-checked-in")).to_have_text("1")
    expect(result).to_contain_text("checked in at")
    assert stored(anna.id).checked_in_at is not None

    # Undo from the banner: a neutral answer, and the list offers the check-in again.
    banner.get_by_role("button", name="Undo").click()
    expect(banner).to_have_class(re.compile(r"\bbanner-neutral\b"))
    expect(banner).to_contain_text("Check-in undone")
    expect(page.locator("#count-checked-in")).to_have_text("0")
    expect(result.get_by_role("button", name="Check in")).to_be_visible()
    assert stored(anna.id).checked_in_at is None

    # A walk-in although the event is full: the page asks first, in its own dialog.
    page.click("#tab-walk-in")
    walk_in = page.locator("#walk-in-form")
    walk_in.locator("input[name=name]").fill("Eva Neu")
    walk_in.locator("input[name=organisation]").fill("Stadt Trier")
    walk_in.get_by_role("button", name="Register and check in").click()
    question = page.locator("dialog#over-capacity")
    expect(question).to_be_visible()
    expect(question).to_contain_text("Eva Neu")
    question.get_by_role("button", name="Let in anyway").click()

    expect(banner).to_have_class(green())
    expect(banner).to_contain_text("Eva Neu")
    expect(page.locator("#count-checked-in")).to_have_text("1")
    expect(page.locator("#count-confirmed")).to_have_text("2")
    assert browser_dialogs == []  # never the browser's confirm()
    expect(walk_in.locator("input[name=name]")).to_have_value("")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.errors == []


def test_the_camera_button_gives_way_to_the_camera_and_comes_back_after_stop(door_page, make_event):
    page = door_page(make_event())  # Chromium's default fake camera: a moving test pattern
    start = page.locator("#camera-start")
    expect(page.locator("#tab-camera")).to_be_visible()

    page.click("#tab-camera")

    expect(page.locator("#camera-section")).to_be_visible()
    expect(page.get_by_role("button", name="Stop camera")).to_be_visible()
    expect(start).to_be_hidden()  # one camera is running: nothing to start

    page.get_by_role("button", name="Stop camera").click()

    expect(page.locator("#camera-section")).to_be_hidden()
    expect(start).to_be_visible()
    start.click()
    expect(page.locator("#camera-section")).to_be_visible()

    page.click("#tab-code")  # another mode: the camera stops
    expect(page.locator("#camera-section")).to_be_hidden()
    expect(page.locator("#code")).to_be_focused()
    assert page.errors == []


def test_without_javascript_the_page_offers_no_camera_button_but_works(live_server, chromium, door_user,
                                                                        make_event, sign_up):
    event = make_event()
    anna = sign_up(event, name="Anna Schmidt")
    context = chromium().new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server)
        page.goto(f"{live_server}/staff/events/{event.id}/checkin")

        expect(page.locator("#camera-start")).to_be_hidden()  # it could not do anything
        expect(page.locator("#tab-camera")).to_be_hidden()
        page.fill("#code", anna.ticket_code)
        page.press("#code", "Enter")  # the plain form, posted to the server

        expect(page.locator("#banner")).to_have_class(green())
        expect(page.locator("#banner")).to_contain_text("Anna Schmidt")
    finally:
        context.close()


def test_the_door_page_fits_a_phone_screen(door_page, make_event, sign_up):
    event = make_event(title="Forum Arbeit, Integration und Teilhabe in der Region Trier-Saarburg")
    sign_up(event, name="Anna Schmidt")
    page = door_page(event)

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")

    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a {PHONE['width']}px phone"
