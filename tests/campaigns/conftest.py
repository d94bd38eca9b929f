"""Fixtures for invitation campaigns: contacts made in bulk, campaigns, delivery, and reading
what arrived at the real SMTP server."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from app.database import utcnow
from app.extensions import db
from app.mailing import campaigns, sender
from app.mailing.models import CampaignRecipient, Contact
from app.outbox import OutgoingMail
from app.registrations.tickets import new_manage_token
from tests.conftest import free_port, start_smtp
from tests.mailing.conftest import EnvelopeRecorder
from tests.mailing.reading import only_part, text_of

ENGLISH = {"Accept-Language": "en"}
INVITATION_LINK = re.compile(r"http://podium\.test/i/([A-Za-z0-9_-]+)")
UNSUBSCRIBE_LINK = re.compile(r"http://podium\.test/u/([A-Za-z0-9_-]+)")

BODY = "Hallo {name},\n\nwir laden Sie herzlich ein zu {event} am {date}.\n\nHier anmelden: {link}"


@pytest.fixture
def smtp_recorder():
    """A real SMTP server on localhost; `refused_recipients` are refused at RCPT TO (550)."""
    recorder = EnvelopeRecorder(port=free_port())
    controller = start_smtp(recorder)
    yield recorder
    controller.stop()


@pytest.fixture(autouse=True)
def request_context(app):
    """Lets tests build URLs with url_for, as the pages do."""
    with app.test_request_context():
        yield


def fresh_reads() -> None:
    """End the test's own read transaction: on SQLite it would keep showing an old snapshot."""
    db.session.rollback()


def contact_row(n: int, now, **fields) -> dict:
    email = fields.pop("email", f"kontakt{n}@example.org")
    row = {"name": f"Kontakt {n}", "email": email, "email_key": email.lower(), "organisation": "",
           "organisation_kind": "other", "tags": [], "locale": "de", "source": "test", "source_at": now,
           "unsubscribed_at": None, "unsubscribe_token": new_manage_token(), "created_at": now,
           "updated_at": now}
    row.update(fields)
    return row


@pytest.fixture
def make_contacts(app):
    """`count` contacts in ONE bulk insert; returns their addresses."""
    counter = iter(range(1, 1_000_000))

    def make(count: int, **fields) -> list[str]:
        now = utcnow()
        rows = [contact_row(next(counter), now, **fields) for _ in range(count)]
        db.session.execute(insert(Contact), rows)
        db.session.commit()
        return [row["email"] for row in rows]

    return make


@pytest.fixture
def make_contact(make_contacts):
    """One contact; returns the row."""

    def make(**fields) -> Contact:
        (email,) = make_contacts(1, **fields)
        return db.session.execute(select(Contact).where(Contact.email == email)).scalar_one()

    return make


@pytest.fixture
def make_campaign(app, make_event):
    """A draft campaign (by default: to all contacts, for a new published event)."""

    def make(event=None, *, subject="Einladung: {event}", body=BODY, audience=None):
        event = event or make_event(title="Forum Fachkräfte", capacity=100)
        return campaigns.create_campaign(event_id=event.id, subject=subject, body=body,
                                         audience=audience or {"all": True}, created_by="Test")

    return make


@pytest.fixture
def deliver(app):
    """Deliver what is due, as a sender would; returns the DeliveryReport."""

    def run(now=None):
        report = sender.deliver_due(now=now)
        db.session.rollback()
        return report

    return run


def after_the_claim_timeout(app, extra=timedelta(minutes=1)):
    return utcnow() + app.config["MAIL_CLAIM_TIMEOUT"] + extra


def recipients_of(campaign) -> list[CampaignRecipient]:
    fresh_reads()
    query = select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
    return list(db.session.execute(query.order_by(CampaignRecipient.id)).scalars())


def mails_of(kind: str = campaigns.INVITATION) -> list[OutgoingMail]:
    fresh_reads()
    query = select(OutgoingMail).where(OutgoingMail.kind == kind).order_by(OutgoingMail.id)
    return list(db.session.execute(query).scalars())


def contact_by_email(email: str) -> Contact:
    fresh_reads()
    return db.session.execute(select(Contact).where(Contact.email == email)).scalar_one()


def text_body(message) -> str:
    """The text part, decoded, with the line ends a reader sees (SMTP sends CRLF)."""
    return text_of(only_part(message, "text/plain")).replace("\r\n", "\n")


def html_body(message) -> str:
    return text_of(only_part(message, "text/html")).replace("\r\n", "\n")


def invitation_token(message) -> str:
    """The token of the one personal invitation link in a received mail's text."""
    tokens = set(INVITATION_LINK.findall(text_body(message)))
    assert len(tokens) == 1, f"expected one invitation link, found {tokens}"
    return tokens.pop()


def run_together(app, calls, timeout=120):
    """Run the callables in threads released at once, each with its own app context (and so its
    own session and connection); return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes[i] = call()
            except BaseException as exc:  # noqa: BLE001 -- returned to the test, which asserts on it
                outcomes[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes


def failures(outcomes) -> list[BaseException]:
    return [o for o in outcomes if isinstance(o, BaseException)]


def deliver_in_parallel(app, senders: int = 4) -> list:
    """Several senders (as several `flask mail work` processes) draining the outbox at once."""
    outcomes = run_together(app, [sender.deliver_due] * senders, timeout=300)
    assert failures(outcomes) == []
    db.session.rollback()
    return outcomes
