"""Checking guests in at the door.

The first scan of a ticket is decided by one conditional UPDATE
(`... SET checked_in_at = now WHERE id = :id AND checked_in_at IS NULL ...`): however
many devices scan the same ticket at once, exactly one of them gets `checked_in`,
the others `already_checked_in` with the time and the person who let the guest in.
A retry of the same request (same nonce) finds its own record and answers as the
first time did.

A scan costs what the rules need and no more: one SELECT reads the door's event, the
guest, whose scan the nonce was and, for a scanner device, its token (scans.door_scan,
on a connection of the scan's own; the API judges the token before decide() answers); a
retry, a second scan or a refused ticket is answered from it alone, without a write lock.
Only a guest who may come in now takes the write transaction: the UPDATE (whose WHERE
holds every rule, the nonce's among them) returns whether it let the guest in, and one
INSERT writes the door log (on PostgreSQL both are one statement: admission.py).
"""
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit import Actor, AuditAction, record
from ..database import begin_write_on, first_row, is_valid_id, see_other_commits, utcnow, write_transaction
from ..errors import InvalidInput, NotFound, OverCapacity, StateConflict
from ..events.models import Event
from ..extensions import db
from ..registrations.models import CONSENT_AT_THE_DOOR, Registration, RegistrationStatus, Source
from ..registrations.organisations import set_organisation
from ..registrations.services import find_by_email, find_registrations
from ..text import clean_line, email_key
from .admission import GUEST_COLUMNS, LOG, admit_and_log, log_line
from .models import CheckInAction, CheckInMethod, CheckInRecord
from .scans import Admission, Door, Guest, Scan, door_scan

CHECKED_IN = "checked_in"
ALREADY = "already_checked_in"
UNKNOWN = "unknown"
WRONG_EVENT = "wrong_event"
CANCELLED = "cancelled"
NOT_CONFIRMED = "not_confirmed"
UNDONE = "undone"
NOT_CHECKED_IN = "not_checked_in"


@dataclass(frozen=True)
class ScanResult:
    status: str
    registration: Guest | None = None
    # Set by a scan, which reads the door's event in the statement that reads the guest.
    door: Door | None = None
    # Whether the answer changed anything: a scan that wrote nothing may be answered again as it is
    # while nothing else changes (stored_answers.py).
    wrote: bool = False


def check_in(event_id: int, scanned: str, actor: Actor, *, nonce: str | None = None,
             method: CheckInMethod = CheckInMethod.scan, now: datetime | None = None) -> ScanResult:
    """Check in the ticket that `scanned` names, at most once. Commits.

    :raises NotFound: there is no such event.
    """
    with door_scan(event_id, scanned=scanned, nonce=nonce, admission=Admission(method, actor, now)) as scan:
        return decide(scan, actor, method=method, now=now)


def check_in_registration(event_id: int, registration_id: int, actor: Actor, *, nonce: str | None = None,
                          method: CheckInMethod = CheckInMethod.search,
                          now: datetime | None = None) -> ScanResult:
    """Check in a registration found by name (no ticket at hand). Commits.

    :raises NotFound: there is no such event.
    """
    with door_scan(event_id, registration_id=registration_id, nonce=nonce,
                   admission=Admission(method, actor, now)) as scan:
        return decide(scan, actor, method=method, now=now)


def decide(scan: Scan, actor: Actor, *, method: CheckInMethod, now: datetime | None = None) -> ScanResult:
    """Answer a scan read by door_scan, letting the guest in where the rules allow: at most once,
    whichever device scans them (`actor`, by `method`, as the scan's admission names them). Commits
    if it lets them in.

    :raises NotFound: there is no such event.
    """
    while True:
        if scan.door is None:
            raise NotFound(Event.not_found)
        at = scan.admitted_at  # on PostgreSQL the scan's statement lets the guest in itself
        if at is None:
            status = _answer_without_writing(scan)
            if status is not None:
                return ScanResult(status, scan.guest, scan.door)
            if not scan.read.admits:  # SQLite, or a scan read without an admission: write now
                try:
                    at = _admit(scan, actor, method=method, now=now)
                except IntegrityError:
                    if not scan.read.nonce:
                        raise
                    scan = scan.read.without_nonce()
                    continue
        if at is not None:
            see_other_commits()  # a page that read before the scan shows the door as it is now
            admitted = replace(scan.guest, checked_in_at=at, checked_in_by=actor.name)
            return ScanResult(CHECKED_IN, admitted, scan.door, wrote=True)
        # The UPDATE found the guest no longer free to come in: another device, a retry or staff
        # changed the row after the read. The next read sees that change, and answers by it.
        scan = scan.read.run()


