"""What the network knows about its institutions: for the list, how many people, events and
sign-ups each has; for one institution, its people, its events by role, the registrations that
count for it and the typed names matched to it; and what deleting one would take with it."""
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..contacts.institutions import get_institution, people_of
from ..contacts.models import Contact, Institution
from ..events.models import Event
from ..extensions import db
from ..registrations.models import OrganisationMatch, Registration
from ..search import matches_words
from .models import EventInstitution, InstitutionRole

# The role order of an institution's events on its page.
ROLE_ORDER = (InstitutionRole.host, InstitutionRole.co_host, InstitutionRole.partner, InstitutionRole.speaker,
              InstitutionRole.present)


@dataclass(frozen=True)
class InstitutionRow:
    institution: Institution
    people: int  # contacts
    events: int  # events that name it, in any role
    registrations: int  # sign-ups that count for it


@dataclass
class InstitutionPage:
    institution: Institution
    people: list[Contact]
    events: dict[InstitutionRole, list[Event]] = field(default_factory=dict)  # by role, the newest first
    registrations: list[Registration] = field(default_factory=list)  # the newest event first
    typed_names: list[str] = field(default_factory=list)  # name keys of the organisations matched to it


@dataclass(frozen=True)
class DeletionEffects:
    """What goes or changes with an institution."""

    people: int  # keep existing, without an institution
    events: int  # lose it from their list of institutions
    registrations: int  # count for no institution any more
    accounts: int  # partner accounts of the institution: deleted with it


def institution_list(query: str = "", kind: str = "") -> list[InstitutionRow]:
    """The institutions whose name or place has every word of `query` (and of a kind), by name."""
    statement = select(Institution).where(*matches_words(query, Institution.name, Institution.place))
    if kind:
        statement = statement.where(Institution.kind == kind)
    institutions = list(db.session.execute(statement.order_by(func.lower(Institution.name),
                                                              Institution.id)).scalars())
    people = _counts(Contact.institution_id, Contact.id)
    events = _counts(EventInstitution.institution_id, EventInstitution.event_id)
    registrations = _counts(Registration.institution_id, Registration.id)
    return [InstitutionRow(i, people.get(i.id, 0), events.get(i.id, 0), registrations.get(i.id, 0))
            for i in institutions]


def institution_page(institution_id: int, registrations_limit: int = 200) -> InstitutionPage:
    """One institution with its people, events by role, the latest registrations that count for it, and
    the typed names matched to it.

    :raises NotFound:
    """
    institution = get_institution(institution_id)
    page = InstitutionPage(institution, people_of(institution.id))
    links = db.session.execute(
        select(EventInstitution).options(joinedload(EventInstitution.event))
        .join(Event, Event.id == EventInstitution.event_id)
        .where(EventInstitution.institution_id == institution.id).order_by(Event.starts_at.desc())).scalars()
    for link in links:
        page.events.setdefault(link.role, []).append(link.event)
    page.events = {role: page.events[role] for role in ROLE_ORDER if role in page.events}
    page.registrations = list(db.session.execute(
        select(Registration).join(Event).where(Registration.institution_id == institution.id)
        .order_by(Event.starts_at.desc(), Registration.id.desc()).limit(registrations_limit)).scalars())
    page.typed_names = list(db.session.execute(
        select(OrganisationMatch.name_key).where(OrganisationMatch.institution_id == institution.id)
        .order_by(OrganisationMatch.name_key)).scalars())
    return page


def count_registrations(institution_id: int) -> int:
    """How many sign-ups count for the institution."""
    return db.session.execute(select(func.count(Registration.id))
                              .where(Registration.institution_id == institution_id)).scalar_one()


def deletion_effects(institution_id: int) -> DeletionEffects:
    """What deleting the institution would take with it or leave without it. :raises NotFound:"""
    institution = get_institution(institution_id)

    def count(column, counted):
        query = select(func.count(counted.distinct())).where(column == institution.id)
        return db.session.execute(query).scalar_one()

    return DeletionEffects(count(Contact.institution_id, Contact.id),
                           count(EventInstitution.institution_id, EventInstitution.event_id),
                           count(Registration.institution_id, Registration.id),
                           count(User.institution_id, User.id))


def _counts(column, counted) -> dict[int, int]:
    """How many distinct `counted` per value of `column` (an institution's id)."""
    return dict(db.session.execute(select(column, func.count(counted.distinct())).where(column.is_not(None))
                                   .group_by(column)).all())
