"""registrations notify by row on PostgreSQL

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

The door's scan is one statement on PostgreSQL (app/checkin/admission.py, admitting): it holds the
UPDATE that lets the guest in even when the guest may not come in (a retry, a second scan), and a
statement-level trigger fires for a statement that changed no row. Every such scan notified
podium_changes, and so made every stored door answer and page stale although nothing had changed.
registrations now notifies from a row-level trigger: only a row written notifies. PostgreSQL still
folds the equal notifications of one transaction into one, so a statement that changes a thousand
rows still wakes each listener once. TRUNCATE, which has no rows to fire for, keeps a
statement-level trigger.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('DROP TRIGGER podium_changes ON "registrations"')
    op.execute('CREATE TRIGGER podium_changes AFTER INSERT OR UPDATE OR DELETE ON "registrations" '
               "FOR EACH ROW EXECUTE FUNCTION podium_notify_change()")
    op.execute('CREATE TRIGGER podium_changes_truncate AFTER TRUNCATE ON "registrations" '
               "FOR EACH STATEMENT EXECUTE FUNCTION podium_notify_change()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('DROP TRIGGER podium_changes_truncate ON "registrations"')
    op.execute('DROP TRIGGER podium_changes ON "registrations"')
    op.execute('CREATE TRIGGER podium_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "registrations" '
               "FOR EACH STATEMENT EXECUTE FUNCTION podium_notify_change()")
