"""Sits above events and registrations: changing an event that guests have signed up for, and telling them.

The staff's event pages (events.staff_views) call these services; they live here,
in the registrations layer, because they need the registrations (imports flow
events <- registrations). Like sign-up, each runs under the event's row lock and
commits before returning; the mails to the guests are outbox rows and the audit
entry a row in the same transaction, so either the change and everything about it
are stored, or nothing is.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select, update

from ..audit import Actor, AuditAction, changed_fields, record
from ..database import get_row, utcnow, write_transaction
from ..errors import InvalidInput, StateConflict
from ..events.models import Event, EventStatus, EventVisibility
from ..events.services import COPIED_FIELDS, check_event_fields
from ..events.texts import TEXT_FIELDS
from ..extensions import db
from ..formatting import day_and_time_range
from ..outbox import enqueue
from .models import Registration, RegistrationStatus
from .services import promote_from_waitlist, record_promotions

EVENT_UPDATED_MAIL = "event_updated"
EVENT_CANCELLED_MAIL = "event_cancelled"

# What guests have planned around: a change to one of these is mailed to them.
TIME_AND_PLACE = ("starts_at", "ends_at", "venue", "address")
# What their calendars show (SUMMARY, LOCATION, DTSTART/DTEND, the feed's DESCRIPTION):
# a change raises the SEQUENCE, so that the next file a calendar sees replaces the old one.
# The titles and summaries in other languages too: a guest's calendar shows theirs.
CALENDAR_FIELDS = (*TIME_AND_PLACE, "title", "summary", *TEXT_FIELDS)
EDITABLE_FIELDS = COPIED_FIELDS


class CapacityBelowConfirmed(InvalidInput):
    """A capacity smaller than the places already given; nobody is turned out."""

    code = "capacity_below_confirmed"
    field = "capacity"


@dataclass(frozen=True)
class EventUpdate:
    event: Event
    changed: tuple[str, ...]
    # Guests mailed about a new time or place.
    told: int = 0
    promoted: list[Registration] = field(default_factory=list)


@dataclass(frozen=True)
class EventCancellation:
    event: Event
    told: int


@dataclass(frozen=True)
class PlannedUpdate:
    """What saving a change would do, before anything is saved: the page asks about the mail first."""

    changed: tuple[str, ...]
    # Guests who would be mailed about a new time or place (0: nobody to ask about).
    guests_to_tell: int
    details: list["ChangedDetail"]


def plan_update(event_id: int, changes: dict) -> PlannedUpdate:
    """What update_event would change and whom it would mail, checked by the same rules; saves nothing.

    :raises NotFound, StateConflict, InvalidInput, CapacityBelowConfirmed:
    """
    event = get_row(Event, event_id)
    differences = _check_update(event, changes)
    guests = len(_guests(event)) if _tells_guests(event, differences, utcnow()) else 0
    after = _time_and_place(event) | _plain_times({name: changes[name] for name in (*TIME_AND_PLACE, "timezone")
                                                   if name in differences})
    details = describe_changes(_time_and_place(event), after) if guests else []
    db.session.rollback()  # a read only: the save begins its own transaction
    return PlannedUpdate(tuple(differences), guests, details)


def update_event(event_id: int, changes: dict, *, by: Actor, tell_guests: bool = True,
                 now: datetime | None = None) -> EventUpdate:
    """Change an event's fields; tell its guests about a new time or place (unless not
    `tell_guests`: a typo fix), and give new places to the waitlist. Commits.

    The calendar SEQUENCE rises with every change calendars show, mailed or not, so that
    the next file a calendar fetches replaces the old one. The audit entry says whether
    the guests were told.

    :param changes: Event fields (see events.services.COPIED_FIELDS), times timezone-aware.
    :raises NotFound, StateConflict, InvalidInput, CapacityBelowConfirmed:
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        differences = _check_update(event, changes)
        before = _time_and_place(event)
        # Decided before the change: whether guests still plan around the event as it was.
        tells_guests = _tells_guests(event, differences, tx.now)
        was_record, status_before = event.is_record_only, event.status
        for name in differences:
            setattr(event, name, changes[name])
        if "visibility" in differences:
            _follow_visibility(event, was_record=was_record)
            if event.status != status_before:
                differences["status"] = [status_before, event.status]
        if set(differences) & set(CALENDAR_FIELDS):
            event.sequence += 1
        if "starts_at" in differences:
            # A new date deserves a new reminder before it.
            db.session.execute(update(Registration).where(Registration.event_id == event.id)
                               .values(reminded_at=None).execution_options(synchronize_session=False))
        told, facts = 0, {}
        if tells_guests and tell_guests:
            told = _tell_guests(event, EVENT_UPDATED_MAIL, lambda registration: {
                "calendar": registration.is_confirmed, "before": before, "after": _time_and_place(event)})
            facts = {"guests_told": told} if told else {}
        elif tells_guests and _guests(event):
            facts = {"mailed": False}  # staff chose to save without mailing
        promoted = []
        if ("capacity" in differences and event.is_published and not event.is_record_only
                and not event.has_started(tx.now)):
            promoted = promote_from_waitlist(event)
            record_promotions(by, promoted, at=tx.now)
        if differences:
            record(by, AuditAction.event_updated, at=tx.now, event_id=event.id, changes=differences | facts)
        return EventUpdate(event, tuple(differences), told, promoted)


