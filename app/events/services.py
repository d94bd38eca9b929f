"""Finding, listing, creating, duplicating and publishing events, and whether one takes sign-ups now.

Who learns of an event is its visibility (EventVisibility): public events are listed and open to
anyone; invitation-only events are not listed and take sign-ups only through a personal invitation
or the event's secret link; record-only events are the network's own records (a meeting, a talk,
a visit written down afterwards): no public page, no sign-up, no mail, and no publishing step.
"""
import hmac
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from ..audit import Actor, AuditAction, record
from ..database import first_row, get_row, unique_slug, utcnow, write_transaction
from ..errors import InvalidInput, NotFound, RegistrationRefused, StateConflict
from ..extensions import db
from ..formatting import clock, day
from ..links import new_link_token
from ..paging import Page, paginate
from ..text import slugify
from .models import Event, EventKind, EventStatus, EventVisibility
from .texts import GERMAN, TEXT_FIELDS, check_languages, check_texts


class NotInvited(RegistrationRefused):
    """An invitation-only event, and neither a personal invitation nor the secret link."""

    status_code = 403
    code = "invitation_only"
    message = _l("This event is by invitation only. To sign up, please use the link in your invitation.")


# What anyone reads who tries to sign up for a record-only event, add a guest to it or invite to it.
RECORD_ONLY = _l("This event is a record only: nobody signs up for it and nobody is mailed about it. "
                 "Make it public or invitation only first if people are to sign up or be invited.")


def record_only_refusal() -> str:
    """What anyone who tries to sign up for (or add a guest to, or mail about) a record-only event reads."""
    return str(RECORD_ONLY)


# Built once: every page and sign-up of an event asks.
_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"))
_LOCKED_BY_SLUG = _BY_SLUG.with_for_update().execution_options(populate_existing=True)


def get_published(slug: str, *, lock: bool = False) -> Event:
    """The event with this slug if the public may see it (published or cancelled; never a
    record-only event, which is for staff alone). Invitation-only events are found too: their page
    is reachable, only not listed.

    With `lock` (a sign-up, inside its write_transaction) the row is read afresh and locked until
    the commit: SELECT ... FOR UPDATE on PostgreSQL; on SQLite the transaction's BEGIN IMMEDIATE
    already holds every row. So the event a sign-up is for is read once, under its lock."""
    event = db.session.execute(_LOCKED_BY_SLUG if lock else _BY_SLUG, {"slug": slug}).scalar_one_or_none()
    if event is None or event.is_draft or event.is_record_only:
        raise NotFound(Event.not_found)
    return event


def has_invitation_key(event: Event, key: str | None) -> bool:
    """Whether `key` is the event's secret sign-up key (compared in constant time)."""
    return bool(key) and hmac.compare_digest(key.encode(), event.invite_key.encode())


def invitation_refusal(event: Event, key: str | None = None, *, invited: bool = False) -> str | None:
    """Why this visitor may not sign up for an invitation-only event (no personal invitation, no
    valid secret link), or None; None for every other event."""
    if event.is_invitation_only and not invited and not has_invitation_key(event, key):
        return str(NotInvited.message)
    return None


def get_event(event_id: int) -> Event:
    """Any event, drafts included (for staff). :raises NotFound:"""
    return get_row(Event, event_id)


def staff_upcoming(now: datetime | None = None) -> list[Event]:
    """Every event that has not ended, drafts and cancelled ones too, soonest first (for staff)."""
    query = select(Event).where(Event.ends_at > (now or utcnow())).order_by(Event.starts_at, Event.id)
    return list(db.session.execute(query).scalars())


def staff_past(now: datetime | None = None, *, page: int | None = None, size: int = 25) -> Page:
    """Every event that has ended, drafts and cancelled ones too, newest first, a page at a time
    (for staff: the list only grows)."""
    query = select(Event).where(Event.ends_at <= (now or utcnow()))
    return paginate(query.order_by(Event.starts_at.desc(), Event.id.desc()), number=page, size=size)


def upcoming_events(now: datetime | None = None) -> list[Event]:
    """Public events, published or cancelled, that have not ended, soonest first."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status != EventStatus.draft, Event.visibility == EventVisibility.public,
               Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)
        .options(selectinload(Event.texts))  # each title in the reader's language, in one more query
    )
    return list(db.session.execute(query).scalars())


def door_events(now: datetime | None = None) -> list[Event]:
    """Published events whose door can be worked: those of today (UTC) and the coming ones (not
    record-only events: nobody signs up for them, so nobody is let in)."""
    since = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    query = select(Event).where(Event.status == EventStatus.published,
                                Event.visibility != EventVisibility.record, Event.ends_at >= since)
    return list(db.session.execute(query.order_by(Event.starts_at, Event.id)).scalars())


def past_events(now: datetime | None = None, limit: int = 200) -> list[Event]:
    """Public published events that have ended, newest first."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status == EventStatus.published, Event.visibility == EventVisibility.public,
               Event.ends_at < now)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(limit)
        .options(selectinload(Event.texts))
    )
    return list(db.session.execute(query).scalars())


