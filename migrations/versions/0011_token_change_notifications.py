"""token change notifications on PostgreSQL

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

A door answer that wrote nothing is given again while the database has not changed
(app/checkin/stored_answers.py), and it depends on the device's token: a revoked token must be
refused on every process at once. api_tokens now notifies podium_changes like the tables public pages
show (migration 0010). It is written only when a token is made or revoked, so pages lose nothing.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('CREATE TRIGGER podium_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "api_tokens" '
               "FOR EACH STATEMENT EXECUTE FUNCTION podium_notify_change()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('DROP TRIGGER podium_changes ON "api_tokens"')
