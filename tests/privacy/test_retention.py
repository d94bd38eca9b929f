"""The retention period: when an event's is over, the purge anonymises its registrations; the
figures of the event read the same, nothing else changes, and a second run changes nothing."""
import threading
import time
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.contacts import services as contacts
from app.database import utcnow, write_transaction
from app.events.models import add_months
from app.extensions import db
from app.mailing import sender
from app.outbox import MailStatus
from app.privacy import retention
from app.privacy.anonymise import Anonymised, anonymise_registrations
from app.registrations.models import Registration
from tests.conftest import TEST_ACTOR
from tests.rows import fresh_reads, outbox_rows, registrations_of

from .conftest import figures, personal_columns, whole_database


def test_the_purge_anonymises_a_past_event_and_its_figures_read_the_same(office, held_event):
    past = held_event(ended=13)
    before = figures(office, past.event)
    assert "Anna Schmidt" in office.get(url_for("registrations_staff.index", event_id=past.event.id)).text

    done = retention.purge()

    assert [(result.event_id, result.registrations) for result in done] == [(past.event.id, 6)]
    assert personal_columns(past.event) == [("", "", None, "", "")] * 6
    assert all(r.anonymised_at is not None for r in registrations_of(past.event))
    assert figures(office, past.event) == before
    listing = office.get(url_for("registrations_staff.index", event_id=past.event.id)).text
    assert "Anna Schmidt" not in listing and "anna@example.org" not in listing and "Rollstuhl" not in listing
    assert listing.count("anonymised") >= 6


def test_the_guests_links_lead_nowhere_afterwards(client, held_event):
    past = held_event(ended=13)
    manage, ticket = past.anna.manage_token, past.anna.ticket_code
    assert client.get(url_for("registrations.manage", token=manage)).status_code == 200

    retention.purge()

    assert client.get(url_for("registrations.manage", token=manage)).status_code == 404
    assert client.get(url_for("registrations.ticket", code=ticket)).status_code == 404


def test_the_stored_mails_lose_address_subject_and_body_and_a_waiting_one_never_goes(held_event, deliver):
    held_event(ended=13)
    mails = outbox_rows()
    assert {mail.recipient for mail in mails} >= {"anna@example.org", "ben@example.net"}
    waiting = [mail.id for mail in mails if mail.status == MailStatus.queued]
    assert waiting, "the scene has a mail that has not gone out (Ben's new address)"

    retention.purge()

    mails = outbox_rows()
    assert [(m.recipient, m.subject, m.raw, m.last_error) for m in mails] == [("", None, None, None)] * len(mails)
    assert all("new_email" not in m.params and "key" not in m.params for m in mails)
    assert [m.status for m in mails if m.id in waiting] == [MailStatus.withdrawn]
    assert deliver().handled == 0


def test_a_mail_anonymised_while_on_its_way_stays_anonymised_whatever_the_server_says(app, make_event,
                                                                                      sign_up, smtp):
    """The person's data is erased while a sender waits for the server's reply; the server then
    answers "try later", naming the address. Nothing of it may come back into the row."""
    anna = sign_up(make_event(), email="anna@example.org")

    def erased_meanwhile():
        with app.app_context():
            with write_transaction() as tx:
                anonymise_registrations(Registration.id == anna.id, tx.now)
    smtp.on_data, smtp.reply = erased_meanwhile, "451 4.3.0 anna@example.org: mailbox busy, try later"

    report = sender.deliver_due()

    assert report.retried == 1  # the server did refuse it
    [mail] = outbox_rows()
    assert (mail.recipient, mail.last_error, mail.status) == ("", None, MailStatus.withdrawn)
    assert sender.deliver_due().handled == 0


