"""Meetings staff record afterwards: a coordination meeting, a working group's session, a talk, a
visit to another organisation's event. Each is a record-only event (nobody signs up, nobody is
mailed) with the institutions present (EventInstitution, role present) and the people present
(MeetingPresence); these records are what the network's count of meetings is made of.

Recording never mails: nothing here writes to the outbox, and a record-only event takes no
sign-up, invitation or reminder (the events, registrations and campaigns features refuse them).
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..audit import Actor, AuditAction, changed_fields, record
from ..contacts.models import Contact, Institution
from ..database import get_row, is_valid_id, write_transaction
from ..errors import InvalidInput, NotFound
from ..events.models import Event, EventKind, EventVisibility
from ..events.services import check_event_fields, create_event
from ..extensions import db
from ..paging import Page, paginate
from .models import EventInstitution, InstitutionRole, MeetingPresence, WorkingGroup

# The kinds a recorded meeting may be of.
MEETING_KINDS = (EventKind.coordination, EventKind.working_group, EventKind.talk, EventKind.visit,
                 EventKind.other)
# The event's own fields a recorded meeting has (the notes are its description).
MEETING_FIELDS = ("title", "kind", "starts_at", "ends_at", "timezone", "venue", "address", "description",
                  "working_group_id")
PAGE_SIZE = 50


@dataclass(frozen=True)
class MeetingRow:
    """A line of the list of recorded meetings."""

    event: Event
    institutions: list[Institution]
    people: int


def list_meetings(*, page: int | None = None, size: int = PAGE_SIZE) -> tuple[Page, list[MeetingRow]]:
    """The recorded meetings, newest first, a page at a time, with who was there."""
    query = (select(Event).where(Event.visibility == EventVisibility.record)
             .order_by(Event.starts_at.desc(), Event.id.desc()))
    found = paginate(query, number=page, size=size)
    ids = [event.id for event in found.items]
    institutions: dict[int, list[Institution]] = {event_id: [] for event_id in ids}
    for link in db.session.execute(select(EventInstitution).where(EventInstitution.event_id.in_(ids))
                                   .order_by(EventInstitution.position, EventInstitution.id)).scalars():
        institutions[link.event_id].append(link.institution)
    people = dict(db.session.execute(select(MeetingPresence.event_id, func.count(MeetingPresence.id))
                                     .where(MeetingPresence.event_id.in_(ids))
                                     .group_by(MeetingPresence.event_id)).all())
    rows = [MeetingRow(event, institutions[event.id], people.get(event.id, 0)) for event in found.items]
    return found, rows


def get_meeting(event_id: int) -> Event:
    """A recorded meeting (a record-only event). :raises NotFound:"""
    event = get_row(Event, event_id)
    if not event.is_record_only:
        raise NotFound(Event.not_found)
    return event


def institutions_present(event_id: int) -> list[Institution]:
    """The institutions recorded as present, in the order they were recorded."""
    query = (select(Institution).join(EventInstitution, EventInstitution.institution_id == Institution.id)
             .where(EventInstitution.event_id == event_id, EventInstitution.role == InstitutionRole.present)
             .order_by(EventInstitution.position, EventInstitution.id))
    return list(db.session.execute(query).scalars())


def people_present(event_id: int) -> list[Contact]:
    """The contacts recorded as present, by name."""
    query = (select(Contact).join(MeetingPresence, MeetingPresence.contact_id == Contact.id)
             .where(MeetingPresence.event_id == event_id).order_by(func.lower(Contact.name), Contact.id))
    return list(db.session.execute(query).scalars())


def group_choices() -> list[tuple[int, str]]:
    """Every working group as (id, name), by name."""
    rows = db.session.execute(select(WorkingGroup.id, WorkingGroup.name)
                              .order_by(func.lower(WorkingGroup.name), WorkingGroup.id))
    return [(row.id, row.name) for row in rows]


# --- recording ------------------------------------------------------------------------------

def _checked(fields: dict, institution_ids: list[int], contact_ids: list[int]) -> tuple[dict, list, list]:
    """The meeting's fields, and the institutions and contacts present, each once and known.

    :raises InvalidInput: naming the field.
    """
    fields = {name: fields.get(name) for name in MEETING_FIELDS}
    fields["description"] = fields["description"] or ""
    fields["venue"], fields["address"] = fields["venue"] or "", fields["address"] or ""
    if fields["kind"] not in MEETING_KINDS:
        raise InvalidInput(_l("Please choose the kind of meeting."), field="kind")
    group_id = fields["working_group_id"]
    if group_id is not None and not (is_valid_id(group_id) and db.session.get(WorkingGroup, group_id)):
        raise InvalidInput(WorkingGroup.not_found, field="working_group_id")
    institution_ids, contact_ids = list(dict.fromkeys(institution_ids)), list(dict.fromkeys(contact_ids))
    if not _all_exist(Institution, institution_ids):
        raise InvalidInput(Institution.not_found, field="institution_ids")
    if not _all_exist(Contact, contact_ids):
        raise InvalidInput(Contact.not_found, field="contact_ids")
    return fields, institution_ids, contact_ids


def _all_exist(model, ids: list[int]) -> bool:
    """Whether there is a row of `model` for each of `ids` (given once each)."""
    if not ids:
        return True
    if not all(is_valid_id(row_id) for row_id in ids):
        return False
    return db.session.execute(select(func.count(model.id)).where(model.id.in_(ids))).scalar_one() == len(ids)


def record_meeting(*, fields: dict, institution_ids: list[int], contact_ids: list[int], by: Actor,
                   now: datetime | None = None) -> Event:
    """Record a meeting with the institutions and people present, in one transaction; no mail.
    Commits.

    :raises InvalidInput:
    """
    with write_transaction(now=now) as tx:
        fields, institution_ids, contact_ids = _checked(fields, institution_ids, contact_ids)
        event = create_event(publish=True, by=by, now=tx.now, visibility=EventVisibility.record, **fields)
        _set_present(event.id, institution_ids, contact_ids, by=by, now=tx.now)
        return event


def update_meeting(event_id: int, *, fields: dict, institution_ids: list[int], contact_ids: list[int],
                   by: Actor) -> Event:
    """Change a recorded meeting, its institutions and people present included. Commits.

    :raises NotFound: no such recorded meeting.
    :raises InvalidInput:
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        event = tx.row
        if not event.is_record_only:
            raise NotFound(Event.not_found)
        fields, institution_ids, contact_ids = _checked(fields, institution_ids, contact_ids)
        check_event_fields(**fields)
        before = {name: getattr(event, name) for name in MEETING_FIELDS} | _present_names(event.id)
        for name, value in fields.items():
            setattr(event, name, value)
        _set_present(event.id, institution_ids, contact_ids, by=by, now=tx.now)
        db.session.flush()
        changes = changed_fields(before, {name: getattr(event, name) for name in MEETING_FIELDS}
                                 | _present_names(event.id))
        if changes:
            record(by, AuditAction.event_updated, at=tx.now, event_id=event.id, changes=changes)
        return event


