"""the network's own life: institutions, event hosts and partners, series, working groups,
recorded meetings, results and their files, partner accounts, invitation-only and record-only events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

An event's partners were lines of text (events.partners, a JSON list). Each line becomes an
institution record, matched by its name (the same name typed twice, in another case or with
other spacing and punctuation, is one institution), and the event names it as a partner in
the order the lines had; the column goes. A contact's organisation text is matched the same
way and the contact belongs to that institution; its kind is the one staff gave most often to
that organisation's contacts, else a guess from its name (staff correct it on its page). The
contact's organisation and kind columns go (the downgrade gives them back from the institution);
a kind given to a contact without an organisation's name is not kept, as no institution holds it.
Every existing event stays public. The audit trail gets a column for each new subject it
records changes of (series_id, group_id, institution_id: ids only, no foreign keys).
"""
import re
import secrets
import unicodedata
from collections import Counter

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def name_key(name):
    # The rule of app/text.py:name_key as it was when this migration was written.
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[.,;:/\-–—()\"'„“”]+", " ", folded).split())


# A first guess at an institution's kind from its name; staff correct it on the institution's page.
KIND_WORDS = (
    ("chamber", ("ihk", "hwk", "handwerkskammer", "industrie- und handelskammer", "kammer",
                 "kreishandwerkerschaft")),
    ("employment-agency", ("agentur für arbeit", "arbeitsagentur", "jobcenter")),
    ("authority", ("bamf", "bundesamt", "add ", "aufsichts- und dienstleistungsdirektion", "ministerium",
                   "schulbehörde", "landesamt")),
    ("district", ("kreis", "landkreis", "eifelkreis", "kreisverwaltung")),
    ("city", ("stadt", "gemeinde", "verbandsgemeinde")),
    ("school", ("schule", "hochschule", "universität", "volkshochschule", "bbs ")),
    ("charity", ("caritas", "diakonie", "drk", "rotes kreuz", "awo", "paritätisch")),
    ("volunteer", ("initiative", "ehrenamt", "netzwerk", "verein")),
)


def guess_kind(name):
    lowered = f"{name.casefold()} "
    for kind, words in KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "other"


def create_tables():
    op.create_table('institutions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('website', sa.String(length=300), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_institutions')),
        sa.UniqueConstraint('name_key', name=op.f('uq_institutions_name_key')))
    op.create_table('series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=120), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_series')),
        sa.UniqueConstraint('slug', name=op.f('uq_series_slug')))
    op.create_table('working_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=120), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('convenor_id', sa.Integer(), nullable=True),
        sa.Column('feed_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['convenor_id'], ['contacts.id'], name=op.f('fk_working_groups_convenor_id_contacts'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_working_groups')),
        sa.UniqueConstraint('feed_token', name=op.f('uq_working_groups_feed_token')),
        sa.UniqueConstraint('slug', name=op.f('uq_working_groups_slug')))
    op.create_table('working_group_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_working_group_members_contact_id_contacts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'],
                                name=op.f('fk_working_group_members_group_id_working_groups'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_working_group_members')),
        sa.UniqueConstraint('group_id', 'contact_id', name='uq_working_group_members_contact'))
    op.create_index('ix_working_group_members_contact', 'working_group_members', ['contact_id'], unique=False)
    op.create_table('event_institutions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_institutions_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                                name=op.f('fk_event_institutions_institution_id_institutions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_institutions')),
        sa.UniqueConstraint('event_id', 'institution_id', name='uq_event_institutions_event_institution'))
    op.create_index('ix_event_institutions_institution', 'event_institutions', ['institution_id', 'role'],
                    unique=False)
    op.create_table('meeting_presences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_meeting_presences_contact_id_contacts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_meeting_presences_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_presences')),
        sa.UniqueConstraint('event_id', 'contact_id', name='uq_meeting_presences_contact'))
    op.create_index('ix_meeting_presences_contact', 'meeting_presences', ['contact_id'], unique=False)
    op.create_table('event_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('summary_visibility', sa.String(length=20), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=False),
        sa.Column('minutes_visibility', sa.String(length=20), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_results_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_results')),
        sa.UniqueConstraint('event_id', name=op.f('uq_event_results_event_id')))
    op.create_table('result_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('visibility', sa.String(length=20), nullable=False),
        sa.Column('uploaded_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_result_files_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_result_files')))
    op.create_index('ix_result_files_event', 'result_files', ['event_id', 'id'], unique=False)
    op.create_table('organisation_matches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                                name=op.f('fk_organisation_matches_institution_id_institutions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_matches')),
        sa.UniqueConstraint('name_key', name=op.f('uq_organisation_matches_name_key')))
    op.create_index(op.f('ix_organisation_matches_institution_id'), 'organisation_matches', ['institution_id'],
                    unique=False)


