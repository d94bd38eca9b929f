"""Staff find a person by address, see and download everything Podium holds about them, and erase
it in one step: their places go to the waitlist, the figures stay, the history says who erased but
not whose data."""
import json
import re

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.campaigns import services as campaigns
from app.contacts import services as contacts
from app.contacts.models import Contact
from app.database import write_transaction
from app.extensions import db
from app.network.models import MeetingPresence, WorkingGroup, WorkingGroupMember
from app.privacy.registry import Holds, columns_holding
from tests.conftest import TEST_ACTOR
from tests.pages import field_error, main_text, page
from tests.rows import fresh_reads, outbox_rows, registrations_of

from .conftest import figures, whole_database

# The columns a person's download leaves out: the keys of their links (a file that travels must
# not open their pages) and the address as Podium matches it (the address itself is there).
NOT_EXPORTED = {"ticket_code", "manage_token", "email_key", "unsubscribe_token"}


@pytest.fixture
def anna(held_event, make_event, sign_up, deliver):
    """Anna: came to a past event, holds the only place of a coming one (Ben waits behind her), is a
    contact invited by a campaign. Carla, another guest, shares none of it."""
    past = held_event(ended=3)
    coming = make_event(title="Forum Zukunft", capacity=1, waitlist_enabled=True)
    sign_up(coming, name="Anna Schmidt", email="Anna@Example.org", organisation="Caritas Trier",
            note="Bitte Dolmetscherin")
    sign_up(coming, name="Ben Weber", email="ben@example.org")
    sign_up(coming, name="Carla Neu", email="carla@example.org")
    contacts.create_contact({"name": "Anna Schmidt", "email": "anna@example.org", "institution_name": "Caritas",
                             "institution_kind": "charity", "tags": "Ehrenamt", "consent_given": True},
                            by=TEST_ACTOR)
    campaign = campaigns.create_campaign(event_id=coming.id, subject="Einladung: {event}",
                                         body="Hallo {name}: {link}", audience={"all": True})
    campaigns.send_campaign(campaign.id)
    deliver()
    _member_and_present("anna@example.org", make_event)
    return past, coming


def _member_and_present(email, make_event):
    """The contact belongs to a working group and was at a recorded meeting."""
    contact = db.session.execute(select(Contact).where(Contact.email_key == email)).scalar_one()
    meeting = make_event(title="Gespräch mit dem BAMF", visibility="record")
    with write_transaction():
        group = WorkingGroup(slug="ak-sprache", name="AK Sprache")
        db.session.add(group)
        db.session.flush()
        db.session.add_all([WorkingGroupMember(group_id=group.id, contact_id=contact.id),
                            MeetingPresence(event_id=meeting.id, contact_id=contact.id)])


def find(office, email):
    return office.post(url_for("privacy_staff.person"), data={"email": email})


def test_staff_find_everything_under_an_address_whatever_its_case(office, anna):
    response = find(office, "  ANNA@example.ORG ")

    assert response.status_code == 200
    shown = page(response)
    assert [row.find("td").text.split(" ")[0:2] for row in shown.one(id="registrations").find_all("tr")[1:]] == [
        ["Forum", "Zukunft"], ["Forum", "Ausbildung"]]
    assert "Bitte Dolmetscherin" in main_text(response) and "Rollstuhl" in main_text(response)
    assert shown.one(id="contact-consent").text.startswith("told to staff")
    assert "InstitutionCaritas (Charity)" in shown.one(id="contact").text
    assert "Einladung: Forum Zukunft" in shown.one(id="mails").text
    assert "Carla" not in main_text(response) and "Ben Weber" not in main_text(response)


def test_an_unknown_address_holds_nothing_and_offers_nothing_to_erase(office, anna):
    response = find(office, "nobody@example.org")

    assert page(response).one(id="nothing").text == "Podium holds nothing under this address."
    assert page(response).find("form", id="erase") is None


def test_the_address_travels_in_the_form_not_in_the_url(office, anna):
    response = find(office, "")

    assert response.status_code == 422
    assert field_error(response, "email") == "Please enter the email address."
    form = page(office.get(url_for("privacy_staff.index"))).one("form", id="find-person")
    assert form.get("method") == "post"


