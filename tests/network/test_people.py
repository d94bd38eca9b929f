"""One person across the network: a contact's page shows everything the person did, whatever
address they signed up with once staff linked it; how they take part comes from their latest sign-up
unless staff set it; people who signed up but are no contact are linked to one or made one."""
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from app.contacts import services as contacts
from app.contacts.models import Contact
from app.database import utcnow
from app.extensions import db
from app.network import people
from app.network.models import MeetingPresence, WorkingGroup, WorkingGroupMember
from app.registrations.models import Registration
from app.formatting import day
from tests.conftest import TEST_ACTOR
from tests.contacts.pages import row_texts
from tests.pages import ENGLISH, main_text, page
from tests.rows import fresh_reads

from .members import make_institution


@pytest.fixture
def request_headers():
    return ENGLISH


def add_contact(name, email, **fields) -> Contact:
    return contacts.create_contact({"name": name, "email": email, "locale": "de", **fields}, by=TEST_ACTOR)


def registrations_by_email() -> dict[str, list[Registration]]:
    fresh_reads()
    found: dict[str, list[Registration]] = {}
    for registration in db.session.execute(select(Registration).order_by(Registration.id)).scalars():
        found.setdefault(registration.email_key, []).append(registration)
    return found


def contact_by_email(email) -> Contact | None:
    fresh_reads()
    return db.session.execute(select(Contact).where(Contact.email_key == email)).scalar_one_or_none()


def person_page(office, contact):
    response = office.get(url_for("contacts_staff.show", contact_id=contact.id))
    assert response.status_code == 200
    return page(response)


def test_the_person_page_shows_every_invitation_registration_attendance_group_and_meeting(
        office, make_event, sign_up):
    anna = add_contact("Anna Schmidt", "anna@example.org")
    forum = make_event(title="Forum Fachkräfte", starts_at=utcnow() + timedelta(days=10))
    talk = make_event(title="Fachgespräch Ausbildung", starts_at=utcnow() + timedelta(days=20))
    meeting = make_event(title="Koordinierungsrunde Arbeitsmarkt", starts_at=utcnow() - timedelta(days=5))
    came = sign_up(forum, name="Anna Schmidt", email="Anna@Example.org")
    sign_up(talk, name="Anna Schmidt", email="anna@example.org", affiliation="volunteer")
    sign_up(talk, name="Ben Weber", email="ben@example.org")  # someone else
    came.checked_in_at = utcnow()
    campaign = Campaign(event_id=talk.id, subject="Einladung: {event}", body="{link}", audience={"all": True},
                        status=CampaignStatus.sending)
    group = WorkingGroup(slug="ak-ausbildung", name="AK Ausbildung")
    db.session.add_all([campaign, group])
    db.session.flush()
    db.session.add_all([CampaignRecipient(campaign_id=campaign.id, contact_id=anna.id),
                        WorkingGroupMember(group_id=group.id, contact_id=anna.id),
                        MeetingPresence(event_id=meeting.id, contact_id=anna.id)])
    db.session.commit()

    root = person_page(office, anna)

    invitations = root.one(id="invitations")
    assert "Einladung: Fachgespräch Ausbildung" in invitations.text and "{event}" not in invitations.text
    assert invitations.find("a", href=url_for("campaigns_staff.show", campaign_id=campaign.id)) is not None
    assert "yes" in invitations.one("tbody").text, "she signed up for the event she was invited to"
    registrations = root.one(id="registrations").one("tbody").find_all("tr")
    assert [row.find("a").text for row in registrations] == ["Fachgespräch Ausbildung", "Forum Fachkräfte"]
    assert "Ben" not in main_text(office.get(url_for("contacts_staff.show", contact_id=anna.id)))
    attended = root.one(id="attended")
    assert attended.one("a").text == "Forum Fachkräfte"
    assert attended.one("a").get("href") == url_for("checkin_staff.attendance", event_id=forum.id)
    assert root.one(id="groups").one("a").text == "AK Ausbildung"
    assert root.one(id="groups").one("a").get("href") == url_for("groups_staff.show", group_id=group.id)
    assert root.one(id="meetings").one("a").text == "Koordinierungsrunde Arbeitsmarkt"


