"""Working groups (Arbeitskreise): standing groups with a purpose, a convenor and members, whose
meetings are invitation-only events (planning.py plans one and invites the members).

Every change staff make is in the audit trail, as an entry about the group (group_id); a change
of membership is also an entry about the contact (contact_id), so it shows on the contact's
history too, and a planned meeting one about its event.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit import Actor, AuditAction, AuditEntry, changed_fields, newest_entries, record
from ..contacts.models import Contact, Institution
from ..database import get_by_link_key, get_row, is_valid_id, unique_slug, utcnow, write_transaction
from ..errors import InvalidInput, StateConflict
from ..events.models import Event, EventStatus, EventVisibility
from ..extensions import db
from ..links import new_link_token
from ..search import matches_words
from ..text import clean_line, clean_text, slugify
from .models import WorkingGroup, WorkingGroupMember

# How far back the members' feed reaches: a meeting of last month stays in their calendars.
FEED_PAST = timedelta(days=180)


# The meetings members are told of: those one signs up for, not the records staff keep afterwards.
_invitable = Event.visibility != EventVisibility.record


class AlreadyMember(StateConflict):
    code = "already_member"
    message = _l("This contact already is a member of the group.")


@dataclass(frozen=True)
class GroupRow:
    """A line of the list of groups."""

    group: WorkingGroup
    members: int
    next_meeting: Event | None


# --- reading --------------------------------------------------------------------------------

def get_group(group_id: int) -> WorkingGroup:
    """One working group. :raises NotFound:"""
    return get_row(WorkingGroup, group_id)


def get_group_by_feed_token(token: str) -> WorkingGroup:
    """The group whose calendar feed this key opens. :raises NotFound:"""
    return get_by_link_key(WorkingGroup.feed_token, token)


def list_groups(now: datetime | None = None) -> list[GroupRow]:
    """Every group by name, with how many members it has and its next meeting."""
    now = now or utcnow()
    counts = dict(db.session.execute(select(WorkingGroupMember.group_id, func.count(WorkingGroupMember.id))
                                     .group_by(WorkingGroupMember.group_id)).all())
    following: dict[int, Event] = {}
    for event in db.session.execute(select(Event).where(Event.working_group_id.is_not(None), _invitable,
                                                        Event.status == EventStatus.published,
                                                        Event.ends_at >= now)
                                    .order_by(Event.starts_at, Event.id)).scalars():
        following.setdefault(event.working_group_id, event)
    groups = db.session.execute(select(WorkingGroup).options(joinedload(WorkingGroup.convenor))
                                .order_by(func.lower(WorkingGroup.name), WorkingGroup.id))
    return [GroupRow(group, counts.get(group.id, 0), following.get(group.id)) for group in groups.scalars()]


def members_of(group_id: int) -> list[Contact]:
    """The group's members, by name."""
    query = (select(Contact).join(WorkingGroupMember, WorkingGroupMember.contact_id == Contact.id)
             .where(WorkingGroupMember.group_id == group_id).options(joinedload(Contact.institution))
             .order_by(func.lower(Contact.name), Contact.id))
    return list(db.session.execute(query).scalars())


def is_member(group_id: int, contact_id: int) -> bool:
    """Whether the contact belongs to the group."""
    query = select(WorkingGroupMember.id).where(WorkingGroupMember.group_id == group_id,
                                                WorkingGroupMember.contact_id == contact_id)
    return db.session.execute(query).first() is not None


def contacts_to_add(group_id: int, query: str, limit: int = 20) -> list[Contact]:
    """Contacts whose name, address or organisation hold every word of `query` and who are not
    members yet (nothing for an empty query)."""
    conditions = matches_words(query, Contact.name, Contact.email, func.coalesce(Institution.name, ""))
    if not conditions:
        return []
    members = select(WorkingGroupMember.contact_id).where(WorkingGroupMember.group_id == group_id)
    found = (select(Contact).outerjoin(Institution, Institution.id == Contact.institution_id)
             .where(*conditions, Contact.id.not_in(members))
             .order_by(func.lower(Contact.name), Contact.id).limit(limit))
    return list(db.session.execute(found).scalars())


def contact_choices() -> list[tuple[int, str]]:
    """Every contact as (id, "Name (institution)"), by name: whom a convenor, a member present may be."""
    rows = db.session.execute(select(Contact.id, Contact.name, Institution.name.label("institution"))
                              .outerjoin(Institution, Institution.id == Contact.institution_id)
                              .order_by(func.lower(Contact.name), Contact.id))
    return [(row.id, f"{row.name} ({row.institution})" if row.institution else row.name) for row in rows]


