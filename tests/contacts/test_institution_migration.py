"""Migration 0007 moves a contact's organisation text and kind into an institution record and drops
the two columns; the downgrade gives each contact its organisation and kind back from the institution.
A database made by migration 0006, with contacts typed over the years, goes up and down again on every
backend."""
import os

import pytest
from alembic.command import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

from app import create_app
from config import TestingConfig
from tests.conftest import BACKENDS, WORKER


@pytest.fixture(params=BACKENDS)
def old_database(request, tmp_path):
    """An empty database of its own (not the suite's, which is already at head)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'contacts.db'}"
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    own = base.set(database=f"{base.database}_contacts_migration_{WORKER or 'main'}")
    server = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    yield own.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
    server.dispose()


def add_contact(connection, id_, email, organisation, kind):
    connection.execute(text(
        "INSERT INTO contacts (id, name, email, email_key, organisation, organisation_kind, tags, locale, source, "
        "source_at, unsubscribe_token, created_at, updated_at) VALUES (:id, :email, :email, :email, :organisation, "
        ":kind, '[]', 'de', '', '2025-01-01 00:00:00+00', :token, '2025-01-01 00:00:00+00', "
        "'2025-01-01 00:00:00+00')"),
        {"id": id_, "email": email, "organisation": organisation, "kind": kind, "token": f"token-{id_}"})


def test_the_organisation_columns_go_up_into_institutions_and_come_back_down(old_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=old_database)
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        upgrade(config, "0006")
        engine = create_engine(old_database, poolclass=NullPool)
        with engine.begin() as connection:
            add_contact(connection, 1, "a@example.org", "HWK Trier", "chamber")
            add_contact(connection, 2, "b@example.org", "hwk  trier", "other")  # the same institution
            add_contact(connection, 3, "c@example.org", "", "other")

        upgrade(config, "0007")
        columns_up = {column["name"] for column in inspect(engine).get_columns("contacts")}
        downgrade(config, "0006")

        with engine.connect() as connection:
            contacts = {row[0]: tuple(row[1:]) for row in connection.execute(
                text("SELECT email, organisation, organisation_kind FROM contacts"))}
        engine.dispose()

    assert {"organisation", "organisation_kind"} & columns_up == set()
    assert "institution_id" in columns_up
    assert contacts == {"a@example.org": ("HWK Trier", "chamber"), "b@example.org": ("HWK Trier", "chamber"),
                        "c@example.org": ("", "other")}
