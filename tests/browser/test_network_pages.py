"""The network's own pages in a real browser, as issue 13 asks: a person's page with the whole
history on a phone, a working group that gains a member and plans a meeting through its pages,
and an event's results uploaded through the real file input and shown on its public page under
the Content-Security-Policy.

The person's page only looks, so it walks the shared scene (scene.py: the demo's network); the
working group and the results change what they look at, so they get an empty Podium of their own.
"""
import re
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.services import create_user
from app.campaigns.models import Campaign, CampaignRecipient
from app.campaigns.services import INVITATION
from app.database import utcnow
from app.demo import DEMO_PDF
from app.events.models import Event
from app.extensions import db
from app.network import groups
from app.network.models import MeetingPresence, ResultFile, WorkingGroupMember
from app.registrations.models import Registration
from tests.conftest import STAFF_PASSWORD, TEST_ACTOR
from tests.network.members import make_person
from tests.rows import outbox_rows

from .conftest import SIZES, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAFF_EMAIL = "buero@podium.test"


def sideways(page) -> int:
    """How far the page would scroll sideways (0: not at all)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


# --- a person's page: the whole history, on a phone ---------------------------------------------

def history_in_the_database(scene_server, contact_id: int) -> dict[str, list[str]]:
    """What the person's page must show, read from the scene's tables (not through the page's own
    queries): each section's id and the titles it lists."""
    def rows(query) -> list:
        return list(db.session.execute(query).scalars())

    with scene_server.app.app_context():
        registrations = rows(select(Registration).join(Event).where(Registration.contact_id == contact_id))
        history = {
            "invitations": [r.campaign.event.title for r in rows(
                select(CampaignRecipient).where(CampaignRecipient.contact_id == contact_id))],
            "registrations": [r.event.title for r in registrations],
            "attended": [r.event.title for r in registrations if r.checked_in_at is not None],
            "groups": [m.group.name for m in rows(
                select(WorkingGroupMember).where(WorkingGroupMember.contact_id == contact_id))],
            "meetings": [e.title for e in rows(
                select(Event).join(MeetingPresence, MeetingPresence.event_id == Event.id)
                .where(MeetingPresence.contact_id == contact_id))],
        }
        db.session.remove()
    return history


# Where each section's first link leads, and what that page is.
LEADS_TO = {
    "invitations": r"/staff/campaigns/\d+$",
    "registrations": r"/staff/events/\d+/registrations(#registration-\d+)?$",
    "attended": r"/staff/events/\d+/attendance$",
    "groups": r"/staff/groups/\d+$",
    "meetings": r"/staff/meetings/\d+/edit$",
}


def test_a_persons_page_shows_invitations_sign_ups_attendance_groups_and_meetings_on_a_phone(
        scene_page, scene_server):
    person_id = scene_server.scene.person_id
    history = history_in_the_database(scene_server, person_id)
    assert all(history.values()), f"the scene's person lacks part of a history: {history}"
    page = scene_page("staff", "phone")
    url = f"{scene_server.base_url}/staff/contacts/{person_id}"
    page.goto(url)

    for section, titles in history.items():
        box = page.locator(f"section#{section}")
        expect(box.locator("h2")).to_contain_text(f"({len(titles)})")
        for title in set(titles):
            expect(box).to_contain_text(title)
        link = box.locator("a").first
        link.scroll_into_view_if_needed()
        expect(link).to_be_in_viewport()
        box_of = link.bounding_box()
        assert box_of["x"] >= 0 and box_of["x"] + box_of["width"] <= SIZES["phone"]["width"], (
            f"the first link of {section} runs off the phone's screen: {box_of}")
    assert sideways(page) <= 0

    # Each section's first link, clicked as staff do, opens its page.
    for section, leads_to in LEADS_TO.items():
        page.goto(url)
        link = page.locator(f"section#{section} a").first
        name = link.inner_text().strip()
        with page.expect_navigation():
            link.click()
        assert re.search(leads_to, page.url), f"{section}: {name!r} led to {page.url}"
        expect(page.locator("main h1")).to_be_visible()
    # ... and every other link of the history answers too.
    page.goto(url)
    hrefs = page.eval_on_selector_all("main section a[href]", "links => links.map(a => a.href)")
    broken = {href: page.request.get(href).status for href in set(hrefs)}
    assert {href: status for href, status in broken.items() if status != 200} == {}
    assert page.errors == []


# --- a working group: a member added and a meeting planned through the pages --------------------