def test_the_history_keeps_what_happened_but_not_to_whom(office, held_event):
    past = held_event(ended=13)

    retention.purge()

    fresh_reads()
    entries = list(db.session.execute(select(AuditEntry).where(AuditEntry.event_id == past.event.id)).scalars())
    added = next(e for e in entries if e.action == AuditAction.registration_added)
    assert added.changes == {"status": [None, "confirmed"], "mailed": True}
    purge = next(e for e in entries if e.action == AuditAction.registrations_anonymised)
    assert purge.changes == {"registrations": 6, "mails": len(outbox_rows())}
    page = office.get(url_for("events_staff.edit", event_id=past.event.id)).text
    assert "registrations anonymised after the retention period" in page
    assert "Emil Roth" not in page


def test_nothing_else_is_touched_newer_events_contacts_and_invitations(held_event, make_event, sign_up):
    past = held_event(ended=13)
    recent = held_event(ended=11, title="Forum Arbeit", prefix="recent-")
    upcoming = make_event(title="Forum Zukunft")
    sign_up(upcoming, name="Fatma Aydin", email="anna@example.org")  # the same guest, a year later
    contacts.create_contact({"name": "Anna Schmidt", "email": "anna@example.org", "institution_name": "Caritas"},
                            by=TEST_ACTOR)
    before = whole_database()

    retention.purge()

    after = whole_database()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"registrations", "outgoing_mails", "audit_entries", "person_refs"}
    # The figures' ref is kept for Anna only, who signs up again and is a contact; the others have
    # nothing left but anonymised rows, and their refs were forgotten in the same run.
    assert [row[1] for row in after["person_refs"]] == ["anna@example.org"]
    for event in (recent.event, upcoming):
        assert [r for r in before["registrations"] if r[1] == event.id] == \
            [r for r in after["registrations"] if r[1] == event.id]
    ids = {r.id for r in registrations_of(past.event)}
    assert {r[0] for r in before["registrations"]} - {r[0] for r in after["registrations"]} == set()
    assert {r for r in before["registrations"] if r[0] not in ids} == {r for r in after["registrations"]
                                                                       if r[0] not in ids}
    # Mails and history entries of anyone else stay as they were; the purge adds one entry of its own.
    assert [m for m in before["outgoing_mails"] if m[4] not in ids] == \
        [m for m in after["outgoing_mails"] if m[4] not in ids]
    others_before = [e for e in before["audit_entries"] if e[6] not in ids]
    others_after = [e for e in after["audit_entries"] if e[6] not in ids]
    assert [e for e in others_after if e not in others_before] == [
        e for e in others_after if e[4] == AuditAction.registrations_anonymised]
    assert len(others_after) == len(others_before) + 1


def test_a_second_run_changes_nothing(held_event):
    held_event(ended=13)
    retention.purge()
    before = whole_database()

    assert retention.purge() == []
    assert whole_database() == before


def test_a_dry_run_says_what_would_go_and_changes_nothing(held_event):
    past = held_event(ended=13)
    before = whole_database()

    done = retention.purge(dry_run=True)

    assert [(r.event_id, r.registrations, r.mails) for r in done] == [(past.event.id, 6, len(outbox_rows()))]
    assert whole_database() == before


@pytest.mark.parametrize(("ended", "kept", "anonymised"), [
    (13, 12, True), (11, 12, False), (4, 3, True), (2, 3, False), (1, 1, True),
])
def test_each_event_keeps_its_own_period(held_event, ended, kept, anonymised):
    past = held_event(ended=ended, retention_months=kept)

    retention.purge()

    assert (personal_columns(past.event)[0][0] == "") is anonymised


def test_the_period_ends_to_the_minute(held_event):
    past = held_event(ended=12)
    ends = past.event.retention_ends_at

    assert retention.purge(now=ends - timedelta(minutes=1)) == []
    assert [r.event_id for r in retention.purge(now=ends)] == [past.event.id]


