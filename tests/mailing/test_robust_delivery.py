"""Nothing one mail does can stop the others: an address only some servers take, an exception
in the middle of a batch, a sender that dies with mails claimed."""
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import update

from app.database import commit_write, utcnow
from app.mailing import sender
from app.outbox import OutgoingMail
from tests.conftest import SMTPRecorder, free_port, point_mail_at, start_smtp
from tests.rows import outbox_rows

JOERG = "jörg@example.org"


@pytest.fixture
def utf8_smtp(app):
    """A real SMTP server on localhost that offers SMTPUTF8, and the app delivering to it."""
    recorder = SMTPRecorder(port=free_port(), smtputf8=True)
    controller = start_smtp(recorder)
    point_mail_at(app, recorder.port)
    yield recorder
    controller.stop()


def guests(make_event, sign_up, *addresses):
    event = make_event(capacity=None)
    for address in addresses:
        sign_up(event, email=address)


def test_a_non_ascii_address_fails_alone_where_the_server_lacks_smtputf8(make_event, sign_up, smtp, deliver):
    guests(make_event, sign_up, "anna@example.org", JOERG, "ben@example.org")

    report = deliver()

    assert (report.sent, report.failed) == (2, 1)
    assert sorted(r for received in smtp.received for r in received.rcpt_tos) == [
        "anna@example.org", "ben@example.org"]
    [joerg] = outbox_rows(recipient=JOERG)
    assert joerg.status == "failed"
    assert "SMTPUTF8" in joerg.last_error and "outside ASCII" in joerg.last_error
    assert outbox_rows(status="sending") == []  # nothing stays claimed


def test_a_non_ascii_address_is_delivered_where_the_server_offers_smtputf8(make_event, sign_up, utf8_smtp,
                                                                          deliver):
    guests(make_event, sign_up, JOERG, "anna@example.org")

    report = deliver()

    assert (report.sent, report.failed) == (2, 0)
    [received] = [r for r in utf8_smtp.received if JOERG in r.rcpt_tos]
    message = message_from_bytes(received.data, policy=policy.SMTPUTF8)
    assert message["To"] == JOERG
    assert "SMTPUTF8" in utf8_smtp.mail_options[[r.rcpt_tos for r in utf8_smtp.received].index([JOERG])]
    # The other guest's mail stays 7-bit, as before.
    [anna] = [r for r in utf8_smtp.received if "anna@example.org" in r.rcpt_tos]
    assert anna.data.isascii()


def test_an_international_domain_travels_as_idna(make_event, sign_up, smtp, deliver):
    guests(make_event, sign_up, "anna@bücher.example")

    deliver()

    [received] = smtp.received
    assert received.rcpt_tos == ["anna@xn--bcher-kva.example"]
    assert received.message["To"] == "anna@xn--bcher-kva.example"


def test_any_exception_with_one_mail_ends_that_mail_not_its_batch(make_event, sign_up, smtp, deliver,
                                                                 monkeypatch):
    guests(make_event, sign_up, "anna@example.org", "ben@example.org", "clara@example.org")
    real_send = sender.PreparedMessage.as_bytes

    def as_bytes(message):
        if message.recipients == ["ben@example.org"]:
            raise RuntimeError("something nobody foresaw")
        return real_send(message)

    monkeypatch.setattr(sender.PreparedMessage, "as_bytes", as_bytes)

    report = deliver()

    assert (report.sent, report.failed) == (2, 1)
    [ben] = outbox_rows(recipient="ben@example.org")
    assert (ben.status, ben.last_error) == ("failed", "RuntimeError: something nobody foresaw")
    assert outbox_rows(status="sending") == []


def test_a_dead_senders_claims_are_taken_over_within_a_minute(app, make_event, sign_up, smtp, deliver):
    guests(make_event, sign_up, "anna@example.org")
    claimed_at = utcnow()
    assert sender.claim_due(now=claimed_at)  # ... and the sender dies
    timeout = app.config["MAIL_CLAIM_TIMEOUT"]
    assert timeout < timedelta(minutes=1)

    assert deliver(now=claimed_at + timeout - timedelta(seconds=5)).handled == 0  # still its sender's
    assert deliver(now=claimed_at + timeout + timedelta(seconds=1)).sent == 1
    assert [m.status for m in outbox_rows()] == ["sent"]


def test_a_live_sender_keeps_its_claims(app, make_event, sign_up, smtp, deliver):
    """A long batch renews its claims, so that nobody takes over a mail its sender is about to send."""
    guests(make_event, sign_up, "anna@example.org")
    ids = sender.claim_due()
    # Make the claim as old as a dead sender's would be by now ...
    commit_write(update(OutgoingMail).where(OutgoingMail.id.in_(ids))
                 .values(claimed_at=utcnow() - app.config["MAIL_CLAIM_TIMEOUT"] - timedelta(seconds=1)))

    sender._keep_claims(ids)  # ... then do what a live sender does every CLAIM_REFRESH_SECONDS

    assert deliver().handled == 0
    [mail] = outbox_rows()
    assert mail.status == "sending"
