"""Checking guests in at the door.

The first scan of a ticket is decided by one conditional UPDATE
(`... SET checked_in_at = now WHERE id = :id AND checked_in_at IS NULL`): however
many devices scan the same ticket at once, exactly one of them gets `checked_in`,
the others `already_checked_in` with the time and the person who let the guest in.
A retry of the same request (same nonce) finds its own record and answers as the
first time did.
"""
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit import Actor, AuditAction, record
from ..database import get_row, utcnow, write_transaction
from ..errors import InvalidInput, NotFound, OverCapacity, StateConflict
from ..events.models import Event
from ..extensions import db
from ..registrations.models import CONSENT_AT_THE_DOOR, Registration, RegistrationStatus, Source
from ..registrations.organisations import set_organisation
from ..registrations.services import find_by_email, find_registrations
from ..text import clean_line, email_key
from .models import CheckInAction, CheckInMethod, CheckInRecord

CHECKED_IN = "checked_in"
ALREADY = "already_checked_in"
UNKNOWN = "unknown"
WRONG_EVENT = "wrong_event"
CANCELLED = "cancelled"
NOT_CONFIRMED = "not_confirmed"
UNDONE = "undone"
NOT_CHECKED_IN = "not_checked_in"

TICKET_CODE = re.compile(r"^[A-Za-z0-9_-]{10,64}$")


@dataclass(frozen=True)
class ScanResult:
    status: str
    registration: Registration | None = None


def ticket_code_from(scanned: str) -> str | None:
    """The ticket code in what a scanner read: the code itself or the ticket URL."""
    value = (scanned or "").strip()
    if "/t/" in value:
        path = urlsplit(value).path if "://" in value else value
        value = path.rsplit("/t/", 1)[-1].strip("/").split("/")[0]
    return value if TICKET_CODE.match(value) else None


def check_in(event_id: int, scanned: str, actor: Actor, *, nonce: str | None = None,
             method: CheckInMethod = CheckInMethod.scan, now: datetime | None = None) -> ScanResult:
    """Check in the ticket that `scanned` names, at most once. Commits."""
    code = ticket_code_from(scanned)
    if code is None:
        return ScanResult(UNKNOWN)
    registration = db.session.execute(
        select(Registration).where(Registration.ticket_code == code)
    ).scalar_one_or_none()
    if registration is None:
        return ScanResult(UNKNOWN)
    return _check_in_registration(event_id, registration, actor, nonce=nonce, method=method, now=now)


def check_in_registration(event_id: int, registration_id: int, actor: Actor, *, nonce: str | None = None,
                          method: CheckInMethod = CheckInMethod.search,
                          now: datetime | None = None) -> ScanResult:
    """Check in a registration found by name (no ticket at hand). Commits."""
    try:
        registration = get_row(Registration, registration_id)
    except NotFound:
        return ScanResult(UNKNOWN)
    return _check_in_registration(event_id, registration, actor, nonce=nonce, method=method, now=now)


