"""The network's own life: which institutions stand behind an event, the standing working
groups, who was present at a recorded meeting, and what came of an event (its results)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..contacts.models import Contact, Institution
from ..database import EnumText, LabelledEnum, UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..links import new_link_token


class InstitutionRole(LabelledEnum):
    """What an institution is to an event."""

    host = "host", _l("Host")
    co_host = "co-host", _l("Co-host")
    partner = "partner", _l("Partner")
    speaker = "speaker", _l("Speaker's institution")
    # At a recorded meeting: the institution was there.
    present = "present", _l("Present")


# The roles that make an event an institution's own: a partner account sees these events.
HOSTING_ROLES = (InstitutionRole.host, InstitutionRole.co_host)


class EventInstitution(db.Model):
    """One institution named on one event, in one role."""

    __tablename__ = "event_institutions"
    __table_args__ = (UniqueConstraint("event_id", "institution_id", name="uq_event_institutions_event_institution"),
                      Index("ix_event_institutions_institution", "institution_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    role: Mapped[InstitutionRole] = mapped_column(EnumText(InstitutionRole, 20), default=InstitutionRole.partner)
    # The order on the event's page (hosts first, then as staff listed them).
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    institution: Mapped[Institution] = relationship(lazy="joined", innerjoin=True)


class WorkingGroup(db.Model):
    """A standing group (Arbeitskreis): its members meet in invitation-only events."""

    __tablename__ = "working_groups"
    not_found = _l("There is no such working group.")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    convenor_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # The key of the group's calendar feed for its members (/groups/<feed_token>.ics).
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    convenor: Mapped[Contact | None] = relationship()

    def __repr__(self) -> str:
        return f"<WorkingGroup {self.id} {self.slug}>"


class WorkingGroupMember(db.Model):
    """A contact's membership of a working group."""

    __tablename__ = "working_group_members"
    __table_args__ = (UniqueConstraint("group_id", "contact_id", name="uq_working_group_members_contact"),
                      Index("ix_working_group_members_contact", "contact_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[WorkingGroup] = relationship()
    contact: Mapped[Contact] = relationship()


class MeetingPresence(db.Model):
    """A contact who was present at a meeting staff recorded (a record-only event)."""

    __tablename__ = "meeting_presences"
    __table_args__ = (UniqueConstraint("event_id", "contact_id", name="uq_meeting_presences_contact"),
                      Index("ix_meeting_presences_contact", "contact_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship()


class ResultVisibility(LabelledEnum):
    """Who sees one item of an event's results."""

    public = "public", _l("Public: on the event's page after it ended, and in the review of past events")
    network = "network", _l("Network only: staff, and a working group's members through their invitation")


class EventResult(db.Model):
    """What came of an event: a summary (Markdown) and the minutes, each public or network only."""

    __tablename__ = "event_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_visibility: Mapped[ResultVisibility] = mapped_column(EnumText(ResultVisibility, 20),
                                                                 default=ResultVisibility.public)
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_visibility: Mapped[ResultVisibility] = mapped_column(EnumText(ResultVisibility, 20),
                                                                 default=ResultVisibility.network)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class ResultFile(db.Model):
    """A file of an event's results (slides, minutes as PDF, a photo), kept in the database so that
    every web host serves the same bytes. Its type was read from its content (network.uploads)."""

    __tablename__ = "result_files"
    __table_args__ = (Index("ix_result_files_event", "event_id", "id"),)
    not_found = _l("There is no such file.")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    visibility: Mapped[ResultVisibility] = mapped_column(EnumText(ResultVisibility, 20),
                                                         default=ResultVisibility.network)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_image(self) -> bool:
        """Shown inline (re-encoded on upload); every other file is only ever a download."""
        return self.content_type.startswith("image/")