def _present_names(event_id: int) -> dict:
    """Who was there, as the history shows it."""
    return {"institution_ids": [i.name for i in institutions_present(event_id)],
            "contact_ids": [c.name for c in people_present(event_id)]}


def _set_present(event_id: int, institution_ids: list[int], contact_ids: list[int], *, by: Actor,
                 now: datetime) -> None:
    """Make the institutions and people present exactly these. An institution that the event names
    in another role (a host) keeps that role."""
    named = dict(db.session.execute(select(EventInstitution.institution_id, EventInstitution.role)
                                    .where(EventInstitution.event_id == event_id)).all())
    db.session.execute(delete(EventInstitution).where(
        EventInstitution.event_id == event_id, EventInstitution.role == InstitutionRole.present,
        EventInstitution.institution_id.not_in(institution_ids)))
    start = len(named)
    for position, institution_id in enumerate(institution_ids):
        if institution_id not in named:
            db.session.add(EventInstitution(event_id=event_id, institution_id=institution_id,
                                            role=InstitutionRole.present, position=start + position))
    db.session.execute(delete(MeetingPresence).where(MeetingPresence.event_id == event_id,
                                                     MeetingPresence.contact_id.not_in(contact_ids)))
    there = set(db.session.execute(select(MeetingPresence.contact_id)
                                   .where(MeetingPresence.event_id == event_id)).scalars())
    db.session.add_all(MeetingPresence(event_id=event_id, contact_id=contact_id, recorded_by=by.name[:200],
                                       created_at=now)
                       for contact_id in contact_ids if contact_id not in there)