def _check_in_registration(event_id, registration, actor, *, nonce, method, now) -> ScanResult:
    if registration.event_id != event_id:
        return ScanResult(WRONG_EVENT, registration)
    if registration.is_cancelled:
        return ScanResult(CANCELLED, registration)
    if not registration.is_confirmed:
        return ScanResult(NOT_CONFIRMED, registration)
    registration_id = registration.id
    try:
        with write_transaction(now=now) as tx:
            # A retry of a scan that was decided before is not a second scan, even after an undo.
            replayed = bool(nonce) and _first_answer(event_id, nonce) == registration_id
            won = not replayed and db.session.execute(
                update(Registration)
                .where(Registration.id == registration_id, Registration.checked_in_at.is_(None),
                       Registration.status == RegistrationStatus.confirmed)
                .values(checked_in_at=tx.now, checked_in_by=actor.name)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
            if won:
                db.session.add(_record(event_id, registration_id, CheckInAction.check_in, actor, tx.now, nonce,
                                       method))
    except IntegrityError:
        # A client that sent this nonce before for another ticket: a client bug,
        # which must not cost the guest their check-in. Go again without the nonce.
        return _check_in_registration(event_id, _reload(registration_id), actor, nonce=None, method=method, now=now)
    if replayed or won:
        return ScanResult(CHECKED_IN, _reload(registration_id))
    return _replay_or_current(event_id, registration_id, nonce)


def _first_answer(event_id: int, nonce: str) -> int | None:
    """The registration a check-in with this nonce was recorded for, if any."""
    return db.session.execute(
        select(CheckInRecord.registration_id).where(CheckInRecord.event_id == event_id,
                                                    CheckInRecord.nonce == nonce)
    ).scalar_one_or_none()


def _replay_or_current(event_id: int, registration_id: int, nonce: str | None) -> ScanResult:
    registration = _reload(registration_id)
    if nonce and _first_answer(event_id, nonce) == registration_id:
        return ScanResult(CHECKED_IN, registration)
    if registration.is_cancelled:
        return ScanResult(CANCELLED, registration)
    if registration.checked_in_at is None:
        return ScanResult(NOT_CONFIRMED, registration)
    return ScanResult(ALREADY, registration)


def undo_check_in(event_id: int, registration_id: int, actor: Actor, now: datetime | None = None) -> ScanResult:
    """Take back a check-in made by mistake. Commits."""
    registration = get_row(Registration, registration_id)
    if registration.event_id != event_id:
        raise NotFound(Registration.not_found)
    with write_transaction(now=now) as tx:
        undone = db.session.execute(
            update(Registration)
            .where(Registration.id == registration_id, Registration.checked_in_at.is_not(None))
            .values(checked_in_at=None, checked_in_by=None)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if undone:
            db.session.add(_record(event_id, registration_id, CheckInAction.undo, actor, tx.now, None,
                                   CheckInMethod.undo))
    return ScanResult(UNDONE if undone else NOT_CHECKED_IN, _reload(registration_id))


def register_walk_in(event_id: int, data: dict, actor: Actor, *, over_capacity_ok: bool = False,
                     now: datetime | None = None) -> ScanResult:
    """Register a guest who came without signing up, and check them in at once. Commits.

    Someone already registered under the address is checked in (a confirmed guest) or
    given their place (waitlisted, cancelled) instead of a second registration.

    :raises OverCapacity: when the event is full and staff have not confirmed.
    """
    name = clean_line(data.get("name") or "")
    if not name:
        raise InvalidInput(_l("Please enter the guest's name."), field="name")
    email = clean_line(data.get("email") or "")
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        if event.is_record_only:
            # A recorded meeting has no door: who was there is recorded by staff (network.meetings).
            raise StateConflict(_l("This meeting is a record only: nobody checks in. Record who was there "
                                   "on the meeting's page."))
        existing = find_by_email(event_id, email) if email else None
        if existing is None or not existing.is_confirmed:
            if event.is_full and not over_capacity_ok:
                raise OverCapacity(_l("The event is full. Let this guest in anyway?"))
            registration = existing or Registration(event=event, email_key=email_key(email) if email else None,
                                                    consent_at=tx.now, consent_version=CONSENT_AT_THE_DOOR,
                                                    source=Source.walk_in)
            if existing is not None:
                # A place for someone who was on the waitlist or had cancelled: the event's
                # history says so, beside the door log's check-in.
                record(actor, AuditAction.registration_confirmed, at=tx.now, event_id=event.id,
                       registration_id=existing.id, changes={"status": [existing.status,
                                                                        RegistrationStatus.confirmed],
                                                             "walk_in": True})
            if existing is not None and existing.is_waitlisted:
                event.waitlist_count -= 1
            registration.name = name
            registration.email = email
            set_organisation(registration, data.get("organisation"))
            registration.status = RegistrationStatus.confirmed
            registration.checked_in_at = tx.now
            registration.checked_in_by = actor.name
            event.confirmed_count += 1
            db.session.add(registration)
            db.session.flush()
            db.session.add(_record(event_id, registration.id, CheckInAction.check_in, actor, tx.now, None,
                                   CheckInMethod.walk_in))
            return ScanResult(CHECKED_IN, registration)
    # A confirmed guest who came without their ticket: an ordinary check-in, at most once.
    return _check_in_registration(event_id, existing, actor, nonce=None, method=CheckInMethod.walk_in, now=now)


@dataclass(frozen=True)
class DoorCounts:
    checked_in: int
    confirmed: int
    capacity: int | None


def is_door_day(event: Event, now: datetime | None = None) -> bool:
    """Whether today, by the event's own clock, is a day of the event (a door opened on
    the wrong day is warned)."""
    today = (now or utcnow()).astimezone(event.zone).date()
    return event.local_starts_at.date() <= today <= event.local_ends_at.date()


def door_counts(event_id: int) -> DoorCounts:
    """Checked in, confirmed and capacity: the door's live figures."""
    event = db.session.get(Event, event_id)
    checked_in = db.session.execute(
        select(func.count(Registration.id)).where(Registration.event_id == event_id,
                                                  Registration.checked_in_at.is_not(None))
    ).scalar_one()
    return DoorCounts(checked_in, event.confirmed_count, event.capacity)


def search(event_id: int, query: str, limit: int = 20) -> list[Registration]:
    """Registrations of the event whose name, organisation or email holds every word of `query`
    (two characters at least: one letter would list half the event)."""
    if len(clean_line(query or "")) < 2:
        return []
    return find_registrations(event_id, query=query, by_name=True, limit=limit)


def attendance(event_id: int) -> tuple[list[Registration], list[Registration]]:
    """Who came (in order of arrival) and who did not (confirmed, never checked in)."""
    rows = db.session.execute(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.status == RegistrationStatus.confirmed)
    ).scalars().all()
    came = sorted((r for r in rows if r.checked_in_at), key=lambda r: r.checked_in_at)
    missing = sorted((r for r in rows if not r.checked_in_at), key=lambda r: r.name.lower())
    return came, missing


def history(event_id: int, limit: int = 200) -> list[CheckInRecord]:
    """The door log: every check-in and undo, newest first."""
    return list(db.session.execute(
        select(CheckInRecord).where(CheckInRecord.event_id == event_id)
        .order_by(CheckInRecord.id.desc()).limit(limit)
    ).scalars())


def _record(event_id, registration_id, action, actor: Actor, now, nonce, method) -> CheckInRecord:
    return CheckInRecord(event_id=event_id, registration_id=registration_id, action=action, at=now,
                         user_id=actor.user_id, api_token_id=actor.api_token_id, actor=actor.name,
                         device=actor.device[:200], nonce=nonce or None, method=method)


def _reload(registration_id: int) -> Registration:
    return db.session.get(Registration, registration_id, populate_existing=True)
