"""guest languages: an event's title and summary and a campaign's text in more languages, the
language an event is held in and the languages it is interpreted into

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Every existing event is held in German without interpreting; its title and summary stay its
German text, as every existing campaign's subject and body stay the German text.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'locale', name='uq_event_texts_locale')
    )
    op.create_table('campaign_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'locale', name='uq_campaign_texts_locale')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), server_default='de', nullable=False))
        batch_op.add_column(sa.Column('interpreting', sa.String(length=60), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('interpreting')
        batch_op.drop_column('language')
    op.drop_table('campaign_texts')
    op.drop_table('event_texts')
