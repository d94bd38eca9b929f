"""Helpers for the staff pages of an event's registrations and for the reminders."""
import threading
from datetime import datetime

import pytest
from sqlalchemy import select, update

from app.events.models import Event
from app.extensions import db
from app.mailing import sender
from app.outbox import OutgoingMail
from app.registrations.models import Registration

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def request_context(app):
    """Lets tests build URLs with url_for, as the pages do."""
    with app.test_request_context():
        yield


def fresh_reads() -> None:
    """End the test's own read transaction: on SQLite it would keep showing an old snapshot."""
    db.session.rollback()


def registrations_of(event) -> list[Registration]:
    """The event's registrations as the database holds them now, in the order they were made."""
    fresh_reads()
    query = select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    return list(db.session.execute(query).scalars())


def statuses_of(event) -> dict[str, str]:
    return {r.name: r.status for r in registrations_of(event)}


def counts_of(event) -> tuple[int, int]:
    """(confirmed, waitlisted) as the event row keeps them."""
    fresh_reads()
    row = db.session.get(Event, event.id)
    return row.confirmed_count, row.waitlist_count


def reload(registration) -> Registration:
    fresh_reads()
    return db.session.get(Registration, registration.id)


def outbox_rows(**filters) -> list[OutgoingMail]:
    fresh_reads()
    query = select(OutgoingMail).filter_by(**filters).order_by(OutgoingMail.id)
    return list(db.session.execute(query).scalars())


def signed_up_at(registration, moment: datetime) -> None:
    """Pretend the guest signed up, and was mailed, at `moment` (tests cannot wait for days)."""
    db.session.execute(update(Registration).where(Registration.id == registration.id)
                       .values(created_at=moment))
    db.session.execute(update(OutgoingMail).where(OutgoingMail.registration_id == registration.id)
                       .values(created_at=moment))
    db.session.commit()


@pytest.fixture
def deliver(app):
    """Deliver what is due, as a sender would; returns the DeliveryReport."""

    def run(now=None):
        report = sender.deliver_due(now=now)
        db.session.rollback()
        return report

    return run


def run_together(app, calls):
    """Run the callables in threads released at once; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes[i] = call()
            except BaseException as exc:  # noqa: BLE001 (recorded and asserted on by the test)
                outcomes[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return outcomes