@pytest.fixture
def staff_browser(live_server, chromium):
    """open(size) -> a page of a logged-in staff member's browser, in English."""
    create_user(STAFF_EMAIL, role="staff", password=STAFF_PASSWORD, name="Maria Büro")
    browser = chromium()
    contexts = []

    def open_page(size: str):
        context = browser.new_context(viewport=SIZES[size], locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        log_in(page, live_server, STAFF_EMAIL, lands_on="/staff/")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_staff_add_a_member_and_plan_a_meeting_that_appears_among_the_groups_meetings(
        live_server, staff_browser, size):
    group = groups.create_group(name="AK Ausbildung", purpose="Wege in Ausbildung", by=TEST_ACTOR)
    for name in ("Anna Schmidt", "Ben Okafor"):
        groups.add_member(group.id, make_person(name=name, email=f"{name.split()[0].lower()}@example.org").id,
                          by=TEST_ACTOR)
    carla = make_person(name="Carla Neumann", email="carla@example.org")
    page = staff_browser(size)
    page.goto(f"{live_server}/staff/groups/{group.id}")

    search = page.locator("form#add-members")
    search.get_by_role("searchbox").fill("Neumann")
    search.get_by_role("button", name="Find").click()
    page.locator(f"#found-{carla.id}").get_by_role("button", name="Add").click()

    members = page.locator("table#member-list")
    expect(members.locator(f"tr#member-{carla.id}")).to_contain_text("Carla Neumann")
    expect(page.locator("section#members h2")).to_contain_text("3 members")

    page.get_by_role("link", name="Plan a meeting").click()
    form = page.locator("form#plan-form")
    day = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%d")
    form.locator("input[name=title]").fill("AK Ausbildung: Treffen im Januar")
    form.locator("input[name=day]").fill(day)
    form.locator("input[name=starts]").fill("16:00")
    form.locator("input[name=ends]").fill("18:00")
    form.locator("input[name=venue]").fill("Rathaus Trier, Raum 12")
    form.get_by_role("button", name=re.compile("Create the meeting and invite 3 members")).click()

    expect(page.locator("main")).to_contain_text("The meeting is planned.")
    db.session.rollback()  # the server's thread wrote in its own session
    campaign = db.session.execute(select(Campaign)).scalar_one()
    meeting = db.session.get(Event, campaign.event_id)
    assert (meeting.title, meeting.visibility, meeting.working_group_id) == (
        "AK Ausbildung: Treffen im Januar", "invitation", group.id)
    # One invitation per member, Carla's too, each waiting in the outbox (no mail server here).
    rows = outbox_rows(kind=INVITATION)
    assert sorted(row.recipient for row in rows) == ["anna@example.org", "ben@example.org", "carla@example.org"]
    assert {row.status for row in rows} == {"queued"}

    page.goto(f"{live_server}/staff/groups/{group.id}")
    upcoming = page.locator("table#upcoming-meetings")
    expect(upcoming.locator(f"tr#meeting-{meeting.id}")).to_contain_text("AK Ausbildung: Treffen im Januar")
    expect(upcoming.locator(f"tr#meeting-{meeting.id}")).to_contain_text("Rathaus Trier, Raum 12")
    assert sideways(page) <= 0
    # Invitation-only: without the key of an invitation, its public page has no sign-up form.
    guest = page.context.browser.new_context(viewport=SIZES[size], locale="en-US")
    response = guest.new_page().goto(f"{live_server}/events/{meeting.slug}/")
    assert response.status == 200 and 'id="signup"' not in response.text()
    guest.close()
    assert page.errors == []


# --- results: uploaded through the file input, shown on the public page -------------------------

def picture(path) -> str:
    """A small PNG, as a camera's photo would be after the upload draws it anew."""
    image = Image.new("RGB", (320, 200), (30, 110, 160))
    for x in range(0, 320, 40):
        image.paste((240, 200, 40), (x, 80, x + 20, 120))
    image.save(path)
    return str(path)


def upload(page, path: str, title: str, visibility: str) -> None:
    """Choose the file in the real file input, give it a title and who sees it, and add it."""
    form = page.locator("form[enctype='multipart/form-data']")
    form.locator("input[type=file]").set_input_files(path)
    form.locator("input[name=title]").fill(title)
    form.locator(f"input[name=visibility][value={visibility}]").check()
    form.get_by_role("button", name="Add file").click()
    expect(page.locator("#files")).to_contain_text(title)


def test_uploaded_results_show_on_the_public_page_of_the_ended_event_image_loaded_pdf_linked(
        live_server, staff_browser, make_event, set_event, tmp_path):
    event = make_event(title="Forum Integration durch Ausbildung")
    started = utcnow().replace(microsecond=0) - timedelta(days=3)
    set_event(event, starts_at=started, ends_at=started + timedelta(hours=2))
    pdf = tmp_path / "protokoll-forum.pdf"
    pdf.write_bytes(DEMO_PDF)
    internal = tmp_path / "teilnehmerliste.pdf"
    internal.write_bytes(DEMO_PDF)
    page = staff_browser("desktop")
    page.goto(f"{live_server}/staff/events/{event.id}/results")

    upload(page, picture(tmp_path / "gruppenfoto.png"), "Gruppenfoto vom Forum", "public")
    upload(page, str(pdf), "Protokoll des Forums", "network")
    upload(page, str(internal), "Teilnehmerliste (intern)", "network")
    row = page.locator("#files tr", has_text="Protokoll des Forums")
    row.get_by_role("button", name="Make public").click()
    expect(page.locator("#files tr", has_text="Protokoll des Forums")).to_contain_text("Public")

    db.session.rollback()
    stored = {f.title: f.visibility for f in db.session.execute(select(ResultFile)).scalars()}
    assert stored == {"Gruppenfoto vom Forum": "public", "Protokoll des Forums": "public",
                      "Teilnehmerliste (intern)": "network"}
    guest = page.context.browser.new_context(viewport=SIZES["phone"], locale="en-US").new_page()
    guest.errors = []
    guest.on("pageerror", lambda error: guest.errors.append(str(error)))
    response = guest.goto(f"{live_server}/events/{event.slug}/")
    assert "content-security-policy" in response.headers  # what the image has to load under

    results = guest.locator("section.event-results")
    image = results.locator("img[alt='Gruppenfoto vom Forum']")
    image.scroll_into_view_if_needed()  # it loads lazily
    expect(image).to_be_visible()
    guest.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 320
    link = results.get_by_role("link", name="Protokoll des Forums")
    expect(link).to_be_visible()
    download = guest.request.get(link.evaluate("a => a.href"))
    assert download.status == 200 and download.body().startswith(b"%PDF")
    expect(results).not_to_contain_text("Teilnehmerliste")
    assert sideways(guest) <= 0
    assert guest.errors == [] and page.errors == []
    guest.context.close()
