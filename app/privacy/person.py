"""One person, found by email address: everything Podium holds about them, and erasing it.

A person is an address, matched as the app matches addresses everywhere (text.email_key:
case and surrounding blanks do not count). Under it Podium may hold registrations (with
their check-ins and history), a contact (with its consent record, invitations and history),
mails (about those registrations, and campaign mails to the address) and the address in a
campaign's pasted audience.

Erasing takes the person's own steps first, as they would: each registration they could
still cancel is cancelled through registrations.services (their place goes to the first in
line, who is mailed). Then, in one transaction under the locks of their events, every
registration is anonymised like the retention period does (the figures stay), their other
mails are anonymised, and their address leaves pasted audiences; last, the contact is
deleted through contacts.services, and the ref the figures knew the person by is forgotten
(privacy.models: their anonymised rows still count, as nobody's). The history records that a
person's data was erased, how much of it, and by whom, never whose. Mails to the person that
had not gone out are withdrawn: after erasing, Podium mails them nothing, not even a
confirmation.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload

from ..audit import Actor, AuditAction, AuditEntry, entries_for_contact, record
from ..campaigns.models import Campaign, CampaignRecipient
from ..checkin.models import CheckInRecord
from ..contacts.models import Contact
from ..contacts.services import contact_deleting, delete_contact
from ..database import write_transaction
from ..errors import AlreadyCancelled, NotFound, RegistrationRefused
from ..events.models import Event
from ..extensions import db
from ..outbox import OutgoingMail
from ..registrations.models import Registration
from ..registrations.services import can_cancel, cancel_registration
from ..text import clean_line, email_key
from .anonymise import anonymise_mails, anonymise_registrations
from .models import PersonRef

# Who the history names when a guest erased their own data from the link we mailed them.
THE_PERSON = Actor(name="the person themselves")


@dataclass
class Person:
    """Everything Podium holds under one address, as it stands now."""

    email: str
    registrations: list[Registration] = field(default_factory=list)
    check_ins: dict[int, list[CheckInRecord]] = field(default_factory=dict)  # registration id -> records
    history: dict[int, list[AuditEntry]] = field(default_factory=dict)  # registration id -> entries
    contact: Contact | None = None
    contact_history: list[AuditEntry] = field(default_factory=list)
    invitations: list[CampaignRecipient] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    audiences: list[Campaign] = field(default_factory=list)  # campaigns whose pasted list names the address

    @property
    def key(self) -> str:
        """The address as Podium matches it."""
        return email_key(self.email)

    @property
    def is_empty(self) -> bool:
        """Podium holds nothing under this address."""
        return not (self.registrations or self.contact or self.mails or self.audiences)


@dataclass(frozen=True)
class Erasure:
    """What erasing a person did."""

    registrations: int  # anonymised
    cancelled: int  # of them, cancelled first (their places went to the waitlist)
    mails: int  # anonymised
    contact: bool  # the contact was deleted
    audiences: int  # campaigns whose pasted list lost the address


def find_person(email: str) -> Person:
    """Everything held under `email` (as the app matches addresses)."""
    person = Person(clean_line(email or ""))
    key = person.key
    if not key:
        return person
    person.registrations = list(db.session.execute(
        select(Registration).join(Event).where(Registration.email_key == key)
        .order_by(Event.starts_at.desc(), Registration.id)).scalars())
    ids = [registration.id for registration in person.registrations]
    for record_ in db.session.execute(select(CheckInRecord).where(CheckInRecord.registration_id.in_(ids))
                                      .order_by(CheckInRecord.id)).scalars():
        person.check_ins.setdefault(record_.registration_id, []).append(record_)
    for entry in db.session.execute(select(AuditEntry).where(AuditEntry.registration_id.in_(ids))
                                    .order_by(AuditEntry.id)).scalars():
        person.history.setdefault(entry.registration_id, []).append(entry)
    person.contact = db.session.execute(select(Contact).where(Contact.email_key == key)).scalar_one_or_none()
    if person.contact is not None:
        person.contact_history = entries_for_contact(person.contact.id)
        person.invitations = list(db.session.execute(
            select(CampaignRecipient).options(joinedload(CampaignRecipient.campaign))
            .where(CampaignRecipient.contact_id == person.contact.id).order_by(CampaignRecipient.id)).scalars())
    person.mails = list(db.session.execute(
        select(OutgoingMail).where(_mails_of(key, ids), OutgoingMail.anonymised_at.is_(None))
        .order_by(OutgoingMail.id)).scalars())
    person.audiences = _audiences_naming(key)
    return person


def erase_person(email: str, *, by: Actor, now: datetime | None = None) -> Erasure:
    """Erase everything held under `email`: cancel what can be cancelled, anonymise the
    registrations and mails, take the address out of pasted audiences, delete the contact.
    Commits (in steps; see the module's docstring).

    :raises NotFound: Podium holds nothing under the address.
    """
    person = find_person(email)
    if person.is_empty:
        raise NotFound()
    key = person.key
    cancelled = 0
    for registration in person.registrations:
        if can_cancel(registration, now):
            try:
                cancel_registration(registration.id, by=None if by is THE_PERSON else by, now=now)
                cancelled += 1
            except (AlreadyCancelled, RegistrationRefused, NotFound):
                pass  # changed meanwhile: anonymised below all the same
    with write_transaction(now=now) as tx:
        _lock_events_of(key)
        ids = list(db.session.execute(select(Registration.id).where(Registration.email_key == key)).scalars())
        by_event = dict(db.session.execute(select(Registration.id, Registration.event_id)
                                           .where(Registration.id.in_(ids))).all())
        done = anonymise_registrations(Registration.id.in_(ids), tx.now)
        mails = done.mails + anonymise_mails(_mails_of(key, []), tx.now)
        audiences = _leave_audiences(key)
        for registration_id in ids:
            record(by, AuditAction.registration_erased, at=tx.now, event_id=by_event[registration_id],
                   registration_id=registration_id)
        contact_id = db.session.execute(select(Contact.id).where(Contact.email_key == key)).scalar_one_or_none()
        record(by, AuditAction.person_erased, at=tx.now, changes={
            "registrations": done.registrations, "mails": mails, "contact": contact_id is not None})
    if contact_id is not None:
        try:
            delete_contact(contact_id, by=by)
        except NotFound:
            contact_id = None  # deleted meanwhile
    with write_transaction(now=now):
        db.session.execute(delete(PersonRef).where(PersonRef.identity == key)
                           .execution_options(synchronize_session=False))
    return Erasure(done.registrations, cancelled, mails, contact_id is not None, audiences)


def recent_erasures(limit: int = 10) -> list[AuditEntry]:
    """The newest erasures (who erased, when, how much; never whose data)."""
    query = select(AuditEntry).where(AuditEntry.action == AuditAction.person_erased)
    return list(db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())


def _mails_of(key: str, registration_ids: list[int]):
    """The outbox rows of a person: to their address, or about their registrations (a WHERE clause)."""
    to_address = func.lower(func.trim(OutgoingMail.recipient)) == key
    return or_(to_address, OutgoingMail.registration_id.in_(registration_ids)) if registration_ids else to_address


def _audiences_naming(key: str) -> list[Campaign]:
    campaigns = db.session.execute(select(Campaign).order_by(Campaign.id)).scalars()
    return [campaign for campaign in campaigns
            if any(email_key(address) == key for address in (campaign.audience or {}).get("emails") or [])]


def _leave_audiences(key: str) -> int:
    """Take the address out of every pasted list of addresses; how many campaigns named it."""
    campaigns = _audiences_naming(key)
    for campaign in campaigns:
        audience = dict(campaign.audience)
        audience["emails"] = [address for address in audience["emails"] if email_key(address) != key]
        campaign.audience = audience
    return len(campaigns)


def _lock_events_of(key: str) -> None:
    """Lock the rows of the person's events, in id order (PostgreSQL; SQLite's write lock covers all):
    no sign-up, cancellation or check-in of theirs runs while their registrations are anonymised."""
    event_ids = select(Registration.event_id).where(Registration.email_key == key)
    db.session.execute(select(Event.id).where(Event.id.in_(event_ids)).order_by(Event.id).with_for_update())


@contact_deleting.connect
def _forget_mails_to(contact: Contact, now: datetime) -> None:
    """A deleted contact's invitations and reminders go with it: the mails to their address that are
    about no registration (those follow the registration's retention period)."""
    to_address = func.lower(func.trim(OutgoingMail.recipient)) == contact.email_key
    anonymise_mails(to_address & OutgoingMail.registration_id.is_(None), now)