def _check_update(event: Event, changes: dict) -> dict:
    """{field: [before, after]} of the change, if the event may take it.

    :raises StateConflict, InvalidInput, CapacityBelowConfirmed:
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if event.is_cancelled:
        raise StateConflict(_l("This event has been cancelled and can no longer be changed. "
                               "Duplicate it to plan it anew."))
    current = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    check_event_fields(**(current | changes))
    capacity = changes.get("capacity", event.capacity)
    # Only a new capacity is checked: walk-ins let in over capacity must not
    # block an edit of the title.
    if capacity != event.capacity and capacity is not None and capacity < event.confirmed_count:
        raise CapacityBelowConfirmed(_ln(
            "%(num)s guest already has a place; the capacity cannot be lower than that.",
            "%(num)s guests already have a place; the capacity cannot be lower than that.",
            event.confirmed_count))
    _check_retention(event, changes.get("retention_months", event.retention_months))
    _check_visibility(event, changes.get("visibility", event.visibility))
    return changed_fields(current, changes)


class GuestsBeforeRecord(InvalidInput):
    """People hold a place or a waitlist spot: the event cannot become record-only (no sign-up)."""

    code = "guests_before_record"
    field = "visibility"


def _check_visibility(event: Event, visibility: str) -> None:
    """:raises GuestsBeforeRecord: a record-only event has no sign-up, so it cannot have guests."""
    guests = event.confirmed_count + event.waitlist_count
    if visibility == EventVisibility.record and not event.is_record_only and guests:
        raise GuestsBeforeRecord(_ln(
            "%(num)s person has signed up for this event, so it cannot become record only (a record has "
            "no sign-up). Cancel the registration first, or keep the event as it is.",
            "%(num)s people have signed up for this event, so it cannot become record only (a record has "
            "no sign-up). Cancel the registrations first, or keep the event as it is.", guests))


def _follow_visibility(event: Event, *, was_record: bool) -> None:
    """The status that goes with a new visibility: a record needs no publishing step, so it is
    recorded (published) at once; an event that stops being a record is a draft until staff publish
    it, so that it does not appear in the lists or take sign-ups by surprise."""
    if event.is_record_only and event.is_draft:
        event.status = EventStatus.published
    elif was_record and not event.is_record_only and event.is_published:
        event.status = EventStatus.draft


class RetentionPromised(InvalidInput):
    """A longer retention period than the guests who signed up were promised."""

    code = "retention_promised"
    field = "retention_months"


def _check_retention(event: Event, months: int | None) -> None:
    """A shorter period is always kept; a longer one would break the promise that the consent
    text made to everyone registered already (they agreed to the period it stated then).

    :raises RetentionPromised:
    """
    if months is None or months <= event.retention_months:
        return
    registered = db.session.execute(
        select(Registration.id).where(Registration.event_id == event.id).limit(1)).first()
    if registered is not None:
        raise RetentionPromised(_ln(
            "Guests have signed up under the promise that their details are deleted %(num)s month after "
            "the event. The period can be shortened, but not lengthened.",
            "Guests have signed up under the promise that their details are deleted %(num)s months after "
            "the event. The period can be shortened, but not lengthened.", event.retention_months))


def _tells_guests(event: Event, differences: dict, now: datetime) -> bool:
    # Guests of a draft have no event yet, and guests of an event that is over have
    # nothing left to plan; the others hear of a new time or place. A record mails nobody.
    return (event.is_published and not event.is_record_only and event.ends_at > now
            and bool(set(differences) & set(TIME_AND_PLACE)))


def cancel_event(event_id: int, *, by: Actor, message: str = "", now: datetime | None = None) -> EventCancellation:
    """Cancel a published event: sign-up closes, and everyone registered is told (confirmed
    guests with a calendar CANCEL). Registrations keep their state, as a record. Commits.

    :param message: a word from staff to the guests, e.g. the reason or a new date.
    :raises NotFound, StateConflict:
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        if event.is_cancelled:
            raise StateConflict(_l("This event has already been cancelled."))
        if event.is_draft:
            raise StateConflict(_l("A draft is not public and nobody has signed up for it, so there is "
                                   "nothing to cancel."))
        if event.has_ended(tx.now):
            raise StateConflict(_l("This event has already taken place."))
        event.status = EventStatus.cancelled
        event.sequence += 1
        told = _tell_guests(event, EVENT_CANCELLED_MAIL, lambda registration: {
            "had_place": registration.is_confirmed, "message": message})
        record(by, AuditAction.event_cancelled, at=tx.now, event_id=event.id,
               changes={"guests_told": told, "message": message} if message else {"guests_told": told})
        return EventCancellation(event, told)


