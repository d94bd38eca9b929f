"""Several senders at once, and senders that crash: no mail twice, no mail lost."""
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.database import commit_write, utcnow
from app.extensions import db
from app.mailing import sender
from app.outbox import OutgoingMail
from tests.together import deliver_in_parallel

# Threads racing each other, or thousands of mails: minutes of the suite, not seconds.
pytestmark = pytest.mark.slow

GUESTS = 200
SENDERS = 4


@pytest.fixture
def many_guests(make_event, sign_up):
    """GUESTS guests signed up for an unlimited event: as many confirmations in the outbox."""
    event = make_event(capacity=None)
    return [sign_up(event).email for _ in range(GUESTS)]


def test_parallel_senders_deliver_every_mail_exactly_once(app, many_guests, smtp, outbox):
    deliver_in_parallel(app, SENDERS)

    message_ids = [message["Message-ID"] for message in smtp.messages]
    per_recipient = Counter(r for received in smtp.received for r in received.rcpt_tos)
    assert len(smtp.received) == GUESTS
    assert len(set(message_ids)) == GUESTS
    assert set(per_recipient) == set(many_guests)
    assert set(per_recipient.values()) == {1}
    rows = outbox()
    assert {row.status for row in rows} == {"sent"}
    assert {row.message_id for row in rows} == set(message_ids)


def test_negative_control_senders_without_a_claim_do_send_twice(app, many_guests, smtp, monkeypatch):
    # Proves that the test above can fail: with a claim that reads and then writes without a
    # condition, the same senders, started the same way, do send mails more than once.
    # Each sender takes one batch only, which is enough to show it.
    read_by_all = threading.Barrier(SENDERS)
    claimed_once = threading.local()

    def claim_without_condition(limit=sender.BATCH_SIZE, now=None, claimant=None):
        if getattr(claimed_once, "done", False):
            return []
        claimed_once.done = True
        due = select(OutgoingMail.id).where(OutgoingMail.status == "queued").order_by(OutgoingMail.id)
        ids = list(db.session.execute(due.limit(limit)).scalars())
        db.session.rollback()
        read_by_all.wait(timeout=30)
        # One row at a time: a 50-row UPDATE racing another one can deadlock on PostgreSQL,
        # which would end a sender before it shows the double sending this control is about.
        for mail_id in ids:
            commit_write(update(OutgoingMail).where(OutgoingMail.id == mail_id)
                         .values(status="sending", claimed_at=utcnow()))
        return ids

    monkeypatch.setattr(sender, "claim_due", claim_without_condition)

    deliver_in_parallel(app, SENDERS)

    message_ids = [message["Message-ID"] for message in smtp.messages]
    assert len(message_ids) > len(set(message_ids))


# --- a sender that crashes ----------------------------------------------------------

def after_the_claim_timeout(app):
    return utcnow() + app.config["MAIL_CLAIM_TIMEOUT"] + timedelta(minutes=1)


def test_a_fresh_claim_is_left_to_its_sender(make_event, sign_up, smtp, deliver, outbox):
    sign_up(make_event(), email="anna@example.org")
    [claimed] = sender.claim_due()  # another sender is working on it right now
    db.session.rollback()

    report = deliver()

    assert report.handled == 0
    assert smtp.received == []
    [mail] = outbox()
    assert mail.id == claimed
    assert mail.status == "sending"


def test_a_mail_claimed_by_a_crashed_sender_is_delivered_by_the_next(app, make_event, sign_up, smtp,
                                                                    deliver, outbox):
    sign_up(make_event(), email="anna@example.org")
    sender.claim_due()  # ... and the sender dies before it sends anything
    db.session.rollback()

    deliver(now=after_the_claim_timeout(app))
    deliver(now=after_the_claim_timeout(app) + timedelta(hours=1))

    [mail] = outbox()
    assert mail.status == "sent"
    assert len(smtp.received) == 1
    assert smtp.messages[0]["Message-ID"] == mail.message_id


class SenderCrashed(BaseException):
    """Stands for the process dying: nothing in the sender catches it."""


def test_a_crash_after_sending_causes_at_most_one_identical_duplicate(app, make_event, sign_up, smtp,
                                                                      deliver, outbox, monkeypatch):
    sign_up(make_event(), email="anna@example.org")
    real_write = sender.BatchRecords.write

    def die_before_recording_it_sent(records, statement):
        if statement.compile().params.get("status") == "sent":
            raise SenderCrashed()
        real_write(records, statement)

    monkeypatch.setattr(sender.BatchRecords, "write", die_before_recording_it_sent)
    with pytest.raises(SenderCrashed):
        sender.deliver_due()
    db.session.rollback()
    monkeypatch.undo()
    assert len(smtp.received) == 1  # the server has it, the outbox does not know

    deliver(now=after_the_claim_timeout(app))
    deliver(now=after_the_claim_timeout(app) + timedelta(hours=1))

    [mail] = outbox()
    assert mail.status == "sent"
    first, second = smtp.received
    assert first.data == second.data
    assert smtp.messages[1]["Message-ID"] == mail.message_id
