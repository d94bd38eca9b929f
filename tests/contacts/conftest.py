"""Contacts made as staff make them, the sample files, and reading the address book back."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.contacts import services
from app.contacts.models import Contact, Institution
from app.database import utcnow
from app.extensions import db
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH
from tests.rows import fresh_reads

HERE = Path(__file__).parent


@pytest.fixture
def request_headers():
    """The contact pages' messages are checked in English."""
    return ENGLISH


def sample(name: str) -> bytes:
    """One of the sample files beside this module, as uploaded."""
    return (HERE / name).read_bytes()


@pytest.fixture
def add_contact(app):
    """add_contact(name, email, ..., unsubscribed=True): a contact as staff would type it in."""

    def add(name, email, *, unsubscribed=False, **fields):
        contact = services.create_contact({"name": name, "email": email, **fields}, by=TEST_ACTOR,
                                          now=utcnow() - timedelta(days=30))
        if unsubscribed:
            # What the unsubscribe link (another feature) does.
            contact.unsubscribed_at = utcnow() - timedelta(days=3)
            db.session.commit()
        return contact

    return add


def address_book() -> dict[str, Contact]:
    """Every contact by its lower-cased address, as the database has it now."""
    fresh_reads()
    return {c.email_key: c for c in db.session.execute(select(Contact)).scalars()}


def organisation_of(contact: Contact) -> tuple[str, str]:
    """The name and kind of the contact's institution ("", "" for none)."""
    institution = contact.institution
    return (institution.name, str(institution.kind)) if institution is not None else ("", "")


def institutions() -> dict[str, str]:
    """Every institution's kind by its name, as the database has it now."""
    fresh_reads()
    return {i.name: str(i.kind) for i in db.session.execute(select(Institution)).scalars()}


def snapshot() -> list[tuple]:
    """Everything about every contact and every institution, to see that nothing at all changed."""
    return sorted(
        (c.id, c.name, c.email, c.email_key, c.institution_id, c.affiliation, tuple(c.tags), c.locale,
         c.source, c.source_at, c.unsubscribed_at, c.updated_at)
        for c in address_book().values()
    ) + sorted((i.id, i.name, i.name_key, i.kind, i.updated_at)
               for i in db.session.execute(select(Institution)).scalars())
