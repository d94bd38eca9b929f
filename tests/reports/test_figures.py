"""The figures of the fixture year (tests/reports/conftest.py), each counted by hand from its rows;
the same figures after the year's people are anonymised by the retention period; the scope
and the period narrow them as they say."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app.events.models import EventKind
from app.extensions import db
from app.privacy.models import PersonRef
from app.privacy.retention import purge
from app.registrations.models import Registration
from app.reports.figures import (DEFINITIONS, Count, EventFigures, InstitutionFigures, InvalidPeriod, Period,
                                 ResponseRate, Scope, period_from_args, report)
from app.surveys.models import SurveyInvitation
from tests.reports.conftest import NOW
from tests.rows import fresh_reads

YEAR = Period.year(2025)


@pytest.fixture
def request_headers():
    """The labels in English, as the msgids say them."""
    return {"Accept-Language": "en"}


def values(counts: list[Count]) -> dict[str, int]:
    return {count.key: count.value for count in counts if count.value}


def test_the_year_gives_the_figures_counted_by_hand(year):
    figures = report(YEAR, now=NOW)

    # E1, E3, E4, E5; not E6 (called off), E7 (a draft), nor E8 (1 January 00:30 in Berlin).
    assert values(figures.gatherings) == {"public": 1, "invitation": 1, "working-group": 1, "record": 1}
    assert values(figures.gatherings_by_kind) == {"forum": 1, "info": 1, "working-group": 1, "coordination": 1}
    assert figures.gatherings_total == 4 and figures.upcoming == 0
    # E1: r1-r6 and r9 (7); E3: r10-r12 (3); E4: r13, r14 (2). The walk-ins r7, r8 are no sign-ups.
    assert figures.registrations == 12
    assert figures.waitlisted == 1  # r6; r12 waited too, but got a place
    assert figures.cancelled_before == 1  # r4; r5 cancelled after the start: a no-show
    assert figures.expected == 10
    assert figures.attended_registered == 7  # r1, r2, r9, r10, r11, r12, r13
    assert figures.checked_in == 9 and figures.walk_ins == 2  # ... and r7, r8
    assert figures.presences == 2 and figures.attended == 11  # Anna and Bernd at E5
    assert figures.attendance_rate == pytest.approx(0.7) and figures.no_show_rate == pytest.approx(0.3)
    # Xaver (r1, r10, r13), Yara, Anna (r9 under her private address, linked, and at E5), the walk-in
    # with an address, the one without, Clara, Quentin, Bernd.
    assert figures.people == 8
    # Xaver's latest word is volunteer (E4); Anna's too; Bernd's contact says nothing; walk-ins "other".
    assert values(figures.affiliation) == {"professional": 2, "volunteer": 3, "other": 3}
    # IHK, Caritas (people and E1's partner), Stadt Trier (Bernd, and named present), the agency (E3).
    assert figures.institutions == 4
    ids = year.institutions
    assert figures.per_institution == [
        InstitutionFigures(ids["IHK Trier"], "IHK Trier", "Chamber (IHK, HWK)", events_hosted=1, people_sent=2,
                           attendances=4, events_named=1),
        InstitutionFigures(ids["Caritas Trier"], "Caritas Trier", "Charity", events_hosted=0, people_sent=2,
                           attendances=3, events_named=1),
        InstitutionFigures(ids["Stadt Trier"], "Stadt Trier", "City", events_hosted=0, people_sent=1,
                           attendances=1, events_named=1),
        InstitutionFigures(ids["Agentur für Arbeit"], "Agentur für Arbeit", "Employment agency / job centre",
                           events_hosted=1, people_sent=0, attendances=0, events_named=1)]
    assert [(event.event_id, event.registered, event.attended) for event in figures.top_events] == [
        (year.events["E1"], 7, 5), (year.events["E3"], 3, 3), (year.events["E5"], 0, 2), (year.events["E4"], 2, 1)]
    assert figures.top_events[0] == EventFigures(year.events["E1"], "Forum Ausbildung", figures.top_events[0].starts_at,
                                                 "Forum", registered=7, attended=5)
    # E1's form asked r1 (completed), r2, r9 (started); E6's form counts nowhere.
    assert (figures.feedback.invited, figures.feedback.completed) == (3, 1)
    assert figures.surveys == [ResponseRate("Akteursbefragung 2025", 4, 2, year.survey_id)]


def test_every_figure_the_report_has_is_defined():
    numbers = {"gatherings", "gatherings_by_kind", "upcoming", "registrations", "waitlisted", "cancelled_before",
               "expected", "attended_registered", "attended", "checked_in", "presences", "walk_ins",
               "attendance_rate", "no_show_rate", "people", "institutions", "affiliation", "per_institution",
               "events_hosted", "events_named", "people_sent", "attendances", "top_events", "feedback", "surveys"}
    assert numbers == set(DEFINITIONS)


def test_the_year_reads_the_same_after_its_people_are_anonymised(year):
    before = report(YEAR, now=NOW)
    across = Period.between(date(2025, 1, 1), date(2026, 12, 31))
    before_across = report(across, now=NOW)
    assert before.people == before_across.people == 8  # E8's one guest is Xaver, counted in 2025 already
    fresh_reads()

    done = purge(now=NOW)  # every 2025 event's retention period (12 months) is over; E8's and E9's are not

    assert {result.event_id for result in done} == {year.events[name] for name in ("E1", "E3", "E4", "E6", "E7")}
    fresh_reads()
    assert report(YEAR, now=NOW) == before
    assert report(across, now=NOW) == before_across


def test_anonymised_rows_carry_their_persons_ref_and_refs_of_people_gone_are_forgotten(year):
    fresh_reads()
    purge(now=NOW)

    fresh_reads()
    rows = {row.id: row for row in db.session.execute(select(Registration)).scalars()}
    r = {name: rows[registration_id] for name, registration_id in year.registrations.items()}
    refs = dict(db.session.execute(select(PersonRef.identity, PersonRef.ref)).all())
    # Xaver and Yara still have a sign-up that is not anonymised (E8, E9); Anna and Clara are contacts.
    assert set(refs) == {"xaver@example.org", "yara@example.org", "anna@example.org", "clara@example.org"}
    assert r["r1"].person_ref == r["r10"].person_ref == r["r13"].person_ref == refs["xaver@example.org"]
    assert r["r9"].person_ref == refs["anna@example.org"]  # the contact's address, not her private one
    assert r["r17"].person_ref is None and r["r17"].email_key == "xaver@example.org"
    # Nobody else's ref is kept: their anonymised rows name nobody now, the walk-in without address
    # never had a ref kept.
    assert r["r8"].person_ref and r["r8"].person_ref not in refs.values()
    assert len({r[name].person_ref for name in ("r3", "r4", "r5", "r6", "r7", "r8", "r12")}) == 7
    assert all(row.email_key is None and row.contact_id is None for name, row in r.items() if name not in ("r17", "r18"))
    feedback = db.session.execute(select(SurveyInvitation.registration_id, SurveyInvitation.status)
                                  .where(SurveyInvitation.registration_id.is_not(None))).all()
    assert feedback == []  # the feedback requests of E1 and E6 no longer point to the guests


@pytest.mark.parametrize("scope, expected", [
    # kinds: E1 only (E6, the other forum, was called off).
    ({"kinds": (EventKind.forum,)}, {"gatherings": 1, "registrations": 7, "attended": 5, "people": 5}),
    ({"kinds": (EventKind.info, EventKind.coordination)}, {"gatherings": 2, "registrations": 3, "attended": 5,
                                                            "people": 5}),
    # the series: E1 and E4; Xaver counts once.
    ({"series": True}, {"gatherings": 2, "registrations": 9, "attended": 6, "people": 5}),
    ({"group": True}, {"gatherings": 1, "registrations": 2, "attended": 1, "people": 1}),
    # the agency: named on E3 (and E6, called off).
    ({"institution": "Agentur für Arbeit"}, {"gatherings": 1, "registrations": 3, "attended": 3, "people": 3}),
    ({"institution": "Stadt Trier"}, {"gatherings": 1, "registrations": 0, "attended": 2, "people": 2}),
    ({"event": "E1"}, {"gatherings": 1, "registrations": 7, "attended": 5, "people": 5}),
    ({"event": "E7"}, {"gatherings": 0, "registrations": 0, "attended": 0, "people": 0}),
])
def test_a_scope_narrows_every_figure(year, scope, expected):
    narrowed = Scope(kinds=scope.get("kinds", ()), series_id=year.series_id if scope.get("series") else None,
                     group_id=year.group_id if scope.get("group") else None,
                     institution_id=year.institutions.get(scope.get("institution")),
                     event_id=year.events.get(scope.get("event")))

    figures = report(YEAR, narrowed, now=NOW)

    assert {"gatherings": figures.gatherings_total, "registrations": figures.registrations,
            "attended": figures.attended, "people": figures.people} == expected
    assert figures.surveys == []  # a survey belongs to the whole network only


def test_a_half_year_and_the_turn_of_the_year_follow_the_networks_calendar(year):
    assert report(Period.half(2025, 1), now=NOW).gatherings_total == 2  # E1, E3
    assert report(Period.half(2025, 2), now=NOW).gatherings_total == 2  # E4, E5
    assert report(Period.between(date(2025, 12, 31), date(2025, 12, 31)), now=NOW).gatherings_total == 0
    next_year = report(Period.year(2026), now=NOW)
    # E8 began on 31 December in UTC, on 1 January in Berlin; E9 is still to come.
    assert (next_year.gatherings_total, next_year.upcoming, next_year.people) == (1, 1, 1)
    assert [institution.name for institution in next_year.per_institution] == ["IHK Trier", "Caritas Trier"]
    assert next_year.surveys[0].label == "Akteursbefragung 2026"


def test_an_empty_period_has_no_rates(app):
    figures = report(YEAR, now=NOW)

    assert (figures.gatherings_total, figures.people, figures.attendance_rate, figures.feedback) == (0, 0, None, None)
    assert [count.key for count in figures.gatherings] == ["public", "invitation", "working-group", "record"]


NOW_2026 = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("args, expected", [
    ({}, (date(2026, 1, 1), date(2026, 12, 31), "2026")),
    ({"year": "2025"}, (date(2025, 1, 1), date(2025, 12, 31), "2025")),
    ({"year": "2025", "half": "2"}, (date(2025, 7, 1), date(2025, 12, 31), "Second half of 2025")),
    ({"start": "2025-03-01", "end": "2025-03-31"}, (date(2025, 3, 1), date(2025, 3, 31), "Mar 1, 2025 – Mar 31, 2025")),
    ({"start": "2025-01-01", "end": "2025-06-30"}, (date(2025, 1, 1), date(2025, 6, 30), "First half of 2025")),
    ({"start": "2025-05-05", "end": "2025-05-05"}, (date(2025, 5, 5), date(2025, 5, 5), "May 5, 2025 – May 5, 2025")),
])
def test_the_period_is_read_from_the_query(app, args, expected):
    period = period_from_args(args, now=NOW_2026)

    assert (period.start, period.end, period.label.replace("\u2009", " ")) == expected
    assert period_from_args(period.args(), now=NOW_2026) == period


@pytest.mark.parametrize("args, field, message", [
    ({"start": "2025-02-30", "end": "2025-03-31"}, "start", "Please enter a date as YYYY-MM-DD."),
    ({"start": "2025-04-01", "end": "2025-03-31"}, "end", "The end of the period lies before its start."),
    ({"start": "2025-04-01"}, "end", "Please enter both the first and the last day of the period."),
    ({"year": "25x"}, "year", "Please choose a year between 2000 and 2100."),
    ({"year": "1999"}, "year", "Please choose a year between 2000 and 2100."),
    ({"year": "2025", "half": "3"}, "half", "Please choose the first or the second half of the year."),
    ({"half": "1"}, "year", "Please choose the year of the half-year."),
    ({"start": "1900-01-01", "end": "2025-01-01"}, "start", "Please choose a date between 2000 and 2100."),
])
def test_a_period_that_is_none_is_refused_with_a_reason(app, args, field, message):
    with pytest.raises(InvalidPeriod) as refused:
        period_from_args(args, now=NOW_2026)

    assert (refused.value.field, str(refused.value), refused.value.status_code) == (field, message, 422)
