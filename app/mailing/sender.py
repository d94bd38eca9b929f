"""Delivering the outbox: claim due mails, compose them once, send over one SMTP connection.

Any number of senders may run (the web processes' background threads and
`flask mail work` processes): a mail is claimed by one conditional UPDATE, with
FOR UPDATE SKIP LOCKED on PostgreSQL so that senders do not queue behind each
other. A live sender renews its claims every CLAIM_REFRESH_SECONDS (batches.ClaimKeeper) and
waits at most MAIL_TIMEOUT_SECONDS for the server, so its claims never grow older
than MAIL_CLAIM_TIMEOUT (under a minute); a sender that dies leaves claims that do,
and another sender takes them over. Dying after sending but before recording it
means that one mail is sent again (at most one duplicate, same Message-ID): each
delivery is committed before the next mail goes out (batches.BatchRecords). While a
batch goes out, the next one is claimed and composed (batches.ComposingAhead).

Whatever goes wrong with one mail (a refused address, a server without SMTPUTF8 for
an address like jörg@example.org, any exception) ends that mail, never its batch:
only a failed connection leaves the rest of the batch for a later attempt.
"""
import logging
import os
import smtplib
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import bindparam, or_, select, update

from ..database import commit_write, utcnow, write_transaction
from ..extensions import db
from ..extensions import mail as flask_mail
from ..outbox import RETRYABLE, MailStatus, OutgoingMail, mail_waiting
from ..registrations.models import Registration
from ..registrations.reminders import queue_due_reminders
from .batches import (BatchRecords, Claimed, ClaimKeeper, ComposedBatch, ComposingAhead, DeliveryReport,
                      batch_records)
from .chores import run_due_chores
from .messages import compose, withdrawn
from .mime import build_message, envelope_address, needs_smtputf8, with_ascii_domain

log = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_BACKOFF = timedelta(hours=1)
# How often a sender renews the claims of the mails it is still working on.
CLAIM_REFRESH_SECONDS = 10
# How often a sender looks for reminders that have fallen due.
REMINDER_CHECK_SECONDS = 60


class PreparedMessage(Message):
    """A Flask-Mail message whose bytes were built by mailing.mime."""

    def __init__(self, raw: bytes, sender: str, recipient: str):
        super().__init__(sender=sender, recipients=[recipient])
        self.raw = raw

    def as_bytes(self) -> bytes:
        """The bytes mailing.mime built, sent as they are."""
        return self.raw

    def has_bad_headers(self) -> bool:
        """Never: the email package refuses header injection when it builds the message."""
        return False


class TemporaryFailure(Exception):
    """Worth trying again later: connection refused, 4xx reply, timeout."""


class PermanentFailure(Exception):
    """Will not get better: a 5xx reply, an address the server refuses."""


def sender_name() -> str:
    """This sender, as a claim names it: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim_due(limit: int = BATCH_SIZE, now: datetime | None = None, claimant: str | None = None) -> list[int]:
    """Claim up to `limit` due mails for this sender (or `claimant`) and return their ids. Commits."""
    now = now or utcnow()
    stale = now - current_app.config["MAIL_CLAIM_TIMEOUT"]
    due = or_(
        (OutgoingMail.status == MailStatus.queued) & (OutgoingMail.next_attempt_at <= now),
        (OutgoingMail.status == MailStatus.sending) & (OutgoingMail.claimed_at < stale),
    ) & OutgoingMail.anonymised_at.is_(None)
    candidates = select(OutgoingMail.id).where(due).order_by(OutgoingMail.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    with write_transaction():
        # Two statements, not UPDATE ... WHERE id IN (subquery): with stale statistics PostgreSQL
        # may run such a subquery once per row, and the LIMIT no longer bounds the batch.
        chosen = list(db.session.execute(candidates).scalars())
        if not chosen:
            return []
        claim = (
            update(OutgoingMail)
            .where(OutgoingMail.id.in_(chosen), due)
            .values(status=MailStatus.sending, claimed_at=now, claimed_by=claimant or sender_name())
            .returning(OutgoingMail.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(db.session.execute(claim).scalars())


def deliver_due(now: datetime | None = None) -> DeliveryReport:
    """Claim and deliver what is due, batch after batch, until nothing is due; the next batch is
    claimed and composed while this one goes out (batches.ComposingAhead). The claims carry the
    name of the sender, not of the thread that makes them."""
    report = DeliveryReport()
    claimant = sender_name()
    ahead = ComposingAhead(lambda: claim_due(now=now, claimant=claimant),
                           lambda ids: _compose_batch(ids, now))
    keeper = ClaimKeeper(lambda ids: _keep_claims(ids + ahead.waiting, claimant), CLAIM_REFRESH_SECONDS)
    with ahead:
        while (batch := ahead.take()) is not None:
            report.add(batch.report)
            _deliver_batch(batch.claimed, report, now, keeper)
    return report


@dataclass(frozen=True)
class Outlet:
    """Where a batch's mails go out, and where their delivery is recorded."""

    smtp: object  # a Flask-Mail connection
    records: BatchRecords


