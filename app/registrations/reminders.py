"""The reminder before an event: ticket, QR code and calendar invitation once more.

Confirmed guests get it REMINDER_BEFORE_HOURS before the start (0 turns reminders
off), queued by the mail worker about once a minute and by `flask mail remind`.

Once per guest, however many workers run: `reminded_at` is set by a conditional
UPDATE (`... WHERE reminded_at IS NULL`) in the transaction that puts the mail into
the outbox, so of two workers that race only one sees the row change, and a crash
before the commit leaves neither the mark nor the mail. The event's row lock keeps
the guest's status and calendar SEQUENCE still while the mail's facts are frozen.

Who gets none:
- guests of cancelled, draft or already started events, and of record-only events (the
  network's own records mail nobody);
- guests who are not confirmed (waitlisted, cancelled);
- guests whose ticket came within the reminder window anyway: those who signed up
  after it opened (e.g. an hour before the start), and those who were sent a
  confirmation since it opened (moved up from the waitlist, or asked for their
  ticket again). Their confirmation mail, with the same ticket and calendar
  invitation, is minutes or hours old; a reminder on top of it is noise. A guest
  staff added by hand inside the window without a mail stays without one, as staff
  chose.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, update

from ..database import utcnow, write_transaction
from ..errors import NotFound
from ..events.models import Event, EventStatus, EventVisibility
from ..extensions import db
from ..outbox import OutgoingMail, enqueue
from .models import Registration, RegistrationStatus
from .services import CONFIRMED_MAIL

REMINDER_MAIL = "registration_reminder"


def reminder_window() -> timedelta:
    """How long before an event's start its reminders go out."""
    return timedelta(hours=current_app.config["REMINDER_BEFORE_HOURS"])


def queue_due_reminders(now: datetime | None = None) -> int:
    """Put every reminder that is due into the outbox; return how many. Commits per event."""
    window = reminder_window()
    if window <= timedelta(0):
        return 0
    now = now or utcnow()
    events = db.session.execute(
        select(Event.id, Event.starts_at)
        .where(Event.status == EventStatus.published, Event.visibility != EventVisibility.record,
               Event.starts_at > now, Event.starts_at <= now + window)
        .order_by(Event.starts_at, Event.id)
    ).all()
    # A read first, so that the event lock is taken only where something is due:
    # the worker asks every minute, and nearly always nothing is.
    due = [event_id for event_id, starts_at in events if _anyone_due(event_id, starts_at - window)]
    db.session.rollback()
    return sum(_queue_for_event(event_id, now, window) for event_id in due)


def _anyone_due(event_id: int, window_opened: datetime) -> bool:
    query = select(Registration.id).where(_is_due(event_id, window_opened)).limit(1)
    return db.session.execute(query).first() is not None


def _is_due(event_id: int, window_opened: datetime):
    """Registrations of the event that are owed a reminder (a WHERE clause)."""
    ticket_sent_since = exists().where(
        OutgoingMail.registration_id == Registration.id,
        OutgoingMail.kind == CONFIRMED_MAIL,
        OutgoingMail.created_at >= window_opened,
    )
    return (
        (Registration.event_id == event_id)
        & (Registration.status == RegistrationStatus.confirmed)
        & Registration.reminded_at.is_(None)
        & (Registration.created_at < window_opened)
        & ~ticket_sent_since
    )


def _queue_for_event(event_id: int, now: datetime, window: timedelta) -> int:
    try:
        with write_transaction(lock=(Event, event_id), now=now) as tx:
            event = tx.row
            # Checked again under the lock: the event may have been cancelled or moved meanwhile.
            if (not event.is_published or event.is_record_only or event.has_started(tx.now)
                    or event.starts_at > tx.now + window):
                return 0
            claimed = db.session.execute(
                update(Registration)
                .where(_is_due(event.id, event.starts_at - window))
                .values(reminded_at=tx.now)
                .returning(Registration.id, Registration.email, Registration.locale,
                           Registration.sequence_offset)
                .execution_options(synchronize_session=False)
            ).all()
            for registration_id, email, locale, sequence_offset in sorted(claimed):
                enqueue(REMINDER_MAIL, email, locale=locale, registration_id=registration_id,
                        params={"sequence": event.sequence + sequence_offset})
            return len(claimed)
    except NotFound:
        return 0  # deleted meanwhile
