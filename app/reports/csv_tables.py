"""The report's tables, each once: the page draws them (and their charts) from these rows, and the
CSV of a table is made of the same rows, so a download always holds what the page shows.

A table has a stable `key` (its address: /staff/reports/<key>.csv), a title for people, and columns
as app/csvexport.py exports them (plain for programs, or for a German Excel).
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_percent
from flask_babel import lazy_gettext as _l

from ..csvexport import Column
from ..formatting import day, number
from .figures import Count, Report


@dataclass(frozen=True)
class Table:
    """One table of the report."""

    key: str
    title: object  # a lazy string
    columns: list[Column]
    rows: Callable[[Report], list]
    chart: bool = False  # drawn as bars (rows are Counts), its table beside the chart
    shares: tuple[str, ...] = ()  # the keys of columns of rates: numbers too, stored as text

    def is_number(self, column: Column, row) -> bool:
        """Whether a cell holds a number (a count or a rate), which the page sets flush right."""
        return column.key in self.shares or isinstance(column.value(row), (int, float))


def participation(report: Report) -> list[Count]:
    """Registrations, what became of them, and who came, as one chart's rows."""
    return [Count("registrations", str(_l("Registrations")), report.registrations),
            Count("waitlisted", str(_l("Still waitlisted")), report.waitlisted),
            Count("cancelled_before", str(_l("Cancelled before the event")), report.cancelled_before),
            Count("expected", str(_l("Guests expected")), report.expected),
            Count("attended_registered", str(_l("Expected guests who came")), report.attended_registered),
            Count("walk_ins", str(_l("Walk-ins")), report.walk_ins),
            Count("checked_in", str(_l("Checked in at the door")), report.checked_in),
            Count("presences", str(_l("Present at recorded meetings")), report.presences),
            Count("attended", str(_l("Attendances")), report.attended)]


def reach(report: Report) -> list[Count]:
    """Whom the network reached: people and institutions."""
    return [Count("people", str(_l("People reached")), report.people),
            Count("institutions", str(_l("Institutions reached")), report.institutions)]


@dataclass(frozen=True)
class Rate:
    """A share (0 to 1, or None where there is nothing to divide by), as a row of the rates table."""

    key: str
    label: str
    value: float | None


def rates(report: Report) -> list[Rate]:
    """The attendance and no-show rates."""
    return [Rate("attendance_rate", str(_l("Attendance rate")), report.attendance_rate),
            Rate("no_show_rate", str(_l("No-show rate")), report.no_show_rate)]


def responses(report: Report) -> list:
    """The feedback forms and the surveys of the period, with how many answered."""
    return ([report.feedback] if report.feedback else []) + list(report.surveys)


def share(value: float | None) -> str:
    """A rate as people read it ("82 %"), or "–" where there is none."""
    return "–" if value is None else format_percent(value, "#,##0.#\u00a0%")


def _stored_share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _number_column(name: str, title) -> Column:
    """A column of counts: the number as stored, and as the reader's language writes it."""
    return Column(name, title, lambda row: getattr(row, name), lambda row: number(getattr(row, name)))


COUNT_COLUMNS = [
    Column("key", _l("Key"), lambda row: row.key),
    Column("label", _l("What"), lambda row: row.label),
    Column("value", _l("Number"), lambda row: row.value),
]

TABLES = {table.key: table for table in (
    Table("gatherings", _l("Gatherings by how they were held"), COUNT_COLUMNS, lambda r: r.gatherings,
          chart=True),
    Table("gatherings-by-kind", _l("Gatherings by kind of event"), COUNT_COLUMNS,
          lambda r: r.gatherings_by_kind, chart=True),
    Table("participation", _l("From registration to attendance"), COUNT_COLUMNS, participation, chart=True),
    Table("rates", _l("Rates"), [
        Column("key", _l("Key"), lambda row: row.key),
        Column("label", _l("What"), lambda row: row.label),
        Column("value", _l("Share"), lambda row: _stored_share(row.value), lambda row: share(row.value)),
    ], rates, shares=("value",)),
    Table("reach", _l("Reached"), COUNT_COLUMNS, reach, chart=True),
    Table("affiliation", _l("People reached: full-time and volunteer"), COUNT_COLUMNS,
          lambda r: r.affiliation, chart=True),
    Table("institutions", _l("Per institution"), [
        Column("institution_id", _l("Number"), lambda row: row.institution_id),
        Column("institution", _l("Institution"), lambda row: row.name),
        Column("kind", _l("Kind of organisation"), lambda row: row.kind_label),
        _number_column("events_hosted", _l("Events hosted")),
        _number_column("events_named", _l("Events named on")),
        _number_column("people_sent", _l("People sent")),
        _number_column("attendances", _l("Attendances")),
    ], lambda r: r.per_institution),
    Table("top-events", _l("The best-attended events"), [
        Column("event_id", _l("Number"), lambda row: row.event_id),
        Column("starts_at", _l("Date"), lambda row: row.starts_at.isoformat(),
               lambda row: day(row.starts_at)),
        Column("title", _l("Event"), lambda row: row.title),
        Column("kind", _l("Kind of event"), lambda row: row.kind_label),
        _number_column("registered", _l("Registered")),
        _number_column("attended", _l("Attended")),
    ], lambda r: r.top_events),
    Table("responses", _l("Feedback and survey responses"), [
        Column("what", _l("What"), lambda row: row.label),
        _number_column("invited", _l("Asked")),
        _number_column("completed", _l("Answered")),
        Column("rate", _l("Response rate"), lambda row: _stored_share(row.rate),
               lambda row: share(row.rate)),
    ], responses, shares=("rate",)),
)}


def file_stem(report: Report, subject: str = "") -> str:
    """`report-2026-01-01-2026-12-31`: the period in the name of every file of a report, so that
    files of several reports do not overwrite each other; `subject` names an event or a group."""
    period = f"{report.period.start.isoformat()}-{report.period.end.isoformat()}"
    return "-".join(part for part in ("report", subject, period) if part)


def csv_filename(table: Table, report: Report, subject: str = "") -> str:
    """`report-2026-01-01-2026-12-31-gatherings.csv`: the report's name and the table's key."""
    return f"{file_stem(report, subject)}-{table.key}.csv"
