"""Helpers for the guest's path: posting the sign-up form and reading back the rows."""
import pytest
from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.outbox import OutgoingMail
from app.registrations.models import Registration

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def request_context(app):
    """Lets tests build URLs with url_for, as the pages do."""
    with app.test_request_context():
        yield


def form_data(**overrides) -> dict:
    """The sign-up form as a guest fills it in (consent given)."""
    data = {"name": "Anna Schmidt", "email": "anna@example.org", "organisation": "Caritas Trier",
            "affiliation": "volunteer", "note": "Rollstuhl", "consent": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def submit(client):
    """Post the sign-up form for `event` through the test client, in English."""

    def post(event, **fields):
        return client.post(url_for("registrations.register", slug=event.slug), data=form_data(**fields),
                           headers=ENGLISH)

    return post


def fresh_reads() -> None:
    """End the test's own read transaction: on SQLite it would keep showing an old snapshot."""
    db.session.rollback()


def registrations_of(event) -> list[Registration]:
    """The event's registrations as the database holds them now, in the order they were made."""
    fresh_reads()
    query = select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    return list(db.session.execute(query).scalars())


def registration_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Registration.id))).scalar_one()


def mails_to(address: str) -> list[OutgoingMail]:
    fresh_reads()
    query = select(OutgoingMail).where(OutgoingMail.recipient == address).order_by(OutgoingMail.id)
    return list(db.session.execute(query).scalars())


@pytest.fixture
def set_event(app):
    """Change an event's columns directly, as staff would have (e.g. cancel it), and commit."""

    def change(event, **columns):
        for name, value in columns.items():
            setattr(event, name, value)
        db.session.commit()
        return event

    return change
