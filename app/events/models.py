"""Events: what the network publishes and guests sign up for."""
import calendar
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import EnumText, LabelledEnum, UTCDateTime, utcnow
from ..extensions import db
from ..i18n import OTHER_TEXT_LANGUAGES
from ..links import new_link_token


class EventKind(LabelledEnum):
    forum = "forum", _l("Forum")
    podium = "podium", _l("Podium discussion")
    info = "info", _l("Information event")
    talk = "talk", _l("Expert talk")
    working_group = "working-group", _l("Working group")
    coordination = "coordination", _l("Coordination meeting")
    visit = "visit", _l("Visit to another organisation's event")
    other = "other", _l("Event")


class EventStatus(LabelledEnum):
    draft = "draft", _lp("event status", "draft")
    published = "published", _lp("event status", "published")
    cancelled = "cancelled", _lp("event status", "cancelled")


class EventVisibility(LabelledEnum):
    """Who learns of an event and who may sign up."""

    public = "public", _l("Public: listed, anyone may sign up")
    # Not listed, not in the feeds; sign-up with a personal invitation or the event's secret link.
    invitation = "invitation", _l("Invitation only: sign-up through an invitation or the secret link")
    # No sign-up and no mail at all: staff record a meeting, a talk or a visit afterwards.
    record = "record", _l("Record only: no sign-up, recorded by staff")


class Series(db.Model):
    """Events that belong together ("Ausbildung und Arbeit 2026/27"), with a public page and a feed."""

    __tablename__ = "series"
    not_found = _l("There is no such series.")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Series {self.id} {self.slug}>"


# How long an event's registrations are kept after it ends, unless the event says otherwise
# (config.RETENTION_MONTHS sets the default for new events; this one stands for rows made
# without the app, and for the migration).
DEFAULT_RETENTION_MONTHS = 12


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months later (the 31st becomes the month's last day)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def new_ical_uid() -> str:
    """A calendar UID of its own for a new event: the same for every guest and every update."""
    return f"{uuid.uuid4()}@podium"


# The guest languages an event may have a title and summary in besides its own German ones;
# each is an EventText row.
TEXT_LOCALES = OTHER_TEXT_LANGUAGES


class TextIn:
    """The title or summary of an event in one of TEXT_LOCALES, read and set as if it were a column
    (`event.title_ar`), so that the form, an edit, a copy and the history treat it as any other field.

    Its EventText row appears with the first word and goes when both its title and summary are
    empty. A change touches the event's updated_at: cached public pages and lists are at the
    version of their events (pagecache), and must show the new words."""

    def __init__(self, locale: str, part: str):
        self.locale, self.part = locale, part

    def __get__(self, event: "Event | None", owner=None):
        if event is None:
            return self
        text = event.text_in(self.locale)
        return getattr(text, self.part) if text is not None else ""

    def __set__(self, event: "Event", value: str | None) -> None:
        value = value or ""
        text = event.text_in(self.locale)
        if (getattr(text, self.part) if text is not None else "") == value:
            return
        if text is None:
            text = EventText(locale=self.locale, title="", summary="")
            event.texts.append(text)
        setattr(text, self.part, value)
        if not (text.title or text.summary):
            event.texts.remove(text)  # delete-orphan: the row goes
        event.updated_at = utcnow()


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts_at", "status", "starts_at"),)
    not_found = _l("There is no such event.")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(EnumText(EventKind, 20), default=EventKind.other)
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
    status: Mapped[EventStatus] = mapped_column(EnumText(EventStatus, 20), default=EventStatus.draft)
    visibility: Mapped[EventVisibility] = mapped_column(EnumText(EventVisibility, 20),
                                                        default=EventVisibility.public,
                                                        server_default=EventVisibility.public.value)
    # The key of the secret sign-up link of an invitation-only event (/events/<slug>/?key=...).
    invite_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"), index=True)
    # A meeting of a working group (network.models.WorkingGroup; named by table, since the
    # network stands above events).
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"),
                                                         index=True)
    speakers: Mapped[list] = mapped_column(JSON, default=list)  # "Name, role" lines
    # The language the event is held in, and those it is interpreted into (codes, space-separated;
    # app.i18n.EVENT_LANGUAGES). Title and summary are German; EventText holds other languages'.
    language: Mapped[str] = mapped_column(String(10), default="de", server_default="de")
    interpreting: Mapped[str] = mapped_column(String(60), default="", server_default="")
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True, default=new_ical_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    # Kept by registrations.services under the event's row lock; read by every list.
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    # Months after the end until its registrations are anonymised (privacy.retention); the
    # sign-up form's consent text states this period (app/consent.py).
    retention_months: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_MONTHS,
                                                  server_default=str(DEFAULT_RETENTION_MONTHS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: the newest updated_at is the version of every cached public list.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    series: Mapped[Series | None] = relationship()
    texts: Mapped[list["EventText"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                    order_by="EventText.locale")
    title_en, summary_en = TextIn("en", "title"), TextIn("en", "summary")
    title_ar, summary_ar = TextIn("ar", "title"), TextIn("ar", "summary")
    title_fa, summary_fa = TextIn("fa", "title"), TextIn("fa", "summary")
    title_uk, summary_uk = TextIn("uk", "title"), TextIn("uk", "summary")

    def text_in(self, locale: str) -> "EventText | None":
        """The event's title and summary in `locale`, if it has them (not for German: those are its own)."""
        return next((text for text in self.texts if text.locale == locale), None)

    @property
    def interpreting_languages(self) -> list[str]:
        """The languages the event is interpreted into (codes of app.i18n.EVENT_LANGUAGES)."""
        return self.interpreting.split()

    @property
    def zone(self) -> ZoneInfo:
        """The event's own time zone."""
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        """The start as a wall clock in the event's zone shows it."""
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime:
        """The end as a wall clock in the event's zone shows it."""
        return self.ends_at.astimezone(self.zone)

    @property
    def is_draft(self) -> bool:
        """Not yet public: only staff see it."""
        return self.status == EventStatus.draft

    @property
    def is_published(self) -> bool:
        """Public, and taking sign-ups as its dates allow."""
        return self.status == EventStatus.published

    @property
    def is_listed(self) -> bool:
        """Shown in the public lists and feeds (public events only)."""
        return self.visibility == EventVisibility.public

    @property
    def is_invitation_only(self) -> bool:
        """Sign-up only through a personal invitation or the secret link."""
        return self.visibility == EventVisibility.invitation

    @property
    def is_record_only(self) -> bool:
        """Recorded by staff: nobody signs up and nobody is mailed."""
        return self.visibility == EventVisibility.record

    @property
    def is_cancelled(self) -> bool:
        """Called off: still visible, as cancelled."""
        return self.status == EventStatus.cancelled

    def has_started(self, now: datetime) -> bool:
        """Whether the event has begun at `now`."""
        return self.starts_at <= now

    def has_ended(self, now: datetime) -> bool:
        """Whether the event is over at `now`."""
        return self.ends_at <= now

    @property
    def retention_ends_at(self) -> datetime:
        """When the retention period ends: from then on its registrations are anonymised."""
        return add_months(self.ends_at, self.retention_months)

    @property
    def is_full(self) -> bool:
        """Every place is taken (never for an event without a limit)."""
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        """How many places are free; None for an event without a limit."""
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.slug}>"


class EventText(db.Model):
    """An event's title and summary in one more guest language (the event's own are German)."""

    __tablename__ = "event_texts"
    __table_args__ = (UniqueConstraint("event_id", "locale", name="uq_event_texts_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")

    event: Mapped[Event] = relationship(back_populates="texts")
