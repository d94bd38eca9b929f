"""The figures of a period: what the network did, whom it reached, with whom.

CONTRACT (foundation of issue 14; the helper who implements `report` keeps these names and may add
fields, the report pages read them): every figure is computed in SQL from the rows Podium keeps
after anonymisation (status, source, timestamps, institution, affiliation, person_ref), so a
report reads the same before and after the people of its events are anonymised.
"""
from dataclasses import dataclass, field
from datetime import date

from ..events.models import EventKind


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included, in the network's time zone."""

    start: date
    end: date
    label: str


@dataclass(frozen=True)
class Scope:
    """What a report is narrowed to; empty: everything."""

    kinds: tuple[EventKind, ...] = ()
    series_id: int | None = None
    group_id: int | None = None
    institution_id: int | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class Count:
    """One labelled number of a table or chart: `key` is stable (CSV, tests), `label` is for people."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class InstitutionFigures:
    institution_id: int
    name: str
    kind_label: str
    events_hosted: int
    people_sent: int
    attendances: int


@dataclass(frozen=True)
class EventFigures:
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

    @property
    def rate(self) -> float | None:
        """Completed / invited; None where nobody was asked."""
        return self.completed / self.invited if self.invited else None


@dataclass
class Report:
    period: Period
    scope: Scope
    # Public events, invitation-only events, working-group sessions, record-only meetings.
    gatherings: list[Count] = field(default_factory=list)
    gatherings_by_kind: list[Count] = field(default_factory=list)
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


def report(period: Period, scope: Scope = Scope()) -> Report:
    """The figures of `period` narrowed to `scope`."""
    raise NotImplementedError("issue 14: the figures helper implements this")