def _deliver_batch(claimed: list[Claimed], report: DeliveryReport, now: datetime | None,
                   keeper: ClaimKeeper) -> None:
    if not current_app.config["MAIL_SERVER"]:
        commit_write(update(OutgoingMail).where(OutgoingMail.id.in_([c.id for c in claimed]))
                     .values(status=MailStatus.held, claimed_at=None))
        report.held += len(claimed)
        return
    pending = list(claimed)
    with batch_records() as records:
        try:
            with flask_mail.connect() as connection:
                if connection.host is not None and connection.host.sock is not None:
                    connection.host.sock.settimeout(current_app.config["MAIL_TIMEOUT_SECONDS"])
                outlet = Outlet(connection, records)
                while pending:
                    keeper.tick([mail.id for mail in pending])
                    _send_one(outlet, pending[0], report, now)
                    pending.pop(0)
        except (OSError, smtplib.SMTPException) as exc:
            # The connection itself failed (refused, dropped, timed out): whatever
            # was not yet sent is tried again later.
            for mail in pending:
                _record_failure(mail, TemporaryFailure(_describe(exc)), report, now, records.write)


def _compose_batch(ids: list[int], now: datetime | None) -> ComposedBatch:
    """Compose the claimed mails not composed yet (outside any write lock), then store them."""
    report = DeliveryReport()
    mails = list(db.session.execute(select(OutgoingMail).where(OutgoingMail.id.in_(ids))
                                    .order_by(OutgoingMail.id)).scalars())
    # Held until the batch is composed: the session keeps an object only while something refers to it.
    _registrations = _load_registrations(mails)
    claimed, composed, broken = [], [], []
    # Asked on every attempt, composed before or not: a contact may have unsubscribed since.
    withdrawn_ids = withdrawn(mails)
    for mail in mails:
        if mail.id in withdrawn_ids:
            continue
        raw = mail.raw
        if raw is None:
            try:
                subject, raw = _compose(mail)
            except Exception as exc:  # one mail that cannot be composed must not block the rest
                log.exception("Could not compose mail %s", mail.id)
                broken.append((Claimed(mail.id, mail.recipient, mail.attempts, b""), exc))
                continue
            composed.append({"mail_id": mail.id, "subject": subject, "raw": raw})
        claimed.append(Claimed(mail.id, mail.recipient, mail.attempts, raw))
    db.session.rollback()  # end the read; the writes below take the lock only briefly
    if composed or withdrawn_ids:
        with write_transaction():
            if composed:
                # One statement for the batch (executemany). Not over an anonymisation that came
                # while a mail was being composed.
                table = OutgoingMail.__table__
                db.session.execute(update(table)
                                   .where(table.c.id == bindparam("mail_id"), table.c.anonymised_at.is_(None))
                                   .values(subject=bindparam("subject"), raw=bindparam("raw")), composed)
            if withdrawn_ids:
                db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(withdrawn_ids))
                                   .values(status=MailStatus.withdrawn, claimed_at=None, last_error=None))
        report.withdrawn += len(withdrawn_ids)
    for mail, exc in broken:
        _record_failure(mail, PermanentFailure(f"composing failed: {exc}"), report, now)
    return ComposedBatch(claimed, report)


