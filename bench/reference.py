"""The reference app: the limit Podium is measured against, served like Podium.

GET  /                 "Hello, World!": the ceiling for any Flask page.
POST /checkin          one conditional UPDATE and one SELECT in SQLAlchemy Core, JSON answer.
POST /signup           under the same capacity lock as Podium: one INSERT of a registration and
                       one of an outbox row, then a redirect.
Reads BENCH_REF_DATABASE_URL (the same database as Podium's run).
"""
import json
import os
import secrets
import uuid
from datetime import datetime, timezone

from flask import Flask, redirect, request
from sqlalchemy import create_engine, event, text

app = Flask(__name__)
engine = create_engine(os.environ["BENCH_REF_DATABASE_URL"])
SQLITE = engine.dialect.name == "sqlite"

if SQLITE:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def now():
    value = datetime.now(timezone.utc)
    return value.replace(tzinfo=None) if SQLITE else value


@app.get("/")
def hello():
    return "Hello, World!"


@app.post("/checkin")
def checkin():
    code = request.get_json(force=True)["code"]
    with engine.begin() as connection:
        connection.execute(text("UPDATE registrations SET checked_in_at = :now "
                                "WHERE ticket_code = :code AND checked_in_at IS NULL"),
                           {"now": now(), "code": code})
        row = connection.execute(text("SELECT id, name, organisation, status, checked_in_at "
                                      "FROM registrations WHERE ticket_code = :code"), {"code": code}).first()
    return json.dumps({"status": "checked_in" if row else "unknown", "id": row and row.id,
                       "name": row and row.name}), 200, {"Content-Type": "application/json"}


@app.post("/signup/<int:event_id>")
def signup(event_id):
    email = request.form["email"]
    stamp = now()
    with engine.begin() as connection:
        lock = "SELECT id FROM events WHERE id = :id" + ("" if SQLITE else " FOR UPDATE")
        connection.execute(text(lock), {"id": event_id})
        registration_id = connection.execute(text(
            "INSERT INTO registrations (event_id, name, email, email_key, organisation, affiliation, note, "
            "locale, status, ticket_code, manage_token, consent_at, consent_version, sequence_offset, "
            "created_at, updated_at, source) VALUES (:e, :n, :m, :m, '', 'other', '', 'de', 'confirmed', "
            ":t, :k, :now, 'bench', 0, :now, :now, 'online') RETURNING id"),
            {"e": event_id, "n": request.form["name"], "m": email, "t": secrets.token_urlsafe(16),
             "k": secrets.token_urlsafe(24), "now": stamp}).scalar_one()
        connection.execute(text(
            "INSERT INTO outgoing_mails (kind, recipient, locale, registration_id, params, message_id, status, "
            "attempts, next_attempt_at, created_at) VALUES ('registration_confirmed', :m, 'de', :r, '{}', "
            ":mid, 'held', 0, :now, :now)"),
            {"m": email, "r": registration_id, "mid": f"<{uuid.uuid4().hex}@bench>", "now": stamp})
    return redirect(f"/t/{registration_id}")
