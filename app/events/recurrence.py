"""Recurring dates: a rule (RFC 5545 RRULE, run by dateutil) and the dates it gives in an event's zone.

A date keeps its wall-clock time across a daylight-saving change: a rule for 18:00 in
Europe/Berlin gives 18:00 local in winter and in summer, so the time in UTC moves by an
hour. That is why the rule runs on naive local times, and each date gets its zone only
afterwards; a rule run on UTC times would put half of the year's dates at 17:00 or 19:00.
"""
import itertools
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, rrulestr, weekday
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from ..database import LabelledEnum
from ..errors import InvalidInput

# How many dates one rule may create at once: a school year of weekly dates, with room to spare.
MAX_DATES = 60
# "Every N weeks/months": from 1 to this.
MAX_INTERVAL = 12


class Frequency(LabelledEnum):
    weekly = "weekly", _l("Weekly")
    monthly = "monthly", _l("Monthly")


class MonthlyBy(LabelledEnum):
    weekday = "weekday", _l("On a weekday of the month, e.g. the first Tuesday")
    day = "day", _l("On the same day of the month, e.g. the 15th")


# Which of a month's weekdays: RRULE's BYDAY=1TU ... 4TU, and -1TU for the last.
ORDINALS = {1: _lp("which weekday of the month", "first"), 2: _lp("which weekday of the month", "second"),
            3: _lp("which weekday of the month", "third"), 4: _lp("which weekday of the month", "fourth"),
            -1: _lp("which weekday of the month", "last")}


@dataclass(frozen=True)
class Recurrence:
    """When dates recur: from `first_day` on, every `interval` weeks or months, until a day or a count."""

    frequency: Frequency
    first_day: date
    weekday: int  # 0 is Monday, as in datetime; weekly, and monthly on a weekday
    interval: int = 1
    monthly_by: MonthlyBy = MonthlyBy.weekday
    ordinal: int = 1  # monthly on a weekday: a key of ORDINALS
    until: date | None = None  # the last day a date may fall on
    count: int | None = None

    def rule(self, at: time) -> rrule:
        """The dateutil rule, starting on `first_day` at the wall-clock time `at` (naive)."""
        if (self.until is None) == (self.count is None):
            raise ValueError("a recurrence ends either on a day or after a count")
        start = datetime.combine(self.first_day, at)
        until = datetime.combine(self.until, time(23, 59, 59)) if self.until else None
        if self.frequency == Frequency.weekly:
            return rrule(WEEKLY, dtstart=start, interval=self.interval, byweekday=self.weekday,
                         until=until, count=self.count)
        if self.monthly_by == MonthlyBy.day:
            return rrule(MONTHLY, dtstart=start, interval=self.interval, bymonthday=self.first_day.day,
                         until=until, count=self.count)
        return rrule(MONTHLY, dtstart=start, interval=self.interval,
                     byweekday=weekday(self.weekday, self.ordinal), until=until, count=self.count)

    def rrule_text(self, at: time) -> str:
        """The RRULE line of the rule, for reference ("RRULE:FREQ=MONTHLY;UNTIL=...;BYDAY=+1TU")."""
        return next(line for line in str(self.rule(at)).splitlines() if line.startswith("RRULE:"))


def local_dates(recurrence: Recurrence, at: time, zone: ZoneInfo) -> list[datetime]:
    """Every start the rule gives, aware, at the wall-clock time `at` in `zone`.

    The rule is written out as RRULE text and read back with rrulestr, so that the dates
    are exactly those of the text staff are shown.

    :raises InvalidInput: the rule gives no date, or more than MAX_DATES.
    """
    text = recurrence.rrule_text(at)
    rule = rrulestr(text, dtstart=datetime.combine(recurrence.first_day, at))
    starts = list(itertools.islice(rule, MAX_DATES + 1))
    if len(starts) > MAX_DATES:
        raise InvalidInput(_l("This rule gives more than %(max)d dates. Choose an earlier last day.",
                              max=MAX_DATES), field="until")
    if not starts:
        raise InvalidInput(_l("This rule gives no date between the first and the last day."), field="until")
    return [start.replace(tzinfo=zone) for start in starts]


def wall_clock_shift(moment: datetime | None, *, since: datetime, to: datetime,
                     zone: ZoneInfo) -> datetime | None:
    """`moment` moved as far on the wall clock as `since` is from `to` (all read in `zone`).

    A template that ends at 20:00 and opens sign-up 14 days before 09:00 gives a date that
    ends at 20:00 and opens 14 days before at 09:00, whatever daylight saving does between them.
    """
    if moment is None:
        return None
    local = moment.astimezone(zone).replace(tzinfo=None)
    start = since.astimezone(zone).replace(tzinfo=None)
    return (local + (to.astimezone(zone).replace(tzinfo=None) - start)).replace(tzinfo=zone)
