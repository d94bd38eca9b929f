"""A fresh database with realistic data: 1,000 events (50 upcoming), registrations, 2,000 contacts."""
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, text

from app import create_app
from app.auth.services import create_api_token, create_user
from app.extensions import db
from app.migrations import migrations
from app.models import Contact, Event, Registration
from config import DevelopmentConfig

CHUNK = 5_000


@dataclass
class BenchData:
    list_slug: str  # an upcoming event with its sign-up form
    ticket_code: str  # a confirmed ticket
    checkin_event_id: int
    retry_code: str  # a confirmed ticket of the check-in event, for the retried check-in
    checkin_codes: list  # confirmed, not checked in, neither of the above: for Podium's check-in API
    bare_event_id: int
    bare_codes: list  # confirmed, not checked in: for the bare check-in
    signup_slug: str  # unlimited capacity
    signup_event_id: int
    capacity_slug: str  # 150 places, waitlist on
    capacity_event_id: int
    token: str


def make_app(database_url: str, instance_path: str):
    return create_app(DevelopmentConfig, instance_path=instance_path, SQLALCHEMY_DATABASE_URI=database_url,
                      MAIL_BACKGROUND=False, RATELIMIT_ENABLED=False, SECRET_KEY="bench-only-not-secret")


def reset_schema(app) -> None:
    from alembic.command import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(db.engine.url.database + suffix).unlink(missing_ok=True)
        upgrade(migrations(app).get_config(), "head")


# The tables the load figures write (and the benchmark undoes between runs).
WRITTEN = ("registrations", "checkin_records", "outgoing_mails", "events")


def settle(app, built: bool = False) -> None:
    """Bring the database to rest after writes, so that each run starts alike.

    SQLite: the write-ahead log copied back and emptied, else its checkpoint falls into a run at a
    point of its own. PostgreSQL: the statistics of what was written gathered now, else autoanalyze
    gathers them during a later run (and the plans may change within it); after the build, of every
    table, vacuumed, as on a database in use (autoanalyze never visits a table of a few rows, such
    as the tokens, and the planner then guesses). No CHECKPOINT: the first write to each page after
    one logs the whole page, and a run after a forced one would pay that on every page it touches.
    """
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM (ANALYZE)" if built else f"ANALYZE {', '.join(WRITTEN)}"))
        else:
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _visibility(n: int) -> str:
    """Some past events are invitation-only or record-only, as in the network's real year: the lists
    must leave them out. The 50 upcoming ones (and the five the benchmark uses) stay public."""
    if n < 50:
        return "public"
    return {7: "invitation", 9: "record"}.get(n % 10, "public")


def build(app, registrations: int) -> BenchData:
    """Fill an upgraded, empty database; `registrations` in all (100,000 or 1,000)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with app.app_context():
        events = []
        for n in range(1000):
            upcoming = n < 50
            starts = now + timedelta(days=n + 1) if upcoming else now - timedelta(days=n)
            events.append(dict(
                slug=f"bench-event-{n}", title=f"Forum {n}: Perspektiven in der Region", kind="forum",
                summary="Podiumsdiskussion mit Kammern und Agentur für Arbeit.",
                description="Wie gelingt der Weg in Ausbildung und Arbeit? **Diskussion** und Fragen.",
                starts_at=starts, ends_at=starts + timedelta(hours=2), timezone="Europe/Berlin",
                venue="IHK Trier", address="Herzogenbuscher Straße 12, 54292 Trier",
                capacity=None if n in (1, 2, 3) else (150 if n == 4 else 200), waitlist_enabled=True,
                status="published", speakers=["Dr. A", "B"], visibility=_visibility(n),
                ical_uid=f"{uuid.uuid4()}@podium", sequence=0, confirmed_count=0, waitlist_count=0,
                created_at=now, updated_at=now))
        db.session.execute(insert(Event), events)
        db.session.commit()
        ids = {row.slug: row.id for row in db.session.execute(text("SELECT id, slug FROM events"))}
        # Event 1: the check-in event (40 % of all registrations), event 2: the bare check-in's,
        # event 3: sign-ups (unlimited), event 4: 150 places for the capacity run; the rest spread.
        checkin_id, bare_id = ids["bench-event-1"], ids["bench-event-2"]
        shares = [(checkin_id, registrations * 4 // 10), (bare_id, registrations * 4 // 10)]
        rest = registrations - sum(n for _, n in shares)
        others = [ids[f"bench-event-{n}"] for n in range(5, 1000) if _visibility(n) != "record"]
        codes = {checkin_id: [], bare_id: []}
        rows, counts, serial = [], {}, 0
        for event_id, n in shares + [(others[i % len(others)], 1) for i in range(rest)]:
            for _ in range(n):
                serial += 1
                code = secrets.token_urlsafe(16)
                if event_id in codes:
                    codes[event_id].append(code)
                counts[event_id] = counts.get(event_id, 0) + 1
                rows.append(dict(
                    event_id=event_id, name=f"Gast {serial}", email=f"gast{serial}@example.org",
                    email_key=f"gast{serial}@example.org", organisation="Caritas Trier", affiliation="volunteer",
                    note="", locale="de", status="confirmed", ticket_code=code,
                    manage_token=secrets.token_urlsafe(24), consent_at=now, consent_version="bench",
                    sequence_offset=0, created_at=now, updated_at=now, source="online"))
                if len(rows) >= CHUNK:
                    db.session.execute(insert(Registration), rows)
                    rows = []
        if rows:
            db.session.execute(insert(Registration), rows)
        for event_id, n in counts.items():
            db.session.execute(text("UPDATE events SET confirmed_count = :n WHERE id = :id"), {"n": n, "id": event_id})
        db.session.execute(text("UPDATE events SET capacity = NULL WHERE id IN (:a, :b)"),
                           {"a": checkin_id, "b": bare_id})
        db.session.execute(insert(Contact), [dict(
            name=f"Kontakt {n}", email=f"kontakt{n}@example.org", email_key=f"kontakt{n}@example.org",
            tags=["netzwerk"], locale="de",
            source="bench", source_at=now, unsubscribe_token=secrets.token_urlsafe(24), created_at=now,
            updated_at=now) for n in range(2000)])
        db.session.commit()
        create_user("bench@podium.example", role="admin", password="bench-only-password")
        _, token = create_api_token("Bench scanner", role="door")
        settle(app, built=True)
        ticket, retry = codes[checkin_id].pop(), codes[checkin_id].pop()
        return BenchData(
            list_slug="bench-event-0", ticket_code=ticket, checkin_event_id=checkin_id, retry_code=retry,
            checkin_codes=codes[checkin_id], bare_event_id=bare_id, bare_codes=codes[bare_id],
            signup_slug="bench-event-3", signup_event_id=ids["bench-event-3"],
            capacity_slug="bench-event-4", capacity_event_id=ids["bench-event-4"], token=token)
