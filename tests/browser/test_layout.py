"""What issue 11 promises about how the pages sit on a screen, checked in Chromium at 390x844 and
1280x900: no page scrolls sideways, staff tables show every column and every row action, the
door's answer appears where the organiser looks, the error summary takes the focus, and the pages
after signing up offer exactly what the guest needs.

Looking-only checks walk the tour of every page in the shared scene (tour.py, scene.py); checks
that sign people up or let them in get an empty Podium of their own.
"""
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus

from .conftest import SIZES, log_in
from .tour import TOUR, reveal, visit
from .tour import sign_up as sign_up_on_the_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The elements that stick out of the window, outermost first: what to fix when a page scrolls sideways.
STICKING_OUT = """() => {
    const limit = document.documentElement.clientWidth;
    const out = el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > limit + 1 || r.left < -1);
    };
    const clipped = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        return false;
    };
    const describe = el => {
        const r = el.getBoundingClientRect();
        const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
        return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map(c => '.' + c).join('')
            + ` (${Math.round(r.left)}..${Math.round(r.right)}px) "${text}"`;
    };
    const culprits = [...document.body.querySelectorAll('*')]
        .filter(el => out(el) && !clipped(el)
                && !(el.parentElement && el.parentElement !== document.body && out(el.parentElement)));
    return {width: document.documentElement.scrollWidth, limit: window.innerWidth,
            culprits: culprits.slice(0, 8).map(describe)};
}"""

# Each row action, and how much of it shows without scrolling anything sideways (the window and
# every scrolling or clipping box around it).
ROW_ACTIONS = """() => [...document.querySelectorAll('td.actions-cell a, td.actions-cell button')].map(el => {
    const r = el.getBoundingClientRect();
    let left = Math.max(r.left, 0), right = Math.min(r.right, document.documentElement.clientWidth);
    for (let p = el.parentElement; p; p = p.parentElement) {
        if (getComputedStyle(p).overflowX === 'visible') continue;
        const box = p.getBoundingClientRect();
        left = Math.max(left, box.left); right = Math.min(right, box.right);
    }
    const label = (el.innerText || el.getAttribute('aria-label') || el.value || '').trim().replace(/\\s+/g, ' ');
    const row = el.closest('tr');
    return {label, row: row ? (row.cells[0] || row).innerText.trim().slice(0, 40) : '',
            width: r.width, shown: Math.max(0, right - left), left: r.left, right: r.right};
})"""


def look(scene_page, scene_server, stop, size):
    """The stop's page as its person sees it at `size`, after what they do there."""
    page = scene_page(stop.who, size)
    response = visit(page, scene_server.base_url, scene_server.scene, stop)
    assert response.status < 500, f"{stop} answers {response.status}"
    return page


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stop", TOUR, ids=str)
def test_no_page_scrolls_sideways(scene_page, scene_server, stop, size):
    page = look(scene_page, scene_server, stop, size)

    found = page.evaluate(STICKING_OUT)

    assert found["width"] <= found["limit"], (
        f"{stop} scrolls sideways at {size} width: {found['width']}px of content in a {found['limit']}px window; "
        f"sticking out: {'; '.join(found['culprits']) or '(nothing visible: a margin or a pseudo-element)'}")


TABLES = [stop for stop in TOUR if stop.table]


@pytest.mark.parametrize("stop", TABLES, ids=str)
def test_every_row_action_of_a_staff_table_is_visible_and_clickable_at_desktop_width(scene_page, scene_server,
                                                                                     stop):
    page = look(scene_page, scene_server, stop, "desktop")

    actions = page.evaluate(ROW_ACTIONS)

    if stop.row_actions:
        assert actions, f"{stop}: no row actions at all (td.actions-cell a/button), e.g. cancel or confirm"
    hidden = [f"'{a['label']}' in the row of {a['row']!r}: {a['shown']:.0f} of {a['width']:.0f}px shown "
              f"(at {a['left']:.0f}..{a['right']:.0f}px)" for a in actions if a["shown"] < a["width"] - 1]
    assert not hidden, f"{stop}: row actions cut off at 1280px without scrolling sideways: " + "; ".join(hidden)
    buttons = page.locator("td.actions-cell a, td.actions-cell button")
    for n in range(buttons.count()):
        button = buttons.nth(n)
        assert button.is_visible(), f"{stop}: row action {actions[n]['label']!r} is not visible"
        button.click(trial=True, timeout=3_000)  # enabled, not covered by anything: a click would land


