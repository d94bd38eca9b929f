"""privacy: a retention period per event, anonymised registrations and mails, the contacts' consent record

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Every existing event keeps its registrations twelve months after it ends, as the consent
text of the time promised (version 2026-11-2). Existing contacts get no consent record:
nothing says whether or how they agreed, so they count as "no consent recorded" until staff
record one or an import states it.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), server_default='12', nullable=False))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outgoing_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('consent_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('consent_at')
        batch_op.drop_column('consent_version')
        batch_op.drop_column('consent_source')

    with op.batch_alter_table('outgoing_mails', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('retention_months')