def meetings_of(group_id: int, now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """The group's meetings for staff, drafts and cancelled ones too: (upcoming soonest first,
    past newest first)."""
    now = now or utcnow()
    events = list(db.session.execute(select(Event).where(Event.working_group_id == group_id)
                                     .order_by(Event.starts_at, Event.id)).scalars())
    upcoming = [e for e in events if e.ends_at > now]
    past = [e for e in events if e.ends_at <= now]
    return upcoming, past[::-1]


def next_meetings(group_id: int, now: datetime | None = None, limit: int = 10) -> list[Event]:
    """The group's published meetings that have not ended, soonest first (what members see; not
    the meetings staff recorded)."""
    query = (select(Event).where(Event.working_group_id == group_id, _invitable,
                                 Event.status == EventStatus.published, Event.ends_at >= (now or utcnow()))
             .order_by(Event.starts_at, Event.id).limit(limit).options(selectinload(Event.texts)))
    return list(db.session.execute(query).scalars())


def feed_meetings(group_id: int, now: datetime | None = None) -> list[Event]:
    """What the members' calendar feed holds: the group's meetings that take sign-ups (published,
    or cancelled so that calendars show them as such; no recorded ones), upcoming and of the last
    FEED_PAST, in order."""
    since = (now or utcnow()) - FEED_PAST
    query = (select(Event).where(Event.working_group_id == group_id, _invitable,
                                 Event.status != EventStatus.draft, Event.ends_at >= since)
             .order_by(Event.starts_at, Event.id).options(selectinload(Event.texts)))
    return list(db.session.execute(query).scalars())


def group_of_member(event: Event, contact_id: int) -> WorkingGroup | None:
    """The working group of `event` if the contact is one of its members, else None."""
    if event.working_group_id is None or not is_member(event.working_group_id, contact_id):
        return None
    return db.session.get(WorkingGroup, event.working_group_id)


def group_history(group_id: int, limit: int = 50) -> list[AuditEntry]:
    """The newest changes to a group, its members and its meetings' planning, newest first."""
    return newest_entries(AuditEntry.group_id == group_id, limit=limit)


def contact_names(contact_ids) -> dict[int, str]:
    """The names of these contacts, by id (those that still exist)."""
    ids = {contact_id for contact_id in contact_ids if contact_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Contact.id, Contact.name).where(Contact.id.in_(ids))).all())


# --- changing -------------------------------------------------------------------------------

def _fields(name: str, purpose: str, convenor_id: int | None) -> dict:
    name, purpose = clean_line(name or ""), clean_text(purpose or "")
    if not name:
        raise InvalidInput(_l("Please give the group a name."), field="name")
    if convenor_id is not None and not (is_valid_id(convenor_id) and db.session.get(Contact, convenor_id)):
        raise InvalidInput(Contact.not_found, field="convenor_id")
    return {"name": name, "purpose": purpose, "convenor_id": convenor_id}


def _described(fields: dict) -> dict:
    """A group's fields as its history names them: the convenor by name."""
    convenor = db.session.get(Contact, fields["convenor_id"]) if fields["convenor_id"] else None
    return {"name": fields["name"], "purpose": fields["purpose"],
            "convenor": convenor.name if convenor else ""}


def create_group(*, name: str, purpose: str = "", convenor_id: int | None = None, by: Actor) -> WorkingGroup:
    """A new working group (without members). Commits. :raises InvalidInput:"""
    with write_transaction() as tx:
        fields = _fields(name, purpose, convenor_id)
        group = WorkingGroup(slug=unique_slug(WorkingGroup.slug, slugify(fields["name"], "group")), **fields)
        db.session.add(group)
        db.session.flush()
        record(by, AuditAction.group_created, at=tx.now, group_id=group.id,
               changes={"group": group.name} | changed_fields({}, _described(fields)))
        return group


def update_group(group_id: int, *, name: str, purpose: str = "", convenor_id: int | None = None,
                 by: Actor) -> WorkingGroup:
    """Change a group's name, purpose or convenor. Commits. :raises NotFound, InvalidInput:"""
    with write_transaction(lock=(WorkingGroup, group_id)) as tx:
        group = tx.row
        fields = _fields(name, purpose, convenor_id)
        changes = changed_fields(_described({key: getattr(group, key) for key in fields}), _described(fields))
        for key, value in fields.items():
            setattr(group, key, value)
        if changes:
            record(by, AuditAction.group_updated, at=tx.now, group_id=group.id, changes=changes)
        return group


def add_member(group_id: int, contact_id: int, *, by: Actor) -> Contact:
    """Make a contact a member (once). Commits. :raises NotFound, AlreadyMember:"""
    with write_transaction(lock=(WorkingGroup, group_id)) as tx:
        group = tx.row
        contact = get_row(Contact, contact_id)
        if is_member(group.id, contact.id):
            raise AlreadyMember()
        db.session.add(WorkingGroupMember(group_id=group.id, contact_id=contact.id, joined_at=tx.now))
        record(by, AuditAction.group_member_added, at=tx.now, contact_id=contact.id, group_id=group.id,
               changes={"group": group.name})
        return contact


def remove_member(group_id: int, contact_id: int, *, by: Actor) -> Contact:
    """End a contact's membership (their past invitations and registrations stay). Commits.

    :raises NotFound: no such group or contact.
    :raises StateConflict: the contact is not a member.
    """
    with write_transaction(lock=(WorkingGroup, group_id)) as tx:
        group = tx.row
        contact = get_row(Contact, contact_id)
        gone = db.session.execute(delete(WorkingGroupMember).where(
            WorkingGroupMember.group_id == group.id, WorkingGroupMember.contact_id == contact.id))
        if not gone.rowcount:
            raise StateConflict(_l("This contact is not a member of the group."))
        record(by, AuditAction.group_member_removed, at=tx.now, contact_id=contact.id, group_id=group.id,
               changes={"group": group.name})
        return contact


def renew_feed_token(group_id: int, *, by: Actor) -> WorkingGroup:
    """Give the group's calendar feed a new address; the old one stops working. Commits."""
    with write_transaction(lock=(WorkingGroup, group_id)) as tx:
        group = tx.row
        group.feed_token = new_link_token()
        record(by, AuditAction.group_feed_renewed, at=tx.now, group_id=group.id)
        return group
