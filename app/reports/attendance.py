"""The queries behind the report: each an aggregate over the gatherings of a period, so that their
number, not the number of events or guests, sets the report's cost.

Two subqueries carry them. `held` is the gatherings: published events that began in the period
and by `now`, narrowed to the scope, each with its category. `attendances` is one row per person
present at one of them: a registration checked in (walk-ins included), or a contact marked
present at a recorded meeting, each with the key the person is counted by (privacy.models: the
same before and after anonymisation), the institution they were matched to and their
affiliation. Only columns that anonymisation keeps are read, apart from the identity joins that
give way to the ref when it does.
"""
from dataclasses import astuple, dataclass
from datetime import datetime

from sqlalchemy import and_, case, distinct, exists, func, literal, or_, select, union_all

from ..contacts.models import Contact, Institution
from ..events.models import Event, EventKind, EventStatus, EventVisibility
from ..extensions import db
from ..network.models import HOSTING_ROLES, EventInstitution, MeetingPresence
from ..privacy.models import (contact_person_key, registration_person_key, with_contact_person,
                              with_registration_person)
from ..registrations.models import Registration, RegistrationStatus, Source
from ..surveys.models import Survey, SurveyKind

# The categories of gathering (a partition: the first that applies wins, in this order).
WORKING_GROUP, RECORD, INVITATION, PUBLIC = "working-group", "record", "invitation", "public"
TOP_EVENTS = 10
# people_by_affiliation: what an attendance says, and a step above every event's place in time
# (a multiple of four, so that it leaves the code alone).
AFFILIATION_CODES = {"professional": 0, "volunteer": 1, "other": 2}
SAYS_ONE = 4 * 10**8


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class SignUps:
    """The registrations of the gatherings in numbers (definitions of the same names)."""

    registrations: int = 0
    waitlisted: int = 0
    cancelled_before: int = 0
    attended_registered: int = 0
    checked_in: int = 0
    walk_ins: int = 0
    presences: int = 0

    @property
    def attended(self) -> int:
        """Checked in, and present at a recorded meeting."""
        return self.checked_in + self.presences

    def __add__(self, other: "SignUps") -> "SignUps":
        return SignUps(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other))))


