"""Contacts carry a consent record (where, which text, when). An import records what its file states
and marks the others; staff record what a person told them; signing up through an invitation
records it; and before a campaign goes out staff are told how many recipients have none."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import select

from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.contacts import imports, services
from app.contacts.models import Contact
from app.database import utcnow
from app.extensions import db
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH, main_text, page
from tests.registrations.conftest import form_data
from tests.rows import fresh_reads, outbox_rows

BERLIN = ZoneInfo("Europe/Berlin")


def book() -> dict[str, Contact]:
    fresh_reads()
    return {c.email_key: c for c in db.session.execute(select(Contact)).scalars()}


def csv_file(*lines: str) -> bytes:
    return ("name,email,organisation,consent\n" + "\n".join(lines) + "\n").encode()


def test_an_import_records_the_consent_its_file_states_and_marks_the_others(app):
    before = utcnow()
    preview = imports.preview_import(csv_file(
        "Anna Schmidt,anna@example.org,IHK,2026-03-01",
        "Ben Weber,ben@example.org,,ja",
        "Cem Yilmaz,cem@example.org,,",
        "Dana Kurz,dana@example.org,,vielleicht",
    ), "netzwerk.csv")

    assert preview.without_consent == 2
    dana = next(line for line in preview.lines if line.email == "dana@example.org")
    assert [w.message for w in dana.warnings] == [
        "Consent “vielleicht” not understood (write the day it was given, e.g. 2026-03-01, or yes): imported "
        "without a recorded consent."]
    imports.apply_import(preview.token, by=TEST_ACTOR)

    contacts = book()
    anna, ben = contacts["anna@example.org"], contacts["ben@example.org"]
    assert (anna.consent_source, anna.consent_version) == ("import", None)
    assert anna.consent_at == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert ben.consent_source == "import" and ben.consent_at >= before.replace(microsecond=0)
    assert [(c.has_consent, c.consent_source) for c in (contacts["cem@example.org"], contacts["dana@example.org"])] \
        == [(False, None), (False, None)]


def test_an_import_adds_a_consent_where_none_is_on_record_and_never_replaces_one(app):
    services.create_contact({"name": "Anna Schmidt", "email": "anna@example.org"}, by=TEST_ACTOR)
    services.create_contact({"name": "Ben Weber", "email": "ben@example.org", "consent_given": True},
                            by=TEST_ACTOR)
    recorded = book()["ben@example.org"].consent_at

    preview = imports.preview_import(csv_file("Anna Schmidt,anna@example.org,,2026-03-01",
                                              "Ben Weber,ben@example.org,,2020-01-01"), "netzwerk.csv")

    assert [(line.action, [c.field for c in line.changes]) for line in preview.lines] == [
        ("update", ["consent"]), ("unchanged", [])]
    imports.apply_import(preview.token, by=TEST_ACTOR)
    assert book()["anna@example.org"].consent_at == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert (book()["ben@example.org"].consent_source, book()["ben@example.org"].consent_at) == ("staff", recorded)


def test_the_export_imports_again_with_its_consent_unchanged(app):
    services.create_contact({"name": "Ben Weber", "email": "ben@example.org", "consent_given": True},
                            by=TEST_ACTOR)
    services.create_contact({"name": "Cem Yilmaz", "email": "cem@example.org"}, by=TEST_ACTOR)
    columns = services.EXPORT_COLUMNS
    rows = [",".join(str(column.value(c)) for column in columns) for c in services.export_contacts()]
    exported = (",".join(column.key for column in columns) + "\n" + "\n".join(rows) + "\n").encode()

    preview = imports.preview_import(exported, "export.csv")

    assert [line.action for line in preview.lines] == ["unchanged", "unchanged"]


def test_the_preview_page_says_how_many_come_without_consent(office):
    response = office.post(url_for("contacts_staff.import_upload"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_file("Anna Schmidt,anna@example.org,,",
                                                             "Ben Weber,ben@example.org,,yes")), "n.csv")})

    assert page(response).one(id="without-consent").text.startswith("1 new contact without a recorded consent.")


def test_staff_record_what_the_person_told_them_and_the_history_says_so(office):
    created = office.post(url_for("contacts_staff.new"), data={
        "name": "Anna Schmidt", "email": "anna@example.org", "locale": "de"})
    assert created.status_code == 302
    anna = book()["anna@example.org"]
    assert not anna.has_consent
    edit = office.get(url_for("contacts_staff.edit", contact_id=anna.id))
    assert page(edit).one(id="consent-record").text.startswith("No consent recorded.")

    office.post(url_for("contacts_staff.edit", contact_id=anna.id), data={
        "name": "Anna Schmidt", "email": "anna@example.org", "locale": "de",
        "consent_given": "y"})

    anna = book()["anna@example.org"]
    assert anna.consent_source == "staff" and anna.consent_at is not None
    edit = office.get(url_for("contacts_staff.edit", contact_id=anna.id))
    assert page(edit).one(id="consent-record").text.startswith("told to staff")
    assert page(edit).find("input", name="consent_given") is None, "a recorded consent is not asked again"
    assert "Consent: – → told to staff (in person, by phone or in writing)" in \
        page(edit).one("section", class_="history").text


def test_the_list_marks_and_filters_the_contacts_without_consent(office):
    services.create_contact({"name": "Anna Schmidt", "email": "anna@example.org"}, by=TEST_ACTOR)
    services.create_contact({"name": "Ben Weber", "email": "ben@example.org", "consent_given": True},
                            by=TEST_ACTOR)

    listing = page(office.get(url_for("contacts_staff.index")))
    without = page(office.get(url_for("contacts_staff.index", consent="none")))

    assert listing.one(id="without-consent").text == "1 without a recorded consent"
    badges = [row.find("small", class_="no-consent") is not None
              for row in listing.one("table", id="contacts").find_all("tr")[1:]]
    assert badges == [True, False]
    assert [row.find("td").text for row in without.one("table", id="contacts").find_all("tr")[1:]] == [
        "Anna Schmidt"]


def test_before_a_campaign_goes_out_staff_learn_how_many_have_no_consent(office, make_event):
    for n in range(3):
        services.create_contact({"name": f"Kontakt {n}", "email": f"k{n}@example.org",
                                 "consent_given": n == 0}, by=TEST_ACTOR)
    campaign = campaigns.create_campaign(event_id=make_event().id, subject="Einladung", body="{link}",
                                         audience={"all": True})

    confirm = office.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id))

    assert page(confirm).one(id="without-consent").find("strong").text == "2 of them have no recorded consent."
    assert page(confirm).one("p", class_="confirm-count").text == "3 contacts will be mailed."


def test_no_warning_when_everyone_has_consented(office, make_event):
    services.create_contact({"name": "Anna", "email": "anna@example.org", "consent_given": True}, by=TEST_ACTOR)
    campaign = campaigns.create_campaign(event_id=make_event().id, subject="Einladung", body="{link}",
                                         audience={"all": True})

    confirm = office.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id))

    assert page(confirm).find(id="without-consent") is None
    assert "no recorded consent" not in main_text(confirm)


@pytest.fixture
def invited_anna(make_event):
    """Anna, a contact without a consent on record, invited to an event; her invitation's key."""
    services.create_contact({"name": "Anna Schmidt", "email": "anna@example.org"}, by=TEST_ACTOR)
    event = make_event(retention_months=6)
    campaign = campaigns.create_campaign(event_id=event.id, subject="Einladung", body="{link}",
                                         audience={"all": True})
    campaigns.send_campaign(campaign.id)
    fresh_reads()
    return db.session.execute(select(CampaignRecipient.token)).scalar_one()


