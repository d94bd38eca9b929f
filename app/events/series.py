"""Series of events ("Ausbildung und Arbeit 2026/27"): making and changing one, which events
belong to it, what the public sees of it, and recurring dates made at once from a rule.

Each event of a series stays an ordinary event: its own address, calendar UID, status and
sign-up. The series only groups them, on its own public page and in its own feed, and the
public sees there exactly what it sees elsewhere: public events that are not drafts.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..audit import Actor, AuditAction, AuditEntry, changed_fields, newest_entries, record
from ..database import first_row, get_row, unique_slug, utcnow, write_transaction
from ..errors import InvalidInput, NotFound, StateConflict
from ..extensions import db
from ..text import slugify
from .models import Event, EventStatus, EventVisibility, Series
from .recurrence import Recurrence, local_dates, wall_clock_shift
from .services import copyable_fields, create_event, get_event


@dataclass(frozen=True)
class SeriesSummary:
    """A line of the staff's list of series."""

    series: Series
    events: int  # of every state and visibility
    next_start: datetime | None  # the soonest start of its events that have not ended


def series_overview(now: datetime | None = None) -> list[SeriesSummary]:
    """Every series, newest first, with how many events it holds and when the next one starts."""
    now = now or utcnow()
    counts = dict(db.session.execute(select(Event.series_id, func.count(Event.id))
                                     .where(Event.series_id.is_not(None)).group_by(Event.series_id)).all())
    coming = dict(db.session.execute(select(Event.series_id, func.min(Event.starts_at))
                                     .where(Event.series_id.is_not(None), Event.ends_at > now)
                                     .group_by(Event.series_id)).all())
    newest_first = select(Series).order_by(Series.created_at.desc(), Series.id.desc())
    everything = db.session.execute(newest_first).scalars()
    return [SeriesSummary(series, counts.get(series.id, 0), coming.get(series.id)) for series in everything]


def get_series(series_id: int) -> Series:
    """A series by its id (for staff). :raises NotFound:"""
    return get_row(Series, series_id)


def get_public_series(slug: str) -> Series:
    """A series by its address; every series has a public page. :raises NotFound:"""
    series = db.session.execute(select(Series).where(Series.slug == slug)).scalar_one_or_none()
    if series is None:
        raise NotFound(Series.not_found)
    return series


def series_version(slug: str) -> tuple | None:
    """The version of a series' own fields (its events have theirs), or None if there is no such series."""
    return first_row(select(Series.id, Series.updated_at).where(Series.slug == slug))


def staff_series_events(series_id: int) -> list[Event]:
    """Every event of the series, drafts and invitation-only ones too, in the order they take place."""
    query = select(Event).where(Event.series_id == series_id).order_by(Event.starts_at, Event.id)
    return list(db.session.execute(query).scalars())


def public_series_events(series_id: int) -> list[Event]:
    """The events of the series the public sees: public ones, published or cancelled, in order."""
    query = (select(Event)
             .where(Event.series_id == series_id, Event.visibility == EventVisibility.public,
                    Event.status != EventStatus.draft)
             .order_by(Event.starts_at, Event.id)
             .options(selectinload(Event.texts)))  # each title in the reader's language, in one more query
    return list(db.session.execute(query).scalars())


def upcoming_and_past(events: list[Event], now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """The events that have not ended (soonest first) and those that have (newest first)."""
    now = now or utcnow()
    return [e for e in events if e.ends_at >= now], [e for e in reversed(events) if e.ends_at < now]


def addable_events(series_id: int, limit: int = 300) -> list[Event]:
    """Events not (yet) in the series that staff may add to it or take as a template: newest first."""
    query = (select(Event).where((Event.series_id != series_id) | Event.series_id.is_(None))
             .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit))
    return list(db.session.execute(query).scalars())


def _check_title(title: str) -> str:
    if not title.strip():
        raise InvalidInput(_l("A series needs a title."), field="title")
    return title.strip()


def create_series(*, title: str, description: str = "", by: Actor) -> Series:
    """A new series, its address made from the title. Commits. :raises InvalidInput:"""
    title = _check_title(title)
    with write_transaction() as tx:
        series = Series(title=title, description=description, slug=unique_slug(Series.slug, slugify(title, "series")))
        db.session.add(series)
        db.session.flush()
        record(by, AuditAction.series_created, at=tx.now, series_id=series.id, changes={"title": title})
        return series


def update_series(series_id: int, *, title: str, description: str, by: Actor) -> Series:
    """Change a series' title and description; its address stays, so links and feeds keep working.
    Commits. :raises NotFound, InvalidInput:"""
    title = _check_title(title)
    with write_transaction(lock=(Series, series_id)) as tx:
        series = tx.row
        changes = changed_fields({"title": series.title, "description": series.description},
                                 {"title": title, "description": description})
        if changes:
            series.title, series.description = title, description
            record(by, AuditAction.series_changed, at=tx.now, series_id=series.id, changes=changes)
        if "title" in changes:
            # Each event's page names its series, and is cached by the event's version (pagecache).
            db.session.execute(update(Event).where(Event.series_id == series.id).values(updated_at=tx.now)
                               .execution_options(synchronize_session=False))
        return series