def test_a_person_without_history_gets_a_page_that_says_so(office, app):
    anna = add_contact("Anna Schmidt", "anna@example.org")

    root = person_page(office, anna)

    assert root.one(id="registrations").one("p", class_="empty").text == "No registrations."
    assert root.one(id="affiliation").text == "Not known (the person has not signed up yet)."


def test_an_unknown_contact_has_no_page(office):
    assert office.get(url_for("contacts_staff.show", contact_id=4711)).status_code == 404


# --- full-time or volunteer --------------------------------------------------------------------------

def test_how_a_person_takes_part_comes_from_their_latest_sign_up_unless_staff_set_it(
        office, make_event, sign_up):
    anna = add_contact("Anna Schmidt", "anna@example.org")
    sign_up(make_event(title="Forum Eins"), email="anna@example.org", affiliation="professional")
    sign_up(make_event(title="Forum Zwei"), email="ANNA@example.org", affiliation="volunteer")

    assert people.affiliation_of(contact_by_email("anna@example.org")).value == "volunteer"
    assert person_page(office, anna).one(id="affiliation").text.startswith(
        "Volunteer as they said signing up for Forum Zwei on")

    office.post(url_for("contacts_staff.edit", contact_id=anna.id), data={
        "name": "Anna Schmidt", "email": "anna@example.org", "locale": "de", "affiliation": "professional"})

    assert contact_by_email("anna@example.org").affiliation == "professional"
    assert person_page(office, anna).one(id="affiliation").text == "Professional as set by staff"

    office.post(url_for("contacts_staff.edit", contact_id=anna.id), data={
        "name": "Anna Schmidt", "email": "anna@example.org", "locale": "de", "affiliation": ""})

    assert contact_by_email("anna@example.org").affiliation is None
    assert person_page(office, anna).one(id="affiliation").text.startswith("Volunteer as they said")


# --- people who signed up, but are no contact ---------------------------------------------------------

@pytest.fixture
def guests(make_event, sign_up):
    """Anna is a contact; she also signed up twice under her private address. Ben and Anna (under her
    contact address) signed up too."""
    anna = add_contact("Anna Schmidt", "anna@ihk.example")
    forum, talk = make_event(title="Forum Fachkräfte"), make_event(title="Fachgespräch Ausbildung")
    sign_up(forum, name="Anna Schmidt", email="anna.schmidt@privat.example", organisation="IHK Trier")
    sign_up(talk, name="Anna S.", email="Anna.Schmidt@privat.example", organisation="IHK Trier")
    sign_up(forum, name="Ben Weber", email="ben@example.org", organisation="Caritasverband Trier",
            affiliation="volunteer")
    sign_up(talk, name="Anna Schmidt", email="anna@ihk.example")
    return anna, forum, talk


def unlinked_rows(office) -> list[str]:
    response = office.get(url_for("institutions_staff.unlinked"))
    return [row.find("td").text for row in page(response).one(id="people").one("tbody").find_all("tr")
            if row.find("td") is not None and "empty-row" not in row.find("td").classes]


def test_the_page_lists_each_person_who_is_no_contact_once_with_their_latest_sign_up(office, guests):
    response = office.get(url_for("institutions_staff.unlinked"))

    rows = row_texts(response, "people")
    assert [row[:5] for row in rows] == [
        ["Ben Weber", "ben@example.org", "Caritasverband Trier", f"Forum Fachkräfte {day(utcnow())}", "1"],
        ["Anna S.", "Anna.Schmidt@privat.example", "IHK Trier", f"Fachgespräch Ausbildung {day(utcnow())}", "2"]]


