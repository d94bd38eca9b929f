"""Sign-up, cancellation and the waitlist, for guests and for staff.

Every change to who holds a place happens under the event's row lock
(database.write_transaction) and commits before returning, so that the lock is
held for as short a time as possible. Mails are outbox rows in the same
transaction; nothing slow happens inside it. What staff change is also written
to the audit trail, in the same transaction.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..audit import Actor, AuditAction, record
from ..database import first_row, get_by_link_key, get_row, utcnow, write_transaction
from ..errors import AlreadyCancelled, EventFull, InvalidInput, NotFound, OverCapacity, RegistrationRefused
from ..events.models import Event
from ..events.services import signup_closed_reason
from ..extensions import db
from ..outbox import enqueue
from ..search import matches_words
from ..text import clean_line, clean_text, email_key
from .models import (
    CONSENT_GIVEN_TO_STAFF,
    Affiliation,
    Registration,
    RegistrationStatus,
    Source,
)
from .tickets import new_ticket_code

CONFIRMED_MAIL = "registration_confirmed"
WAITLISTED_MAIL = "registration_waitlisted"
CANCELLED_MAIL = "registration_cancelled"


class AlreadyRegistered(InvalidInput):
    """Staff entered an address that already holds a registration for this event."""

    code = "already_registered"
    field = "email"
    message = _l("This address is already registered for this event.")


@dataclass(frozen=True)
class SignupResult:
    registration: Registration
    # False: the address was already registered; its current state was mailed again.
    created: bool
    # Read before the commit, so that the landing page needs no second query.
    confirmed: bool
    event_slug: str
    ticket_code: str
    manage_token: str

    @classmethod
    def of(cls, registration: Registration, created: bool) -> "SignupResult":
        """The result as it stands now, read before the commit."""
        return cls(registration, created, registration.is_confirmed, registration.event.slug,
                   registration.ticket_code, registration.manage_token)


# --- guests --------------------------------------------------------------------

def register(event_id: int, data: dict, *, locale: str, source: Source = Source.online,
             now: datetime | None = None) -> SignupResult:
    """Sign a guest up: confirmed while places are left, else waitlisted (or EventFull).

    The same address again for the same event creates nothing: the existing
    registration's state is mailed again. Commits.

    :raises NotFound, RegistrationRefused, EventFull:
    """
    # The clock is read inside the lock: waitlisted_at is the order of the queue.
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        reason = signup_closed_reason(event, tx.now)
        if reason:
            raise RegistrationRefused(reason)
        registration = find_by_email(event.id, data["email"])
        if registration is not None and not registration.is_cancelled:
            _mail_current_state(registration, locale=locale, repeated=True)
            return SignupResult.of(registration, created=False)
        if event.is_full and not event.waitlist_enabled:
            raise EventFull()
        registration = _new_or_renewed(event, registration, data)
        _fill(registration, data, locale=locale, now=tx.now)
        registration.source = source
        _give_place_or_queue(event, registration, tx.now)
        db.session.flush()
        _mail_current_state(registration, locale=locale)
        return SignupResult.of(registration, created=True)


def cancel_registration(registration_id: int, *, by: Actor | None = None,
                        now: datetime | None = None) -> Registration:
    """Cancel a registration (the guest's own, or staff's when `by` names them), mail the
    guest, and promote the first in line. Commits.

    :raises NotFound, AlreadyCancelled, RegistrationRefused:
    """
    event_id = get_row(Registration, registration_id).event_id
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        if registration.is_cancelled:
            raise AlreadyCancelled()
        if event.has_started(tx.now):
            raise RegistrationRefused(_l("This event has already taken place; the registration can no "
                                         "longer be cancelled."))
        had_place = registration.is_confirmed
        _leave(event, registration)
        registration.status = RegistrationStatus.cancelled
        registration.cancelled_at = tx.now
        registration.sequence_offset += 1
        enqueue(CANCELLED_MAIL, registration.email, locale=registration.locale, registration_id=registration.id,
                params={"sequence": registration.calendar_sequence, "had_place": had_place})
        if had_place and event.is_published:
            promote_from_waitlist(event)
        if by is not None:
            record(by, AuditAction.registration_cancelled, at=tx.now, event_id=event.id,
                   registration_id=registration.id)
        return registration


def promote_from_waitlist(event: Event) -> list[Registration]:
    """Give free places to the first in line and mail them. Caller holds the event lock."""
    promoted = []
    while not event.is_full and event.waitlist_count > 0:
        registration = _first_in_line(event)
        if registration is None:
            break
        event.waitlist_count -= 1
        event.confirmed_count += 1
        registration.status = RegistrationStatus.confirmed
        enqueue(CONFIRMED_MAIL, registration.email, locale=registration.locale, registration_id=registration.id,
                params={"sequence": registration.calendar_sequence, "promoted": True})
        promoted.append(registration)
    return promoted


def can_cancel(registration: Registration, now: datetime | None = None) -> bool:
    """Whether the guest may still cancel (not cancelled, event not begun)."""
    return not registration.is_cancelled and not registration.event.has_started(now or utcnow())


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not on the waitlist."""
    if not registration.is_waitlisted:
        return None
    ahead = db.session.execute(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            or_(Registration.waitlisted_at < registration.waitlisted_at,
                and_(Registration.waitlisted_at == registration.waitlisted_at, Registration.id < registration.id)),
        )
    ).scalar_one()
    return ahead + 1


