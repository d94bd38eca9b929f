"""A rule of recurring dates gives exactly the dates a person would write down from it, at the
same wall-clock time in the event's zone, however daylight saving moves UTC in between."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.errors import InvalidInput
from app.events.recurrence import MAX_DATES, Frequency, MonthlyBy, Recurrence, local_dates, wall_clock_shift

BERLIN = ZoneInfo("Europe/Berlin")
SIX_PM = time(18, 0)
TUESDAY, THURSDAY = 1, 3


def first_tuesdays(**changes) -> Recurrence:
    """Every first Tuesday of the month, from October 2026 until June 2027 (the brief's example)."""
    fields = dict(frequency=Frequency.monthly, first_day=date(2026, 10, 1), weekday=TUESDAY, ordinal=1,
                  monthly_by=MonthlyBy.weekday, until=date(2027, 6, 30))
    return Recurrence(**(fields | changes))


def test_first_tuesday_monthly_keeps_six_pm_in_berlin_across_both_clock_changes():
    starts = local_dates(first_tuesdays(), SIX_PM, BERLIN)

    assert [start.date() for start in starts] == [
        date(2026, 10, 6), date(2026, 11, 3), date(2026, 12, 1), date(2027, 1, 5), date(2027, 2, 2),
        date(2027, 3, 2), date(2027, 4, 6), date(2027, 5, 4), date(2027, 6, 1)]
    assert all(start.weekday() == TUESDAY for start in starts)
    assert {(start.hour, start.minute) for start in starts} == {(18, 0)}
    # Summer time (UTC+2) in October, winter time (UTC+1) from November (the clocks went back on
    # 25 October 2026) to March, summer time again from April (forward on 28 March 2027).
    assert [start.astimezone(UTC).hour for start in starts] == [16, 17, 17, 17, 17, 17, 16, 16, 16]


def test_the_rule_is_shown_as_rrule_text():
    assert first_tuesdays().rrule_text(SIX_PM) == "RRULE:FREQ=MONTHLY;UNTIL=20270630T235959;BYDAY=+1TU"
    assert first_tuesdays(ordinal=-1, until=None, count=3, interval=2).rrule_text(SIX_PM) == \
        "RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=3;BYDAY=-1TU"


def test_the_last_thursday_of_every_month():
    rule = first_tuesdays(weekday=THURSDAY, ordinal=-1, until=None, count=4)

    assert [start.date() for start in local_dates(rule, SIX_PM, BERLIN)] == [
        date(2026, 10, 29), date(2026, 11, 26), date(2026, 12, 31), date(2027, 1, 28)]


def test_every_other_week_on_a_weekday_from_the_first_day_on():
    rule = Recurrence(frequency=Frequency.weekly, first_day=date(2027, 3, 15), weekday=TUESDAY, interval=2,
                      count=4)

    starts = local_dates(rule, time(9, 30), BERLIN)

    assert [start.date() for start in starts] == [date(2027, 3, 16), date(2027, 3, 30), date(2027, 4, 13),
                                                  date(2027, 4, 27)]
    assert [start.astimezone(UTC).hour for start in starts] == [8, 7, 7, 7]
    assert rule.rrule_text(time(9, 30)) == "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU"


def test_the_same_day_of_the_month_leaves_out_months_without_it():
    rule = Recurrence(frequency=Frequency.monthly, monthly_by=MonthlyBy.day, first_day=date(2027, 1, 31),
                      weekday=0, until=date(2027, 5, 31))

    assert [start.date() for start in local_dates(rule, SIX_PM, BERLIN)] == [
        date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]


def test_a_count_gives_exactly_that_many_dates_up_to_the_limit():
    rule = Recurrence(frequency=Frequency.weekly, first_day=date(2027, 1, 1), weekday=TUESDAY,
                      count=MAX_DATES)

    assert len(local_dates(rule, SIX_PM, BERLIN)) == MAX_DATES


def test_more_dates_than_the_limit_are_refused_at_the_last_day(app):
    rule = Recurrence(frequency=Frequency.weekly, first_day=date(2027, 1, 1), weekday=TUESDAY,
                      until=date(2029, 1, 1))

    # The message is German, as a guest without a choice of language reads it.
    with pytest.raises(InvalidInput, match=f"mehr als {MAX_DATES} Termine") as refused:
        local_dates(rule, SIX_PM, BERLIN)
    assert refused.value.field == "until"


def test_a_rule_without_any_date_is_refused(app):
    rule = first_tuesdays(first_day=date(2027, 6, 2), until=date(2027, 6, 30))

    with pytest.raises(InvalidInput, match="keinen Termin") as refused:
        local_dates(rule, SIX_PM, BERLIN)
    assert refused.value.field == "until"


def test_end_and_sign_up_times_move_with_the_wall_clock():
    template_start = datetime(2026, 10, 6, 18, tzinfo=BERLIN)
    new_start = datetime(2026, 11, 3, 18, tzinfo=BERLIN)  # after the clocks went back

    ends = wall_clock_shift(datetime(2026, 10, 6, 20, tzinfo=BERLIN), since=template_start, to=new_start,
                            zone=BERLIN)
    opens = wall_clock_shift(datetime(2026, 9, 22, 9, tzinfo=BERLIN), since=template_start, to=new_start,
                             zone=BERLIN)

    assert ends == datetime(2026, 11, 3, 20, tzinfo=BERLIN) and ends.astimezone(UTC).hour == 19
    assert opens == datetime(2026, 10, 20, 9, tzinfo=BERLIN) and opens.astimezone(UTC).hour == 7
    assert wall_clock_shift(None, since=template_start, to=new_start, zone=BERLIN) is None
