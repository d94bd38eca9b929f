"""The outbox: every mail is first a row here, written in the transaction that caused it.

It stands below the features, so that registrations and events can enqueue a mail
in their own transaction. Composing (mailing.messages) and delivering
(mailing.sender) happen after the commit, outside any lock.
"""
import enum
import threading
import uuid
from datetime import datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import db


class MailStatus(str, enum.Enum):
    """The states of an outbox mail (labels in STATUS_LABELS below)."""

    queued = "queued"  # waiting for a sender (again, after a temporary failure)
    sending = "sending"  # claimed by one sender
    sent = "sent"  # accepted by the SMTP server
    held = "held"  # no MAIL_SERVER: kept in the development mailbox, never sent
    failed = "failed"  # permanent failure; staff can retry


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mails"
    __table_args__ = (Index("ix_outgoing_mails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What to compose: a template family such as "registration_confirmed".
    kind: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10), default="de")
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    # Facts frozen at the moment of the cause, e.g. the calendar SEQUENCE.
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.queued.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Filled when first composed, then sent byte for byte on every attempt.
    subject: Mapped[str | None] = mapped_column(String(300))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_retryable(self) -> bool:
        return self.status in (MailStatus.failed.value, MailStatus.held.value)

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.id} {self.kind} {self.status}>"


STATUS_LABELS = {
    MailStatus.queued.value: _lp("mail status", "queued"),
    MailStatus.sending.value: _lp("mail status", "sending"),
    MailStatus.sent.value: _lp("mail status", "sent"),
    MailStatus.held.value: _lp("mail status", "kept (not sent)"),
    MailStatus.failed.value: _lp("mail status", "failed"),
}


# Set after a commit that enqueued mail: wakes this process's background sender.
mail_waiting = threading.Event()


def enqueue(kind: str, recipient: str, *, locale: str = "de", registration_id: int | None = None,
            params: dict | None = None, domain: str = "podium") -> OutgoingMail:
    """Add a mail to the outbox in the current transaction (no commit, no I/O)."""
    mail = OutgoingMail(
        kind=kind,
        recipient=recipient,
        locale=locale,
        registration_id=registration_id,
        params=params or {},
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        next_attempt_at=utcnow(),
    )
    db.session.add(mail)
    db.session.info["mail_enqueued"] = True
    return mail


@event.listens_for(Session, "after_commit")
def _wake_sender(session: Session) -> None:
    if session.info.pop("mail_enqueued", False):
        mail_waiting.set()


@event.listens_for(Session, "after_rollback")
def _forget_enqueued(session: Session) -> None:
    session.info.pop("mail_enqueued", None)
