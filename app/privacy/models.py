"""What the figures keep of a person once their sign-ups are anonymised.

The yearly report counts people, not sign-ups: someone who came to three forums is one person
reached. A person's identity is an address as Podium matches it (text.email_key): the address
of the contact a registration is linked to, else the registration's own. An anonymised
registration has no address left to tell, so on anonymisation (privacy.anonymise) it gets the
person's `ref`, a random value (`secrets`) that says nothing about who they are, kept here
beside the identity; sign-ups of the same person not yet anonymised, and the contact's presence
at recorded meetings, find that ref here by their identity. A walk-in who gave no address has
no identity: their row gets a random ref of its own, and no row here.

So the figures count a person by one key (`registration_person_key`, `contact_person_key`):
the row's own ref, else the ref kept here for its identity, else the identity, else the
registration itself. Anonymising changes which of these a row shows, never which person it
counts for, and the report reads the same before and after.

A ref whose person has nothing left here but anonymised rows (no registration that is not
anonymised, no contact) is forgotten by the retention purge, and at once when the person has
their data erased; after that nothing links the anonymised rows to anyone, and they still
count as one person among themselves.
"""
import secrets
from datetime import datetime

from sqlalchemy import String, cast, func, literal
from sqlalchemy.orm import Mapped, aliased, mapped_column

from ..contacts.models import Contact
from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..registrations.models import Registration


def new_person_ref() -> str:
    """A random ref of 128 bits, as 32 hex digits."""
    return secrets.token_hex(16)


class PersonRef(db.Model):
    __tablename__ = "person_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # text.email_key of the person's address (the linked contact's, else the registration's).
    identity: Mapped[str] = mapped_column(String(254), unique=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True, default=new_person_ref)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The contact a registration is linked to, and the ref kept for an identity, as the joins of
# the person keys name them.
IdentityContact = aliased(Contact, name="identity_contact")
KnownRef = aliased(PersonRef, name="known_ref")


def registration_identity():
    """SQL: the identity of a registration's person (None for a walk-in without address, and for an
    anonymised row). Reads `IdentityContact`: see `with_registration_person`."""
    return func.coalesce(IdentityContact.email_key, Registration.email_key)


def with_registration_person(query):
    """`query`, which reads registrations, joined to what `registration_person_key` reads."""
    return (query.outerjoin_from(Registration, IdentityContact, IdentityContact.id == Registration.contact_id)
            .outerjoin(KnownRef, KnownRef.identity == registration_identity()))


def registration_person_key():
    """SQL: the key a registration's person is counted by (see the module's docstring)."""
    return func.coalesce(Registration.person_ref, KnownRef.ref, registration_identity(),
                         literal("registration:") + cast(Registration.id, String))


def with_contact_person(query, contact=Contact):
    """`query`, which reads contacts (as `contact`), joined to what `contact_person_key` reads."""
    return query.outerjoin(KnownRef, KnownRef.identity == contact.email_key)


def contact_person_key(contact=Contact):
    """SQL: the key a contact is counted by: the ref kept for their address, else the address."""
    return func.coalesce(KnownRef.ref, contact.email_key)