def add_event(series_id: int, event_id: int, *, by: Actor) -> Event:
    """Make an event part of the series (taking it out of another one). Commits.

    :raises NotFound:
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        event, series = tx.row, get_row(Series, series_id)
        if event.series_id != series.id:
            _move(event, series, by=by, at=tx.now)
        return event


def remove_event(series_id: int, event_id: int, *, by: Actor) -> Event:
    """Take an event out of the series; the event itself stays as it is. Commits.

    :raises NotFound, StateConflict:
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        event = tx.row
        if event.series_id != series_id:
            raise StateConflict(_l("This event is not part of the series."))
        _move(event, None, by=by, at=tx.now)
        return event


def _move(event: Event, series: Series | None, *, by: Actor, at: datetime) -> None:
    """Put the event into `series` (None: into none), recorded on the event and on both series."""
    before = event.series
    event.series = series
    record(by, AuditAction.event_updated, at=at, event_id=event.id,
           changes={"series": [before.title if before else None, series.title if series else None]})
    if before is not None:
        record(by, AuditAction.series_changed, at=at, series_id=before.id,
               changes={"event_removed": event.title})
    if series is not None:
        record(by, AuditAction.series_changed, at=at, series_id=series.id,
               changes={"event_added": event.title})


def entries_for_series(series_id: int, limit: int = 200) -> list[AuditEntry]:
    """The newest entries about the series itself (created, changed, events added or removed)."""
    return newest_entries(AuditEntry.series_id == series_id, limit=limit)


# --- recurring dates ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedDate:
    """One date a rule gives, with the end the template's length gives it."""

    starts_at: datetime  # aware, in the event's zone
    ends_at: datetime
    exists: bool  # the series has an event that starts at this moment already: not made again


@dataclass(frozen=True)
class RecurringPlan:
    """What "Add recurring dates" would create: the template, the rule, and each date."""

    template: Event
    rrule_text: str
    dates: list[PlannedDate]

    @property
    def new_dates(self) -> list[PlannedDate]:
        """The dates that would be created (those the series does not hold already)."""
        return [d for d in self.dates if not d.exists]

    @property
    def fingerprint(self) -> str:
        """The new dates as one line of text: what the preview showed, checked again on confirming."""
        return " ".join(d.starts_at.isoformat() for d in self.new_dates)


def plan_recurring_dates(series_id: int, template_id: int, recurrence: Recurrence) -> RecurringPlan:
    """The dates the rule gives for the series, at the template's time of day in its zone.

    :raises NotFound, InvalidInput:
    """
    series, template = get_row(Series, series_id), get_event(template_id)
    zone = template.zone
    at = template.starts_at.astimezone(zone).time().replace(tzinfo=None)
    taken = {e.starts_at for e in staff_series_events(series.id)}
    dates = []
    for start in local_dates(recurrence, at, zone):
        end = wall_clock_shift(template.ends_at, since=template.starts_at, to=start, zone=zone)
        dates.append(PlannedDate(start, end, exists=start in taken))
    if not any(not d.exists for d in dates):
        raise InvalidInput(_l("The series already holds an event at each of these dates."), field="first_day")
    return RecurringPlan(template, recurrence.rrule_text(at), dates)


def create_recurring_dates(series_id: int, template_id: int, recurrence: Recurrence, *, expected: str,
                           by: Actor) -> list[Event]:
    """Create the rule's new dates as drafts of the series, copies of the template, all in one
    transaction. `expected` is the plan's fingerprint the preview showed. Commits.

    :raises NotFound, InvalidInput:
    :raises StateConflict: the dates are no longer those of the preview (the template changed).
    """
    with write_transaction(lock=(Series, series_id)) as tx:
        plan = plan_recurring_dates(series_id, template_id, recurrence)
        if plan.fingerprint != expected:
            raise StateConflict(_l("The dates are not the same as in the preview any more (the template "
                                   "or the series has changed). Please check them again."))
        template, zone = plan.template, plan.template.zone
        # A working group's meeting recurs as the group's meeting (the group is named by id only:
        # the network stands above events).
        fields = copyable_fields(template) | {"working_group_id": template.working_group_id}
        created = []
        for planned in plan.new_dates:
            own = {name: wall_clock_shift(fields[name], since=template.starts_at, to=planned.starts_at,
                                          zone=zone)
                   for name in ("registration_opens_at", "registration_closes_at")}
            own |= {"starts_at": planned.starts_at, "ends_at": planned.ends_at}
            created.append(create_event(**(fields | own), series_id=series_id, copied_from=template.id,
                                        publish=False, by=by, now=tx.now))
        record(by, AuditAction.series_changed, at=tx.now, series_id=series_id, changes={
            "dates_added": len(created), "template": template.title, "rule": plan.rrule_text})
        return created
