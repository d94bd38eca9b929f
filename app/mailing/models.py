"""The contact network and the invitation campaigns mailed to it."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..outbox import OutgoingMail
from ..registrations.models import Registration
from ..registrations.tickets import new_manage_token


class OrganisationKind(str, enum.Enum):
    chamber = "chamber"
    employment_agency = "employment-agency"
    city = "city"
    district = "district"
    charity = "charity"
    school = "school"
    company = "company"
    volunteer = "volunteer"
    other = "other"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.chamber.value: _l("Chamber (IHK, HWK)"),
    OrganisationKind.employment_agency.value: _l("Employment agency / job centre"),
    OrganisationKind.city.value: _l("City"),
    OrganisationKind.district.value: _l("District"),
    OrganisationKind.charity.value: _l("Charity"),
    OrganisationKind.school.value: _l("School"),
    OrganisationKind.company.value: _l("Company"),
    OrganisationKind.volunteer.value: _l("Volunteer initiative"),
    OrganisationKind.other.value: _l("Other"),
}


class Contact(db.Model):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # Lower-cased email: unique, whatever the case it was typed in.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    organisation_kind: Mapped[str] = mapped_column(String(30), default=OrganisationKind.other.value)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(10), default="de")
    # Where the contact came from ("CSV import network.csv", "typed in", "sign-up") and when.
    source: Mapped[str] = mapped_column(String(200), default="")
    source_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The key of the one-click unsubscribe link: random, never derived from the address.
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_manage_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_unsubscribed(self) -> bool:
        return self.unsubscribed_at is not None

    @property
    def organisation_kind_label(self) -> str:
        return str(ORGANISATION_KIND_LABELS.get(self.organisation_kind, ""))


class CampaignStatus(str, enum.Enum):
    draft = "draft"
    sending = "sending"  # recipients and their outbox rows exist; mails go out
    sent = "sent"


class Campaign(db.Model):
    """An invitation to one event, mailed to an audience of contacts."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    # Placeholders: {name}, {event}, {date}, {link}.
    body: Mapped[str] = mapped_column(Text)
    # {"all": true} | {"tags": [...]} | {"kinds": [...]} | {"emails": [...]} (combinations: any of them)
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.draft.value)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()


class CampaignRecipient(db.Model):
    """One contact of one campaign: at most one invitation, whatever happens."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_recipients_contact"),
        Index("ix_campaign_recipients_campaign", "campaign_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    # The personal invitation link's key (random, 192 bits).
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_manage_token)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mails.id", ondelete="SET NULL"))
    reminder_mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mails.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    contact: Mapped[Contact] = relationship()
    mail: Mapped[OutgoingMail | None] = relationship(foreign_keys=[mail_id])
    registration: Mapped[Registration | None] = relationship()
