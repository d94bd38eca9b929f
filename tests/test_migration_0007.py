"""Migration 0007 turns the free-text partner lines of existing events, and the organisation
text of existing contacts, into institution records: a database made by migration 0006, with
the data an office typed over the years, is upgraded on every backend and read back."""
import json
import os

import pytest
from alembic.command import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from app.migrations import migrations
from config import TestingConfig

from .conftest import BACKENDS, WORKER, recreated_postgres


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """An empty database of its own (not the suite's, which is already at head)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url = recreated_postgres(f"migration_{WORKER or 'main'}")
    yield url
    own = make_url(url)
    server = create_engine(own.set(database=make_url(os.environ["TEST_DATABASE_URL"]).database),
                           poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
    server.dispose()


def _event(connection, id_, slug, partners):
    connection.execute(text(
        "INSERT INTO events (id, slug, title, kind, summary, description, starts_at, ends_at, timezone, venue, "
        "address, waitlist_enabled, status, partners, speakers, ical_uid, sequence, confirmed_count, "
        "waitlist_count, retention_months, created_at, updated_at) VALUES (:id, :slug, :slug, 'forum', '', '', "
        "'2025-05-06 16:00:00+00', '2025-05-06 18:00:00+00', 'Europe/Berlin', '', '', true, 'published', "
        ":partners, '[]', :uid, 0, 0, 0, 12, '2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00')"),
        {"id": id_, "slug": slug, "partners": json.dumps(partners), "uid": f"{slug}@podium"})


def _contact(connection, id_, email, organisation, kind):
    connection.execute(text(
        "INSERT INTO contacts (id, name, email, email_key, organisation, organisation_kind, tags, locale, source, "
        "source_at, unsubscribe_token, created_at, updated_at) VALUES (:id, :email, :email, :email, :organisation, "
        ":kind, '[]', 'de', '', '2025-01-01 00:00:00+00', :token, '2025-01-01 00:00:00+00', "
        "'2025-01-01 00:00:00+00')"),
        {"id": id_, "email": email, "organisation": organisation, "kind": kind, "token": f"token-{id_}"})


def _registration_and_invitation(connection):
    moment = "'2025-01-01 00:00:00+00'"
    connection.execute(text(
        "INSERT INTO registrations (id, event_id, name, email, email_key, organisation, affiliation, note, locale, "
        "status, ticket_code, manage_token, consent_at, consent_version, sequence_offset, created_at, updated_at, "
        f"source) VALUES (1, 1, 'Anna', 'a@example.org', 'a@example.org', 'HWK Trier', 'professional', '', 'de', "
        f"'confirmed', 'ticket', 'manage', {moment}, '2026-11-2/12', 0, {moment}, {moment}, 'online')"))
    connection.execute(text(
        "INSERT INTO checkin_records (id, event_id, registration_id, action, at, method, actor, device) "
        f"VALUES (1, 1, 1, 'check_in', {moment}, 'scan', 'door', '')"))
    connection.execute(text(
        "INSERT INTO campaigns (id, event_id, subject, body, audience, status, created_by, created_at, updated_at) "
        f"VALUES (1, 1, 'Invitation', 'Hello', '{{}}', 'sending', 'office', {moment}, {moment})"))
    connection.execute(text(
        "INSERT INTO campaign_recipients (id, campaign_id, contact_id, token, registration_id, created_at) "
        f"VALUES (1, 1, 1, 'invite', 1, {moment})"))


def test_partner_lines_and_organisations_become_institutions(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        config = migrations(app).get_config()
        upgrade(config, "0006")
        engine = create_engine(empty_database, poolclass=NullPool)
        with engine.begin() as connection:
            _event(connection, 1, "forum", ["IHK Trier", "HWK Trier", "Agentur für Arbeit Trier"])
            # The same institutions typed again, in another case and with other spacing.
            _event(connection, 2, "podium", ["ihk  trier", "Caritasverband Westeifel e.V.", ""])
            _event(connection, 3, "talk", [])
            _contact(connection, 1, "a@example.org", "HWK Trier", "chamber")
            _contact(connection, 2, "b@example.org", "Jobcenter Trier-Stadt", "employment-agency")
            _contact(connection, 3, "c@example.org", "", "other")
            # One organisation typed three ways with two kinds: the kind most contacts had wins.
            _contact(connection, 4, "d@example.org", "Caritasverband Westeifel e.V.", "charity")
            _contact(connection, 5, "e@example.org", "caritasverband westeifel e. v.", "volunteer")
            _contact(connection, 6, "f@example.org", "CARITASVERBAND WESTEIFEL E.V.", "charity")
            # Two very long partner lines alike in their first 200 characters are one institution.
            _event(connection, 4, "fachtag", ["Verein " * 40 + "eins", "Verein " * 40 + "zwei"])
            # Rows that point at the tables the migration rebuilds: none may go (SQLite rebuilds a
            # table by dropping it, which would cascade with foreign keys on).
            _registration_and_invitation(connection)

        upgrade(config, "0007")

        with engine.connect() as connection:
            institutions = {name: (id_, kind) for id_, name, kind in connection.execute(
                text("SELECT id, name, kind FROM institutions"))}
            roles = connection.execute(text(
                "SELECT e.event_id, i.name, e.role, e.position FROM event_institutions e "
                "JOIN institutions i ON i.id = e.institution_id ORDER BY e.event_id, e.position")).all()
            contacts = dict(connection.execute(text(
                "SELECT c.email, i.name FROM contacts c LEFT JOIN institutions i ON i.id = c.institution_id")).all())
            keys = connection.execute(text("SELECT COUNT(DISTINCT invite_key) FROM events")).scalar_one()
            visibility = {row[0] for row in connection.execute(text("SELECT visibility FROM events"))}
            kept = [connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                    for table in ("registrations", "campaigns", "campaign_recipients", "checkin_records")]
        engine.dispose()
        db.engine.dispose()  # the app's own connections, which the migrations used

    assert kept == [1, 1, 1, 1]
    long_names = [name for name in institutions if name.startswith("Verein")]
    assert len(long_names) == 1
    assert set(institutions) - set(long_names) == {"IHK Trier", "HWK Trier", "Agentur für Arbeit Trier",
                                                   "Caritasverband Westeifel e.V.", "Jobcenter Trier-Stadt"}
    assert institutions["Jobcenter Trier-Stadt"][1] == "employment-agency"
    assert institutions["IHK Trier"][1] == "chamber"
    assert institutions["Agentur für Arbeit Trier"][1] == "employment-agency"
    assert institutions["Caritasverband Westeifel e.V."][1] == "charity"
    assert [tuple(row) for row in roles] == [
        (1, "IHK Trier", "partner", 1), (1, "HWK Trier", "partner", 2), (1, "Agentur für Arbeit Trier", "partner", 3),
        (2, "IHK Trier", "partner", 1), (2, "Caritasverband Westeifel e.V.", "partner", 2),
        (4, long_names[0], "partner", 1)]
    assert {email: contacts[email] for email in ("a@example.org", "b@example.org", "c@example.org")} == {
        "a@example.org": "HWK Trier", "b@example.org": "Jobcenter Trier-Stadt", "c@example.org": None}
    assert {contacts[email] for email in ("d@example.org", "e@example.org", "f@example.org")} == {
        "Caritasverband Westeifel e.V."}
    assert keys == 4 and visibility == {"public"}


def test_the_downgrade_gives_the_partner_lines_back(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        config = migrations(app).get_config()
        upgrade(config, "0006")
        engine = create_engine(empty_database, poolclass=NullPool)
        with engine.begin() as connection:
            _event(connection, 1, "forum", ["IHK Trier", "HWK Trier"])
        upgrade(config, "0007")
        downgrade(config, "0006")
        with engine.connect() as connection:
            partners = connection.execute(text("SELECT partners FROM events")).scalar_one()
        engine.dispose()
        db.engine.dispose()

    assert (json.loads(partners) if isinstance(partners, str) else partners) == ["IHK Trier", "HWK Trier"]


def test_the_organisation_columns_go_up_into_institutions_and_come_back_down(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        config = migrations(app).get_config()
        upgrade(config, "0006")
        engine = create_engine(empty_database, poolclass=NullPool)
        with engine.begin() as connection:
            _contact(connection, 1, "a@example.org", "HWK Trier", "chamber")
            _contact(connection, 2, "b@example.org", "hwk  trier", "other")  # the same institution
            _contact(connection, 3, "c@example.org", "", "other")

        upgrade(config, "0007")
        columns_up = {column["name"] for column in inspect(engine).get_columns("contacts")}
        downgrade(config, "0006")

        with engine.connect() as connection:
            contacts = {row[0]: tuple(row[1:]) for row in connection.execute(
                text("SELECT email, organisation, organisation_kind FROM contacts"))}
        engine.dispose()
        db.engine.dispose()

    assert {"organisation", "organisation_kind"} & columns_up == set()
    assert "institution_id" in columns_up
    assert contacts == {"a@example.org": ("HWK Trier", "chamber"), "b@example.org": ("HWK Trier", "chamber"),
                        "c@example.org": ("", "other")}
