"""The record of every check-in and undo at the door: who, when, how, which device."""
from datetime import datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import EnumText, LabelledEnum, UTCDateTime, utcnow
from ..extensions import db
from ..registrations.models import Registration


class CheckInAction(LabelledEnum):
    check_in = "check_in", _lp("door log", "Check-in")
    undo = "undo", _lp("door log", "Undo")


class CheckInMethod(LabelledEnum):
    """How the door found the guest."""

    scan = "scan", _lp("door log", "ticket scanned")  # a scanned or typed code
    search = "search", _lp("door log", "found by name")  # without the ticket
    walk_in = "walk-in", _lp("door log", "walk-in")  # registered at the door
    ticket_page = "ticket page", _lp("door log", "ticket page")  # a ticket opened with any phone
    undo = "undo", _lp("door log", "undone")


class CheckInRecord(db.Model):
    __tablename__ = "checkin_records"
    __table_args__ = (
        # A scanner's retry carries the same nonce: it must find the first answer.
        UniqueConstraint("event_id", "nonce", name="uq_checkin_records_event_nonce"),
        Index("ix_checkin_records_registration", "registration_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    action: Mapped[CheckInAction] = mapped_column(EnumText(CheckInAction, 20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    # Kept as text so the record stays readable after a user or token is deleted.
    actor: Mapped[str] = mapped_column(String(200))
    device: Mapped[str] = mapped_column(String(200), default="")
    nonce: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[CheckInMethod] = mapped_column(EnumText(CheckInMethod, 20), default=CheckInMethod.scan)

    registration: Mapped[Registration] = relationship()
