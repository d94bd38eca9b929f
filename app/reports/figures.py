"""The figures of a period: what the network did, whom it reached, with whom.

CONTRACT (foundation of issue 14; the helper who implements `report` keeps these names and may add
fields, the report pages read them): every figure is computed in SQL from the rows Podium keeps
after anonymisation (status, source, timestamps, institution, affiliation, person_ref), so a
report reads the same before and after the people of its events are anonymised.

What each figure counts is said in reports.definitions (DEFINITIONS, by field name), which the
page prints beside it. The work is a handful of aggregate queries over the gatherings of the
period (reports.attendance), whatever the number of events.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from ..database import utcnow
from ..events.models import EventKind
from ..surveys.progress import counts_of
from . import attendance
from .definitions import DEFINITIONS  # noqa: F401  (the pages read them here)
from .periods import InvalidPeriod, Period, period_from_args  # noqa: F401  (the pages import them here)


@dataclass(frozen=True)
class Scope:
    """What a report is narrowed to; empty: everything."""

    kinds: tuple[EventKind, ...] = ()
    series_id: int | None = None
    group_id: int | None = None
    institution_id: int | None = None
    event_id: int | None = None

    @property
    def is_everything(self) -> bool:
        """Not narrowed at all: the report of the whole network."""
        return self == Scope()


@dataclass(frozen=True)
class Count:
    """One labelled number of a table or chart: `key` is stable (CSV, tests), `label` is for people."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class InstitutionFigures:
    """One institution's part in the period (definitions: events_hosted, events_named, people_sent,
    attendances)."""

    institution_id: int
    name: str
    kind_label: str
    events_hosted: int
    people_sent: int
    attendances: int
    events_named: int = 0


@dataclass(frozen=True)
class EventFigures:
    """One gathering: its sign-ups (as `registrations`) and attendances (as `attended`)."""

    event_id: int
    title: str
    starts_at: object  # datetime (UTC)
    kind_label: str
    registered: int
    attended: int


@dataclass(frozen=True)
class ResponseRate:
    """Invitations to answer (feedback forms or surveys) and how many answered completely."""

    label: str
    invited: int
    completed: int
    survey_id: int | None = None  # a survey's own rate; None for the feedback forms together

    @property
    def rate(self) -> float | None:
        """Completed / invited; None where nobody was asked."""
        return self.completed / self.invited if self.invited else None


@dataclass
class Report:
    """The figures of one period and scope; reports.definitions says what each field counts."""

    period: Period
    scope: Scope
    # Public events, invitation-only events, working-group sessions, record-only meetings (of a working
    # group: its sessions only).
    gatherings: list[Count] = field(default_factory=list)
    gatherings_by_kind: list[Count] = field(default_factory=list)  # the kinds that occurred
    registrations: int = 0
    waitlisted: int = 0
    cancelled_before: int = 0
    attended: int = 0
    walk_ins: int = 0
    attendance_rate: float | None = None
    no_show_rate: float | None = None
    people: int = 0
    institutions: int = 0
    # Full-time, volunteer, other/unknown: of the people reached.
    affiliation: list[Count] = field(default_factory=list)
    per_institution: list[InstitutionFigures] = field(default_factory=list)
    top_events: list[EventFigures] = field(default_factory=list)
    feedback: ResponseRate | None = None
    surveys: list[ResponseRate] = field(default_factory=list)
    upcoming: int = 0
    expected: int = 0
    attended_registered: int = 0
    checked_in: int = 0
    presences: int = 0

    @property
    def gatherings_total(self) -> int:
        """All gatherings of the period."""
        return sum(count.value for count in self.gatherings)


def category_labels() -> dict[str, str]:
    """The four kinds of gathering, in the report's order."""
    return {attendance.PUBLIC: _("Public events"), attendance.INVITATION: _("Invitation-only events"),
            attendance.WORKING_GROUP: _("Working-group sessions"), attendance.RECORD: _("Record-only meetings")}


def affiliation_labels() -> dict[str, str]:
    """Full-time, volunteer, neither or unknown, in the report's order."""
    return {"professional": _("Full-time"), "volunteer": _("Volunteer"), "other": _("Other or not known")}


def report(period: Period, scope: Scope = Scope(), now: datetime | None = None) -> Report:
    """The figures of `period` narrowed to `scope`, as they stand at `now` (default: the clock)."""
    gatherings = attendance.Gatherings(period, scope, now or utcnow())
    result = Report(period, scope)
    by_category, by_kind, result.upcoming = gatherings.counts()
    # A working group's gatherings are all its sessions, and a kind of event that did not occur says
    # nothing: such zeros are left out (of the page, its CSV and its PDF alike).
    categories = {key: label for key, label in category_labels().items()
                  if scope.group_id is None or key == attendance.WORKING_GROUP}
    result.gatherings = [Count(key, label, by_category.get(key, 0)) for key, label in categories.items()]
    result.gatherings_by_kind = [Count(kind.value, str(kind.label), by_kind[kind]) for kind in EventKind
                                 if by_kind.get(kind)]
    per_event = gatherings.per_event()
    _sign_ups(result, sum(per_event.values(), attendance.SignUps()))
    by_affiliation = gatherings.people_by_affiliation()
    result.people = sum(by_affiliation.values())
    result.affiliation = [Count(key, label, by_affiliation.get(key, 0))
                          for key, label in affiliation_labels().items()]
    result.per_institution = [InstitutionFigures(**row) for row in gatherings.per_institution()]
    result.institutions = len(result.per_institution)
    result.top_events = [EventFigures(**row) for row in gatherings.top_events(per_event)]
    feedback = gatherings.feedback_forms()
    if feedback:
        counts = counts_of(feedback).values()
        result.feedback = ResponseRate(_("Feedback after the gatherings"), sum(c.invited for c in counts),
                                       sum(c.completed for c in counts))
    if scope.is_everything:
        surveys = gatherings.surveys_opened()
        counts = counts_of(list(surveys))
        result.surveys = [ResponseRate(title, counts[survey_id].invited, counts[survey_id].completed, survey_id)
                          for survey_id, title in surveys.items()]
    return result


def _sign_ups(result: Report, counts: attendance.SignUps) -> None:
    result.registrations, result.waitlisted = counts.registrations, counts.waitlisted
    result.cancelled_before, result.walk_ins = counts.cancelled_before, counts.walk_ins
    result.checked_in, result.attended_registered = counts.checked_in, counts.attended_registered
    result.presences, result.attended = counts.presences, counts.attended
    result.expected = counts.registrations - counts.waitlisted - counts.cancelled_before
    if result.expected:
        result.attendance_rate = result.attended_registered / result.expected
        result.no_show_rate = (result.expected - result.attended_registered) / result.expected
