"""The migration chain builds exactly the schema the models describe, on every backend."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import app.models  # noqa: F401  (every table)
from app.extensions import db
from app.migrations import migrations


def test_upgrade_of_an_empty_database_reaches_head(app):
    # The session fixture upgraded an empty database with the migrations.
    config = migrations(app).get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    assert {"events", "registrations", "outgoing_mails", "users"} <= set(inspect(db.engine).get_table_names())


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
