"""Invitation campaigns: an invitation to one event, mailed to an audience of contacts."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..contacts.models import Contact
from ..database import EnumText, UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..links import new_link_token
from ..outbox import OutgoingMail
from ..registrations.models import Registration


class CampaignStatus(enum.StrEnum):
    draft = "draft"
    # Recipients and their outbox rows exist; whether all went out is the outbox's to say
    # (services.campaign_progress).
    sending = "sending"


class Campaign(db.Model):
    """An invitation to one event, mailed to an audience of contacts."""

    __tablename__ = "campaigns"
    not_found = _l("There is no such campaign.")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    # Placeholders: {name}, {event}, {date}, {link}.
    body: Mapped[str] = mapped_column(Text)
    # {"all": true} | {"tags": [...]} | {"kinds": [...]} | {"emails": [...]} (combinations: any of them)
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[CampaignStatus] = mapped_column(EnumText(CampaignStatus, 20), default=CampaignStatus.draft)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    texts: Mapped[list["CampaignText"]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                                       order_by="CampaignText.locale")

    @property
    def is_draft(self) -> bool:
        """Not sent yet: text and audience may still change."""
        return self.status == CampaignStatus.draft


class CampaignText(db.Model):
    """A campaign's subject and body in one more language (the campaign's own are German); a
    contact whose language has one gets it, in a frame of that language."""

    __tablename__ = "campaign_texts"
    __table_args__ = (UniqueConstraint("campaign_id", "locale", name="uq_campaign_texts_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="texts")


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
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mails.id", ondelete="SET NULL"))
    reminder_mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mails.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    contact: Mapped[Contact] = relationship()
    mail: Mapped[OutgoingMail | None] = relationship(foreign_keys=[mail_id])
    registration: Mapped[Registration | None] = relationship()
