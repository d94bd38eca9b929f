"""Sending a campaign through the outbox: every contact once, whatever is pressed, run or crashes."""
import time
from collections import Counter
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import insert, update

from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.campaigns.progress import campaign_progress
from app.contacts.models import Contact
from app.database import commit_write, utcnow
from app.errors import NotFound
from app.extensions import db
from app.mailing import sender
from tests.together import deliver_in_parallel, run_together, write_transaction_without_lock

from .conftest import (
    after_the_claim_timeout,
    contact_by_email,
    invitation_token,
    mails_of,
    recipients_of,
)


def per_address(smtp) -> Counter:
    return Counter(address for received in smtp.received for address in received.rcpt_tos)


@pytest.mark.slow
def test_several_workers_at_once_deliver_each_invitation_once(app, make_contacts, make_campaign, smtp):
    addresses = make_contacts(300)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)

    deliver_in_parallel(app, senders=4)

    assert per_address(smtp) == Counter(addresses)
    assert len({invitation_token(message) for message in smtp.messages}) == 300


def test_pressing_send_again_invites_only_contacts_who_joined_the_audience_since(
        make_contacts, make_campaign, smtp, deliver):
    first = make_contacts(3)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    deliver()
    later = make_contacts(2)

    result = campaigns.send_campaign(campaign.id)
    deliver()

    assert (result.queued, result.already) == (2, 3)
    assert per_address(smtp) == Counter(first + later)
    assert len(recipients_of(campaign)) == 5


class SenderKilled(BaseException):
    """Stands for the worker process dying: nothing in the sender catches it."""


@pytest.mark.slow
def test_a_sender_killed_half_way_and_started_again_completes_the_rest_without_duplicates(
        app, make_contacts, make_campaign, smtp, deliver, monkeypatch):
    addresses = make_contacts(120)
    campaigns.send_campaign(make_campaign().id)
    real_send_one = sender._send_one
    sent = []

    def die_after_70(connection, mail, report, now):
        if len(sent) == 70:
            raise SenderKilled()
        real_send_one(connection, mail, report, now)
        sent.append(mail.id)

    monkeypatch.setattr(sender, "_send_one", die_after_70)
    with pytest.raises(SenderKilled):
        sender.deliver_due()
    monkeypatch.undo()
    db.session.rollback()
    assert len(smtp.received) == 70
    # What it had claimed but not sent waits until its claim times out; the rest goes now.
    deliver()

    deliver(now=after_the_claim_timeout(app))

    assert per_address(smtp) == Counter(addresses)
    assert {mail.status for mail in mails_of()} == {"sent"}


def test_mails_left_claimed_by_a_crashed_sender_go_out_once_after_the_claim_times_out(
        app, make_contacts, make_campaign, smtp, deliver):
    addresses = make_contacts(60)
    campaigns.send_campaign(make_campaign().id)
    claimed = sender.claim_due()  # ... and the worker dies before composing anything
    db.session.rollback()

    deliver()
    assert len(smtp.received) == 60 - len(claimed)
    deliver(now=after_the_claim_timeout(app))

    assert per_address(smtp) == Counter(addresses)


# --- two staff members (or a double click) at once -------------------------------------------

PRESSES = 4
AUDIENCE = 300


def press_together(app, campaign_id, presses=PRESSES):
    return run_together(app, [lambda: campaigns.send_campaign(campaign_id)] * presses)


@pytest.mark.slow
def test_presses_at_the_same_moment_invite_each_contact_once(app, make_contacts, make_campaign, monkeypatch):
    make_contacts(AUDIENCE)
    campaign = make_campaign()
    widen_the_race_window(monkeypatch)

    outcomes = press_together(app, campaign.id)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(o.queued for o in outcomes) == [0] * (PRESSES - 1) + [AUDIENCE]
    recipients = recipients_of(campaign)
    assert len(recipients) == AUDIENCE
    assert len({r.contact_id for r in recipients}) == AUDIENCE
    mails = mails_of()
    assert len(mails) == AUDIENCE
    assert {r.mail_id for r in recipients} == {m.id for m in mails}