def add_columns():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=20), server_default='public', nullable=False))
        batch_op.add_column(sa.Column('invite_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('working_group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_working_group_id'), ['working_group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_events_series_id_series'), 'series', ['series_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_events_working_group_id_working_groups'), 'working_groups',
                                    ['working_group_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('affiliation', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_institution_id'), ['institution_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contacts_institution_id_institutions'), 'institutions',
                                    ['institution_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_contact_id'), ['contact_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registrations_institution_id_institutions'), 'institutions',
                                    ['institution_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_registrations_contact_id_contacts'), 'contacts',
                                    ['contact_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_institution_id_institutions'), 'institutions',
                                    ['institution_id'], ['id'], ondelete='CASCADE')
    # The audit trail names a series, working group or institution by id, without a foreign key:
    # its history outlives it. No entry to fill: none of them existed before.
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_audit_entries_series', ['series_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_entries_group', ['group_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_entries_institution', ['institution_id', 'id'], unique=False)


events = sa.table('events', sa.column('id', sa.Integer), sa.column('partners', sa.JSON),
                  sa.column('invite_key', sa.String))
contacts = sa.table('contacts', sa.column('id', sa.Integer), sa.column('organisation', sa.String),
                    sa.column('organisation_kind', sa.String), sa.column('institution_id', sa.Integer))
institutions = sa.table('institutions', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('name_key', sa.String), sa.column('kind', sa.String),
                        sa.column('place', sa.String), sa.column('website', sa.String),
                        sa.column('notes', sa.String), sa.column('created_at', sa.DateTime(timezone=True)),
                        sa.column('updated_at', sa.DateTime(timezone=True)))
event_institutions = sa.table('event_institutions', sa.column('event_id', sa.Integer),
                              sa.column('institution_id', sa.Integer), sa.column('role', sa.String),
                              sa.column('position', sa.Integer))


def move_text_into_institutions(connection):
    """Partner lines and contacts' organisations become institution records, matched by name."""
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    known = {key: id_ for id_, key in connection.execute(sa.select(institutions.c.id, institutions.c.name_key))}
    rows = connection.execute(sa.select(contacts.c.id, contacts.c.organisation, contacts.c.organisation_kind)
                              .order_by(contacts.c.id)).all()
    # The kind staff gave most often to the contacts of one organisation is the institution's
    # (a guess from the name only where none was given).
    stated = {}
    for _id, organisation, kind in rows:
        if kind not in (None, "other"):
            stated.setdefault(name_key(organisation or "")[:200], Counter())[kind] += 1

    def institution_for(name):
        key = name_key(name)[:200]  # the column's length: two names alike that far are one
        if not key:
            return None
        if key not in known:
            kind = stated[key].most_common(1)[0][0] if key in stated else guess_kind(name)
            known[key] = connection.execute(institutions.insert().values(
                name=name.strip()[:200], name_key=key, kind=kind, place="", website="",
                notes="", created_at=now, updated_at=now).returning(institutions.c.id)).scalar_one()
        return known[key]

    for event_id, partners in connection.execute(sa.select(events.c.id, events.c.partners).order_by(events.c.id)):
        linked = set()
        for line in partners or []:
            institution_id = institution_for(str(line))
            if institution_id is None or institution_id in linked:
                continue
            linked.add(institution_id)
            connection.execute(event_institutions.insert().values(
                event_id=event_id, institution_id=institution_id, role="partner", position=len(linked)))
    for contact_id, organisation, _kind in rows:
        institution_id = institution_for(organisation or "")
        if institution_id is not None:
            connection.execute(contacts.update().where(contacts.c.id == contact_id)
                               .values(institution_id=institution_id))
    for (event_id,) in connection.execute(sa.select(events.c.id)).all():
        connection.execute(events.update().where(events.c.id == event_id)
                           .values(invite_key=secrets.token_urlsafe(24)))


def upgrade():
    create_tables()
    add_columns()
    move_text_into_institutions(op.get_bind())
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('invite_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_events_invite_key'), ['invite_key'])
        batch_op.drop_column('partners')
    # The institution holds the organisation and its kind now.
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('organisation_kind')
        batch_op.drop_column('organisation')


