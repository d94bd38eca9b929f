"""One person across the network: everything a contact did, and the sign-ups of people who are
no contact yet.

A contact's registrations are matched by address (text.email_key), as everywhere in Podium,
and by the links staff made: a sign-up under another address that staff linked to the contact
(Registration.contact_id) makes that address the contact's too, so later sign-ups under it join
the person without another click. Whether someone takes part full-time or as a volunteer is a
property of the person: what staff set on the contact, else what they said at their latest
sign-up.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from ..affiliation import Affiliation
from ..audit import Actor, AuditAction, record
from ..campaigns.models import CampaignRecipient
from ..contacts import services as contacts
from ..contacts.models import Contact
from ..database import get_row, write_transaction
from ..errors import NotFound
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from .models import MeetingPresence, WorkingGroupMember

# Where a person's affiliation comes from.
SET_BY_STAFF = "staff"
FROM_SIGN_UP = "sign-up"


@dataclass(frozen=True)
class PersonAffiliation:
    """Full-time or volunteer, and where Podium has it from (None and "": nobody said)."""

    value: Affiliation | None
    source: str = ""
    registration: Registration | None = None  # the sign-up it was taken from


@dataclass(frozen=True)
class Invitation:
    recipient: CampaignRecipient
    sent_at: datetime | None  # when the mail went out (None: not (yet) sent)
    signed_up: bool  # through the link, or under the person's address


@dataclass
class PersonRecord:
    """Everything one contact did in the network, newest first."""

    contact: Contact
    affiliation: PersonAffiliation
    invitations: list[Invitation] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    attended: list[Registration] = field(default_factory=list)
    groups: list[WorkingGroupMember] = field(default_factory=list)
    meetings: list[Event] = field(default_factory=list)  # recorded meetings the person was present at


@dataclass(frozen=True)
class UnlinkedPerson:
    """Someone who signed up under an address no contact has: their latest sign-up, and how many."""

    latest: Registration
    registrations: int


def person_record(contact_id: int) -> PersonRecord:
    """A contact's invitations, registrations, attendance, working groups and recorded meetings.

    :raises NotFound:
    """
    contact = contacts.get_contact(contact_id)
    registrations = registrations_of(contact)
    person = PersonRecord(contact, affiliation_of(contact, registrations), registrations=registrations,
                          attended=sorted((r for r in registrations if r.checked_in_at is not None),
                                          key=lambda r: r.checked_in_at, reverse=True))
    events_signed_up = {r.event_id for r in registrations if not r.is_cancelled}
    recipients = db.session.execute(
        select(CampaignRecipient)
        .options(joinedload(CampaignRecipient.campaign), joinedload(CampaignRecipient.mail))
        .where(CampaignRecipient.contact_id == contact.id).order_by(CampaignRecipient.created_at.desc(),
                                                                    CampaignRecipient.id.desc())).scalars()
    person.invitations = [Invitation(recipient, recipient.mail.sent_at if recipient.mail else None,
                                     recipient.registration_id is not None
                                     or recipient.campaign.event_id in events_signed_up)
                          for recipient in recipients]
    person.groups = list(db.session.execute(
        select(WorkingGroupMember).options(joinedload(WorkingGroupMember.group))
        .where(WorkingGroupMember.contact_id == contact.id)
        .order_by(WorkingGroupMember.joined_at.desc(), WorkingGroupMember.id.desc())).scalars())
    person.meetings = list(db.session.execute(
        select(Event).join(MeetingPresence, MeetingPresence.event_id == Event.id)
        .where(MeetingPresence.contact_id == contact.id)
        .order_by(Event.starts_at.desc(), Event.id.desc())).scalars())
    return person


def registrations_of(contact: Contact) -> list[Registration]:
    """The contact's registrations, the newest event first: under their address, linked to them by
    staff, or under an address staff linked to them before."""
    linked = select(Registration.email_key).where(Registration.contact_id == contact.id,
                                                  Registration.email_key.is_not(None))
    query = (select(Registration).join(Event)
             .where(or_(Registration.email_key == contact.email_key, Registration.contact_id == contact.id,
                        Registration.email_key.in_(linked)))
             .order_by(Event.starts_at.desc(), Registration.id.desc()))
    return list(db.session.execute(query).scalars())


def affiliation_of(contact: Contact, registrations: list[Registration] | None = None) -> PersonAffiliation:
    """Full-time or volunteer: as staff set it on the contact, else as the person said at their latest
    sign-up, else unknown."""
    if contact.affiliation is not None:
        return PersonAffiliation(contact.affiliation, SET_BY_STAFF)
    signed_up = registrations if registrations is not None else registrations_of(contact)
    latest = max(signed_up, key=lambda r: (r.created_at, r.id), default=None)
    if latest is None:
        return PersonAffiliation(None)
    return PersonAffiliation(latest.affiliation, FROM_SIGN_UP, latest)


def unlinked_people() -> list[UnlinkedPerson]:
    """Everyone who signed up under an address that is no contact's (nor linked to one), the latest
    sign-up first."""
    latest: dict[str, Registration] = {}
    counts: dict[str, int] = {}
    for registration in db.session.execute(_unlinked().order_by(Registration.created_at.desc(),
                                                                 Registration.id.desc())).scalars():
        latest.setdefault(registration.email_key, registration)
        counts[registration.email_key] = counts.get(registration.email_key, 0) + 1
    return [UnlinkedPerson(registration, counts[key]) for key, registration in latest.items()]


def count_unlinked() -> int:
    """How many people signed up under an address that is no contact's."""
    unlinked = _unlinked().subquery()
    return db.session.execute(select(func.count(func.distinct(unlinked.c.email_key)))).scalar_one()


