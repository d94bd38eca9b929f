"""The staff pages of the network (contacts, the import, campaigns, the outbox) in a real browser:
every row action visible and clickable on a desktop, no page that scrolls sideways on a phone,
the whole mail shown, the campaign's progress bar, the audience's details.

A staff member at 1280x900 must reach every action of a row without scrolling the table, and
on a phone (390x844) the tables turn into cards instead of running off the screen.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert

from app.auth.services import create_user
from app.campaigns import services as campaigns
from app.contacts.models import Contact, Institution
from app.database import utcnow
from app.extensions import db
from app.links import new_link_token
from app.text import name_key
from tests.conftest import STAFF_PASSWORD
from tests.rows import outbox_rows

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
STAFF_EMAIL = "buero@podium.test"

ORGANISATIONS = [
    ("Dr. Sabine Müller-Lüdenscheidt", "Agentur für Arbeit Trier, Team Integration und Arbeitsmarkt",
     "employment-agency", ["Arbeitsmarkt", "Podium", "Forum"]),
    ("Katharina Weber-Oberhausen", "Handwerkskammer Trier", "chamber", ["Kammern", "Ausbildung"]),
    ("Thomas Klein", "Stadt Trier, Amt für Soziales und Wohnen", "city", ["Verwaltung"]),
    ("Hanna Schneider", "Willkommensnetz Schweich e. V.", "volunteer", ["Ehrenamt"]),
    ("Mehmet Yılmaz", "Jobcenter Trier-Stadt", "employment-agency", ["Arbeitsmarkt"]),
    ("Amina Diallo", "Volkshochschule Trier", "school", ["Bildung", "Sprache"]),
]


def add_contacts() -> None:
    now = utcnow()
    rows = []
    institutions = {}
    for name, organisation, kind, _tags in ORGANISATIONS:
        institution = Institution(name=organisation, name_key=name_key(organisation), kind=kind)
        db.session.add(institution)
        db.session.flush()
        institutions[organisation] = institution.id
    for n, (name, organisation, kind, tags) in enumerate(ORGANISATIONS * 2):
        email = f"{name.split()[-1].lower()}.{n}@verwaltung-und-netzwerk.example"
        rows.append({"name": name, "email": email, "email_key": email.lower(),
                     "institution_id": institutions[organisation], "tags": tags, "locale": "de",
                     "source": "CSV import netzwerk.csv",
                     "source_at": now, "unsubscribed_at": now if n == 3 else None,
                     "unsubscribe_token": new_link_token(), "created_at": now, "updated_at": now})
    db.session.execute(insert(Contact), rows)
    db.session.commit()


@pytest.fixture
def network(app, make_event, sign_up, deliver):
    """Contacts, a sent campaign (kept: no mail server), a draft, and mails in the outbox."""
    create_user(STAFF_EMAIL, role="staff", password=STAFF_PASSWORD, name="Maria Büro")
    add_contacts()
    event = make_event(title="Wie kommen Geflüchtete in Ausbildung und Arbeit?",
                       starts_at=utcnow().replace(microsecond=0) + timedelta(days=14), capacity=80)
    sent = campaigns.create_campaign(event_id=event.id, subject="Einladung: {event}",
                                     body="Guten Tag {name},\n\nwir laden Sie ein zu {event} am {date}.\n\n{link}",
                                     audience={"all": True})
    campaigns.send_campaign(sent.id)
    draft = campaigns.create_campaign(event_id=event.id, subject="{name}, Sie sind eingeladen: {event}",
                                      body="Guten Tag {name},\n\n{link}", audience={"tags": ["Ehrenamt"]})
    sign_up(event, name="Fatima Al-Hassan", email="fatima.al-hassan@willkommensnetz.example")
    deliver()
    [confirmation] = outbox_rows(recipient="fatima.al-hassan@willkommensnetz.example")
    return {"sent": sent.id, "draft": draft.id, "mail": confirmation.id, "event": event.id}


def pages(network) -> dict[str, str]:
    """Every page of this part, by a name for the failure message."""
    return {
        "contacts": "/staff/contacts/",
        "contact-new": "/staff/contacts/new",
        "contact-edit": f"/staff/contacts/{first_contact_id()}/edit",
        "contact-delete": f"/staff/contacts/{first_contact_id()}/delete",
        "import": "/staff/contacts/import",
        "campaigns": "/staff/campaigns/",
        "campaign-new": "/staff/campaigns/new",
        "campaign-sent": f"/staff/campaigns/{network['sent']}",
        "campaign-draft": f"/staff/campaigns/{network['draft']}",
        "campaign-edit": f"/staff/campaigns/{network['draft']}/edit",
        "campaign-preview": f"/staff/campaigns/{network['draft']}/preview",
        "campaign-send": f"/staff/campaigns/{network['draft']}/send",
        "outbox": "/staff/mails/",
        "mail": f"/staff/mails/{network['mail']}",
    }


def first_contact_id() -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.min(Contact.id))).scalar_one()


@pytest.fixture
def staff_page(live_server, chromium):
    """open(viewport) -> a page of a logged-in staff member's browser of that size, in German."""
    browser = chromium()
    contexts = []

    def open_page(viewport):
        context = browser.new_context(viewport=viewport, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(f"{live_server}/staff/login")
        page.fill("input[name=email]", STAFF_EMAIL)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state("load")
        return page

    yield open_page
    for context in contexts:
        context.close()


def sideways(page) -> int:
    """How far the page would scroll sideways (0: not at all)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def upload_import(page, live_server, tmp_path) -> None:
    """The import preview, with a line that is left out and one with an unknown kind."""
    data = tmp_path / "netzwerk.csv"
    data.write_text("Name;E-Mail;Organisation;Art\n"
                    "Piotr Nowak;piotr.nowak@example.org;Baufirma Nowak;Baufirma\n"
                    "Dieter Ohne;keine-adresse;;\n"
                    "Carla Neu;carla.neu@example.org;Caritas Trier;Wohlfahrtsverband\n", encoding="utf-8")
    page.goto(f"{live_server}/staff/contacts/import")
    page.set_input_files("input[type=file]", str(data))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")


# --- row actions on a desktop ------------------------------------------------------------------

def assert_row_actions_reachable(page, table: str) -> int:
    """Every action of every row of `table` is visible, inside the window, clickable, and the table
    needs no scrolling sideways; returns how many there are."""
    wrap = page.locator(f"{table}").locator("xpath=ancestor::div[contains(@class, 'table-wrap')]")
    assert wrap.evaluate("el => el.scrollWidth - el.clientWidth") <= 0, f"{table} scrolls sideways"
    actions = page.locator(f"{table} td.actions-cell a, {table} td.actions-cell button")
    count = actions.count()
    for n in range(count):
        action = actions.nth(n)
        action.scroll_into_view_if_needed()
        expect(action).to_be_visible()
        box = action.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], (
            f"{table}: action {n} ({action.inner_text()!r}) lies outside the window: {box}")
        action.click(trial=True)  # visible, stable, enabled, and nothing covers it
    return count


def test_every_row_action_of_the_contacts_is_visible_and_clickable_at_1280(network, staff_page, live_server):
    page = staff_page(DESKTOP)
    page.goto(f"{live_server}/staff/contacts/")

    assert assert_row_actions_reachable(page, "table#contacts") == 2 * 12
    assert sideways(page) <= 0
    edit = page.locator("table#contacts tbody tr").first.locator("td.actions-cell a").first
    edit.click()
    page.wait_for_load_state("load")
    assert re.search(r"/staff/contacts/\d+/edit$", page.url)
    assert page.errors == []


def test_every_row_action_of_campaigns_and_recipients_and_every_outbox_column_is_reachable_at_1280(network, staff_page,
                                                                                       live_server):
    page = staff_page(DESKTOP)

    page.goto(f"{live_server}/staff/campaigns/")
    assert assert_row_actions_reachable(page, "table#campaigns") == 3  # open both, edit the draft
    page.goto(f"{live_server}/staff/campaigns/{network['sent']}")
    assert assert_row_actions_reachable(page, "table#recipients") == 11  # one unsubscribed before
    page.goto(f"{live_server}/staff/mails/")
    # The outbox's rows have no actions of their own (a mail is sent again from its page), but
    # every column, the last error too, is there without scrolling.
    assert assert_row_actions_reachable(page, "table#mails") == 0
    expect(page.locator("table#mails th").last).to_be_in_viewport()
    assert sideways(page) <= 0


# --- no page scrolls sideways ------------------------------------------------------------------

@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_page_scrolls_sideways(network, staff_page, live_server, tmp_path, viewport):
    page = staff_page(viewport)
    wide = {}
    for name, path in pages(network).items():
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, name
        if sideways(page) > 0:
            wide[name] = sideways(page)
    upload_import(page, live_server, tmp_path)
    expect(page.locator("table#lines")).to_be_visible()
    if sideways(page) > 0:
        wide["import-preview"] = sideways(page)

    assert wide == {}
    assert page.errors == []


def test_on_a_phone_the_tables_are_cards_with_their_column_names(network, staff_page, live_server):
    page = staff_page(PHONE)
    page.goto(f"{live_server}/staff/contacts/")

    first = page.locator("table#contacts tbody tr").first
    label = first.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"E-Mail"'
    assert first.locator("td").nth(1).bounding_box()["width"] > PHONE["width"] / 2, "a cell spans the card"


# --- what only a browser shows -----------------------------------------------------------------

def test_the_mail_is_shown_whole_without_a_frame_that_cuts_it_off(network, staff_page, live_server):
    page = staff_page(DESKTOP)
    page.goto(f"{live_server}/staff/mails/{network['mail']}")
    frame = page.locator("iframe.mail-html")

    expect(frame).to_have_class(re.compile(r"\bfitted\b"))
    inner = frame.evaluate("f => f.contentDocument.documentElement.scrollHeight")
    outer = frame.evaluate("f => f.clientHeight")
    assert outer >= inner, "the frame is as tall as the mail: nothing is cut off, nothing scrolls inside"
    assert inner > 300
    expect(page.locator("pre.mail-text")).to_contain_text("Fatima Al-Hassan")
    assert page.errors == []


def test_the_progress_bar_follows_the_sending_and_the_page_ends_on_kept_not_sent(
        app, network, staff_page, live_server, make_event, make_contacts_for_progress, deliver):
    campaign = make_contacts_for_progress()
    page = staff_page(DESKTOP)
    page.goto(f"{live_server}/staff/campaigns/{campaign}")
    bar = page.locator("progress#campaign-bar")
    expect(bar).to_have_attribute("value", "0")

    deliver()

    # campaign.js polls, sees every mail handled and reloads the page once.
    expect(page.locator("dd.campaign-status .badge")).to_have_text("zurückgehalten", timeout=15_000)  # staff read German
    expect(page.locator("progress#campaign-bar")).to_have_attribute("value", "11")
    expect(page.locator("[data-count=sent]")).to_have_text("0")
    expect(page.locator("[data-count=held]")).to_have_text("11")
    assert page.errors == []


@pytest.fixture
def make_contacts_for_progress(network):
    """A second campaign to everyone, sent and not yet delivered: its id."""

    def make():
        campaign = campaigns.create_campaign(event_id=network["event"], subject="Noch einmal: {event}",
                                             body="Guten Tag {name},\n\n{link}", audience={"all": True})
        campaigns.send_campaign(campaign.id)
        return campaign.id

    return make


def test_the_campaign_form_shows_the_details_of_the_chosen_audience_only(network, staff_page, live_server):
    page = staff_page(DESKTOP)
    page.goto(f"{live_server}/staff/campaigns/new")
    tags, kinds, emails = (page.locator(f"[data-audience={name}]") for name in ("tags", "kinds", "emails"))

    expect(tags).to_be_hidden()
    expect(kinds).to_be_hidden()
    page.locator("input[name=audience][value=tags]").check()
    expect(tags).to_be_visible()
    expect(emails).to_be_hidden()
    page.locator("input[name=audience][value=kinds]").check()
    expect(kinds).to_be_visible()
    expect(tags).to_be_hidden()
    assert page.errors == []