def signup_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why this event takes no sign-up at all now (capacity aside), or None."""
    now = now or utcnow()
    if event.is_draft:
        return str(Event.not_found)
    if event.is_record_only:
        return record_only_refusal()
    if event.is_cancelled:
        return str(_l("This event has been cancelled."))
    if event.has_started(now):
        return str(_l("This event has already taken place; registration is closed."))
    if event.registration_opens_at and now < event.registration_opens_at:
        opens = event.registration_opens_at
        return str(_l("Registration opens on %(date)s at %(time)s.",
                      date=day(opens, event.zone), time=clock(opens, event.zone)))
    if event.registration_closes_at and now >= event.registration_closes_at:
        return str(_l("Registration for this event is closed."))
    return None


def signup_over(event: Event, now: datetime | None = None) -> bool:
    """No one will sign up for this event again: it was cancelled or has begun."""
    return event.is_cancelled or event.has_started(now or utcnow())


def signup_refusal(event: Event, now: datetime | None = None) -> str | None:
    """Why a new guest cannot sign up now (closed, or full without waitlist), or None."""
    reason = signup_closed_reason(event, now)
    if reason is None and event.is_full and not event.waitlist_enabled:
        reason = str(_l("This event is fully booked."))
    return reason


# The years an event's dates may fall in: a typo such as year 1 or 20266 is refused, not stored.
EVENT_YEARS = range(2000, 2101)
# How long an event's registrations may be kept after it (months): at least one, at most ten years.
RETENTION_MONTHS = range(1, 121)


def check_event_fields(*, title: str, kind: str, starts_at: datetime, ends_at: datetime,
                       capacity: int | None = None, timezone: str | None = None,
                       registration_opens_at: datetime | None = None,
                       registration_closes_at: datetime | None = None, retention_months: int | None = None,
                       visibility: str | None = None, language: str = GERMAN, interpreting: str = "",
                       **other) -> None:
    """The rules every event keeps, whoever creates or changes it.

    :raises InvalidInput:
    """
    if not title.strip():
        raise InvalidInput(_l("An event needs a title."))
    if kind not in EventKind.__members__.values():
        raise InvalidInput(_l("Unknown kind of event: %(kind)s", kind=kind))
    if visibility is not None and visibility not in EventVisibility.__members__.values():
        raise InvalidInput(_l("Unknown visibility: %(visibility)s", visibility=visibility), field="visibility")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput(_l("The start time needs a time zone."))
    if ends_at <= starts_at:
        raise InvalidInput(_l("The event must end after it starts."))
    for moment in (starts_at, ends_at, registration_opens_at, registration_closes_at):
        if moment is not None and moment.year not in EVENT_YEARS:
            raise InvalidInput(year_out_of_range())
    if capacity is not None and capacity < 0:
        raise InvalidInput(_l("The capacity cannot be negative."))
    if timezone is not None and timezone not in known_timezones():
        raise InvalidInput(_l("Unknown time zone: %(zone)s", zone=timezone))
    if registration_opens_at and registration_closes_at and registration_closes_at <= registration_opens_at:
        raise InvalidInput(_l("Registration must close after it opens."))
    if retention_months is not None and retention_months not in RETENTION_MONTHS:
        raise InvalidInput(_l("Keep registrations from %(first)d to %(last)d months after the event.",
                              first=RETENTION_MONTHS[0], last=RETENTION_MONTHS[-1]), field="retention_months")
    check_languages(language, interpreting)
    check_texts(other)


def year_out_of_range() -> str:
    """What staff read for a date outside EVENT_YEARS."""
    return str(_l("Enter a year between %(first)d and %(last)d.", first=EVENT_YEARS[0], last=EVENT_YEARS[-1]))


@cache
def known_timezones() -> frozenset[str]:
    """The IANA zones an event may use ("Europe/Berlin"), without the system's aliases
    such as "localtime" or the "posix/" copies."""
    return frozenset(zone for zone in available_timezones()
                     if zone == "UTC" or ("/" in zone and not zone.startswith(("posix/", "right/", "SystemV/"))))


def create_event(*, title: str, kind: str, starts_at: datetime, ends_at: datetime | None = None,
                 publish: bool = False, by: Actor, now: datetime | None = None, **fields) -> Event:
    """Create an event (times timezone-aware); a draft unless `publish`, and a record-only event
    is recorded (published) at once: it has no public side to prepare. Flushes, no commit: call it
    inside write_transaction (create_draft, the command line, the demo data).

    :raises InvalidInput:
    """
    ends_at = ends_at or starts_at + timedelta(hours=2)
    if fields.get("retention_months") is None:
        fields["retention_months"] = current_app.config["RETENTION_MONTHS"]
    check_event_fields(title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, **fields)
    copied_from = fields.pop("copied_from", None)
    event = Event(
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        slug=fields.pop("slug", None) or unique_slug(Event.slug, _slug_base(title, starts_at)),
        status=EventStatus.published if publish or is_record(fields) else EventStatus.draft,
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    record(by, AuditAction.event_created, at=now or utcnow(), event_id=event.id,
           changes={"copied_from": copied_from} if copied_from else {})
    return event


def _slug_base(title: str, starts_at: datetime) -> str:
    """"forum-ausbildung-2026-12-03"; unique_slug adds "-2", "-3" ... where that is taken."""
    return f"{slugify(title, 'event')}-{starts_at:%Y-%m-%d}"


def is_record(fields: dict) -> bool:
    """Whether event fields make a record-only event."""
    return fields.get("visibility") == EventVisibility.record


def create_draft(*, by: Actor, **fields) -> Event:
    """Create an event as a draft, or recorded if record-only (see create_event for the fields). Commits.

    :raises InvalidInput:
    """
    with write_transaction() as tx:
        return create_event(publish=False, by=by, now=tx.now, **fields)


# What a copy takes over from its original (its title and summary in other languages too);
# status, slug, UID, SEQUENCE and the counters belong to the original alone.
COPIED_FIELDS = ("title", "kind", "summary", "description", "starts_at", "ends_at", "timezone", "venue",
                 "address", "capacity", "waitlist_enabled", "registration_opens_at",
                 "registration_closes_at", "speakers", "retention_months", "visibility", "language",
                 "interpreting", *TEXT_FIELDS)


def copyable_fields(event: Event) -> dict:
    """The fields of `event` that a duplicate starts from."""
    return {name: list(value) if isinstance(value, list) else value
            for name in COPIED_FIELDS for value in [getattr(event, name)]}


def duplicate_event(event_id: int, *, by: Actor, **changes) -> Event:
    """A draft copy of an event (new slug, new calendar UID, no registrations), with `changes`
    applied. Commits.

    :raises NotFound, InvalidInput:
    """
    fields = copyable_fields(get_event(event_id)) | changes
    db.session.rollback()  # end the read: the copy's transaction begins the write itself
    return create_draft(by=by, copied_from=event_id, **fields)


def publish_event(event_id: int, *, by: Actor) -> Event:
    """Make a draft public (its page, the lists, the feed; sign-up as its dates allow). Commits.

    :raises NotFound, StateConflict:
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        event = tx.row
        if event.is_cancelled:
            raise StateConflict(_l("A cancelled event cannot be published again. Duplicate it "
                                   "to plan it anew."))
        if not event.is_published:
            event.status = EventStatus.published
            record(by, AuditAction.event_published, at=tx.now, event_id=event.id)
        return event