def test_signing_up_through_an_invitation_records_the_consent_on_the_contact(app, client, invited_anna):
    response = client.post(url_for("campaigns.accept", token=invited_anna), headers=ENGLISH,
                           data=form_data(email="anna@example.org"))

    assert response.status_code == 302
    anna = book()["anna@example.org"]
    assert (anna.consent_source, anna.consent_version) == ("invitation", f"{app.config['CONSENT_VERSION']}/6")
    assert anna.consent_at is not None


def test_a_forwarded_invitation_records_no_consent_for_the_contact(client, invited_anna):
    """Ben signs up through Anna's link with his own address: that is his consent, not hers."""
    response = client.post(url_for("campaigns.accept", token=invited_anna), headers=ENGLISH,
                           data=form_data(name="Ben Weber", email="ben@example.org"))

    assert response.status_code == 302
    anna = book()["anna@example.org"]
    assert (anna.consent_source, anna.consent_at) == (None, None)


@pytest.mark.parametrize("day", ["0001-01-01", "01.01.1899", "2999-12-31"])
def test_a_consent_day_no_one_can_have_agreed_on_is_a_warning_and_the_import_goes_through(app, day):
    preview = imports.preview_import(csv_file(f"Anna Schmidt,anna@example.org,IHK,{day}"), "netzwerk.csv")

    [anna] = preview.lines
    assert [w.message for w in anna.warnings] == [
        f"Consent “{day}” not understood (write the day it was given, e.g. 2026-03-01, or yes): imported "
        "without a recorded consent."]
    imports.apply_import(preview.token, by=TEST_ACTOR)
    assert book()["anna@example.org"].consent_at is None


def test_deleting_a_contact_forgets_the_invitations_sent_to_them(office, invited_anna, make_event, sign_up,
                                                                 deliver):
    """Her own registration's mails stay: they follow that event's retention period."""
    sign_up(make_event(title="Forum Sprache"), name="Anna Schmidt", email="anna@example.org")
    deliver()
    sent = {m.id: m.registration_id for m in outbox_rows()}
    assert sorted(map(bool, sent.values())) == [False, True]  # the invitation, and her ticket

    response = office.post(url_for("contacts_staff.delete", contact_id=book()["anna@example.org"].id))

    assert response.status_code == 302
    mails = {m.id: m for m in outbox_rows()}
    [invitation] = [mails[i] for i, registration in sent.items() if registration is None]
    [ticket] = [mails[i] for i, registration in sent.items() if registration is not None]
    assert (invitation.recipient, invitation.subject, invitation.raw) == ("", None, None)
    assert invitation.anonymised_at is not None
    assert (ticket.recipient, ticket.anonymised_at) == ("anna@example.org", None)
    assert ticket.raw and "Forum Sprache" in ticket.subject