def _answer_without_writing(scan: Scan) -> str | None:
    """The answer when the guest is not to be let in now (None when they are)."""
    guest = scan.guest
    if guest is None:
        return UNKNOWN
    if guest.event_id != scan.door.event_id:
        return WRONG_EVENT
    if guest.status == RegistrationStatus.cancelled:
        return CANCELLED
    if guest.status != RegistrationStatus.confirmed:
        return NOT_CONFIRMED
    if scan.nonce_owner == guest.id:
        # A retry of a scan that was decided before is not a second scan, even after an undo.
        return CHECKED_IN
    if guest.checked_in_at is not None:
        return ALREADY
    return None


def _admit(scan: Scan, actor: Actor, *, method, now) -> datetime | None:
    """Let the guest in (ADMIT) and log it, and commit; when, or None if the row no longer allows it."""
    guest, nonce, connection = scan.guest, scan.read.nonce, scan.read.connection
    # A nonce that another guest's check-in holds (a client bug) stays out of this one's record.
    own_nonce = nonce if scan.nonce_owner is None else None
    begin_write_on(connection)
    try:
        at = now or utcnow()  # on SQLite with the write lock held: the door log keeps the order of writes
        admission = {"registration_id": guest.id, "nonce": nonce, "now": at, "actor": actor.name,
                     "touched_at": utcnow()}
        admitted = admit_and_log(connection, admission, log_line(guest.event_id, guest.id, CheckInAction.check_in,
                                                                 actor, at, own_nonce, method))
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return at if admitted else None


def undo_check_in(event_id: int, registration_id: int, actor: Actor, now: datetime | None = None) -> ScanResult:
    """Take back a check-in made by mistake. Commits.

    :raises NotFound: the event has no such registration.
    """
    guest = _guest(registration_id) if is_valid_id(registration_id) else None
    if guest is None or guest.event_id != event_id:
        raise NotFound(Registration.not_found)
    with write_transaction(now=now) as tx:
        row = db.session.connection().execute(
            update(Registration).where(Registration.id == registration_id, Registration.checked_in_at.is_not(None))
            .values(checked_in_at=None, checked_in_by=None)
            .returning(*GUEST_COLUMNS)
        ).first()
        if row is None:
            return ScanResult(NOT_CHECKED_IN, guest)
        _record(event_id, registration_id, CheckInAction.undo, actor, tx.now, None, CheckInMethod.undo)
    return ScanResult(UNDONE, Guest(*row, event_title=guest.event_title), wrote=True)


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
            _record(event_id, registration.id, CheckInAction.check_in, actor, tx.now, None, CheckInMethod.walk_in)
            return ScanResult(CHECKED_IN, Guest.of(registration), wrote=True)
        existing_id = existing.id
    # A confirmed guest who came without their ticket: an ordinary check-in, at most once.
    return check_in_registration(event_id, existing_id, actor, method=CheckInMethod.walk_in, now=now)


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


def _guest(registration_id: int) -> Guest | None:
    row = first_row(select(*GUEST_COLUMNS, Event.title).join(Event, Event.id == Registration.event_id)
                    .where(Registration.id == registration_id))
    return Guest(*row) if row is not None else None


def _record(event_id, registration_id, action, actor: Actor, now, nonce, method) -> None:
    """Write the door log's line for a check-in or an undo (one INSERT, in the caller's transaction)."""
    db.session.connection().execute(LOG, log_line(event_id, registration_id, action, actor, now, nonce, method))
