"""The institutions behind an event: who hosts it, co-hosts it, partners it, sends a speaker, or
(at a recorded meeting) was present. Staff keep the list in their order; the event's public page
shows it grouped by role.

Every change runs under the event's row lock, renumbers the positions 0, 1, 2 ... in the order
staff see, notes the change in the audit trail, and touches the event's `updated_at`: the public
page is cached by that version (pagecache), so the new names show at once.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import Actor, AuditAction, record
from ..contacts.models import Institution
from ..database import get_row, is_valid_id, write_transaction
from ..errors import InvalidInput, NotFound
from ..events.models import Event
from ..extensions import db
from .models import EventInstitution, InstitutionRole

# What staff may name an institution as on an event's page; "present" only on a recorded meeting.
NAMED_ROLES = (InstitutionRole.host, InstitutionRole.co_host, InstitutionRole.partner, InstitutionRole.speaker)
# What guests never see: who was at a meeting staff recorded is the network's own knowledge.
NOT_PUBLIC = (InstitutionRole.present,)


class AlreadyNamed(InvalidInput):
    """The institution is on the event's list already (once per event, in one role)."""

    code = "institution_already_named"
    field = "institution_id"


class NotNamed(NotFound):
    """The institution is not on this event's list (any more)."""

    code = "institution_not_named"
    message = _l("This institution is not named on this event (any more).")


def roles_for(event: Event) -> tuple[InstitutionRole, ...]:
    """The roles staff may give an institution on this event."""
    return NAMED_ROLES + ((InstitutionRole.present,) if event.is_record_only else ())


def event_institutions(event_id: int) -> list[EventInstitution]:
    """The event's institutions in the order staff gave them, each with its institution (one query)."""
    query = (select(EventInstitution).where(EventInstitution.event_id == event_id)
             .order_by(EventInstitution.position, EventInstitution.id))
    return list(db.session.execute(query).scalars())


@dataclass
class PublicInstitutions:
    """What the event's public page names, each group in the staff's order."""

    hosts: list[EventInstitution] = field(default_factory=list)  # host and co-host
    partners: list[EventInstitution] = field(default_factory=list)
    speakers: list[EventInstitution] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.hosts or self.partners or self.speakers)


def public_institutions(event_id: int) -> PublicInstitutions:
    """The event's institutions as guests may see them: hosts, partners, speakers' institutions;
    never who was present at a recorded meeting. One query."""
    shown = PublicInstitutions()
    groups = {InstitutionRole.host: shown.hosts, InstitutionRole.co_host: shown.hosts,
              InstitutionRole.partner: shown.partners, InstitutionRole.speaker: shown.speakers}
    for link in event_institutions(event_id):
        if link.role not in NOT_PUBLIC:
            groups[link.role].append(link)
    return shown


def institution_names(ids) -> dict[int, str]:
    """The names of these institutions by id (for pages that list who belongs where)."""
    wanted = {value for value in ids if value}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(wanted))).all())


def add_institution(event_id: int, institution_id: int, role: str, *, by: Actor,
                    now: datetime | None = None) -> EventInstitution:
    """Name an institution on the event, in `role`, at the end of the list. Commits.

    :raises NotFound: no such event or institution.
    :raises InvalidInput: a role this event does not take.
    :raises AlreadyNamed: the institution is on the list already.
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        role = _role(event, role)
        institution = get_row(Institution, institution_id)
        links = event_institutions(event.id)
        same = next((link for link in links if link.institution_id == institution.id), None)
        if same is not None:
            raise AlreadyNamed(_l("%(name)s is already named on this event (%(role)s). Change its role in the "
                                  "list instead.", name=institution.name, role=same.role.label))
        link = EventInstitution(event_id=event.id, institution_id=institution.id, role=role, position=len(links))
        db.session.add(link)
        _renumber(links)
        _changed(event, by, AuditAction.event_institution_added, tx.now,
                 {"institution": institution.name, "role": [None, role]})
        db.session.flush()
        return link


def change_role(event_id: int, institution_id: int, role: str, *, by: Actor,
                now: datetime | None = None) -> EventInstitution:
    """Give a named institution another role on the event. Commits.

    :raises NotFound, NotNamed, InvalidInput:
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        role = _role(event, role)
        link = _named(event.id, institution_id)
        if link.role != role:
            _changed(event, by, AuditAction.event_institution_changed, tx.now,
                     {"institution": link.institution.name, "role": [link.role, role]})
            link.role = role
        return link


