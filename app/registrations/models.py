"""A guest's registration for an event: confirmed, on the waitlist, or cancelled."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from .tickets import new_manage_token, new_ticket_code


class RegistrationStatus(str, enum.Enum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


STATUS_LABELS = {
    RegistrationStatus.confirmed.value: _lp("registration status", "confirmed"),
    RegistrationStatus.waitlisted.value: _lp("registration status", "on the waitlist"),
    RegistrationStatus.cancelled.value: _lp("registration status", "cancelled"),
}


class Affiliation(str, enum.Enum):
    professional = "professional"
    volunteer = "volunteer"
    other = "other"


AFFILIATION_LABELS = {
    Affiliation.professional.value: _l("Professional"),
    Affiliation.volunteer.value: _l("Volunteer"),
    Affiliation.other.value: _l("Other / private"),
}


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "email_key", name="uq_registrations_event_email"),
        Index("ix_registrations_event_status", "event_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # Lower-cased email: one registration per address and event, whatever the case.
    # Empty for a walk-in who gave no address.
    email_key: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    affiliation: Mapped[str] = mapped_column(String(20), default=Affiliation.other.value)
    note: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(10), default="de")
    status: Mapped[str] = mapped_column(String(20))
    ticket_code: Mapped[str] = mapped_column(String(64), unique=True, default=new_ticket_code)
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_manage_token)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(40))
    # Raised by the guest's own cancellation (and re-registration), so that the
    # calendar SEQUENCE this guest sees (event.sequence + this) never goes down.
    sequence_offset: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The place in the waitlist queue: set on joining it, kept on promotion.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who let the guest in (a staff member's name or a device's), for "already checked in by".
    checked_in_by: Mapped[str | None] = mapped_column(String(200))
    # "online", "invitation", "walk-in" or "staff": how the registration came about.
    source: Mapped[str] = mapped_column(String(20), default="online")
    # When the automatic reminder before the event was queued (at most once).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.confirmed.value

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.waitlisted.value

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.cancelled.value

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def affiliation_label(self) -> str:
        return str(AFFILIATION_LABELS.get(self.affiliation, ""))

    @property
    def calendar_sequence(self) -> int:
        return self.event.sequence + self.sequence_offset

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} event={self.event_id}>"
