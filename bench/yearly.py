"""The year's report at the issue's scale: 1,000 events and 100,000 registrations in one year, with
institutions, contacts present at recorded meetings and feedback forms; how long `report()` takes,
and the page /staff/reports/ through the app (a logged-in staff session, the Flask test client).

Run alone: `python -m bench.yearly [DATABASE_URL]` (default: SQLite under bench/work/). `make bench`
runs it after the load figures, on each of its databases. Target: under a second each, warm.
"""
import random
import secrets
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select, text

from app.auth.services import create_user
from app.extensions import db
from app.models import (Contact, Event, EventInstitution, Institution, MeetingPresence, Registration, Survey,
                        SurveyInvitation)
from app.reports.figures import Period, report

from . import data

WORK = Path(__file__).resolve().parent / "work"
EVENTS, REGISTRATIONS, PEOPLE, CONTACTS, INSTITUTIONS = 1_000, 100_000, 30_000, 2_000, 120
CHUNK = 5_000
ROUNDS = 5
TARGET_SECONDS = 1.0
PASSWORD = "bench-only-password"


def build(app, year: int) -> None:
    """Fill an upgraded, empty database with one year of the network (a fixed seed: every run the same)."""
    rng = random.Random(14)
    now = datetime.now(timezone.utc)
    with app.app_context():
        db.session.execute(insert(Institution), [dict(name=f"Institution {n}", name_key=f"institution {n}",
                                                      kind=rng.choice(["chamber", "charity", "city", "school"]),
                                                      place="", website="", notes="", created_at=now, updated_at=now)
                                                 for n in range(INSTITUTIONS)])
        institutions = list(db.session.execute(select(Institution.id).order_by(Institution.id)).scalars())
        db.session.execute(insert(Contact), [dict(
            name=f"Kontakt {n}", email=f"person{n}@example.org", email_key=f"person{n}@example.org",
            institution_id=rng.choice(institutions), affiliation=rng.choice(["professional", "volunteer", None]),
            tags=[], locale="de", source="bench", source_at=now, unsubscribe_token=secrets.token_urlsafe(24),
            created_at=now, updated_at=now) for n in range(CONTACTS)])
        contacts = list(db.session.execute(select(Contact.id).order_by(Contact.id)).scalars())
        start = datetime(year, 1, 1, 8, tzinfo=timezone.utc)
        db.session.execute(insert(Event), [dict(
            slug=f"year-{n}", title=f"Veranstaltung {n}", kind=rng.choice(["forum", "podium", "info", "talk",
                                                                            "working-group", "coordination"]),
            summary="", description="", starts_at=start + timedelta(hours=8 * n + rng.randrange(6)),
            ends_at=start + timedelta(hours=8 * n + 8), timezone="Europe/Berlin", venue="", address="",
            capacity=None, waitlist_enabled=True, status="cancelled" if n % 50 == 0 else "published",
            visibility={7: "invitation", 9: "record"}.get(n % 10, "public"), invite_key=secrets.token_urlsafe(24),
            ical_uid=f"{uuid.uuid4()}@podium", sequence=0, confirmed_count=0, waitlist_count=0, speakers=[],
            retention_months=12, created_at=now, updated_at=now) for n in range(EVENTS)])
        events = list(db.session.execute(select(Event.id, Event.starts_at, Event.visibility).order_by(Event.id)).all())
        db.session.execute(insert(EventInstitution), [dict(event_id=event_id, institution_id=institution, role=role,
                                                           position=0)
                                                      for event_id, _, _ in events
                                                      for institution, role in zip(rng.sample(institutions, 2),
                                                                                   ("host", "partner"))])
        recorded = [event_id for event_id, _, visibility in events if visibility == "record"]
        db.session.execute(insert(MeetingPresence), [dict(event_id=event_id, contact_id=contact, recorded_by="bench",
                                                          created_at=now)
                                                     for event_id in recorded for contact in rng.sample(contacts, 12)])
        _registrations(rng, [(event_id, starts) for event_id, starts, visibility in events if visibility != "record"],
                       institutions, contacts, now)
        _feedback(rng, [event_id for event_id, _, visibility in events if visibility != "record"][:100], now)
        db.session.commit()
        create_user("bench-report@podium.example", role="staff", password=PASSWORD)