def remove_institution(event_id: int, institution_id: int, *, by: Actor, now: datetime | None = None) -> str:
    """Take an institution off the event's list; returns its name. Commits. :raises NotFound, NotNamed:"""
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        link = _named(event.id, institution_id)
        name = link.institution.name
        _changed(event, by, AuditAction.event_institution_removed, tx.now,
                 {"institution": name, "role": [link.role, None]})
        db.session.delete(link)
        _renumber([other for other in event_institutions(event.id) if other.id != link.id])
        return name


def move_institution(event_id: int, institution_id: int, step: int, *, by: Actor,
                     now: datetime | None = None) -> EventInstitution:
    """Move a named institution one place up (`step` -1) or down (+1); at either end nothing moves.
    Commits. :raises NotFound, NotNamed:"""
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        links = event_institutions(event.id)
        index = next((i for i, link in enumerate(links) if link.institution_id == institution_id), None)
        if index is None:
            raise NotNamed()
        moved, target = links[index], index + (1 if step > 0 else -1)
        if 0 <= target < len(links):
            links[index], links[target] = links[target], moved
            _changed(event, by, AuditAction.event_institution_changed, tx.now,
                     {"institution": moved.institution.name, "position": [index + 1, target + 1]})
        _renumber(links)
        return moved


def set_institutions(event_id: int, entries: list[tuple[int, str]], *, by: Actor,
                     roles: tuple[InstitutionRole, ...] | None = None,
                     now: datetime | None = None) -> list[EventInstitution]:
    """Make the event's institutions in `roles` (default: every role) exactly `entries`, (institution
    id, role) pairs in their order, after those of other roles; one audit entry per change. Commits.

    :raises NotFound: no such event or institution.
    :raises InvalidInput: a role outside `roles`, or one institution twice.
    :raises AlreadyNamed: an institution already named in a role outside `roles`.
    """
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        kept_roles = tuple(roles or InstitutionRole)
        wanted = [(get_row(Institution, institution_id), _role(event, role, kept_roles))
                  for institution_id, role in entries]
        if len({institution.id for institution, _ in wanted}) != len(wanted):
            raise InvalidInput(_l("An institution can be named only once on an event."), field="institution_id")
        links = event_institutions(event.id)
        others = [link for link in links if link.role not in kept_roles]
        current = {link.institution_id: link for link in links if link.role in kept_roles}
        for institution, role in wanted:
            if any(link.institution_id == institution.id for link in others):
                raise AlreadyNamed(_l("%(name)s is already named on this event in another role.",
                                      name=institution.name))
        result = []
        for institution, role in wanted:
            link = current.pop(institution.id, None)
            if link is None:
                link = EventInstitution(event_id=event.id, institution_id=institution.id, role=role)
                db.session.add(link)
                _changed(event, by, AuditAction.event_institution_added, tx.now,
                         {"institution": institution.name, "role": [None, role]})
            elif link.role != role:
                _changed(event, by, AuditAction.event_institution_changed, tx.now,
                         {"institution": institution.name, "role": [link.role, role]})
                link.role = role
            result.append(link)
        for link in current.values():
            _changed(event, by, AuditAction.event_institution_removed, tx.now,
                     {"institution": link.institution.name, "role": [link.role, None]})
            db.session.delete(link)
        _renumber(others + result)
        db.session.flush()
        return result


def _role(event: Event, value: str, allowed: tuple[InstitutionRole, ...] | None = None) -> InstitutionRole:
    """The role `value` names, if this event takes it. :raises InvalidInput:"""
    choices = [role for role in roles_for(event) if allowed is None or role in allowed]
    role = next((role for role in choices if role == value), None)
    if role is None:
        raise InvalidInput(_l("Please choose one of the roles offered."), field="role")
    return role


def _named(event_id: int, institution_id: int) -> EventInstitution:
    if not is_valid_id(institution_id):
        raise NotNamed()
    link = db.session.execute(select(EventInstitution).where(
        EventInstitution.event_id == event_id, EventInstitution.institution_id == institution_id)
    ).scalar_one_or_none()
    if link is None:
        raise NotNamed()
    return link


def _renumber(links: list[EventInstitution]) -> None:
    for position, link in enumerate(links):
        if link.position != position:
            link.position = position


def _changed(event: Event, by: Actor, action: AuditAction, now: datetime, changes: dict) -> None:
    """Record the change, and give the event a new version: its cached public page is redrawn."""
    record(by, action, at=now, event_id=event.id, changes=changes)
    event.updated_at = now