class Gatherings:
    """The gatherings of one period and scope, and the figures over them."""

    def __init__(self, period, scope, now: datetime):
        self.period, self.scope, self.now = period, scope, now
        self.held = self._events().where(Event.starts_at <= now).subquery("held")

    def _events(self):
        start, end = self.period.bounds()
        category = case(
            (or_(Event.working_group_id.is_not(None), Event.kind == EventKind.working_group), WORKING_GROUP),
            (Event.visibility == EventVisibility.record, RECORD),
            (Event.visibility == EventVisibility.invitation, INVITATION), else_=PUBLIC)
        query = select(Event.id.label("event_id"), Event.kind.label("kind"), Event.starts_at.label("starts_at"),
                       category.label("category")).where(
            Event.status == EventStatus.published, Event.starts_at >= start, Event.starts_at < end)
        scope = self.scope
        if scope.kinds:
            query = query.where(Event.kind.in_(scope.kinds))
        for column, value in ((Event.series_id, scope.series_id), (Event.working_group_id, scope.group_id),
                              (Event.id, scope.event_id)):
            if value is not None:
                query = query.where(column == value)
        if scope.institution_id is not None:
            query = query.where(exists().where(EventInstitution.event_id == Event.id,
                                               EventInstitution.institution_id == scope.institution_id))
        return query

    def counts(self) -> tuple[dict[str, int], dict[EventKind, int], int]:
        """Gatherings by category, by kind, and how many events of the period are still to come."""
        held = self.held
        rows = db.session.execute(select(held.c.category, held.c.kind, func.count())
                                  .group_by(held.c.category, held.c.kind)).all()
        by_category: dict[str, int] = {}
        by_kind: dict[EventKind, int] = {}
        for category, kind, number in rows:
            by_category[category] = by_category.get(category, 0) + number
            by_kind[kind] = by_kind.get(kind, 0) + number
        coming = self._events().where(Event.starts_at > self.now).subquery()
        upcoming = db.session.execute(select(func.count()).select_from(coming)).scalar_one()
        return by_category, by_kind, upcoming

    def per_event(self) -> dict[int, SignUps]:
        """{event id: its SignUps} for each gathering with a registration or a presence (two grouped
        queries); `attended` of a SignUps counts the presences too."""
        held = self.held
        signed_up = Registration.source != Source.walk_in
        waiting = Registration.status == RegistrationStatus.waitlisted
        cancelled_before = and_(Registration.status == RegistrationStatus.cancelled,
                                or_(Registration.cancelled_at.is_(None), Registration.cancelled_at < held.c.starts_at))
        came = Registration.checked_in_at.is_not(None)
        rows = db.session.execute(select(
            Registration.event_id, _count_if(signed_up), _count_if(signed_up & waiting),
            _count_if(signed_up & cancelled_before), _count_if(signed_up & ~waiting & ~cancelled_before & came),
            _count_if(came), _count_if(~signed_up & came),
        ).join(held, held.c.event_id == Registration.event_id).group_by(Registration.event_id)).all()
        presences = dict(db.session.execute(
            select(MeetingPresence.event_id, func.count()).join(held, held.c.event_id == MeetingPresence.event_id)
            .group_by(MeetingPresence.event_id)).all())
        found = {event_id: SignUps(*(int(value) for value in numbers), presences=presences.get(event_id, 0))
                 for event_id, *numbers in rows}
        for event_id, number in presences.items():
            found.setdefault(event_id, SignUps(presences=number))
        return found

    def attendances(self):
        """One row per attendance: person (key), institution_id, affiliation, event_id, and seq (the
        gathering's place in time, 1 for the first)."""
        ranked = select(self.held.c.event_id, func.row_number().over(
            order_by=(self.held.c.starts_at, self.held.c.event_id)).label("seq")).subquery("ranked")
        checked_in = with_registration_person(
            select(registration_person_key().label("person"), Registration.institution_id.label("institution_id"),
                   Registration.affiliation.label("affiliation"), ranked.c.event_id, ranked.c.seq)
            .select_from(Registration).join(ranked, ranked.c.event_id == Registration.event_id)
        ).where(Registration.checked_in_at.is_not(None))
        present = with_contact_person(
            select(contact_person_key(), Contact.institution_id, func.coalesce(Contact.affiliation, literal("other")),
                   ranked.c.event_id, ranked.c.seq)
            .select_from(MeetingPresence).join(ranked, ranked.c.event_id == MeetingPresence.event_id)
            .join(Contact, Contact.id == MeetingPresence.contact_id))
        return union_all(checked_in, present).subquery("attendances")

    def people_by_affiliation(self) -> dict[str, int]:
        """The people reached by affiliation, each person once: as they said at their latest attendance
        that says full-time or volunteer, else "other".

        One GROUP BY, no window over the attendances: each attendance gets a number that orders them
        as the rule does (says one, then the event's place in time), times four plus the code of what
        it says; a person's largest number, modulo four, is their affiliation.
        """
        attended = self.attendances()
        says = case((attended.c.affiliation == "professional", SAYS_ONE + AFFILIATION_CODES["professional"]),
                    (attended.c.affiliation == "volunteer", SAYS_ONE + AFFILIATION_CODES["volunteer"]),
                    else_=AFFILIATION_CODES["other"])
        best = select(func.max(attended.c.seq * 4 + says).label("best")).group_by(attended.c.person).subquery()
        coded = select((best.c.best % 4).label("code")).subquery()
        rows = db.session.execute(select(coded.c.code, func.count()).group_by(coded.c.code)).all()
        names = {code: name for name, code in AFFILIATION_CODES.items()}
        return {names[int(code)]: number for code, number in rows}

    def per_institution(self) -> list[dict]:
        """Every institution that took part, the most attendances first: the fields of InstitutionFigures."""
        attended = self.attendances()
        sent = {institution_id: (people, number) for institution_id, people, number in db.session.execute(
            select(attended.c.institution_id, func.count(distinct(attended.c.person)), func.count())
            .where(attended.c.institution_id.is_not(None)).group_by(attended.c.institution_id))}
        named = {institution_id: (hosted, events) for institution_id, hosted, events in db.session.execute(
            select(EventInstitution.institution_id, _count_if(EventInstitution.role.in_(HOSTING_ROLES)),
                   func.count(distinct(EventInstitution.event_id)))
            .join(self.held, self.held.c.event_id == EventInstitution.event_id)
            .group_by(EventInstitution.institution_id))}
        ids = set(sent) | set(named)
        institutions = db.session.execute(select(Institution).where(Institution.id.in_(ids))).scalars() if ids else []
        rows = [dict(institution_id=institution.id, name=institution.name, kind_label=str(institution.kind.label),
                     events_hosted=int(named.get(institution.id, (0, 0))[0]),
                     events_named=named.get(institution.id, (0, 0))[1],
                     people_sent=sent.get(institution.id, (0, 0))[0], attendances=sent.get(institution.id, (0, 0))[1])
                for institution in institutions]
        return sorted(rows, key=lambda row: (-row["attendances"], -row["events_hosted"], row["name"],
                                             row["institution_id"]))

    def top_events(self, per_event: dict[int, SignUps]) -> list[dict]:
        """The best-attended gatherings (at most TOP_EVENTS, the earlier first among equals): the fields
        of EventFigures."""
        attended = [event_id for event_id, counts in per_event.items() if counts.attended]
        starts = dict(db.session.execute(select(Event.id, Event.starts_at).where(Event.id.in_(attended))).all())
        top = sorted(attended, key=lambda event_id: (-per_event[event_id].attended, starts[event_id], event_id))
        top = top[:TOP_EVENTS]
        events = {event.id: event for event in db.session.execute(select(Event).where(Event.id.in_(top))).scalars()}
        return [dict(event_id=event_id, title=events[event_id].title, starts_at=events[event_id].starts_at,
                     kind_label=str(events[event_id].kind.label), registered=per_event[event_id].registrations,
                     attended=per_event[event_id].attended) for event_id in top]

    def feedback_forms(self) -> list[int]:
        """The ids of the gatherings' feedback forms."""
        return list(db.session.execute(select(Survey.id).join(self.held, self.held.c.event_id == Survey.event_id)
                                       .where(Survey.kind == SurveyKind.feedback).order_by(Survey.id)).scalars())

    def surveys_opened(self) -> dict[int, str]:
        """{id: title} of the surveys (not feedback forms) opened in the period, in the order they opened."""
        start, end = self.period.bounds()
        return dict(db.session.execute(
            select(Survey.id, Survey.title).where(Survey.kind == SurveyKind.survey, Survey.opened_at >= start,
                                                  Survey.opened_at < end, Survey.opened_at <= self.now)
            .order_by(Survey.opened_at, Survey.id)).all())

