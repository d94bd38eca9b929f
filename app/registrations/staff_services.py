"""What staff do with one event's registrations: list them a page at a time, confirm from the
waitlist, cancel, register a guest by hand. Like sign-up, each change runs under the event's row
lock, mails the guest through the outbox and notes who did it in the audit trail, in one transaction."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..audit import Actor, AuditAction, record
from ..database import get_row, is_valid_id, write_transaction
from ..errors import InvalidInput, NotFound, OverCapacity, RegistrationRefused
from ..events.models import Event
from ..events.services import record_only_refusal
from ..extensions import db
from ..outbox import enqueue
from ..paging import Page, Sort, paginate, sorted_by
from ..search import matches_words
from .models import CONSENT_GIVEN_TO_STAFF, Registration, RegistrationStatus, Source
from .services import (
    CONFIRMED_MAIL,
    cancel_registration,
    fill,
    find_by_email,
    first_in_line,
    give_place_or_queue,
    mail_current_state,
    new_registration,
    renew,
)
from .tickets import new_ticket_code

# The columns the staff list sorts by (the URL's `sort=`); states in the order of their weight.
LIST_SORTS = {
    "name": func.lower(Registration.name),
    "status": case({RegistrationStatus.confirmed: 0, RegistrationStatus.waitlisted: 1,
                    RegistrationStatus.cancelled: 2}, value=Registration.status),
    "registered": Registration.created_at,
}
LIST_PAGE_SIZE = 50


def list_registrations(event_id: int, *, sort: Sort, query: str = "", status: RegistrationStatus | None = None,
                       page: int | None = None, size: int = LIST_PAGE_SIZE) -> Page:
    """One page of the event's registrations whose name, organisation or email holds every word of
    `query` (and that have `status`), sorted by a column of LIST_SORTS."""
    statement = select(Registration).where(
        Registration.event_id == event_id,
        *matches_words(query, Registration.name, Registration.organisation, Registration.email_key))
    if status:
        statement = statement.where(Registration.status == status)
    return paginate(sorted_by(statement, sort, LIST_SORTS, Registration.id), number=page, size=size)


def count_by_status(event_id: int) -> dict[RegistrationStatus, int]:
    """How many registrations of the event are in each state (every state named, 0 if none)."""
    rows = db.session.execute(select(Registration.status, func.count(Registration.id))
                              .where(Registration.event_id == event_id).group_by(Registration.status))
    return {state: 0 for state in RegistrationStatus} | {state: n for state, n in rows}


class AlreadyRegistered(InvalidInput):
    """Staff entered an address that already holds a registration for this event."""

    code = "already_registered"
    field = "email"
    message = _l("This address is already registered for this event.")


def get_registration(event_id: int, registration_id: int) -> Registration:
    """One registration of this event (NotFound for another event's)."""
    registration = get_row(Registration, registration_id)
    if registration.event_id != event_id:
        raise NotFound(Registration.not_found)
    return registration


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
        if registration.is_anonymised:
            raise RegistrationRefused(_l("This registration was anonymised: there is nobody to give the place to."))
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
    return first_in_line(event)


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
        status_before = registration.status if registration is not None else None
        if registration is None:
            registration = new_registration(event, data, Source.staff)
        else:
            renew(registration)
            registration.source = Source.staff  # taken up again by staff: staff answer for it now
        fill(registration, data, locale=locale, now=tx.now)
        registration.consent_version = CONSENT_GIVEN_TO_STAFF
        if over_capacity_ok:
            registration.status = RegistrationStatus.confirmed
            event.confirmed_count += 1
        else:
            give_place_or_queue(event, registration, tx.now)
        db.session.flush()
        if send_mail:
            mail_current_state(registration, locale=locale)
        record(by, AuditAction.registration_added, at=tx.now, event_id=event.id, registration_id=registration.id,
               changes={"status": [status_before, registration.status], "mailed": send_mail})
        return registration


def _registration_of(event: Event, registration_id: int) -> Registration:
    # Read afresh: as it is under the lock, not as an earlier read left it.
    registration = (db.session.get(Registration, registration_id, populate_existing=True)
                    if is_valid_id(registration_id) else None)
    if registration is None or registration.event_id != event.id:
        raise NotFound(Registration.not_found)
    return registration


def _refuse_staff_change(event: Event, now: datetime) -> None:
    # Staff may add guests before sign-up opens, after it closes and to drafts (speakers,
    # partners), but a place in a cancelled or begun event means nothing any more, and a
    # record-only event has no places at all.
    if event.is_record_only:
        raise RegistrationRefused(record_only_refusal())
    if event.is_cancelled:
        raise RegistrationRefused(_l("This event has been cancelled."))
    if event.has_started(now):
        raise RegistrationRefused(_l("This event has already taken place; registration is closed."))
