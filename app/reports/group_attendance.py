"""The attendance list of a working group over a period: its meetings (by date) as columns, the
people who came to any of them as rows, a mark where a person came (checked in, or recorded as
present), and the totals of each meeting and each person.

The meetings are the group's gatherings as the report counts them (reports.attendance: published,
begun in the period by now), and a person is a person as the report counts them (one key per
person, privacy.models), so the list's totals are the report's attendances. An attendance whose
sign-up has been anonymised names nobody and is never put beside a name: such attendances are
counted apart, with the number of people they were.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..contacts.models import Contact
from ..events.models import Event
from ..extensions import db
from ..network.hosts import institution_names
from ..network.models import MeetingPresence
from ..privacy.models import (contact_person_key, registration_person_key, with_contact_person,
                              with_registration_person)
from ..registrations.models import Registration
from .attendance import Gatherings
from .figures import Scope
from .periods import Period


@dataclass(frozen=True)
class Meeting:
    """One column: a meeting of the group in the period."""

    event_id: int
    title: str
    starts_at: datetime


@dataclass
class Attendee:
    """One row: a person who came to at least one of the meetings, and to which."""

    name: str
    institution: str
    came_to: set[int] = field(default_factory=set)  # event ids

    @property
    def total(self) -> int:
        """How many of the meetings the person came to."""
        return len(self.came_to)


@dataclass
class GroupAttendance:
    """The list: meetings, people by name, and what is left of those whose details were deleted."""

    meetings: list[Meeting]
    people: list[Attendee]
    anonymised_people: int = 0  # distinct people among the anonymised attendances, not named above
    anonymised_by_meeting: dict[int, int] = field(default_factory=dict)  # {event id: attendances}

    def total_of(self, meeting: Meeting) -> int:
        """Everyone who came to the meeting, named or not."""
        named = sum(meeting.event_id in person.came_to for person in self.people)
        return named + self.anonymised_by_meeting.get(meeting.event_id, 0)

    @property
    def anonymised_attendances(self) -> int:
        """The attendances of people whose details were deleted."""
        return sum(self.anonymised_by_meeting.values())

    @property
    def total(self) -> int:
        """All attendances at the meetings."""
        return sum(person.total for person in self.people) + self.anonymised_attendances


def attendance_list(group_id: int, period: Period, now: datetime) -> GroupAttendance:
    """Who came to which of the group's meetings in `period`, as it stands at `now`."""
    held = Gatherings(period, Scope(group_id=group_id), now).held
    meetings = [Meeting(*row) for row in db.session.execute(
        select(Event.id, Event.title, Event.starts_at).join(held, held.c.event_id == Event.id)
        .order_by(Event.starts_at, Event.id)).all()]
    found = GroupAttendance(meetings, [])
    ids = [meeting.event_id for meeting in meetings]
    if not ids:
        return found
    latest: dict[str, tuple] = {}  # by person key: (meeting start, name, institution id, organisation)
    came_to: dict[str, set[int]] = {}
    anonymised: set[str] = set()
    for person, event_id, name, institution_id, organisation, anonymised_at, at in _attendances(ids):
        if anonymised_at is not None:
            anonymised.add(person)
            found.anonymised_by_meeting[event_id] = found.anonymised_by_meeting.get(event_id, 0) + 1
            continue
        came_to.setdefault(person, set()).add(event_id)
        if person not in latest or at >= latest[person][0]:  # as they were at their latest meeting
            latest[person] = (at, name, institution_id, organisation)
    institutions = institution_names(row[2] for row in latest.values())
    people = [Attendee(name, institutions.get(institution_id) or organisation or "", came_to[person])
              for person, (_at, name, institution_id, organisation) in latest.items()]
    found.people = sorted(people, key=lambda attendee: (attendee.name.lower(), attendee.name))
    # Someone named at one meeting whose sign-up for another was anonymised is one person, not two.
    found.anonymised_people = len(anonymised - set(latest))
    return found


def _attendances(event_ids: list[int]) -> list[tuple]:
    """(person key, event id, name, institution id, organisation, anonymised at, meeting start) for
    every guest checked in and every contact recorded as present at the meetings."""
    checked_in = with_registration_person(
        select(registration_person_key(), Registration.event_id, Registration.name, Registration.institution_id,
               Registration.organisation, Registration.anonymised_at, Event.starts_at, Registration.id)
        .select_from(Registration).join(Event, Event.id == Registration.event_id)
    ).where(Registration.event_id.in_(event_ids), Registration.checked_in_at.is_not(None))
    present = with_contact_person(
        select(contact_person_key(), MeetingPresence.event_id, Contact.name, Contact.institution_id, Event.starts_at,
               Contact.id)
        .select_from(MeetingPresence).join(Contact, Contact.id == MeetingPresence.contact_id)
        .join(Event, Event.id == MeetingPresence.event_id)
    ).where(MeetingPresence.event_id.in_(event_ids))
    rows = [(person or f"registration:{row_id}", event_id, name, institution_id, organisation, anonymised_at, at)
            for person, event_id, name, institution_id, organisation, anonymised_at, at, row_id
            in db.session.execute(checked_in).all()]
    rows += [(person or f"contact:{contact_id}", event_id, name, institution_id, "", None, at)
             for person, event_id, name, institution_id, at, contact_id in db.session.execute(present).all()]
    return rows