def unpublish_event(event_id: int, *, by: Actor) -> Event:
    """Take a published event back to draft, while nobody has signed up for it. Commits.

    :raises NotFound, StateConflict:
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        event = tx.row
        if event.is_cancelled:
            raise StateConflict(_l("This event has been cancelled; it stays visible as cancelled."))
        if event.is_record_only:
            raise StateConflict(_l("A record-only event has no public side, so it has no draft either."))
        # Once guests hold a place or a waitlist spot, they have a ticket, a calendar
        # entry and a link to the event page. A draft is 404 to the public, so
        # unpublishing would make the event vanish under them without a word. The
        # honest ways are to edit it (guests are told of a new time or place) or to
        # cancel it (guests are told, and their calendars drop it). The counters
        # are read under the event's lock, so no sign-up can slip in between.
        guests = event.confirmed_count + event.waitlist_count
        if guests:
            raise StateConflict(_ln(
                "%(num)s person has signed up for this event, so it cannot be taken back to draft. "
                "Edit it (guests are told about a new time or place) or cancel it (guests are told).",
                "%(num)s people have signed up for this event, so it cannot be taken back to draft. "
                "Edit it (guests are told about a new time or place) or cancel it (guests are told).",
                guests))
        if not event.is_draft:
            event.status = EventStatus.draft
            record(by, AuditAction.event_unpublished, at=tx.now, event_id=event.id)
        return event


def renew_invite_key(event_id: int, *, by: Actor) -> Event:
    """Give an invitation-only event a new secret sign-up key: a link that went astray stops working
    (personal invitations are not affected). The history records it, never the key. Commits.

    :raises NotFound:
    :raises StateConflict: the event is not invitation only (it has no secret link).
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        event = tx.row
        if not event.is_invitation_only:
            raise StateConflict(_l("Only an invitation-only event has a secret link."))
        event.invite_key = new_link_token()
        record(by, AuditAction.event_invite_key_renewed, at=tx.now, event_id=event.id)
        return event


def public_version() -> tuple:
    """Changes whenever any event changes, appears or goes: the key of cached public lists."""
    return first_row(select(func.max(Event.updated_at), func.count(Event.id)))


def event_version(slug: str) -> tuple | None:
    """The version of one event's public page, or None if there is no such event (or it is record-only)."""
    return first_row(select(Event.id, Event.updated_at)
                     .where(Event.slug == slug, Event.visibility != EventVisibility.record))


def next_event_end(now: datetime) -> datetime | None:
    """When the next event that has not ended yet ends (it then moves to the past events)."""
    return db.session.execute(select(func.min(Event.ends_at)).where(Event.ends_at >= now)).scalar_one()