def test_an_invitation_no_longer_points_to_the_anonymised_guest(held_event, app):
    past = held_event(ended=13)
    contact = contacts.create_contact({"name": "Anna Schmidt", "email": "anna@example.org"}, by=TEST_ACTOR)
    campaign = campaigns.create_campaign(event_id=past.event.id, subject="Einladung", body="{link}",
                                         audience={"all": True})
    db.session.add(CampaignRecipient(campaign_id=campaign.id, contact_id=contact.id,
                                     registration_id=past.anna.id, created_at=utcnow()))
    db.session.commit()

    retention.purge()

    fresh_reads()
    recipient = db.session.execute(select(CampaignRecipient)).scalar_one()
    assert (recipient.contact_id, recipient.registration_id) == (contact.id, None)


def test_the_command_line_purges_and_says_what_it_did(app, held_event):
    past = held_event(ended=13)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"event {past.event.id}: 6 registrations" in dry.output and "would be anonymised" in dry.output
    assert "registrations would be anonymised: 6" in dry.output
    assert personal_columns(past.event)[0][0] == "Anna Schmidt"

    real = runner.invoke(args=["privacy", "purge"])
    assert real.exit_code == 0, real.output
    assert "registrations anonymised: 6" in real.output
    assert personal_columns(past.event)[0][0] == ""

    again = runner.invoke(args=["privacy", "purge"])
    assert again.output.strip() == "registrations anonymised: 0"


def test_the_mail_worker_purges_as_it_runs(app, held_event):
    past = held_event(ended=13)
    stop = threading.Event()

    def run():
        with app.app_context():
            sender.work(stop=stop, idle_seconds=0.05)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and personal_columns(past.event)[0][0]:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(10)
    assert personal_columns(past.event)[0][0] == ""


def test_a_worker_run_once_only_delivers(app, held_event):
    past = held_event(ended=13)

    with app.app_context():
        sender.work(once=True)

    assert personal_columns(past.event)[0][0] == "Anna Schmidt"


@pytest.mark.parametrize("app_config", [{"PURGE_EVERY_MINUTES": 0}])
def test_workers_leave_the_purge_to_cron_when_told_to(app, app_config):
    assert "privacy purge" not in chore_names(app)


def test_the_default_period_is_an_hour_of_the_worker(app):
    [chore] = [chore for chore in app.extensions["podium.sender_chores"] if chore.name == "privacy purge"]
    assert chore.every == timedelta(hours=1)


def chore_names(app) -> list[str]:
    return [chore.name for chore in app.extensions.get("podium.sender_chores", [])]


def test_the_overview_names_what_comes_next_and_what_was_done(office, held_event):
    past = held_event(ended=13)
    soon = held_event(ended=11, title="Forum Arbeit", prefix="soon-")

    overview = office.get(url_for("privacy_staff.index"))
    assert "1 event is past its retention period" in overview.text

    retention.purge()

    overview = office.get(url_for("privacy_staff.index"))
    assert "past its retention period" not in overview.text
    assert soon.event.title in overview.text
    assert f"6 registrations of event no. {past.event.id}" in overview.text


def test_add_months_keeps_the_day_or_the_last_of_the_month():
    moment = utcnow().replace(year=2026, month=1, day=31, hour=18)
    assert add_months(moment, 1).date().isoformat() == "2026-02-28"
    assert add_months(moment, 12).date().isoformat() == "2027-01-31"
    assert add_months(moment, -2).date().isoformat() == "2025-11-30"


def test_anonymising_rows_that_are_anonymised_already_changes_nothing(held_event):
    """Below the purge's own choice of events: the rows themselves are never anonymised twice (new
    link keys, new history) however the anonymisation is reached."""
    past = held_event(ended=13)
    with write_transaction() as tx:
        anonymise_registrations(Registration.event_id == past.event.id, tx.now)
    before = whole_database()

    with write_transaction() as tx:
        again = anonymise_registrations(Registration.event_id == past.event.id, tx.now)

    assert again == Anonymised(0, 0)
    assert whole_database() == before
