"""Sign-up, cancellation and the waitlist; finding registrations. What staff do with an
event's registrations is staff_services.py's.

Every change to who holds a place happens under the event's row lock
(database.write_transaction) and commits before returning, so that the lock is
held for as short a time as possible. Mails are outbox rows in the same
transaction; nothing slow happens inside it. What staff change is also written
to the audit trail, in the same transaction.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..audit import Actor, AuditAction, record
from ..consent import recorded_version
from ..database import first_row, get_by_link_key, get_row, is_valid_id, utcnow, write_transaction
from ..errors import AlreadyCancelled, EventFull, InvalidInput, NotFound, RegistrationRefused
from ..events.models import Event
from ..events.services import NotInvited, get_published, invitation_refusal, signup_closed_reason
from ..extensions import db
from ..outbox import OutgoingMail, enqueue
from ..search import matches_words
from ..text import clean_line, clean_text, email_key
from .models import (
    Affiliation,
    Registration,
    RegistrationStatus,
    Source,
)
from .new_guests import CONFIRMED_MAIL, WAITLISTED_MAIL, add_guest
from .organisations import set_organisation
from .tickets import new_ticket_code

CANCELLED_MAIL = "registration_cancelled"
# The same address signed up again is mailed its current state, at most this often: else
# the public form would let anyone fill a stranger's mailbox.
REPEAT_MAIL_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class SignupResult:
    registration_id: int
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
        return cls(registration.id, created, registration.is_confirmed, registration.event.slug,
                   registration.ticket_code, registration.manage_token)

    @property
    def registration(self) -> Registration:
        """The registration, from the session (read afresh after the commit: the guest's landing
        page needs none of it, so the sign-up never builds it)."""
        return db.session.get(Registration, self.registration_id)


def register(event: int | str, data: dict, *, locale: str, source: Source = Source.online,
             invite_key: str | None = None, now: datetime | None = None) -> SignupResult:
    """Sign a guest up: confirmed while places are left, else waitlisted (or EventFull).

    The same address again for the same event creates nothing: the existing
    registration's state is mailed again (at most once per REPEAT_MAIL_EVERY). Commits.

    A new guest costs the statements the rules need and no more: the event, read once under its
    lock; the registration, unless the address has one (with the institution its organisation
    counts for); the event's counter; its mail (tests/registrations/test_signup_statements.py). They
    are written as rows (new_guests.add_guest), not through the session's unit of work.

    :param event: the slug the public form was posted to (only an event the public may see is
        found, as by its page), or the event's id.
    :param source: Source.invitation only for a campaign's personal link (campaigns.invitations),
        which is what opens an invitation-only event, as does its secret `invite_key`.
    :raises NotFound, RegistrationRefused, EventFull:
    :raises NotInvited: an invitation-only event, without a personal invitation or the secret key.
    """
    with write_transaction():
        event = locked_event(event)
        # The clock is read inside the lock: waitlisted_at is the order of the queue.
        now = now or utcnow()
        reason = signup_closed_reason(event, now)
        if reason:
            raise RegistrationRefused(reason)
        if invitation_refusal(event, invite_key, invited=source == Source.invitation):
            raise NotInvited()
        has_room = not event.is_full or event.waitlist_enabled  # a place, or the waitlist
        if has_room:
            # Its own statement after the lock, and ON CONFLICT, which sees every committed row: on
            # PostgreSQL a read joined to the locking one would see the rows of before the wait.
            fields = typed_fields(data, locale=locale, now=now, retention_months=event.retention_months)
            if guest := add_guest(event, fields, address_key=email_key(data["email"]), source=source, now=now):
                return SignupResult(guest.registration_id, True, guest.confirmed, event.slug,
                                    guest.ticket_code, guest.manage_token)
        # The address is registered already (its registration may be cancelled), or the event is full.
        registration = find_by_email(event.id, data["email"])
        if registration is not None and not registration.is_cancelled:
            if not repeated_recently(registration, now):
                # In the registration's language: whoever typed the address again, the mail goes to it.
                mail_current_state(registration, locale=registration.locale, repeated=True)
            return SignupResult.of(registration, created=False)
        if not has_room:
            raise EventFull()
        renew(registration)
        fill(registration, data, locale=locale, now=now)
        give_place_or_queue(event, registration, now)
        # The registration's id, for its mail (on PostgreSQL from INSERT ... RETURNING).
        db.session.flush()
        mail_current_state(registration, locale=locale)
        return SignupResult.of(registration, created=True)


def locked_event(event: int | str) -> Event:
    """The event a sign-up is for, read afresh and locked until the commit (SELECT ... FOR UPDATE on
    PostgreSQL; on SQLite the write transaction's BEGIN IMMEDIATE already holds every row): by the
    slug the public form was posted to, which finds only what the public may see
    (events.get_published), or by id.

    :raises NotFound:
    """
    if isinstance(event, str):
        return get_published(event, lock=True)
    query = select(Event).where(Event.id == event).with_for_update().execution_options(populate_existing=True)
    found = db.session.execute(query).scalar_one_or_none() if is_valid_id(event) else None
    if found is None:
        raise NotFound(Event.not_found)
    return found


def cancel_registration(registration_id: int, *, by: Actor | None = None,
                        now: datetime | None = None) -> Registration:
    """Cancel a registration (the guest's own, or staff's when `by` names them), mail the
    guest, and promote the first in line. Commits.

    :raises NotFound, AlreadyCancelled, RegistrationRefused:
    """
    found = db.session.get(Registration, registration_id) if is_valid_id(registration_id) else None
    if found is None:
        raise NotFound()
    event_id = found.event_id
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
        promoted = promote_from_waitlist(event) if had_place and event.is_published else []
        if by is not None:
            record(by, AuditAction.registration_cancelled, at=tx.now, event_id=event.id,
                   registration_id=registration.id)
            record_promotions(by, promoted, at=tx.now)
        return registration


def promote_from_waitlist(event: Event) -> list[Registration]:
    """Give free places to the first in line and mail them. Caller holds the event lock."""
    promoted = []
    while not event.is_full and event.waitlist_count > 0:
        registration = first_in_line(event)
        if registration is None:
            break
        event.waitlist_count -= 1
        event.confirmed_count += 1
        registration.status = RegistrationStatus.confirmed
        enqueue(CONFIRMED_MAIL, registration.email, locale=registration.locale, registration_id=registration.id,
                params={"sequence": registration.calendar_sequence, "promoted": True})
        promoted.append(registration)
    return promoted


def record_promotions(by: Actor, promoted: list[Registration], *, at: datetime) -> None:
    """Note in the history who moved up from the waitlist because of what `by` did."""
    for registration in promoted:
        record(by, AuditAction.registration_promoted, at=at, event_id=registration.event_id,
               registration_id=registration.id,
               changes={"status": [RegistrationStatus.waitlisted, RegistrationStatus.confirmed]})


def names_by_id(registration_ids) -> dict[int, str]:
    """The guests' names of these registrations (for pages that list what happened to them)."""
    ids = {registration_id for registration_id in registration_ids if registration_id}
    if not ids:
        return {}
    query = select(Registration.id, Registration.name).where(Registration.id.in_(ids))
    return dict(db.session.execute(query).all())


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


def choose_mail_language(registration_id: int, locale: str) -> Registration:
    """The guest's mails go out in `locale` from now on (their own page offers this when it is read
    in another language than their mails). Commits.

    :raises NotFound:
    :raises InvalidInput: `locale` is not a language of LANGUAGES
    """
    if locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_l("Please choose a language from the list."), field="locale")
    with write_transaction():
        registration = get_row(Registration, registration_id)
        registration.locale = locale
        return registration


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


