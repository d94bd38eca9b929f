"""A guest's registration for an event: confirmed, on the waitlist, or cancelled."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..affiliation import Affiliation
from ..database import EnumText, LabelledEnum, UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..links import new_link_token
from .tickets import new_ticket_code


class RegistrationStatus(LabelledEnum):
    confirmed = "confirmed", _lp("registration status", "confirmed")
    waitlisted = "waitlisted", _lp("registration status", "on the waitlist")
    cancelled = "cancelled", _lp("registration status", "cancelled")


class Source(LabelledEnum):
    """How a registration came about."""

    online = "online", _lp("registration source", "signed up online")
    invitation = "invitation", _lp("registration source", "invitation link")  # a campaign's personal link
    walk_in = "walk-in", _lp("registration source", "at the door")
    staff = "staff", _lp("registration source", "entered by staff")  # a phone call, a partner's list


# What `consent_version` says where the guest did not tick the consent box on our form.
CONSENT_GIVEN_TO_STAFF = "staff"
CONSENT_AT_THE_DOOR = "walk-in"


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "email_key", name="uq_registrations_event_email"),
        Index("ix_registrations_event_status", "event_id", "status", "id"),
        # Everything the report (reports.attendance) reads of a registration, in one index: a year's
        # figures read it alone, event by event, not the scattered rows of the table.
        Index("ix_registrations_figures", "event_id", "status", "source", "checked_in_at", "cancelled_at",
              "institution_id", "affiliation", "contact_id", "person_ref", "email_key", "id"),
    )
    not_found = _l("There is no such registration for this event.")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # text.email_key of the address: one registration per address and event, whatever the
    # case. Empty for a walk-in who gave no address.
    email_key: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    # The institution staff matched the typed organisation to (OrganisationMatch), and the
    # contact this guest is, where staff linked one whose address differs (network.people).
    # Named by table: contacts stand beside registrations, not below them.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                      index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    affiliation: Mapped[Affiliation] = mapped_column(EnumText(Affiliation, 20), default=Affiliation.other)
    note: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(10), default="de")
    status: Mapped[RegistrationStatus] = mapped_column(EnumText(RegistrationStatus, 20))
    ticket_code: Mapped[str] = mapped_column(String(64), unique=True, default=new_ticket_code)
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
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
    source: Mapped[Source] = mapped_column(EnumText(Source, 20), default=Source.online)
    # When the automatic reminder before the event was queued (at most once).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the guest's details were blanked (privacy: the retention period ended, or the
    # person asked); what the figures need stays.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on anonymisation: the person's random ref (privacy.models.PersonRef), so that the figures
    # still count them once however many of their sign-ups are anonymised.
    person_ref: Mapped[str | None] = mapped_column(String(32))

    event: Mapped[Event] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_confirmed(self) -> bool:
        """The guest has a place."""
        return self.status == RegistrationStatus.confirmed

    @property
    def is_waitlisted(self) -> bool:
        """The guest waits for a place."""
        return self.status == RegistrationStatus.waitlisted

    @property
    def is_cancelled(self) -> bool:
        """The registration has been cancelled (by the guest or by staff)."""
        return self.status == RegistrationStatus.cancelled

    @property
    def is_checked_in(self) -> bool:
        """The guest has been let in."""
        return self.checked_in_at is not None

    @property
    def is_anonymised(self) -> bool:
        """The guest's details are gone; the row counts in the figures only."""
        return self.anonymised_at is not None

    @property
    def calendar_sequence(self) -> int:
        """The SEQUENCE this guest's calendar last saw: the event's plus their own changes."""
        return self.event.sequence + self.sequence_offset

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} event={self.event_id}>"


class OrganisationMatch(db.Model):
    """An organisation as guests type it, matched by staff to an institution: every registration
    with that text counts for the institution, those made later included (services.register)."""

    __tablename__ = "organisation_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # text.name_key of the typed organisation.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