@pytest.mark.slow
def test_negative_control_without_the_lock_and_the_constraint_the_presses_do_collide(
        app, make_contacts, make_campaign, monkeypatch):
    # Proves that the test above can fail: with neither the campaign lock nor the
    # skipping of existing recipients, the same presses, started the same way, run
    # into each other (a duplicate key, or SQLite refusing the second writer).
    make_contacts(AUDIENCE)
    campaign = make_campaign()
    widen_the_race_window(monkeypatch)
    monkeypatch.setattr(campaigns, "write_transaction", write_transaction_without_lock)

    def plain_insert(rows):
        table = CampaignRecipient.__table__
        statement = insert(table).returning(table.c.id, table.c.contact_id)
        return [tuple(row) for row in db.session.execute(statement, rows)]

    monkeypatch.setattr(campaigns, "_insert_recipients", plain_insert)

    outcomes = press_together(app, campaign.id)

    collided = [o for o in outcomes if isinstance(o, BaseException)]
    assert collided, "the presses did not overlap: this test would prove nothing"
    assert len({r.contact_id for r in recipients_of(campaign)}) == AUDIENCE


def widen_the_race_window(monkeypatch):
    """Every press waits a moment after reading who is a recipient already, before writing."""
    real = campaigns._recipient_contact_ids

    def slow(campaign_id):
        existing = real(campaign_id)
        time.sleep(0.2)
        return existing

    monkeypatch.setattr(campaigns, "_recipient_contact_ids", slow)


# --- unsubscribed contacts are never mailed --------------------------------------------------

def unsubscribe_directly(email):
    commit_write(update(Contact).where(Contact.email == email).values(unsubscribed_at=utcnow()))


def test_contacts_who_unsubscribed_are_not_invited(make_contacts, make_campaign, smtp, deliver):
    staying = make_contacts(2)
    (gone,) = make_contacts(1)
    unsubscribe_directly(gone)
    campaign = make_campaign()

    result = campaigns.send_campaign(campaign.id)
    deliver()

    assert (result.queued, result.unsubscribed) == (2, 1)
    assert per_address(smtp) == Counter(staying)
    assert [r.contact.email for r in recipients_of(campaign)] == staying


def test_a_contact_who_unsubscribes_after_send_was_pressed_gets_nothing(
        client, make_contacts, make_campaign, smtp, deliver):
    staying = make_contacts(2)
    (leaving,) = make_contacts(1)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    token = contact_by_email(leaving).unsubscribe_token

    assert client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    deliver()

    assert per_address(smtp) == Counter(staying)
    (skipped,) = [m for m in mails_of() if m.recipient == leaving]
    assert (skipped.status, skipped.last_error) == ("withdrawn", None)
    progress = campaign_progress(campaign.id)
    assert (progress.sent, progress.skipped, progress.failed, progress.done) == (2, 1, 0, True)


def test_also_when_the_mail_was_composed_before_and_waits_for_a_retry(
        app, make_contacts, make_campaign, smtp, deliver):
    (leaving,) = make_contacts(1)
    campaigns.send_campaign(make_campaign().id)
    smtp.reply = "451 4.3.0 Try again later"
    deliver()
    (waiting,) = mails_of()
    assert waiting.status == "queued" and waiting.raw is not None
    smtp.reply = None
    unsubscribe_directly(leaving)

    deliver(now=utcnow() + timedelta(hours=1))

    assert smtp.received == []
    (mail,) = mails_of()
    assert (mail.status, mail.last_error) == ("withdrawn", None)


# --- refusals --------------------------------------------------------------------------------

def test_a_campaign_for_a_draft_event_cannot_be_sent(make_event, make_contacts, make_campaign):
    make_contacts(1)
    campaign = make_campaign(make_event(publish=False))

    with force_locale("en"), pytest.raises(campaigns.CampaignNotSendable, match="publish it"):
        campaigns.send_campaign(campaign.id)

    assert recipients_of(campaign) == []
    assert mails_of() == []


def test_an_unknown_campaign_cannot_be_sent(app):
    with pytest.raises(NotFound):
        campaigns.send_campaign(999_999)
