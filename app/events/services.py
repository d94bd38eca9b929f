"""Finding, listing and creating events, and whether one takes sign-ups now."""
import re
import unicodedata
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..database import begin_write, utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..formatting import clock, day
from .models import Event, EventKind, EventStatus


def get_published(slug: str) -> Event:
    """The event with this slug if the public may see it (published or cancelled)."""
    event = db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()
    if event is None or event.status == EventStatus.draft.value:
        raise NotFound(_l("There is no such event."))
    return event


def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_l("There is no such event."))
    return event


def upcoming_events(now: datetime | None = None) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status != EventStatus.draft.value, Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)
    )
    return list(db.session.execute(query).scalars())


def past_events(now: datetime | None = None, limit: int = 200) -> list[Event]:
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status == EventStatus.published.value, Event.ends_at < now)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def signup_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why this event takes no sign-up at all now (capacity aside), or None."""
    now = now or utcnow()
    if event.status == EventStatus.draft.value:
        return str(_l("There is no such event."))
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


def signup_refusal(event: Event, now: datetime | None = None) -> str | None:
    """Why a new guest cannot sign up now (closed, or full without waitlist), or None."""
    reason = signup_closed_reason(event, now)
    if reason is None and event.is_full and not event.waitlist_enabled:
        reason = str(_l("This event is fully booked."))
    return reason


def slugify(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "event"


def unique_slug(title: str, starts_at: datetime) -> str:
    base = f"{slugify(title)}-{starts_at:%Y-%m-%d}"
    slug, n = base, 2
    while db.session.execute(select(Event.id).where(Event.slug == slug)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_event(*, title: str, kind: str, starts_at: datetime, ends_at: datetime | None = None,
                 publish: bool = False, **fields) -> Event:
    """Create an event (times timezone-aware); a draft unless `publish`. Flushes, no commit."""
    begin_write()
    if not title.strip():
        raise InvalidInput(_l("An event needs a title."))
    if kind not in {k.value for k in EventKind}:
        raise InvalidInput(_l("Unknown kind of event: %(kind)s", kind=kind))
    if starts_at.tzinfo is None:
        raise InvalidInput(_l("The start time needs a time zone."))
    ends_at = ends_at or starts_at + timedelta(hours=2)
    if ends_at <= starts_at:
        raise InvalidInput(_l("The event must end after it starts."))
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 0:
        raise InvalidInput(_l("The capacity cannot be negative."))
    event = Event(
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        slug=fields.pop("slug", None) or unique_slug(title, starts_at),
        status=EventStatus.published.value if publish else EventStatus.draft.value,
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event
