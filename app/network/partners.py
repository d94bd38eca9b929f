"""What a partner account may see: the events its institution hosts or co-hosts (HOSTING_ROLES),
their registrations and their attendance; nothing else.

Every read of a partner page goes through one of these functions with the account's institution,
and each refuses with NotYours (403) whatever lies outside it: another institution's event, an
event where the institution is only a partner or sends a speaker, a registration of such an event,
and an id that names nothing (so that a partner cannot tell which ids exist elsewhere).
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, select

from ..database import is_valid_id, utcnow
from ..errors import DomainError
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from .models import HOSTING_ROLES, EventInstitution


class NotYours(DomainError):
    """A partner asked for something outside its institution's own events."""

    status_code = 403
    code = "forbidden"
    message = _l("This page belongs to an event your institution does not host.")


def _hosted_by(institution_id: int):
    """The condition "the event is hosted or co-hosted by this institution", for a WHERE."""
    return exists().where(EventInstitution.event_id == Event.id,
                          EventInstitution.institution_id == institution_id,
                          EventInstitution.role.in_(HOSTING_ROLES))


def hosted_events(institution_id: int, now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """The institution's own events: those to come (soonest first) and those that ended (newest first)."""
    now = now or utcnow()
    events = db.session.execute(select(Event).where(_hosted_by(institution_id))).scalars().all()
    upcoming = sorted((event for event in events if not event.has_ended(now)), key=lambda e: (e.starts_at, e.id))
    past = sorted((event for event in events if event.has_ended(now)), key=lambda e: (e.starts_at, e.id),
                  reverse=True)
    return upcoming, past


def get_hosted_event(institution_id: int | None, event_id: int) -> Event:
    """The event, if this institution hosts or co-hosts it. :raises NotYours: any other id."""
    if institution_id is None or not is_valid_id(event_id):
        raise NotYours()
    event = db.session.execute(select(Event).where(Event.id == event_id, _hosted_by(institution_id))
                               ).scalar_one_or_none()
    if event is None:
        raise NotYours()
    return event


def get_hosted_registration(institution_id: int | None, registration_id: int) -> Registration:
    """The registration, if its event is one this institution hosts or co-hosts. :raises NotYours:"""
    if institution_id is None or not is_valid_id(registration_id):
        raise NotYours()
    registration = db.session.execute(
        select(Registration).join(Event, Registration.event_id == Event.id)
        .where(Registration.id == registration_id, _hosted_by(institution_id))).scalar_one_or_none()
    if registration is None:
        raise NotYours()
    return registration


def registrations_of(event: Event) -> list[Registration]:
    """Every registration of the event, whatever its state, in the order they came."""
    query = (select(Registration).where(Registration.event_id == event.id)
             .order_by(Registration.created_at, Registration.id))
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class Figures:
    """An event's registrations and attendance in numbers."""

    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    came: int = 0  # confirmed guests who were checked in (walk-ins included)


def figures(event: Event) -> Figures:
    """How many are confirmed, waiting, cancelled, and how many confirmed guests came (one query)."""
    came = func.sum(case((Registration.checked_in_at.is_not(None), 1), else_=0))
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id), came)
        .where(Registration.event_id == event.id).group_by(Registration.status)).all()
    counts = {status: (number, checked_in or 0) for status, number, checked_in in rows}
    return Figures(confirmed=counts.get(RegistrationStatus.confirmed, (0, 0))[0],
                   waitlisted=counts.get(RegistrationStatus.waitlisted, (0, 0))[0],
                   cancelled=counts.get(RegistrationStatus.cancelled, (0, 0))[0],
                   came=counts.get(RegistrationStatus.confirmed, (0, 0))[1])