def test_linking_ties_every_sign_up_of_that_address_to_the_contact(office, guests, make_event, sign_up):
    anna, _forum, _talk = guests
    latest = registrations_by_email()["anna.schmidt@privat.example"][-1]
    form = office.get(url_for("institutions_staff.link_form", registration_id=latest.id))
    assert [a.text for a in page(form).one(id="found").find_all("a")] == ["Anna Schmidt"]
    searched = office.get(url_for("institutions_staff.link_form", registration_id=latest.id, q="ihk.example"))
    assert [a.text for a in page(searched).one(id="found").find_all("a")] == ["Anna Schmidt"]
    index = page(office.get(url_for("institutions_staff.index")))
    assert index.one("a", id="unlinked-link").text == "Signed up, but no contact (2)"

    response = office.post(url_for("institutions_staff.link", registration_id=latest.id),
                          data={"contact_id": str(anna.id)})

    assert response.status_code == 302
    assert response.location == url_for("contacts_staff.show", contact_id=anna.id)
    assert [r.contact_id for r in registrations_by_email()["anna.schmidt@privat.example"]] == [anna.id, anna.id]
    assert unlinked_rows(office) == ["Ben Weber"]
    # A later sign-up under the linked address is hers too.
    sign_up(make_event(title="Podium Wohnen"), name="Anna Schmidt", email="anna.schmidt@privat.example")
    rows = person_page(office, anna).one(id="registrations").one("tbody").find_all("tr")
    assert sorted(row.find("a").text for row in rows) == [
        "Fachgespräch Ausbildung", "Fachgespräch Ausbildung", "Forum Fachkräfte", "Podium Wohnen"]
    [entry] = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == AuditAction.registrations_linked)).scalars()
    assert (entry.contact_id, entry.changes) == (anna.id, {"registrations": 2})


def test_linking_to_a_contact_that_is_not_there_changes_nothing(office, guests):
    latest = registrations_by_email()["ben@example.org"][-1]

    response = office.post(url_for("institutions_staff.link", registration_id=latest.id),
                          data={"contact_id": "4711"})

    assert response.status_code == 404
    assert registrations_by_email()["ben@example.org"][-1].contact_id is None
    assert unlinked_rows(office) == ["Ben Weber", "Anna S."]


@pytest.mark.parametrize("typed", ["9" * 5000, "12abc", ""])
def test_linking_to_an_id_that_cannot_be_a_contact_is_refused_and_changes_nothing(office, guests, typed):
    # Thousands of digits make Python's int() fail: a refused form, not a 500.
    latest = registrations_by_email()["ben@example.org"][-1]

    response = office.post(url_for("institutions_staff.link", registration_id=latest.id),
                          data={"contact_id": typed})

    assert response.status_code == 422
    assert registrations_by_email()["ben@example.org"][-1].contact_id is None


def test_making_a_contact_takes_the_latest_sign_up_without_a_consent(office, guests):
    ben = registrations_by_email()["ben@example.org"][-1]
    caritas = make_institution("Caritasverband Trier", kind="charity")

    response = office.post(url_for("institutions_staff.make_contact", registration_id=ben.id))

    contact = contact_by_email("ben@example.org")
    assert response.status_code == 302
    assert response.location == url_for("contacts_staff.show", contact_id=contact.id)
    assert (contact.name, contact.email, contact.institution_id) == ("Ben Weber", "ben@example.org", caritas.id)
    assert contact.consent_at is None and contact.source == "sign-up"
    assert contact.affiliation is None, "it stays what his sign-ups say"
    root = person_page(office, contact)
    assert "No consent recorded." in root.one(id="consent-record").text
    assert root.one(id="affiliation").text.startswith("Volunteer as they said signing up for Forum Fachkräfte")
    assert unlinked_rows(office) == ["Anna S."]


def test_making_a_contact_of_an_organisation_podium_does_not_know_adds_the_institution(office, guests):
    latest = registrations_by_email()["anna.schmidt@privat.example"][-1]

    office.post(url_for("institutions_staff.make_contact", registration_id=latest.id))

    contact = contact_by_email("anna.schmidt@privat.example")
    assert (contact.name, contact.institution.name) == ("Anna S.", "IHK Trier")


def test_a_person_who_is_a_contact_by_now_cannot_be_made_one_again(office, guests):
    ben = registrations_by_email()["ben@example.org"][-1]
    office.post(url_for("institutions_staff.make_contact", registration_id=ben.id))

    again = office.post(url_for("institutions_staff.make_contact", registration_id=ben.id))

    assert again.status_code == 404
    fresh_reads()
    assert len(db.session.execute(select(Contact).where(Contact.email_key == "ben@example.org")).all()) == 1
