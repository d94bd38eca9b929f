"""The outbox: every mail is first a row here, written in the transaction that caused it.

It stands below the features, so that registrations and events can enqueue a mail
in their own transaction. Composing (mailing.messages) and delivering
(mailing.sender) happen after the commit, outside any lock.
"""
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, event, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import EnumText, LabelledEnum, UTCDateTime, utcnow
from .extensions import db


class MailStatus(LabelledEnum):
    """The states of an outbox mail."""

    # Waiting for a sender (again, after a temporary failure).
    queued = "queued", _lp("mail status", "queued")
    # Claimed by one sender.
    sending = "sending", _lp("mail status", "sending")
    # Accepted by the SMTP server.
    sent = "sent", _lp("mail status", "sent")
    # No MAIL_SERVER: kept in the development mailbox, never sent.
    held = "held", _lp("mail status", "kept (not sent)")
    # Permanent failure; staff can retry.
    failed = "failed", _lp("mail status", "failed")
    # Not sent because its reason went away before delivery (the contact unsubscribed,
    # the invited guest registered meanwhile): a state, not a failure.
    withdrawn = "withdrawn", _lp("mail status", "withdrawn (no longer wanted)")


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mails"
    not_found = _l("There is no such mail.")
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
    status: Mapped[MailStatus] = mapped_column(EnumText(MailStatus, 20), default=MailStatus.queued)
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
    # When its recipient, subject and stored body were deleted (privacy): the row stays as a
    # record that a mail of this kind went out, and is never composed or sent again.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_retryable(self) -> bool:
        """Whether staff may send it again (failed, or kept without a mail server)."""
        return self.status in RETRYABLE and self.anonymised_at is None

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.id} {self.kind} {self.status}>"


# What staff may send again: a failure, or a mail kept while no server was configured.
RETRYABLE = (MailStatus.failed, MailStatus.held)


# Set after a commit that enqueued mail: wakes this process's background sender.
mail_waiting = threading.Event()


def enqueue(kind: str, recipient: str, *, locale: str = "de", registration_id: int | None = None,
            params: dict | None = None) -> OutgoingMail:
    """Add a mail to the outbox in the current transaction (no commit, no I/O)."""
    mail = OutgoingMail(kind=kind, recipient=recipient, locale=locale, registration_id=registration_id,
                        params=params or {}, message_id=new_message_id(), next_attempt_at=utcnow())
    db.session.add(mail)
    note_enqueued()
    return mail


@dataclass(frozen=True)
class NewMail:
    """One mail for enqueue_many."""

    kind: str
    recipient: str
    locale: str
    params: dict
    registration_id: int | None = None


_INSERT_MAILS = insert(OutgoingMail.__table__).returning(OutgoingMail.__table__.c.id,
                                                        OutgoingMail.__table__.c.message_id)


def enqueue_many(mails: list[NewMail], now: datetime) -> list[int]:
    """Add many mails in one bulk INSERT (no commit); their ids, in the same order.

    For campaigns to thousands of contacts, where an ORM object per mail would cost
    seconds, and for a new guest's mail (registrations.new_guests); the rows are the same
    as enqueue() writes.
    """
    rows = [mail_row(mail, now) for mail in mails]
    ids = {message_id: mail_id for mail_id, message_id in db.session.execute(_INSERT_MAILS, rows)}
    note_enqueued()
    return [ids[row["message_id"]] for row in rows]


# The columns mail_row fills, in its order.
NEW_MAIL_COLUMNS = ("kind", "recipient", "locale", "registration_id", "params", "message_id", "status", "attempts",
                    "next_attempt_at", "created_at")


def mail_row(mail: NewMail, now: datetime) -> dict:
    """The outbox row of a new mail, as enqueue() writes it (NEW_MAIL_COLUMNS)."""
    return dict(zip(NEW_MAIL_COLUMNS, (mail.kind, mail.recipient, mail.locale, mail.registration_id, mail.params,
                                       new_message_id(), MailStatus.queued, 0, now, now), strict=True))


def note_enqueued() -> None:
    """Mail was queued in this transaction: its commit wakes this process's sender."""
    db.session.info["mail_enqueued"] = True


def new_message_id() -> str:
    """A Message-ID of its own for every mail, kept for every attempt to send it."""
    return f"<{uuid.uuid4().hex}@podium>"


@event.listens_for(Session, "after_commit")
def _wake_sender(session: Session) -> None:
    if session.info.pop("mail_enqueued", False):
        mail_waiting.set()


@event.listens_for(Session, "after_rollback")
def _forget_enqueued(session: Session) -> None:
    session.info.pop("mail_enqueued", None)