def test_the_download_holds_everything_with_the_mails_and_the_consent_texts(office, anna):
    response = office.post(url_for("privacy_staff.download"), data={"email": "anna@example.org"})

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="podium-data-')
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.get_data(as_text=True))
    assert [r["event"]["title"] for r in data["registrations"]] == ["Forum Zukunft", "Forum Ausbildung"]
    came = data["registrations"][1]
    assert (came["name"], came["note"], came["status"]) == ("Anna Schmidt", "Rollstuhl", "confirmed")
    assert [c["action"] for c in came["check_ins"]] == ["check_in"]
    assert "deleted 12 months after the event" in came["consent_text"]
    assert data["contact"]["consent_source"] == "staff"
    assert (data["contact"]["institution"], data["contact"]["institution_kind"]) == ("Caritas", "charity")
    assert data["contact"]["invitations"][0]["subject"] == "Einladung: {event}"
    assert [g["group"] for g in data["contact"]["working_groups"]] == ["AK Sprache"]
    assert [m["meeting"] for m in data["contact"]["meetings_present"]] == ["Gespräch mit dem BAMF"]
    invitation = next(m for m in data["mails"] if m["kind"] == "campaign_invitation")
    assert invitation["text"].startswith("Hallo Anna Schmidt")
    assert not re.search(r"/r/[A-Za-z0-9_-]{20,}|/t/[A-Za-z0-9_-]{20,}",
                         json.dumps(data["registrations"])), "no key of a link in the file"


def test_every_personal_column_is_in_the_download(office, anna):
    data = json.loads(office.post(url_for("privacy_staff.download"), data={"email": "anna@example.org"}).text)

    for table, found in (("registrations", data["registrations"][0]), ("contacts", data["contact"])):
        missing = set(columns_holding(table, Holds.personal)) - NOT_EXPORTED - set(found)
        assert missing == set(), f"{table}: {missing}"


def test_erasing_asks_first_and_changes_nothing_until_confirmed(office, anna):
    before = whole_database()

    ask = office.post(url_for("privacy_staff.confirm_erase"), data={"email": "anna@example.org"})
    unticked = office.post(url_for("privacy_staff.erase"), data={"email": "anna@example.org"})

    assert ask.status_code == 200
    assert "2 registrations: names, addresses" in page(ask).one(id="what-goes").text
    assert "cancelled first" in page(ask).one(id="what-goes").text
    assert unticked.status_code == 422
    assert field_error(unticked, "confirm") == "Please confirm that the data is to be erased."
    assert whole_database() == before


def test_erasing_cancels_anonymises_deletes_and_records_only_how_much(office, anna, smtp, mailbox):
    past, coming = anna
    figures_before = figures(office, past.event)
    mailed_before = len(mailbox("anna@example.org")) + len(mailbox("Anna@Example.org"))

    response = office.post(url_for("privacy_staff.erase"), data={"email": "anna@example.org", "confirm": "y"})

    assert response.status_code == 302
    shown = office.get(response.location)
    assert "Erased: 2 registrations anonymised" in main_text(shown)
    assert "1 of them cancelled first" in main_text(shown) and "the contact deleted" in main_text(shown)
    # Her place went to Ben, who is told; she is mailed nothing any more.
    assert [(r.name, r.status) for r in registrations_of(coming)] == [
        ("", "cancelled"), ("Ben Weber", "confirmed"), ("Carla Neu", "waitlisted")]
    assert mailbox("ben@example.org")[-1]["Subject"] == "Anmeldung bestätigt: Forum Zukunft"  # German, as he signed up
    assert len(mailbox("anna@example.org")) + len(mailbox("Anna@Example.org")) == mailed_before
    assert figures(office, past.event) == figures_before
    fresh_reads()
    assert db.session.execute(select(Contact).where(Contact.email_key == "anna@example.org")).first() is None
    assert [m for m in outbox_rows() if "anna" in (m.recipient or "").lower()] == []
    assert "Anna" not in json.dumps([row for rows in whole_database().values() for row in rows], default=str)
    erased = db.session.execute(select(AuditEntry).where(AuditEntry.action == AuditAction.person_erased)).scalar_one()
    assert erased.actor == "staff@podium.test" and erased.changes["registrations"] == 2
    assert find(office, "anna@example.org").text.count("Podium holds nothing under this address.") == 1


def test_the_event_history_says_a_registration_was_erased(office, anna):
    _past, coming = anna

    office.post(url_for("privacy_staff.erase"), data={"email": "anna@example.org", "confirm": "y"})

    history = page(office.get(url_for("events_staff.edit", event_id=coming.id))).one("section", class_="history")
    assert "erased at the person's request" in history.text
    assert "Anna" not in history.text


def test_a_contacts_page_leads_to_everything_about_the_person(office, anna):
    contact = db.session.execute(select(Contact)).scalar_one()

    edit = page(office.get(url_for("contacts_staff.edit", contact_id=contact.id)))
    response = office.get(edit.one("a", id="person-data").get("href"))

    assert response.status_code == 200
    assert len(page(response).one(id="registrations").find_all("tr")) == 3  # the header and two


def test_the_contacts_page_leads_to_the_search(office):
    listing = page(office.get(url_for("contacts_staff.index")))

    assert listing.one("a", id="privacy-link").get("href") == url_for("privacy_staff.index")
