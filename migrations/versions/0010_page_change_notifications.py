"""page change notifications on PostgreSQL

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Every write to a table that public pages show notifies the channel podium_changes at commit, so
that every web process on every host learns at once that its stored pages may be out of date
(app/pagecache.py).

One statement-level trigger per table (not per row: a statement that changes a thousand rows
notifies once, and PostgreSQL folds equal notifications of one transaction into one). SQLite needs
nothing: its `PRAGMA data_version` tells the same. A table added later gets the trigger in its own
migration with `notify_on_change(name)`; tests/test_pagecache.py checks that every table has it.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# As app.generation.QUIET_TABLES: written all day by the door and the mail workers, shown by no
# public page. Kept here as written, so that this migration means the same whatever the app becomes.
QUIET_TABLES = ("outgoing_mails", "checkin_records", "audit_entries", "api_tokens", "person_refs", "alembic_version")


def notify_on_change(table: str) -> None:
    op.execute(f'CREATE TRIGGER podium_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
               "FOR EACH STATEMENT EXECUTE FUNCTION podium_notify_change()")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE FUNCTION podium_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN PERFORM pg_notify('podium_changes', ''); RETURN NULL; END $$")
    tables = op.get_bind().exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").scalars().all()
    for table in tables:
        if table not in QUIET_TABLES:
            notify_on_change(table)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION podium_notify_change() CASCADE")
