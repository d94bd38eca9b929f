"""Delivery through a real SMTP server that is down, busy or refusing: retries, failure, retry by staff."""
from datetime import timedelta

import pytest

from app.database import utcnow
from tests.conftest import free_port, point_mail_at

from .pages import outbox_cells, state_label, visible_text

TRY_LATER = "451 4.3.0 Try again later"
NO_SUCH_USER = "550 5.1.1 No such user"


@pytest.fixture
def one_guest(make_event, sign_up):
    """Sign one guest up; their confirmation is now in the outbox."""

    def sign(email="anna@example.org"):
        return sign_up(make_event(capacity=10), email=email)

    return sign


def just_after(moment):
    return moment + timedelta(seconds=1)


# --- SMTP server down, then up ------------------------------------------------------

def test_mail_waits_while_the_server_is_down_and_arrives_once_when_it_is_up(
        app, one_guest, deliver, outbox, start_smtp_on):
    port = free_port()  # nothing listens here yet
    point_mail_at(app, port)
    one_guest()
    before = utcnow()

    report = deliver()

    [mail] = outbox()
    assert (report.sent, report.retried) == (0, 1)
    assert mail.status == "queued"
    assert mail.attempts == 1
    assert mail.last_error
    assert mail.next_attempt_at > before

    server = start_smtp_on(port)
    deliver()  # not due yet: the backoff is respected
    assert server.received == []

    deliver(now=just_after(mail.next_attempt_at))
    deliver(now=just_after(mail.next_attempt_at) + timedelta(hours=2))

    [mail] = outbox()
    assert len(server.received) == 1
    assert server.messages[0]["Message-ID"] == mail.message_id
    assert mail.status == "sent"
    assert mail.sent_at is not None


# --- temporary and permanent refusals ----------------------------------------------------

def test_temporary_refusal_is_retried_and_then_delivered_once(one_guest, smtp, deliver, outbox):
    one_guest()
    smtp.reply = TRY_LATER

    deliver()

    [mail] = outbox()
    assert (mail.status, mail.attempts) == ("queued", 1)
    assert TRY_LATER in mail.last_error

    smtp.reply = None
    deliver(now=just_after(mail.next_attempt_at))
    deliver(now=just_after(mail.next_attempt_at) + timedelta(hours=2))

    [mail] = outbox()
    assert len(smtp.received) == 1
    assert mail.status == "sent"


def test_permanent_refusal_fails_with_the_reason_kept(one_guest, smtp, deliver, outbox):
    one_guest()
    smtp.reply = NO_SUCH_USER

    report = deliver()
    smtp.reply = None
    deliver(now=utcnow() + timedelta(days=1))  # a failed mail is not picked up again by itself

    [mail] = outbox()
    assert report.failed == 1
    assert mail.status == "failed"
    assert mail.last_error == NO_SUCH_USER
    assert smtp.received == []


def test_a_refused_address_does_not_hold_up_the_other_mails(make_event, sign_up, smtp, deliver, outbox):
    event = make_event(capacity=10)
    sign_up(event, email="anna@example.org")
    sign_up(event, email="nobody@example.org")
    sign_up(event, email="carl@example.org")
    smtp.refused_recipients = {"nobody@example.org"}

    deliver()

    statuses = {mail.recipient: (mail.status, mail.last_error) for mail in outbox()}
    assert statuses == {
        "anna@example.org": ("sent", None),
        "nobody@example.org": ("failed", NO_SUCH_USER),
        "carl@example.org": ("sent", None),
    }
    assert sorted(r for received in smtp.received for r in received.rcpt_tos) == [
        "anna@example.org", "carl@example.org"]


def test_after_the_last_allowed_attempt_a_mail_ends_failed(app, one_guest, smtp, deliver, outbox):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    one_guest()
    smtp.reply = TRY_LATER

    waits = []
    now = utcnow()
    for _attempt in range(3):
        deliver(now=now)
        [mail] = outbox()
        waits.append(mail.next_attempt_at - now)
        now = just_after(mail.next_attempt_at)
    smtp.reply = None
    deliver(now=now + timedelta(days=1))

    [mail] = outbox()
    assert (mail.status, mail.attempts) == ("failed", 3)
    assert TRY_LATER in mail.last_error
    assert waits[1] > waits[0]  # the backoff grows
    assert smtp.received == []


# --- staff see a failure and send the mail again ------------------------------------------

def test_staff_see_the_failure_and_its_reason(one_guest, smtp, deliver, outbox, staff):
    one_guest(email="nobody@example.org")
    smtp.reply = NO_SUCH_USER
    deliver()
    [mail] = outbox()

    listing = staff.get("/staff/mails/")
    page = staff.get(f"/staff/mails/{mail.id}")

    assert listing.status_code == page.status_code == 200
    _id, _created, to, _subject, state, attempts, last_error = outbox_cells(listing.text, mail.id)
    assert (to, state, attempts, last_error) == ("nobody@example.org", state_label("failed"), "1",
                                                 NO_SUCH_USER)
    shown = visible_text(page.text)
    assert "nobody@example.org" in shown
    assert state_label("failed") in shown
    assert NO_SUCH_USER in shown
    assert f'action="/staff/mails/{mail.id}/retry"' in page.text


def test_staff_retry_delivers_a_failed_mail_exactly_once(one_guest, smtp, deliver, outbox, staff):
    one_guest()
    smtp.reply = NO_SUCH_USER
    deliver()
    [mail] = outbox()

    response = staff.post(f"/staff/mails/{mail.id}/retry")

    assert response.status_code == 302
    assert outbox()[0].status == "queued"
    smtp.reply = None
    deliver()
    deliver(now=utcnow() + timedelta(hours=2))
    [mail] = outbox()
    assert mail.status == "sent"
    assert len(smtp.received) == 1
    assert smtp.messages[0]["Message-ID"] == mail.message_id


def test_retrying_a_sent_mail_does_not_send_it_again(one_guest, smtp, deliver, outbox, staff):
    one_guest()
    deliver()
    [mail] = outbox()

    staff.post(f"/staff/mails/{mail.id}/retry")
    deliver(now=utcnow() + timedelta(hours=2))

    assert outbox()[0].status == "sent"
    assert len(smtp.received) == 1


def test_retrying_an_unknown_mail_is_not_found(app, staff):
    assert staff.post("/staff/mails/999999/retry").status_code == 404
