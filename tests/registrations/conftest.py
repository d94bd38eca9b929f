"""Helpers for the guest's path and the staff's registration pages: posting the sign-up form,
reading back states and counters, and pretending time has passed."""
from datetime import datetime

import pytest
from flask import url_for
from sqlalchemy import update

from app.events.models import Event
from app.extensions import db
from app.outbox import OutgoingMail
from app.registrations.models import Registration
from tests.pages import ENGLISH
from tests.rows import fresh_reads, registrations_of


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


def statuses_of(event) -> dict[str, str]:
    """Each guest's status, by name."""
    return {r.name: r.status for r in registrations_of(event)}


def counts_of(event) -> tuple[int, int]:
    """(confirmed, waitlisted) as the event row keeps them."""
    fresh_reads()
    row = db.session.get(Event, event.id)
    return row.confirmed_count, row.waitlist_count


def signed_up_at(registration, moment: datetime) -> None:
    """Pretend the guest signed up, and was mailed, at `moment` (tests cannot wait for days)."""
    db.session.execute(update(Registration).where(Registration.id == registration.id)
                       .values(created_at=moment))
    db.session.execute(update(OutgoingMail).where(OutgoingMail.registration_id == registration.id)
                       .values(created_at=moment))
    db.session.commit()