def _guests(event: Event) -> list[Registration]:
    """Everyone holding a place or a waitlist spot who can be mailed, in the order they signed up."""
    query = (
        select(Registration)
        .where(Registration.event_id == event.id,
               Registration.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted]),
               Registration.email != "")
        .order_by(Registration.id)
    )
    return list(db.session.execute(query).scalars())


def _tell_guests(event: Event, kind: str, params_for) -> int:
    if event.is_record_only:
        return 0  # the network's own record: nobody is mailed about it
    guests = _guests(event)
    for registration in guests:
        enqueue(kind, registration.email, locale=registration.locale, registration_id=registration.id,
                params={"sequence": registration.calendar_sequence, **params_for(registration)})
    return len(guests)


def _time_and_place(event: Event) -> dict:
    """What the guest knew, frozen for the mail (it is composed later, maybe after more changes)."""
    return _plain_times({"starts_at": event.starts_at, "ends_at": event.ends_at, "timezone": event.timezone,
                         "venue": event.venue, "address": event.address})


def _plain_times(frozen: dict) -> dict:
    return {name: value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
            for name, value in frozen.items()}


@dataclass(frozen=True)
class ChangedDetail:
    label: str
    before: str
    after: str


def describe_changes(before: dict, after: dict) -> list[ChangedDetail]:
    """What changed between two frozen time-and-place records, in the current language,
    times in the event's zone (named only when the zone itself changed)."""
    details = []
    zone_changed = before["timezone"] != after["timezone"]
    if (before["starts_at"], before["ends_at"]) != (after["starts_at"], after["ends_at"]) or zone_changed:
        details.append(ChangedDetail(_("Date and time"), _when(before, zone_changed), _when(after, zone_changed)))
    if (before["venue"], before["address"]) != (after["venue"], after["address"]):
        details.append(ChangedDetail(_("Place"), _where(before), _where(after)))
    return details


def _when(frozen: dict, name_zone: bool) -> str:
    zone = ZoneInfo(frozen["timezone"])
    text = day_and_time_range(datetime.fromisoformat(frozen["starts_at"]),
                              datetime.fromisoformat(frozen["ends_at"]), zone)
    return f"{text} ({frozen['timezone']})" if name_zone else text


def _where(frozen: dict) -> str:
    return ", ".join(part for part in (frozen["venue"], frozen["address"]) if part) or _("not given")