@pytest.mark.parametrize("stop", TABLES, ids=str)
def test_staff_tables_show_every_column_at_desktop_width(scene_page, scene_server, stop):
    page = look(scene_page, scene_server, stop, "desktop")

    cut = page.evaluate("""() => [...document.querySelectorAll('table')].map(table => {
        const wrap = table.closest('.table-wrap') || table.parentElement;
        return {caption: (table.caption || table.querySelector('th') || table).innerText.trim().slice(0, 40),
                needs: Math.round(wrap.scrollWidth), has: Math.round(wrap.clientWidth)};
    }).filter(t => t.needs > t.has + 1)""")

    assert not cut, f"{stop}: tables wider than their box at 1280px, so columns hide behind a sideways scroll: {cut}"


@pytest.mark.parametrize("size", SIZES)
def test_the_error_summary_takes_the_focus_after_an_invalid_sign_up(scene_page, scene_server, size):
    page = scene_page("guest", size)
    page.goto(f"{scene_server.base_url}/events/{scene_server.scene.event_slug}/")
    form = page.locator("form#signup")
    form.locator("input[name=name]").fill("Nadia Rahimi")
    form.locator("input[name=email]").fill("nadia.rahimi@")

    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    height = page.evaluate("window.innerHeight")
    assert 0 <= box["y"] < height, f"the error summary is out of view at {size}: its top at {box['y']:.0f}px"
    links = summary.locator("a[href^='#']")
    assert links.count() >= 2, "the summary links to each field that needs attention (email, consent)"
    for n in range(links.count()):
        target = links.nth(n).get_attribute("href")
        assert page.locator(target).count() == 1, f"the summary's link {target} leads nowhere"
    expect(page.locator("form#signup input[name=name]")).to_have_value("Nadia Rahimi")  # nothing typed is lost
    expect(page.locator("form#signup input[name=email]")).to_have_attribute("aria-invalid", "true")


# --- after signing up: exactly what the guest needs -------------------------------------------

def registration_of(email: str) -> Registration:
    db.session.rollback()  # the server thread wrote in its own session
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one()


@pytest.fixture
def guest_page(live_server, chromium):
    """open(size) -> a guest's page in English at that size."""
    contexts = []

    def open_page(size: str):
        context = chromium().new_context(viewport=SIZES[size], locale="en-US")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_with_a_place_the_guest_lands_on_what_happened_with_ticket_calendar_and_own_page(
        live_server, guest_page, make_event, size):
    event = make_event(title="Forum Fachkräfte", capacity=10)
    page = guest_page(size)
    page.goto(f"{live_server}/events/{event.slug}/")

    sign_up_on_the_page(page, "nadia.rahimi@example.org")

    registration = registration_of("nadia.rahimi@example.org")
    assert registration.status == RegistrationStatus.confirmed
    outcome = page.locator("section.outcome")
    expect(outcome).to_be_visible()
    expect(outcome).to_contain_text("nadia.rahimi@example.org")  # where the mail went
    assert outcome.bounding_box()["y"] < page.evaluate("window.innerHeight"), "the outcome is the first thing seen"
    main = page.locator("main")
    expect(main.locator(f"a[href$='/r/{registration.manage_token}']").first).to_be_visible()
    expect(main.locator("a[href*='.ics']").first).to_be_visible()
    ticket = main.locator(f"img[src*='/t/{registration.ticket_code}/qr.png'], "
                          f"a[href$='/t/{registration.ticket_code}']")
    expect(ticket.first).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_on_the_waitlist_the_guest_sees_the_position_and_no_calendar_offer(
        live_server, guest_page, make_event, sign_up, size):
    event = make_event(title="Fachgespräch Anerkennung", capacity=1, waitlist_enabled=True)
    for _ in range(3):
        sign_up(event)  # one place taken, two people in line before our guest
    page = guest_page(size)
    page.goto(f"{live_server}/events/{event.slug}/")

    sign_up_on_the_page(page, "nadia.rahimi@example.org")

    assert registration_of("nadia.rahimi@example.org").status == RegistrationStatus.waitlisted
    outcome = page.locator("section.outcome")
    expect(outcome).to_be_visible()
    expect(outcome).to_contain_text(re.compile("waitlist", re.IGNORECASE))
    expect(outcome).to_contain_text(re.compile(r"\b3\b"))  # third in line
    main = page.locator("main")
    offers = main.locator("a[href*='.ics'], a[href*='calendar.google'], a[href*='outlook'], img[src*='qr.png']")
    assert offers.count() == 0, f"no place yet, so no calendar entry and no ticket: {offers.all_inner_texts()}"