def give_contacts_their_organisation_text(connection):
    """The downgrade: each contact's organisation and its kind again, from their institution."""
    rows = connection.execute(sa.select(contacts.c.id, institutions.c.name, institutions.c.kind)
                              .join(institutions, institutions.c.id == contacts.c.institution_id)).all()
    for contact_id, name, kind in rows:
        connection.execute(contacts.update().where(contacts.c.id == contact_id)
                           .values(organisation=name, organisation_kind=kind))


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_institution')
        batch_op.drop_index('ix_audit_entries_group')
        batch_op.drop_index('ix_audit_entries_series')
        batch_op.drop_column('institution_id')
        batch_op.drop_column('group_id')
        batch_op.drop_column('series_id')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('organisation_kind', sa.String(length=30), server_default='other',
                                      nullable=False))
    give_contacts_their_organisation_text(op.get_bind())
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.alter_column('organisation', existing_type=sa.String(length=200), server_default=None)
        batch_op.alter_column('organisation_kind', existing_type=sa.String(length=30), server_default=None)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partners', sa.JSON(), nullable=True))
    connection = op.get_bind()
    names = {}
    for event_id, name in connection.execute(
            sa.select(event_institutions.c.event_id, institutions.c.name)
            .join(institutions, institutions.c.id == event_institutions.c.institution_id)
            .where(event_institutions.c.role != "present")
            .order_by(event_institutions.c.event_id, event_institutions.c.position)):
        names.setdefault(event_id, []).append(name)
    for (event_id,) in connection.execute(sa.select(events.c.id)).all():
        connection.execute(events.update().where(events.c.id == event_id).values(partners=names.get(event_id, [])))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('partners', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_events_invite_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_events_working_group_id_working_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_events_series_id_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_events_working_group_id'))
        batch_op.drop_index(batch_op.f('ix_events_series_id'))
        batch_op.drop_column('working_group_id')
        batch_op.drop_column('series_id')
        batch_op.drop_column('invite_key')
        batch_op.drop_column('visibility')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_institution_id_institutions'), type_='foreignkey')
        batch_op.drop_column('institution_id')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_contact_id_contacts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_registrations_institution_id_institutions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registrations_contact_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_institution_id'))
        batch_op.drop_column('contact_id')
        batch_op.drop_column('institution_id')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contacts_institution_id_institutions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contacts_institution_id'))
        batch_op.drop_column('affiliation')
        batch_op.drop_column('institution_id')
    for table in ('organisation_matches', 'result_files', 'event_results', 'meeting_presences',
                  'event_institutions', 'working_group_members', 'working_groups', 'series', 'institutions'):
        op.drop_table(table)