def get_by_ticket_code(code: str) -> Registration:
    """The registration whose ticket this is. :raises NotFound:"""
    return get_by_link_key(Registration.ticket_code, code)


def get_by_manage_token(token: str) -> Registration:
    """The registration whose guest's own page this is. :raises NotFound:"""
    return get_by_link_key(Registration.manage_token, token)


def find_by_email(event_id: int, email: str) -> Registration | None:
    """The registration of this address for this event, whatever its state."""
    return db.session.execute(
        select(Registration).where(Registration.event_id == event_id, Registration.email_key == email_key(email))
    ).scalar_one_or_none()


def ticket_version(code: str) -> tuple | None:
    """What a ticket page shows depends on: the registration and its event (None: no such ticket)."""
    if not code or len(code) > 64:
        return None
    return first_row(
        select(Registration.id, Registration.updated_at, Event.updated_at)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.ticket_code == code)
    )


# --- staff ---------------------------------------------------------------------

def get_registration(event_id: int, registration_id: int) -> Registration:
    """One registration of this event (NotFound for another event's)."""
    registration = get_row(Registration, registration_id)
    if registration.event_id != event_id:
        raise NotFound(Registration.not_found)
    return registration


def find_registrations(event_id: int, *, query: str = "", status: RegistrationStatus | None = None,
                       limit: int | None = None) -> list[Registration]:
    """The event's registrations in the order they came: all, or those whose name,
    organisation or email holds every word of `query`, and those with `status`."""
    statement = select(Registration).where(
        Registration.event_id == event_id,
        *matches_words(query, Registration.name, Registration.organisation, Registration.email_key))
    if status:
        statement = statement.where(Registration.status == status)
    statement = statement.order_by(Registration.created_at, Registration.id)
    return list(db.session.execute(statement.limit(limit)).scalars())


