"""Anonymising registrations: their personal columns blanked, and everything that refers to them.

What "personal" means, and what each such column becomes, is the registry's to say; this
module only finds the rows. For each registration that is not yet anonymised:

- the registration first gets its person's ref (privacy.models: the ref kept for its identity,
  made if there is none; a walk-in without address gets a random ref of its own), so that the
  figures still count the person once; then the blanks of its personal columns (name, address,
  organisation, note; new random ticket and page keys, so old links lead nowhere) and
  `anonymised_at`;
- its mails lose address, subject, stored body, personal facts and error text, and any that
  had not gone out is withdrawn: it will never be composed or sent;
- the history entries about it keep only states;
- an invitation it came through, and a feedback request it was asked, no longer point to it
  (the contact, or the answers of a named form, would name the guest).

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
from ..database import insert_with_conflicts
from ..extensions import db
from ..outbox import MailStatus, OutgoingMail
from ..registrations.models import Registration
from ..surveys.models import SurveyInvitation
from .models import PersonRef, new_person_ref, registration_identity, with_registration_person
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
    refs = _person_refs(condition)
    for registration in fresh:
        registration.person_ref = refs.get(registration.id) or new_person_ref()
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
    db.session.execute(update(SurveyInvitation).where(SurveyInvitation.registration_id.in_(these))
                       .values(registration_id=None).execution_options(synchronize_session=False))
    db.session.flush()
    return Anonymised(len(fresh), mails)


def _person_refs(condition) -> dict[int, str]:
    """{registration id: its person's ref} for the rows about to be anonymised that have an identity;
    refs not kept yet are made. Two purges that meet on one person keep the one ref first written."""
    identity = registration_identity()
    identities = with_registration_person(select(Registration.id, identity.label("identity"))).where(
        condition, Registration.anonymised_at.is_(None), identity.is_not(None))
    by_registration = dict(db.session.execute(identities).all())
    if not by_registration:
        return {}
    db.session.execute(insert_with_conflicts(PersonRef).on_conflict_do_nothing(index_elements=["identity"]),
                       [{"identity": identity, "ref": new_person_ref()}
                        for identity in sorted(set(by_registration.values()))])
    refs = dict(db.session.execute(select(PersonRef.identity, PersonRef.ref)
                                   .where(PersonRef.identity.in_(set(by_registration.values())))).all())
    return {registration_id: refs[identity] for registration_id, identity in by_registration.items()}


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
