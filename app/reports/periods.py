"""The span a report covers: a year, a half-year or any days, both ends included, as the calendar
of the network's time zone counts them (BABEL_DEFAULT_TIMEZONE, Europe/Berlin).

An event belongs to a period when it begins on one of its days there: a forum at 23:30 on
31 December in Trier is last year's, although it began on 31 December in UTC too, and one at
00:30 on 1 January belongs to the new year, although UTC still says 31 December.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..database import utcnow
from ..errors import InvalidInput

# Years a report may ask for: Podium's records begin in this century.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class InvalidPeriod(InvalidInput):
    """The dates of a report do not make a period."""

    code = "invalid_period"
    message = _l("Please choose a valid period.")


def network_zone() -> ZoneInfo:
    """The time zone whose calendar the network's days and years follow."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Berlin")


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included, in the network's time zone."""

    start: date
    end: date
    label: str

    @classmethod
    def year(cls, year: int) -> "Period":
        """The calendar year, 1 January to 31 December."""
        return cls(date(year, 1, 1), date(year, 12, 31), str(year))

    @classmethod
    def half(cls, year: int, half: int) -> "Period":
        """The first (January to June) or second (July to December) half of the year."""
        if half == 1:
            return cls(date(year, 1, 1), date(year, 6, 30), _("First half of %(year)s", year=year))
        return cls(date(year, 7, 1), date(year, 12, 31), _("Second half of %(year)s", year=year))

    @classmethod
    def between(cls, start: date, end: date) -> "Period":
        """Any days, `start` to `end`, both included. :raises InvalidPeriod: `end` before `start`."""
        if end < start:
            raise InvalidPeriod(_l("The end of the period lies before its start."), field="end")
        for field, day in (("start", start), ("end", end)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise InvalidPeriod(_l("Please choose a date between %(first)s and %(last)s.",
                                       first=FIRST_YEAR, last=LAST_YEAR), field=field)
        named = _named(start, end)
        if named is not None:
            year, half = named
            return cls.year(year) if half is None else cls.half(year, half)
        return cls(start, end, "\u2009–\u2009".join(format_date(day, "medium", locale=get_locale())
                                                     for day in (start, end)))

    @classmethod
    def this_year(cls, now: datetime | None = None) -> "Period":
        """The current calendar year in the network's time zone: the report's default."""
        return cls.year((now or utcnow()).astimezone(network_zone()).year)

    def bounds(self) -> tuple[datetime, datetime]:
        """The first moment of the period and the first moment after it, as aware datetimes (in the
        network's zone; compared with UTC columns they are what they say)."""
        zone = network_zone()
        return (datetime.combine(self.start, time(), zone),
                datetime.combine(self.end + timedelta(days=1), time(), zone))

    def args(self) -> dict[str, str]:
        """The query arguments that name this period again (period_from_args reads them)."""
        named = _named(self.start, self.end)
        if named is not None:
            year, half = named
            return {"year": str(year)} if half is None else {"year": str(year), "half": str(half)}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def period_from_args(args, now: datetime | None = None) -> Period:
    """The period named by query arguments: `start` and `end` (ISO dates, both ends included), else
    `year` with an optional `half` (1 or 2), else the current year.

    :raises InvalidPeriod: a date, year or half that is not one, or an end before the start; the
        error's `field` names the argument.
    """
    start, end = (args.get(name, "").strip() for name in ("start", "end"))
    if start or end:
        return Period.between(_date(start, "start"), _date(end, "end"))
    year, half = args.get("year", "").strip(), args.get("half", "").strip()
    if not year:
        if half:
            raise InvalidPeriod(_l("Please choose the year of the half-year."), field="year")
        return Period.this_year(now)
    if not year.isdigit() or not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise InvalidPeriod(_l("Please choose a year between %(first)s and %(last)s.",
                               first=FIRST_YEAR, last=LAST_YEAR), field="year")
    if not half:
        return Period.year(int(year))
    if half not in ("1", "2"):
        raise InvalidPeriod(_l("Please choose the first or the second half of the year."), field="half")
    return Period.half(int(year), int(half))


def _named(start: date, end: date) -> tuple[int, int | None] | None:
    """(year, None) for a whole year, (year, 1 or 2) for a half, None for other days."""
    year = start.year
    spans = {None: (date(year, 1, 1), date(year, 12, 31)), 1: (date(year, 1, 1), date(year, 6, 30)),
             2: (date(year, 7, 1), date(year, 12, 31))}
    return next(((year, half) for half, span in spans.items() if span == (start, end)), None)


def _date(text: str, field: str) -> date:
    if not text:
        raise InvalidPeriod(_l("Please enter both the first and the last day of the period."), field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod(_l("Please enter a date as YYYY-MM-DD."), field=field) from None