def confirm_registration(event_id: int, registration_id: int, *, by: Actor, over_capacity_ok: bool = False,
                         now: datetime | None = None) -> Registration:
    """Staff give a waitlisted (or cancelled) guest a place and mail them their ticket. Commits.

    Confirming an already confirmed guest changes nothing and mails nothing (a second click).

    :raises NotFound, RegistrationRefused:
    :raises OverCapacity: when the event is full and `over_capacity_ok` was not given.
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        registration = _registration_of(event, registration_id)
        if registration.is_confirmed:
            return registration
        _refuse_staff_change(event, tx.now)
        if event.is_full and not over_capacity_ok:
            raise OverCapacity()
        was_waitlisted = registration.is_waitlisted
        if was_waitlisted:
            event.waitlist_count -= 1
        else:
            # Back from cancelled: the old ticket stays void, and the calendar SEQUENCE
            # must rise above the CANCEL the guest was sent.
            registration.ticket_code = new_ticket_code()
            registration.sequence_offset += 1
            registration.cancelled_at = None
        registration.status = RegistrationStatus.confirmed
        event.confirmed_count += 1
        enqueue(CONFIRMED_MAIL, registration.email, locale=registration.locale, registration_id=registration.id,
                params={"sequence": registration.calendar_sequence, "promoted": was_waitlisted})
        record(by, AuditAction.registration_confirmed, at=tx.now, event_id=event.id,
               registration_id=registration.id,
               changes={"status": [RegistrationStatus.waitlisted if was_waitlisted else RegistrationStatus.cancelled,
                                   RegistrationStatus.confirmed]})
        return registration


def cancel_registration_by_staff(event_id: int, registration_id: int, *, by: Actor,
                                 now: datetime | None = None) -> Registration:
    """Staff cancel a registration: the guest is mailed and the first in line promoted. Commits.

    :raises NotFound, AlreadyCancelled, RegistrationRefused:
    """
    get_registration(event_id, registration_id)
    return cancel_registration(registration_id, by=by, now=now)


def promoted_by_cancelling(registration: Registration) -> Registration | None:
    """Who would move up from the waitlist if this registration were cancelled now."""
    event = registration.event
    if not registration.is_confirmed or not event.is_published:
        return None
    if event.capacity is not None and event.confirmed_count - 1 >= event.capacity:
        return None  # confirmed over capacity: the freed place was never a place
    return _first_in_line(event)


def add_registration(event_id: int, data: dict, *, locale: str, send_mail: bool, by: Actor,
                     over_capacity_ok: bool = False, now: datetime | None = None) -> Registration:
    """Staff register a guest by hand (source "staff"; the consent is the staff's to record). Commits.

    Confirmed while places are left; when the event is full, waitlisted, or confirmed
    anyway with `over_capacity_ok`. The guest gets the mail of their state only with
    `send_mail`.

    :raises NotFound, RegistrationRefused:
    :raises AlreadyRegistered: the address holds a registration for this event that is not cancelled.
    :raises OverCapacity: full, no waitlist, and `over_capacity_ok` not given.
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        _refuse_staff_change(event, tx.now)
        registration = find_by_email(event.id, data["email"])
        if registration is not None and not registration.is_cancelled:
            raise AlreadyRegistered(_l("%(name)s is already registered for this event with this address "
                                       "(%(status)s).", name=registration.name, status=registration.status.label))
        if event.is_full and not event.waitlist_enabled and not over_capacity_ok:
            raise OverCapacity()
        registration = _new_or_renewed(event, registration, data)
        _fill(registration, data, locale=locale, now=tx.now)
        registration.consent_version = CONSENT_GIVEN_TO_STAFF
        registration.source = Source.staff
        if over_capacity_ok:
            registration.status = RegistrationStatus.confirmed
            event.confirmed_count += 1
        else:
            _give_place_or_queue(event, registration, tx.now)
        db.session.flush()
        if send_mail:
            _mail_current_state(registration, locale=locale)
        record(by, AuditAction.registration_added, at=tx.now, event_id=event.id, registration_id=registration.id,
               changes={"status": [None, registration.status], "mailed": send_mail})
        return registration


# --- the steps -----------------------------------------------------------------

def _first_in_line(event: Event) -> Registration | None:
    return db.session.execute(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(1)
    ).scalar_one_or_none()


def _new_or_renewed(event: Event, cancelled: Registration | None, data: dict) -> Registration:
    """A new registration, or the guest's cancelled one taken up again."""
    if cancelled is None:
        registration = Registration(event=event, email_key=email_key(data["email"]))
        db.session.add(registration)
        return registration
    # Signing up again after cancelling: a fresh ticket, a newer calendar SEQUENCE.
    cancelled.ticket_code = new_ticket_code()
    cancelled.sequence_offset += 1
    cancelled.cancelled_at = None
    return cancelled


def _fill(registration: Registration, data: dict, *, locale: str, now: datetime) -> None:
    registration.name = clean_line(data["name"])
    registration.email = clean_line(data["email"])
    registration.organisation = clean_line(data.get("organisation") or "")
    affiliation = data.get("affiliation")
    registration.affiliation = affiliation if affiliation in Affiliation.__members__.values() else Affiliation.other
    registration.note = clean_text(data.get("note") or "")
    registration.locale = locale
    registration.consent_at = now
    registration.consent_version = current_app.config["CONSENT_VERSION"]


def _give_place_or_queue(event: Event, registration: Registration, now: datetime) -> None:
    if event.is_full:
        registration.status = RegistrationStatus.waitlisted
        registration.waitlisted_at = now
        event.waitlist_count += 1
    else:
        registration.status = RegistrationStatus.confirmed
        event.confirmed_count += 1


def _leave(event: Event, registration: Registration) -> None:
    if registration.is_confirmed:
        event.confirmed_count -= 1
    elif registration.is_waitlisted:
        event.waitlist_count -= 1


def _mail_current_state(registration: Registration, *, locale: str, repeated: bool = False) -> None:
    kind = CONFIRMED_MAIL if registration.is_confirmed else WAITLISTED_MAIL
    enqueue(kind, registration.email, locale=locale, registration_id=registration.id,
            params={"sequence": registration.calendar_sequence, "repeated": repeated})


def _registration_of(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.event_id != event.id:
        raise NotFound(Registration.not_found)
    return registration


def _refuse_staff_change(event: Event, now: datetime) -> None:
    # Staff may add guests before sign-up opens, after it closes and to drafts (speakers,
    # partners), but a place in a cancelled or begun event means nothing any more.
    if event.is_cancelled:
        raise RegistrationRefused(_l("This event has been cancelled."))
    if event.has_started(now):
        raise RegistrationRefused(_l("This event has already taken place; registration is closed."))
