"""Anonymising registrations: their personal columns blanked, and everything that refers to them.

What "personal" means, and what each such column becomes, is the registry's to say; this
module only finds the rows. For each registration that is not yet anonymised:

- the registration gets the blanks of its personal columns (name, address, organisation,
  note; new random ticket and page keys, so old links lead nowhere) and `anonymised_at`;
- its mails lose address, subject, stored body, personal facts and error text, and any that
  had not gone out is withdrawn: it will never be composed or sent;
- the history entries about it keep only states;
- an invitation it came through no longer points to it (the contact would name the guest).

What the figures need stays: status, how the guest took part, source, language, when they
signed up, moved, cancelled and came, and the door log. A row that is anonymised already is
left alone, so running this twice changes nothing the second time. The caller holds the
write transaction, and the lock of the event whose registrations it anonymises.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from ..audit import AuditEntry
from ..campaigns.models import CampaignRecipient
from ..extensions import db
from ..outbox import MailStatus, OutgoingMail
from ..registrations.models import Registration
from .registry import blanked_values

# A mail in one of these states has not gone out: anonymised, it never will. One a sender holds
# (sending) may be on its way already; the sender then leaves the anonymised row as it is.
NOT_SENT = (MailStatus.queued, MailStatus.sending, MailStatus.failed, MailStatus.held)


@dataclass(frozen=True)
class Anonymised:
    """What one anonymisation changed."""

    registrations: int = 0
    mails: int = 0


def anonymise_registrations(condition, now: datetime) -> Anonymised:
    """Anonymise the registrations that match `condition` (a WHERE clause on Registration) and are
    not anonymised yet, with their mails, history and invitation links. Flushes, no commit."""
    fresh = list(db.session.execute(
        select(Registration).where(condition, Registration.anonymised_at.is_(None))
        .order_by(Registration.id).execution_options(populate_existing=True)).scalars())
    if not fresh:
        return Anonymised()
    for registration in fresh:
        for column, value in blanked_values("registrations", registration).items():
            setattr(registration, column, value)
        registration.anonymised_at = now
    db.session.flush()
    # The rows just anonymised, as a subquery: an event may have more registrations than a
    # statement may carry parameters.
    these = select(Registration.id).where(condition, Registration.anonymised_at == now).scalar_subquery()
    mails = anonymise_mails(OutgoingMail.registration_id.in_(these), now)
    for entry in db.session.execute(select(AuditEntry).where(AuditEntry.registration_id.in_(these))).scalars():
        entry.changes = blanked_values("audit_entries", entry)["changes"]
    db.session.execute(update(CampaignRecipient).where(CampaignRecipient.registration_id.in_(these))
                       .values(registration_id=None).execution_options(synchronize_session=False))
    db.session.flush()
    return Anonymised(len(fresh), mails)


def anonymise_mails(condition, now: datetime) -> int:
    """Blank the outbox rows that match `condition` and are not anonymised yet; withdraw those not
    sent. Returns how many. Flushes, no commit."""
    mails = list(db.session.execute(
        select(OutgoingMail).where(condition, OutgoingMail.anonymised_at.is_(None))
        .order_by(OutgoingMail.id)).scalars())
    for mail in mails:
        for column, value in blanked_values("outgoing_mails", mail).items():
            setattr(mail, column, value)
        if mail.status in NOT_SENT:
            mail.status = MailStatus.withdrawn
        mail.anonymised_at = now
    db.session.flush()
    return len(mails)
