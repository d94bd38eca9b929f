"""The background sender of a web process: a sign-up's mail goes out without anyone calling deliver_due.

The sender thread has no stop switch of its own, and only one is started per process. So that
it does not outlive its test (and deliver, or fail, mails of later tests against a stopped
SMTP server), the fixture below hands it a stop event through `work`'s own `stop` parameter
and forgets the process's "already started" mark afterwards.
"""
import functools
import threading
import time

import pytest

from app.extensions import db
from app.mailing import sender
from app.outbox import OutgoingMail, mail_waiting

THREAD_NAME = "podium-mail-sender"


@pytest.fixture
def app_config():
    return {"MAIL_BACKGROUND": True}


def sender_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD_NAME and thread.is_alive()]


@pytest.fixture
def background_sender(app, monkeypatch):
    """Let the app start its background sender, and stop that thread when the test ends."""
    assert sender_threads() == [], "a background sender from an earlier test is still running"
    stop = threading.Event()
    monkeypatch.setattr(sender, "work", functools.partial(sender.work, stop=stop))
    monkeypatch.setitem(sender._background, "pid", None)
    yield
    stop.set()
    mail_waiting.set()  # wake it from its idle wait
    for thread in sender_threads():
        thread.join(timeout=15)
    assert sender_threads() == [], "the background sender did not stop"


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def status_of_the_only_mail() -> str:
    db.session.rollback()
    return db.session.execute(db.select(OutgoingMail.status)).scalar_one()


def sign_up_on_the_page(client, event, email):
    return client.post(f"/events/{event.slug}/register",
                       data={"name": "Anna", "email": email, "affiliation": "volunteer", "consent": "y"})


def test_background_sender_delivers_a_sign_ups_mail(client, make_event, smtp, background_sender):
    event = make_event(capacity=10)

    response = sign_up_on_the_page(client, event, "anna@example.org")

    assert response.status_code == 302
    assert wait_until(lambda: len(smtp.received) >= 1), "no mail arrived within 10 s"
    assert wait_until(lambda: status_of_the_only_mail() == "sent")
    assert [received.rcpt_tos for received in smtp.received] == [["anna@example.org"]]
    assert len(sender_threads()) == 1


@pytest.mark.parametrize("app_config", [{"MAIL_BACKGROUND": False}])
def test_without_background_sending_the_mail_waits_for_a_worker(client, make_event, smtp,
                                                                background_sender):
    event = make_event(capacity=10)

    response = sign_up_on_the_page(client, event, "anna@example.org")

    assert response.status_code == 302
    assert sender_threads() == []
    assert status_of_the_only_mail() == "queued"
    assert smtp.received == []
