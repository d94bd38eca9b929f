"""audit trail of staff changes; mails withdrawn before delivery get a state of their own

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Campaign mails that were not sent because the contact had unsubscribed (or, for a
reminder, had registered meanwhile) were stored as failed, with the reason in
last_error. They become `withdrawn`, their last_error empty: a state, not an error.
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# What the sender wrote into last_error for such mails before this revision.
WITHDRAWAL_REASONS = ('unsubscribed', 'registered')


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_contact', ['contact_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_entries_event', ['event_id', 'id'], unique=False)

    mails = sa.table('outgoing_mails', sa.column('status', sa.String), sa.column('last_error', sa.Text),
                     sa.column('kind', sa.String))
    op.execute(mails.update()
               .where(mails.c.status == 'failed', mails.c.last_error.in_(WITHDRAWAL_REASONS),
                      mails.c.kind.in_(('campaign_invitation', 'campaign_reminder')))
               .values(status='withdrawn', last_error=None))


def downgrade():
    mails = sa.table('outgoing_mails', sa.column('status', sa.String), sa.column('last_error', sa.Text))
    op.execute(mails.update().where(mails.c.status == 'withdrawn')
               .values(status='failed', last_error='unsubscribed'))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_event')
        batch_op.drop_index('ix_audit_entries_contact')
    op.drop_table('audit_entries')
