"""A past event as it really happened, the figures staff read about it, and the whole database as
rows, to see what a purge or an erasure changed and what it left alone."""
import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import Actor
from app.checkin.services import check_in, register_walk_in
from app.database import utcnow
from app.events.models import Event, add_months
from app.extensions import db
from app.registrations import guest_changes
from app.registrations.models import Registration
from app.registrations.services import cancel_registration
from app.registrations.staff_services import add_registration
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH, page
from tests.rows import fresh_reads, registrations_of

DOOR = Actor(name="Tablet 1", device="Chrome on Android")


@pytest.fixture
def request_headers():
    """The privacy pages are read in English."""
    return ENGLISH


@dataclass
class HeldEvent:
    """An event that took place, with a guest of every kind."""

    event: Event
    anna: Registration  # confirmed, came; organisation and a note
    ben: Registration  # confirmed, did not come; asked to move to another address (a mail waits)
    cem: Registration  # left the waitlist
    dana: Registration  # still on the waitlist
    emil: Registration  # added by staff over capacity


@pytest.fixture
def held_event(app, make_event, sign_up, set_event, deliver):
    """held_event(ended=<months ago>, retention_months=12, title=...): an event with two places that ended
    so many months ago, with Anna, Ben, Cem, Dana, Emil and a walk-in, their mails composed (the
    development mailbox keeps them) and one mail still queued."""

    def make(ended: int, retention_months: int = 12, title: str = "Forum Ausbildung", prefix: str = "") -> HeldEvent:
        event = make_event(title=title, capacity=2, waitlist_enabled=True, retention_months=retention_months)
        anna = sign_up(event, name=f"{prefix}Anna Schmidt", email=f"{prefix}anna@example.org",
                       organisation="Caritas Trier", note="Rollstuhl", affiliation="volunteer")
        ben = sign_up(event, name=f"{prefix}Ben Weber", email=f"{prefix}ben@example.org", affiliation="professional")
        cem = sign_up(event, name=f"{prefix}Cem Yilmaz", email=f"{prefix}cem@example.org", affiliation="other")
        dana = sign_up(event, name=f"{prefix}Dana Kurz", email=f"{prefix}dana@example.org", affiliation="volunteer")
        cancel_registration(cem.id)
        emil = add_registration(event.id, {"name": f"{prefix}Emil Roth", "email": f"{prefix}emil@example.org",
                                           "affiliation": "professional"}, locale="de", send_mail=True,
                                by=TEST_ACTOR, over_capacity_ok=True)
        check_in(event.id, anna.ticket_code, DOOR, nonce=f"{prefix}scan-1")
        register_walk_in(event.id, {"name": f"{prefix}Walk In", "organisation": "Jobcenter"}, DOOR,
                         over_capacity_ok=True)
        deliver()
        guest_changes.save_details(ben.id, {"name": ben.name, "email": f"{prefix}ben@example.net",
                                            "affiliation": "professional"}, locale="de")
        ends = add_months(utcnow(), -ended)
        set_event(db.session.get(Event, event.id), starts_at=ends - timedelta(hours=2), ends_at=ends)
        fresh_reads()
        return HeldEvent(db.session.get(Event, event.id), *(db.session.get(Registration, r.id)
                                                            for r in (anna, ben, cem, dana, emil)))

    return make


def whole_database() -> dict[str, list[tuple]]:
    """Every row of every table, as the database holds it now."""
    fresh_reads()
    return {table.name: sorted(tuple(row) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables}


def csv_rows(response) -> list[dict]:
    """A CSV download's rows."""
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


# What the figures of an event are made of, column by column of the two exports.
REGISTRATION_FIGURES = ("affiliation", "status", "source", "registered_at", "waitlisted_at", "cancelled_at",
                        "checked_in_at", "language", "consent_version")
ATTENDANCE_FIGURES = ("affiliation", "attended", "checked_in_at", "checked_in_by", "source")


def figures(client, event) -> dict:
    """Every figure staff read about the event: the counts of its pages, and the figure columns of
    both exports, row by row."""
    registrations = client.get(url_for("registrations_staff.index", event_id=event.id))
    attendance = client.get(url_for("checkin_staff.attendance", event_id=event.id))
    export = csv_rows(client.get(url_for("registrations_staff.export", event_id=event.id)))
    attended = csv_rows(client.get(url_for("checkin_staff.attendance_csv", event_id=event.id)))
    return {
        "counts": page(registrations).one(id="counts").text,
        "by status": page(registrations).one("nav", class_="filters").text,
        "attendance": page(attendance).one("div", class_="stat-row").text,
        "export": sorted(tuple(row[name] for name in REGISTRATION_FIGURES) for row in export),
        "attended": sorted(tuple(row[name] for name in ATTENDANCE_FIGURES) for row in attended),
    }


def personal_columns(event) -> list[tuple]:
    """Name, address, organisation and note of each of the event's registrations."""
    return [(r.name, r.email, r.email_key, r.organisation, r.note) for r in registrations_of(event)]