# --- the door: every answer where the organiser is looking --------------------------------------

def check_in_by_code(page, guest):
    reveal(page, "#code")
    page.locator("#code").fill(guest.ticket_code)
    page.locator("#code").press("Enter")


def check_in_by_search(page, guest):
    reveal(page, "#search-q")
    page.locator("#search-q").press_sequentially(guest.name.split()[-1], delay=30)
    result = page.locator("#search-results li", has_text=guest.name)
    result.get_by_role("button", name="Check in").click()


def let_a_walk_in_in(page, guest):
    reveal(page, "#walk-in-form")
    form = page.locator("#walk-in-form")
    form.locator("input[name=name]").fill(guest.name)
    form.locator("button[type=submit]").click()


def undo(page, guest):
    check_in_by_code(page, guest)
    expect(page.locator("#banner")).to_contain_text(guest.name)
    page.locator("#banner").get_by_role("button", name="Undo").click()
    expect(page.locator("#banner")).to_contain_text(re.compile("undone", re.IGNORECASE))


DOOR_ACTIONS = {"code": check_in_by_code, "search": check_in_by_search, "walk-in": let_a_walk_in_in,
                "undo": undo}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("action", DOOR_ACTIONS)
def test_the_door_shows_each_answer_in_view_with_the_guests_name(live_server, chromium, door_user, make_event,
                                                                  sign_up, action, size):
    event = make_event(title="Forum Arbeit und Integration", capacity=50)
    for n in range(12):
        sign_up(event, name=f"Gast Nummer {n}")
    guest = SimpleNamespace(name="Samira Neu") if action == "walk-in" else sign_up(event, name="Olena Kovalenko")
    context = chromium().new_context(viewport=SIZES[size], locale="en-US")
    page = context.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server}/staff/events/{event.id}/checkin")

    DOOR_ACTIONS[action](page, guest)

    banner = page.locator("#banner")
    expect(banner).to_contain_text(guest.name)
    box = banner.bounding_box()
    height = page.evaluate("window.innerHeight")
    assert box["y"] >= 0 and box["y"] + min(box["height"], height) <= height + 1, (
        f"after the {action} at {size} size the answer is out of view: #banner at {box['y']:.0f}.."
        f"{box['y'] + box['height']:.0f}px, the window shows 0..{height}px")
    context.close()


# --- negative controls: the checks above see what they look for ---------------------------------

def test_the_checks_see_a_page_that_scrolls_sideways_and_a_row_action_cut_off(scene_browser):
    page = scene_browser.new_page(viewport=SIZES["phone"])
    try:
        page.set_content('<!doctype html><body><div id="wide" style="width: 600px">too wide</div>'
                         '<div class="table-wrap" style="overflow-x: auto; width: 300px"><table><tr>'
                         '<td style="min-width: 400px">Anna Schmidt</td>'
                         '<td class="actions-cell"><button>Cancel</button></td></tr></table></div></body>')
        found = page.evaluate(STICKING_OUT)
        actions = page.evaluate(ROW_ACTIONS)
    finally:
        page.close()

    assert found["width"] > found["limit"] and found["culprits"][0].startswith("div#wide (")
    assert [(a["label"], a["row"], a["shown"]) for a in actions] == [("Cancel", "Anna Schmidt", 0)]
