"""Contacts and institutions for the tests of working groups and recorded meetings, and counting
what was (not) created."""
import itertools

from sqlalchemy import func, select

from app.contacts.models import Contact, Institution
from app.database import write_transaction
from app.extensions import db
from app.text import name_key

_numbers = itertools.count(1)


def make_person(name: str = "", email: str | None = None, **fields) -> Contact:
    """A contact, committed ("Person n" at person<n>@example.org unless told otherwise)."""
    n = next(_numbers)
    email = email or f"person{n}@example.org"
    with write_transaction():
        contact = Contact(name=name or f"Person {n}", email=email, email_key=email.lower(), **fields)
        db.session.add(contact)
    return contact


def make_institution(name: str, **fields) -> Institution:
    """An institution of the network, committed."""
    with write_transaction():
        institution = Institution(name=name, name_key=name_key(name), **fields)
        db.session.add(institution)
    return institution


def count_rows(model) -> int:
    """How many rows of `model` the database holds now."""
    db.session.rollback()  # see every commit (tests/rows.py: fresh_reads)
    return db.session.execute(select(func.count(model.id))).scalar_one()