def _load_registrations(mails: list[OutgoingMail]) -> list[Registration]:
    """The registrations (with their events) of the mails still to be composed, in one query: the
    composers then find each in the session instead of asking for it one mail at a time."""
    ids = {mail.registration_id for mail in mails if mail.raw is None and mail.registration_id is not None}
    if not ids:
        return []
    return list(db.session.execute(select(Registration).where(Registration.id.in_(ids))).scalars())


def _send_one(outlet: Outlet, mail: Claimed, report: DeliveryReport, now: datetime | None) -> None:
    connection = outlet.smtp
    sender = envelope_address(current_app.config["MAIL_DEFAULT_SENDER"])
    try:
        if needs_smtputf8(mail.recipient):
            _require_smtputf8(connection)
            # Flask-Mail's address check cannot take a non-ASCII local part (email.utils.formataddr
            # refuses it), so this one goes over the same connection without it.
            connection.host.sendmail(sender, [with_ascii_domain(mail.recipient)], mail.raw,
                                     ["SMTPUTF8", "BODY=8BITMIME"])
        else:
            connection.send(PreparedMessage(mail.raw, sender, mail.recipient))
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
        failure = PermanentFailure if _smtp_code(exc) >= 500 else TemporaryFailure
        _record_failure(mail, failure(_describe(exc)), report, now, outlet.records.write)
        _reset(connection)
        return
    except (OSError, smtplib.SMTPException):
        raise  # the connection failed: the batch's remaining mails wait for a later attempt
    except Exception as exc:  # anything else is this mail's problem, never the batch's
        log.exception("Mail %s could not be sent", mail.id)
        _record_failure(mail, PermanentFailure(_describe(exc)), report, now, outlet.records.write)
        _reset(connection)
        return
    # Recorded at once: a crash later in the batch must not resend this one. A mail anonymised
    # while it was on its way stays as the anonymisation left it.
    outlet.records.write(update(OutgoingMail)
                         .where(OutgoingMail.id == mail.id, OutgoingMail.anonymised_at.is_(None))
                         .values(status=MailStatus.sent, sent_at=utcnow(), attempts=mail.attempts + 1,
                                 last_error=None, claimed_at=None))
    report.sent += 1


class NoSmtpUtf8(Exception):
    """The address needs SMTPUTF8 and the server does not offer it."""


def _require_smtputf8(connection) -> None:
    """:raises NoSmtpUtf8: the connected server cannot take a non-ASCII address."""
    host = connection.host
    host.ehlo_or_helo_if_needed()
    if not host.has_extn("smtputf8"):
        raise NoSmtpUtf8("the mail server does not accept addresses with characters outside ASCII "
                         "before the @ (it does not offer SMTPUTF8)")


def _keep_claims(ids: list[int], claimant: str | None = None) -> None:
    """Renew this sender's (or `claimant`'s) claims on the mails it has still to send, so nobody
    takes them over."""
    commit_write(update(OutgoingMail)
                 .where(OutgoingMail.id.in_(ids), OutgoingMail.status == MailStatus.sending,
                        OutgoingMail.claimed_by == (claimant or sender_name()))
                 .values(claimed_at=utcnow()))


def _smtp_code(exc: Exception) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min(code for code, _msg in exc.recipients.values())
    return exc.smtp_code


def _reset(connection) -> None:
    """After a refused mail, clear the SMTP transaction so the connection can go on."""
    try:
        connection.host.rset()
    except (OSError, smtplib.SMTPException, AttributeError):
        pass


