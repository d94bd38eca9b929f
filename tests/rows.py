"""Reading back what the database holds now, as another session committed it.

A test's own session keeps a read transaction open between its queries; on SQLite that
transaction keeps showing an old snapshot. Every reader here ends it first.
"""
from sqlalchemy import func, insert, select

from app.audit import AuditEntry
from app.extensions import db
from app.outbox import OutgoingMail
from app.registrations.models import Registration


def fresh_reads() -> None:
    """End the test's own read transaction, so that the next query sees every commit."""
    db.session.rollback()


def reload(row):
    """The same row (an event, a registration, a contact ...), as the database holds it now."""
    fresh_reads()
    return db.session.get(type(row), row.id)


def registrations_of(event) -> list[Registration]:
    """The event's registrations as the database holds them now, in the order they were made."""
    fresh_reads()
    query = select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    return list(db.session.execute(query).scalars())


def registration_count() -> int:
    """How many registrations there are, of every event."""
    fresh_reads()
    return db.session.execute(select(func.count(Registration.id))).scalar_one()


def outbox_rows(**filters) -> list[OutgoingMail]:
    """The outbox rows that match `filters` (column=value), oldest first."""
    fresh_reads()
    query = select(OutgoingMail).filter_by(**filters).order_by(OutgoingMail.id)
    return list(db.session.execute(query).scalars())


def mails_to(address: str) -> list[OutgoingMail]:
    """The outbox rows for one address, oldest first."""
    return outbox_rows(recipient=address)


def copy_audit_entry(entry: AuditEntry, times: int) -> None:
    """`times` copies of an entry, inserted at once and committed: a long history of another
    subject, newer than everything recorded before."""
    fresh_reads()
    table = AuditEntry.__table__
    row = db.session.execute(select(table).where(table.c.id == entry.id)).mappings().one()
    db.session.execute(insert(table), [{name: value for name, value in row.items() if name != "id"}] * times)
    db.session.commit()
