"""The retention period: when an event's is over, its registrations are anonymised.

The sign-up form promises that a guest's details are deleted a number of months after the
event (the event's `retention_months`, which its consent text states). From
`Event.retention_ends_at` on, every registration of the event is anonymised
(privacy.anonymise): the personal data goes, the figures of the event stay as they were.

Who runs it: every long-running mail sender, at most once per PURGE_EVERY_MINUTES (the
`flask mail work` processes, and the web process's sender thread in the single-machine
default), and `flask --app wsgi privacy purge [--dry-run]`. However many run at once, each
event is anonymised once: under the event's row lock, and only rows not yet anonymised
(a second run finds nothing and changes nothing, not even the history).

Each run then forgets the person refs (privacy.models) whose person has nothing left but
anonymised rows: no registration that is not anonymised, and no contact. From then on nothing
ties those rows to anyone.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select

from ..audit import Actor, AuditAction, record
from ..database import utcnow, write_transaction
from ..errors import NotFound
from ..contacts.models import Contact
from ..events.models import Event
from ..extensions import db
from ..outbox import OutgoingMail
from ..registrations.models import Registration
from .anonymise import anonymise_registrations
from .models import PersonRef, registration_identity, with_registration_person

# Who the history names for what the purge did.
RETENTION = Actor(name="Podium (retention period)")
# The shortest retention period is a month, and a month is never shorter than this: a first,
# cheap filter before each event's own period is reckoned.
SHORTEST_MONTH = timedelta(days=28)


@dataclass(frozen=True)
class EventPurge:
    """What the purge did (or, in a dry run, would do) to one event."""

    event_id: int
    title: str
    ends_at: datetime
    retention_months: int
    retention_ends_at: datetime
    registrations: int
    mails: int


def due_events(now: datetime | None = None) -> list[Event]:
    """The events whose retention period is over and that still have registrations to anonymise,
    oldest first."""
    now = now or utcnow()
    pending = exists().where(Registration.event_id == Event.id, Registration.anonymised_at.is_(None))
    candidates = db.session.execute(
        select(Event).where(Event.ends_at <= now - SHORTEST_MONTH, pending).order_by(Event.ends_at, Event.id)
    ).scalars()
    return [event for event in candidates if event.retention_ends_at <= now]


def upcoming_anonymisations(now: datetime | None = None, limit: int = 10) -> list[Event]:
    """The events whose registrations are anonymised next, soonest first (for the staff's overview)."""
    now = now or utcnow()
    pending = exists().where(Registration.event_id == Event.id, Registration.anonymised_at.is_(None))
    events = db.session.execute(select(Event).where(Event.ends_at <= now, pending)).scalars()
    return sorted((event for event in events if event.retention_ends_at > now),
                  key=lambda event: (event.retention_ends_at, event.id))[:limit]


def purge(now: datetime | None = None, *, dry_run: bool = False) -> list[EventPurge]:
    """Anonymise the registrations of every event whose retention period is over, one event per
    transaction (each commits); with `dry_run`, only say what would be anonymised.

    Each event's history gets one entry saying how many registrations and mails were anonymised.
    """
    now = now or utcnow()
    events = [event.id for event in due_events(now)]
    db.session.rollback()  # end the read: each event's transaction begins with its lock
    done = []
    for event_id in events:
        result = _preview(event_id, now) if dry_run else _purge_event(event_id, now)
        if result is not None:
            done.append(result)
    if not dry_run:
        forget_person_refs(now)
    return done


def forget_person_refs(now: datetime | None = None) -> int:
    """Delete the refs of people who have no registration left that is not anonymised and no
    contact; how many. Commits."""
    identity = registration_identity()
    live = with_registration_person(select(identity)).where(Registration.anonymised_at.is_(None),
                                                           identity.is_not(None))
    with write_transaction(now=now):
        return db.session.execute(
            delete(PersonRef).where(PersonRef.identity.not_in(live),
                                    ~exists().where(Contact.email_key == PersonRef.identity))
            .execution_options(synchronize_session=False)).rowcount


def purge_due() -> int:
    """The mail worker's chore: purge what is due now; how many registrations were anonymised."""
    return sum(result.registrations for result in purge())


def _purge_event(event_id: int, now: datetime) -> EventPurge | None:
    try:
        with write_transaction(lock=(Event, event_id), now=now) as tx:
            event = tx.row
            if event.retention_ends_at > tx.now:
                return None  # the period was changed meanwhile
            done = anonymise_registrations(Registration.event_id == event.id, tx.now)
            if not done.registrations:
                return None  # another worker was first
            record(RETENTION, AuditAction.registrations_anonymised, at=tx.now, event_id=event.id,
                   changes={"registrations": done.registrations, "mails": done.mails})
            return _result(event, done.registrations, done.mails)
    except NotFound:
        return None  # the event was deleted meanwhile


def _preview(event_id: int, now: datetime) -> EventPurge | None:
    event = db.session.get(Event, event_id)
    if event is None:
        return None
    these = select(Registration.id).where(Registration.event_id == event_id, Registration.anonymised_at.is_(None))
    registrations = db.session.execute(select(func.count()).select_from(these.subquery())).scalar_one()
    mails = db.session.execute(select(func.count(OutgoingMail.id)).where(
        OutgoingMail.registration_id.in_(these.scalar_subquery()), OutgoingMail.anonymised_at.is_(None))
    ).scalar_one()
    return _result(event, registrations, mails) if registrations else None


def _result(event: Event, registrations: int, mails: int) -> EventPurge:
    return EventPurge(event.id, event.title, event.ends_at, event.retention_months, event.retention_ends_at,
                      registrations, mails)