def _record_failure(mail: Claimed, failure: Exception, report: DeliveryReport,
                    now: datetime | None, write=commit_write) -> None:
    """Record a failed attempt: in a transaction of its own, or with `write` (BatchRecords.write)."""
    attempts = mail.attempts + 1
    values = {"attempts": attempts, "last_error": str(failure)[:2000], "claimed_at": None}
    if isinstance(failure, PermanentFailure) or attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        values["status"] = MailStatus.failed
        report.failed += 1
        log.warning("Mail %s failed for good: %s", mail.id, values["last_error"])
    else:
        base = timedelta(seconds=current_app.config["MAIL_RETRY_BASE_SECONDS"])
        values["status"] = MailStatus.queued
        values["next_attempt_at"] = (now or utcnow()) + min(base * 2 ** (attempts - 1), MAX_BACKOFF)
        report.retried += 1
        log.info("Mail %s will be retried: %s", mail.id, values["last_error"])
    # Not over an anonymisation that came meanwhile: the server's reply names the address.
    write(update(OutgoingMail).where(OutgoingMail.id == mail.id, OutgoingMail.anonymised_at.is_(None))
          .values(**values))


def _describe(exc: Exception) -> str:
    def text(message):
        return message.decode(errors="replace") if isinstance(message, bytes) else str(message)

    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text(msg)}" for code, msg in exc.recipients.values())
    if isinstance(exc, NoSmtpUtf8):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _compose(mail: OutgoingMail) -> tuple[str, bytes]:
    content = compose(mail)
    config = current_app.config
    message = build_message(content, sender=config["MAIL_DEFAULT_SENDER"], recipient=mail.recipient,
                            message_id=mail.message_id, date=mail.created_at,
                            reply_to=config["ORGANIZER_EMAIL"])
    return content.subject, message.as_bytes()


def ensure_composed(mail: OutgoingMail) -> OutgoingMail:
    """Compose a mail now if no sender has yet (for the development mailbox); an anonymised one
    stays as it is, without content."""
    if mail.raw is None and mail.anonymised_at is None:
        mail_id = mail.id
        subject, raw = _compose(mail)
        db.session.rollback()
        commit_write(update(OutgoingMail).where(OutgoingMail.id == mail_id, OutgoingMail.raw.is_(None),
                                                OutgoingMail.anonymised_at.is_(None))
                     .values(subject=subject, raw=raw))
        mail = db.session.get(OutgoingMail, mail_id)
    return mail


def retry(mail_id: int) -> bool:
    """Put a failed (or held) mail back into the queue, due now; False if it was neither."""
    with write_transaction() as tx:
        queued = db.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id, OutgoingMail.status.in_(RETRYABLE),
                   OutgoingMail.anonymised_at.is_(None))
            .values(status=MailStatus.queued, next_attempt_at=tx.now, attempts=0)
        ).rowcount == 1
    if queued:
        mail_waiting.set()
    return queued


def work(*, once: bool = False, idle_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    """Deliver the outbox until stopped; with `once`, drain what is due and return.

    Running until stopped, it also does the registered chores (the privacy purge) when they
    are due, the first time on starting; `once` only delivers (and queues due reminders).
    """
    stop = stop or threading.Event()
    reminders_due_at = time.monotonic()
    chores_due_at: dict[str, float] = {}
    while not stop.is_set():
        try:
            if not once:
                run_due_chores(chores_due_at)
            if time.monotonic() >= reminders_due_at:
                reminders_due_at = time.monotonic() + REMINDER_CHECK_SECONDS
                queue_due_reminders()
            report = deliver_due()
        except Exception:
            db.session.rollback()
            log.exception("The mail sender hit an error; trying again shortly")
            report = DeliveryReport()
        finally:
            db.session.remove()
        if once:
            return
        if not report.handled:
            mail_waiting.wait(idle_seconds)
            mail_waiting.clear()


_background = {"pid": None}
_background_lock = threading.Lock()


def start_background_sender(app) -> None:
    """One sender thread per process, started after gunicorn forks (first request)."""
    if not app.config.get("MAIL_BACKGROUND") or _background["pid"] == os.getpid():
        return
    with _background_lock:
        if _background["pid"] == os.getpid():
            return
        _background["pid"] = os.getpid()

        def run():
            with app.app_context():
                work()

        threading.Thread(target=run, name="podium-mail-sender", daemon=True).start()
