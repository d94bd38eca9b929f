"""Contacts made as staff make them, the sample files, and reading the address book back."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.mailing import contacts
from app.mailing.models import Contact

HERE = Path(__file__).parent
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def request_context(app):
    """Lets tests build URLs with url_for, as the pages do."""
    with app.test_request_context(headers=ENGLISH):
        yield


def sample(name: str) -> bytes:
    return (HERE / name).read_bytes()


@pytest.fixture
def add_contact(app):
    """add_contact(name, email, ..., unsubscribed=True): a contact as staff would type it in."""

    def add(name, email, *, unsubscribed=False, **fields):
        contact = contacts.create_contact({"name": name, "email": email, **fields},
                                          now=utcnow() - timedelta(days=30))
        if unsubscribed:
            # What the unsubscribe link (another feature) does.
            contact.unsubscribed_at = utcnow() - timedelta(days=3)
            db.session.commit()
        return contact

    return add


def fresh_reads() -> None:
    """End the test's own read transaction: on SQLite it would keep showing an old snapshot."""
    db.session.rollback()
    db.session.expire_all()


def address_book() -> dict[str, Contact]:
    """Every contact by its lower-cased address, as the database has it now."""
    fresh_reads()
    return {c.email_key: c for c in db.session.execute(select(Contact)).scalars()}


def snapshot() -> list[tuple]:
    """Everything about every contact, to see that nothing at all changed."""
    return sorted(
        (c.id, c.name, c.email, c.email_key, c.organisation, c.organisation_kind, tuple(c.tags), c.locale,
         c.source, c.source_at, c.unsubscribed_at, c.updated_at)
        for c in address_book().values()
    )
