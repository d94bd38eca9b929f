"""Changing an event that guests have signed up for, and telling them.

These services live in the registrations layer because they need the
registrations (imports flow events <- registrations). Like sign-up, each runs
under the event's row lock and commits before returning; the mails to the
guests are outbox rows in the same transaction, so either the change and every
mail about it are stored, or neither is.
"""
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select, update

from ..database import lock_row, rolled_back_on_error, utcnow
from ..errors import InvalidInput, NotFound
from ..events.models import Event, EventStatus
from ..events.services import COPIED_FIELDS, EventStateConflict, check_event_fields
from ..extensions import db
from ..outbox import enqueue
from .models import Registration, RegistrationStatus
from .services import promote_from_waitlist

# What guests have planned around: a change to one of these is mailed to them.
TIME_AND_PLACE = ("starts_at", "ends_at", "venue", "address")
# What their calendars show (SUMMARY, LOCATION, DTSTART/DTEND, the feed's DESCRIPTION):
# a change raises the SEQUENCE, so that the next file a calendar sees replaces the old one.
CALENDAR_FIELDS = (*TIME_AND_PLACE, "title", "summary")
EDITABLE_FIELDS = COPIED_FIELDS


class CapacityBelowConfirmed(InvalidInput):
    """A capacity smaller than the places already given; nobody is turned out."""

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


def update_event(event_id: int, changes: dict, *, now: datetime | None = None) -> EventUpdate:
    """Change an event's fields; tell its guests about a new time or place, and give new
    places to the waitlist. Commits.

    :param changes: Event fields (see events.services.COPIED_FIELDS), times timezone-aware.
    :raises NotFound, EventStateConflict, InvalidInput, CapacityBelowConfirmed:
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    event = lock_row(Event, event_id)
    now = now or utcnow()
    with rolled_back_on_error():
        if event is None:
            raise NotFound(_l("There is no such event."))
        if event.is_cancelled:
            raise EventStateConflict(_l("This event has been cancelled and can no longer be changed. "
                                        "Duplicate it to plan it anew."))
        check_event_fields(**({name: getattr(event, name) for name in EDITABLE_FIELDS} | changes))
        capacity = changes.get("capacity", event.capacity)
        # Only a new capacity is checked: walk-ins let in over capacity must not
        # block an edit of the title.
        if capacity != event.capacity and capacity is not None and capacity < event.confirmed_count:
            raise CapacityBelowConfirmed(_ln(
                "%(num)s guest already has a place; the capacity cannot be lower than that.",
                "%(num)s guests already have a place; the capacity cannot be lower than that.",
                event.confirmed_count))
        changed = tuple(name for name, value in changes.items() if getattr(event, name) != value)
        before = _time_and_place(event)
        # Guests of an event that is over have nothing left to plan.
        guests_planning = event.is_published and event.ends_at > now
        for name in changed:
            setattr(event, name, changes[name])
        if set(changed) & set(CALENDAR_FIELDS):
            event.sequence += 1
        if "starts_at" in changed:
            # A new date deserves a new reminder before it.
            db.session.execute(update(Registration).where(Registration.event_id == event.id)
                               .values(reminded_at=None).execution_options(synchronize_session=False))
        told = 0
        if guests_planning and set(changed) & set(TIME_AND_PLACE):
            told = _tell_guests(event, "event_updated", lambda registration: {
                "calendar": registration.is_confirmed, "before": before, "after": _time_and_place(event)})
        promoted = []
        if "capacity" in changed and event.is_published and not event.has_started(now):
            promoted = promote_from_waitlist(event, now)
        db.session.commit()
    return EventUpdate(event, changed, told, promoted)


def cancel_event(event_id: int, *, message: str = "", now: datetime | None = None) -> EventCancellation:
    """Cancel a published event: sign-up closes, and everyone registered is told (confirmed
    guests with a calendar CANCEL). Registrations keep their state, as a record. Commits.

    :param message: a word from staff to the guests, e.g. the reason or a new date.
    :raises NotFound, EventStateConflict:
    """
    event = lock_row(Event, event_id)
    now = now or utcnow()
    with rolled_back_on_error():
        if event is None:
            raise NotFound(_l("There is no such event."))
        if event.is_cancelled:
            raise EventStateConflict(_l("This event has already been cancelled."))
        if event.status == EventStatus.draft.value:
            raise EventStateConflict(_l("A draft is not public and nobody has signed up for it, so there is "
                                        "nothing to cancel."))
        if event.ends_at <= now:
            raise EventStateConflict(_l("This event has already taken place."))
        event.status = EventStatus.cancelled.value
        event.sequence += 1
        told = _tell_guests(event, "event_cancelled", lambda registration: {
            "had_place": registration.is_confirmed, "message": message})
        db.session.commit()
    return EventCancellation(event, told)


def _guests(event: Event) -> list[Registration]:
    """Everyone holding a place or a waitlist spot who can be mailed, in the order they signed up."""
    query = (
        select(Registration)
        .where(Registration.event_id == event.id,
               Registration.status.in_([RegistrationStatus.confirmed.value, RegistrationStatus.waitlisted.value]),
               Registration.email != "")
        .order_by(Registration.id)
    )
    return list(db.session.execute(query).scalars())


def _tell_guests(event: Event, kind: str, params_for) -> int:
    guests = _guests(event)
    for registration in guests:
        enqueue(kind, registration.email, locale=registration.locale, registration_id=registration.id,
                params={"sequence": registration.calendar_sequence, **params_for(registration)})
    return len(guests)


def _time_and_place(event: Event) -> dict:
    """What the guest knew, frozen for the mail (it is composed later, maybe after more changes)."""
    return {"starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "timezone": event.timezone, "venue": event.venue, "address": event.address}


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


def _when(record: dict, name_zone: bool) -> str:
    zone = ZoneInfo(record["timezone"])
    starts = datetime.fromisoformat(record["starts_at"]).astimezone(zone)
    ends = datetime.fromisoformat(record["ends_at"]).astimezone(zone)
    locale = get_locale()
    end = format_time(ends, "short", tzinfo=zone, locale=locale)
    if ends.date() != starts.date():
        end = f"{format_date(ends, 'medium', locale=locale)} {end}"
    text = _("%(date)s, %(start)s – %(end)s", date=format_date(starts, "full", locale=locale),
             start=format_time(starts, "short", tzinfo=zone, locale=locale), end=end)
    return f"{text} ({record['timezone']})" if name_zone else text


def _where(record: dict) -> str:
    return ", ".join(part for part in (record["venue"], record["address"]) if part) or _("not given")