def _registrations(rng, events, institutions, contacts, now) -> None:
    rows, taken = [], set()
    while len(taken) < REGISTRATIONS:
        event_id, starts = rng.choice(events)
        person = rng.randrange(PEOPLE)
        if (event_id, person) in taken:
            continue
        taken.add((event_id, person))
        roll = rng.random()
        status = "cancelled" if roll < 0.07 else "waitlisted" if roll < 0.10 else "confirmed"
        walk_in = roll > 0.98
        rows.append(dict(
            event_id=event_id, name=f"Gast {person}", email=f"person{person}@example.org",
            email_key=f"person{person}@example.org",
            organisation="", institution_id=rng.choice(institutions) if rng.random() < 0.5 else None,
            contact_id=contacts[person] if person < CONTACTS and rng.random() < 0.2 else None,
            affiliation=rng.choice(["professional", "volunteer", "other"]), note="", locale="de", status=status,
            ticket_code=secrets.token_urlsafe(16), manage_token=secrets.token_urlsafe(24), consent_at=now,
            consent_version="bench", sequence_offset=0, created_at=starts - timedelta(days=10), updated_at=now,
            waitlisted_at=starts - timedelta(days=9) if status == "waitlisted" else None,
            cancelled_at=starts - timedelta(days=rng.choice([-1, 2])) if status == "cancelled" else None,
            checked_in_at=starts if status == "confirmed" and rng.random() < 0.75 else None,
            source="walk-in" if walk_in else "online"))
        if len(rows) >= CHUNK:
            db.session.execute(insert(Registration), rows)
            rows = []
    if rows:
        db.session.execute(insert(Registration), rows)


def _feedback(rng, event_ids, now) -> None:
    db.session.execute(insert(Survey), [dict(kind="feedback", title="Feedback", intro="", event_id=event_id,
                                             anonymous=False, status="open", audience={}, opened_at=now,
                                             send_after_hours=2, remind_after_days=4, created_by="bench",
                                             created_at=now, updated_at=now) for event_id in event_ids])
    forms = dict(db.session.execute(select(Survey.event_id, Survey.id)).all())
    came = db.session.execute(select(Registration.id, Registration.event_id).where(
        Registration.event_id.in_(event_ids), Registration.checked_in_at.is_not(None)).order_by(Registration.id)).all()
    db.session.execute(insert(SurveyInvitation), [dict(
        survey_id=forms[event_id], token=secrets.token_urlsafe(24), registration_id=registration_id, locale="de",
        status=rng.choice(["invited", "started", "completed"]), reminders=0, created_at=now)
        for registration_id, event_id in came])


def measure(app, year: int) -> dict:
    """Seconds of report() (the first, cold; the median of ROUNDS, warm) and of the page."""
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        period = Period.year(year)
        with app.test_request_context():
            timings = []
            for _ in range(ROUNDS + 1):
                started = time.perf_counter()
                figures = report(period)
                timings.append(time.perf_counter() - started)
                db.session.rollback()
        result = {"report_cold": timings[0], "report": statistics.median(timings[1:]), "people": figures.people,
                  "gatherings": figures.gatherings_total, "registrations": figures.registrations}
        result["page"] = _page(app, year)
    return result


def _page(app, year: int) -> float | None:
    """The median seconds of /staff/reports/?year=..., or None while the page is not there."""
    if "reports_staff.index" not in app.view_functions:
        return None
    client = app.test_client()
    response = client.post("/staff/login", data={"email": "bench-report@podium.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    timings = []
    for _ in range(ROUNDS + 1):
        started = time.perf_counter()
        response = client.get(f"/staff/reports/?year={year}")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings[1:])


def run(label: str, database_url: str) -> str:
    """Build, measure, and the lines of the results table for one database."""
    WORK.mkdir(exist_ok=True)
    app = data.make_app(database_url, str(WORK / "instance"))
    app.config.update(WTF_CSRF_ENABLED=False)  # the test client logs in without reading the form first
    year = datetime.now(timezone.utc).year - 1
    print(f"[{label}] the year's report: building {EVENTS:,} events, {REGISTRATIONS:,} registrations ...", flush=True)
    data.reset_schema(app)
    build(app, year)
    found = measure(app, year)
    ok = found["report"] < TARGET_SECONDS
    lines = [f"| yearly report ({found['gatherings']} gatherings, {found['registrations']:,} registrations, "
             f"{found['people']:,} people): report() | {found['report'] * 1000:.0f} ms (cold "
             f"{found['report_cold'] * 1000:.0f} ms) | | | | | < 1 s | {'ok' if ok else 'MISSED'} |"]
    if found["page"] is None:
        lines.append("| yearly report: the page /staff/reports/ | not there yet | | | | | < 1 s | |")
    else:
        lines.append(f"| yearly report: the page /staff/reports/ (test client) | {found['page'] * 1000:.0f} ms "
                     f"| | | | | < 1 s | {'ok' if found['page'] < TARGET_SECONDS else 'MISSED'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{WORK / 'yearly.db'}"
    print(run("PostgreSQL" if url.startswith("postgresql") else "SQLite", url))