def unlinked_person(registration_id: int) -> UnlinkedPerson:
    """The person behind a registration, while their address is no contact's.

    :raises NotFound: no such registration, or its person is a contact (or linked to one) by now.
    """
    registration = get_row(Registration, registration_id)
    found = list(db.session.execute(_unlinked().where(Registration.email_key == registration.email_key)
                                    .order_by(Registration.created_at.desc(), Registration.id.desc())).scalars())
    if not found:
        raise NotFound(Registration.not_found)
    return UnlinkedPerson(found[0], len(found))


def link_to_contact(registration_id: int, contact_id: int, *, by: Actor, now: datetime | None = None) -> int:
    """Tie every registration under the address of `registration_id` to a contact: they are this
    person's (and so are later ones under that address). Returns how many. Commits.

    :raises NotFound: the registration or the contact is not there, or the person is a contact by now.
    """
    key = unlinked_person(registration_id).latest.email_key
    with write_transaction(lock=(Contact, contact_id), now=now) as tx:
        linked = db.session.execute(
            update(Registration).where(Registration.email_key == key, Registration.contact_id.is_(None))
            .values(contact_id=tx.row.id).execution_options(synchronize_session=False)).rowcount
        record(by, AuditAction.registrations_linked, at=tx.now, contact_id=tx.row.id,
               changes={"registrations": linked})
        return linked


def make_contact(registration_id: int, *, by: Actor) -> Contact:
    """A contact made from a person's latest sign-up: name, address, institution (the one the sign-up
    counts for, else the organisation they typed, found or added), language. No consent is recorded:
    staff are warned before mailing them, as for every contact without one. How they take part stays
    what their sign-ups say. Commits.

    :raises NotFound: the person is a contact by now.
    :raises contacts.ContactRefused: the sign-up's details do not make a contact.
    """
    latest = unlinked_person(registration_id).latest
    languages = current_app.config["LANGUAGES"]
    data = {"name": latest.name, "email": latest.email,
            "locale": latest.locale if latest.locale in languages else "en" if "en" in languages else languages[0]}
    if latest.institution_id is not None:
        data["institution_id"] = latest.institution_id
    else:
        data["institution_name"] = latest.organisation
    return contacts.create_contact(data, by=by, source=contacts.SOURCE_SIGN_UP)


def find_contacts_to_link(query: str, limit: int = 20) -> list[Contact]:
    """Contacts whose name or address has every word of `query`, by name (none for no words)."""
    if not query.split():
        return []
    return contacts.find_contacts(contacts.ContactFilter(query=query), per_page=limit).items


def likely_contacts(registration: Registration, limit: int = 10) -> list[Contact]:
    """The contacts a person who signed up may be: those sharing a word of the name (three letters
    or more), the likest name first."""
    words = {word for word in re.split(r"[\W_]+", registration.name.casefold()) if len(word) >= 3}
    if not words:
        return []
    found = db.session.execute(select(Contact).where(
        or_(*(func.lower(Contact.name).contains(word, autoescape=True) for word in words)))
        .limit(20 * limit)).scalars()
    name = registration.name.casefold()
    return sorted(found, key=lambda c: (-SequenceMatcher(None, name, c.name.casefold()).ratio(), c.id))[:limit]


def _unlinked():
    """The registrations of people who are no contact: an address, not anonymised, not linked, and no
    contact has the address or had it linked."""
    known = select(Contact.email_key)
    linked = select(Registration.email_key).where(Registration.contact_id.is_not(None),
                                                  Registration.email_key.is_not(None))
    return select(Registration).where(
        Registration.email_key.is_not(None), Registration.email_key != "", Registration.anonymised_at.is_(None),
        Registration.contact_id.is_(None), Registration.email_key.not_in(known),
        Registration.email_key.not_in(linked))