def find_registrations(event_id: int, *, query: str = "", status: RegistrationStatus | None = None,
                       by_name: bool = False, limit: int | None = None) -> list[Registration]:
    """The event's registrations in the order they came (or `by_name`): all, or those whose
    name, organisation or email holds every word of `query`, and those with `status`."""
    statement = select(Registration).where(
        Registration.event_id == event_id,
        *matches_words(query, Registration.name, Registration.organisation, Registration.email_key))
    if status:
        statement = statement.where(Registration.status == status)
    order = (func.lower(Registration.name),) if by_name else (Registration.created_at,)
    statement = statement.order_by(*order, Registration.id)
    return list(db.session.execute(statement.limit(limit)).scalars())


# --- the steps of every change to who holds a place (staff_services.py takes them too) ----

def first_in_line(event: Event) -> Registration | None:
    """Who is next on the event's waitlist (the order in which they joined it)."""
    return db.session.execute(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(1)
    ).scalar_one_or_none()


def new_registration(event: Event, data: dict, source: Source) -> Registration:
    """A new registration of this address for the event, in the session (no flush)."""
    registration = Registration(event=event, email_key=email_key(data["email"]), source=source)
    db.session.add(registration)
    return registration


def renew(cancelled: Registration) -> None:
    """The guest's cancelled registration taken up again: a fresh ticket, a newer calendar
    SEQUENCE; how it first came about (its source) stays."""
    cancelled.ticket_code = new_ticket_code()
    cancelled.sequence_offset += 1
    cancelled.cancelled_at = None


def typed_fields(data: dict, *, locale: str, now: datetime, retention_months: int) -> dict:
    """What the guest (or staff) typed, cleaned, as a registration's fields; consent given now. The
    institution the organisation counts for is not among them (organisations.set_organisation)."""
    affiliation = data.get("affiliation")
    return {"name": clean_line(data["name"]), "email": clean_line(data["email"]),
            "organisation": clean_line(data.get("organisation") or ""),
            "affiliation": affiliation if affiliation in Affiliation.__members__.values() else Affiliation.other,
            "note": clean_text(data.get("note") or ""), "locale": locale, "consent_at": now,
            # The wording and the period it states (the event's), so the exact text can be read back.
            "consent_version": recorded_version(retention_months)}


def fill(registration: Registration, data: dict, *, locale: str, now: datetime) -> None:
    """Write what the guest (or staff) typed into the registration, cleaned; consent given now."""
    fields = typed_fields(data, locale=locale, now=now, retention_months=registration.event.retention_months)
    for name, value in fields.items():
        setattr(registration, name, value)
    set_organisation(registration, fields["organisation"])


def give_place_or_queue(event: Event, registration: Registration, now: datetime) -> None:
    """A place while there is one, else the end of the waitlist; the event's counters follow."""
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


def repeated_recently(registration: Registration, now: datetime) -> bool:
    """Whether this registration's state was mailed again within REPEAT_MAIL_EVERY."""
    params = db.session.execute(select(OutgoingMail.params).where(
        OutgoingMail.registration_id == registration.id,
        OutgoingMail.kind.in_((CONFIRMED_MAIL, WAITLISTED_MAIL)),
        OutgoingMail.created_at > now - REPEAT_MAIL_EVERY,
    )).scalars()
    return any(p.get("repeated") for p in params)


def mail_current_state(registration: Registration, *, locale: str, repeated: bool = False) -> None:
    """Queue the mail of where the guest stands: the ticket, or the waitlist notice."""
    kind = CONFIRMED_MAIL if registration.is_confirmed else WAITLISTED_MAIL
    enqueue(kind, registration.email, locale=locale, registration_id=registration.id,
            params={"sequence": registration.calendar_sequence, "repeated": repeated})
