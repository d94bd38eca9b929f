"""Events: what the network publishes and guests sign up for."""
import enum
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class EventKind(str, enum.Enum):
    forum = "forum"
    podium = "podium"
    info = "info"
    talk = "talk"
    working_group = "working-group"
    coordination = "coordination"
    other = "other"


KIND_LABELS = {
    EventKind.forum.value: _l("Forum"),
    EventKind.podium.value: _l("Podium discussion"),
    EventKind.info.value: _l("Information event"),
    EventKind.talk.value: _l("Expert talk"),
    EventKind.working_group.value: _l("Working group"),
    EventKind.coordination.value: _l("Coordination meeting"),
    EventKind.other.value: _l("Event"),
}


class EventStatus(str, enum.Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


STATUS_LABELS = {
    EventStatus.draft.value: _lp("event status", "draft"),
    EventStatus.published.value: _lp("event status", "published"),
    EventStatus.cancelled.value: _lp("event status", "cancelled"),
}


def new_ical_uid() -> str:
    return f"{uuid.uuid4()}@podium"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=EventKind.other.value)
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None]  # None: unlimited
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.draft.value)
    partners: Mapped[list] = mapped_column(JSON, default=list)  # co-hosting institutions
    speakers: Mapped[list] = mapped_column(JSON, default=list)  # "Name, role" lines
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True, default=new_ical_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    # Kept by registrations.services under the event's row lock; read by every list.
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: the newest updated_at is the version of every cached public list.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, KIND_LABELS["other"]))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.published.value

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.cancelled.value

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.slug}>"
