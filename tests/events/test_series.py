"""Series as the services keep them: making and changing one, its events, what the public sees of
it, and recurring dates created at once as ordinary drafts of the series."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.audit import AuditAction, entries_for_event
from app.database import write_transaction
from app.errors import InvalidInput, StateConflict
from app.events import series as series_service
from app.events.models import Event, EventVisibility, Series
from app.events.recurrence import Frequency, MonthlyBy, Recurrence
from app.events.services import create_event
from app.extensions import db
from tests.conftest import TEST_ACTOR, days_from_now
from tests.rows import fresh_reads, reload

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = datetime.now(UTC).year + 1  # October of next year: always ahead, with the clocks going back in it
TUESDAY = 1


def first_tuesday(year: int, month: int) -> date:
    """The first Tuesday of a month, counted on the calendar."""
    first = date(year, month, 1)
    return first + timedelta(days=(TUESDAY - first.weekday()) % 7)


# October to June: nine first Tuesdays. The first in October always comes before the clocks go
# back (last Sunday of October); the one in March always before they go forward (last Sunday).
MONTHS = [(YEAR, month) for month in (10, 11, 12)] + [(YEAR + 1, month) for month in range(1, 7)]
FIRST_TUESDAYS = [first_tuesday(year, month) for year, month in MONTHS]
OCTOBER = FIRST_TUESDAYS[0]


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def event_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Event.id))).scalar_one()


def events_of(series: Series) -> list[Event]:
    fresh_reads()
    return series_service.staff_series_events(series.id)


@pytest.fixture
def series(app):
    return series_service.create_series(title="Ausbildung und Arbeit 2026/27",
                                        description="Foren mit **Kammern**.", by=TEST_ACTOR)


@pytest.fixture
def template(app, make_event):
    """The forum on the first Tuesday of October next year, 18:00 to 20:00 in Trier, sign-up from two
    weeks before at 09:00."""
    start = berlin(YEAR, 10, OCTOBER.day, 18)
    return make_event(title="Forum Ausbildung", starts_at=start, ends_at=start.replace(hour=20),
                      capacity=70, summary="Wege in Ausbildung.", speakers=["Dr. Jan Glockauer, IHK Trier"],
                      registration_opens_at=start.replace(hour=9) - timedelta(days=14), publish=True)


def first_tuesdays(**changes) -> Recurrence:
    """Every first Tuesday from October next year until June the year after."""
    fields = dict(frequency=Frequency.monthly, monthly_by=MonthlyBy.weekday, first_day=date(YEAR, 10, 1),
                  weekday=TUESDAY, ordinal=1, until=date(YEAR + 1, 6, 30))
    return Recurrence(**(fields | changes))


def create_dates(series, template, recurrence):
    """Preview, then confirm, as staff do."""
    plan = series_service.plan_recurring_dates(series.id, template.id, recurrence)
    return series_service.create_recurring_dates(series.id, template.id, recurrence,
                                                 expected=plan.fingerprint, by=TEST_ACTOR)


# --- the series itself ---------------------------------------------------------------------------

def test_a_series_gets_an_address_from_its_title_and_a_second_one_its_own(series):
    again = series_service.create_series(title="Ausbildung und Arbeit 2026/27", by=TEST_ACTOR)

    assert series.slug == "ausbildung-und-arbeit-2026-27"
    assert again.slug == "ausbildung-und-arbeit-2026-27-2"
    [entry] = series_service.entries_for_series(series.id)
    assert entry.action == AuditAction.series_created and entry.actor == "Test Staff"


def test_a_new_title_keeps_the_address_and_is_recorded(series):
    series_service.update_series(series.id, title="Ausbildung und Arbeit", description="Neu.", by=TEST_ACTOR)

    changed = reload(series)
    assert (changed.title, changed.description, changed.slug) == ("Ausbildung und Arbeit", "Neu.",
                                                                  "ausbildung-und-arbeit-2026-27")
    latest = series_service.entries_for_series(series.id)[0]
    assert latest.action == AuditAction.series_changed
    assert latest.changes["title"] == ["Ausbildung und Arbeit 2026/27", "Ausbildung und Arbeit"]


def test_a_series_needs_a_title(series):
    with pytest.raises(InvalidInput):
        series_service.update_series(series.id, title="  ", description="", by=TEST_ACTOR)

    assert reload(series).title == "Ausbildung und Arbeit 2026/27"


def test_an_event_is_added_and_removed_and_both_are_recorded(series, make_event):
    event = make_event(title="Forum Pflege")

    series_service.add_event(series.id, event.id, by=TEST_ACTOR)
    assert reload(event).series_id == series.id
    series_service.remove_event(series.id, event.id, by=TEST_ACTOR)

    assert reload(event).series_id is None
    assert [entry.changes["series"] for entry in entries_for_event(event.id)[:2]] == [
        ["Ausbildung und Arbeit 2026/27", None], [None, "Ausbildung und Arbeit 2026/27"]]
    facts = [entry.changes for entry in series_service.entries_for_series(series.id)]
    assert facts[0]["event_removed"] == "Forum Pflege" and facts[1]["event_added"] == "Forum Pflege"


def test_an_event_of_another_series_moves(series, make_event):
    other = series_service.create_series(title="Pflege 2027", by=TEST_ACTOR)
    event = make_event(title="Forum Pflege")
    series_service.add_event(other.id, event.id, by=TEST_ACTOR)

    series_service.add_event(series.id, event.id, by=TEST_ACTOR)

    assert reload(event).series_id == series.id
    assert series_service.entries_for_series(other.id)[0].changes["event_removed"] == "Forum Pflege"


def test_an_event_of_another_series_cannot_be_removed_from_this_one(series, make_event):
    other = series_service.create_series(title="Pflege 2027", by=TEST_ACTOR)
    event = make_event(title="Forum Pflege")
    series_service.add_event(other.id, event.id, by=TEST_ACTOR)

    with pytest.raises(StateConflict):
        series_service.remove_event(series.id, event.id, by=TEST_ACTOR)
    assert reload(event).series_id == other.id


def test_the_overview_counts_every_event_and_names_the_next_date(series, make_event):
    soon = days_from_now(5)
    for title, starts_at, publish in (("Past", days_from_now(-10), True), ("Soon", soon, False),
                                      ("Later", days_from_now(30), True)):
        series_service.add_event(series.id, make_event(title=title, starts_at=starts_at,
                                                       publish=publish).id, by=TEST_ACTOR)
    empty = series_service.create_series(title="Leer", by=TEST_ACTOR)

    overview = {summary.series.id: summary for summary in series_service.series_overview()}

    assert overview[series.id].events == 3
    assert overview[series.id].next_start == soon
    assert (overview[empty.id].events, overview[empty.id].next_start) == (0, None)


def test_the_public_sees_public_events_that_are_not_drafts(series, make_event, set_event):
    shown = make_event(title="Published")
    cancelled = set_event(make_event(title="Cancelled"), status="cancelled")
    hidden = [make_event(title="Draft", publish=False),
              make_event(title="Invitation only", visibility="invitation"),
              make_event(title="Record only", visibility="record")]
    for event in [shown, cancelled, *hidden]:
        series_service.add_event(series.id, event.id, by=TEST_ACTOR)

    public = series_service.public_series_events(series.id)

    assert {event.title for event in public} == {"Published", "Cancelled"}


# --- recurring dates -----------------------------------------------------------------------------

def test_recurring_dates_are_drafts_of_the_series_copied_from_the_template(series, template):
    before = event_count()

    created = create_dates(series, template, first_tuesdays())

    assert event_count() == before + 9
    assert [event.starts_at.astimezone(BERLIN).date() for event in created] == FIRST_TUESDAYS
    for event in map(reload, created):
        local_start, local_end = event.starts_at.astimezone(BERLIN), event.ends_at.astimezone(BERLIN)
        assert (local_start.hour, local_end.hour) == (18, 20)
        opens = local_start.replace(hour=9) - timedelta(days=14)
        assert event.registration_opens_at.astimezone(BERLIN) == opens
        assert event.is_draft and event.series_id == series.id
        assert (event.title, event.capacity, event.summary, event.venue, event.speakers) == (
            "Forum Ausbildung", 70, "Wege in Ausbildung.", "Rathaus Trier", ["Dr. Jan Glockauer, IHK Trier"])
    assert len({event.slug for event in created} | {template.slug}) == 10
    assert len({event.ical_uid for event in created} | {template.ical_uid}) == 10
    # In UTC, the clocks' changes show: 16:00 in October, 17:00 in winter, 16:00 from April.
    assert [event.starts_at.astimezone(UTC).hour for event in created] == [16, 17, 17, 17, 17, 17, 16, 16, 16]
    assert entries_for_event(created[0].id)[0].changes == {"copied_from": template.id}
    fact = series_service.entries_for_series(series.id)[0].changes
    assert fact["dates_added"] == 9 and fact["rule"].startswith("RRULE:FREQ=MONTHLY;UNTIL=")


def test_a_date_the_series_holds_already_is_not_made_again(series, template):
    series_service.add_event(series.id, template.id, by=TEST_ACTOR)

    plan = series_service.plan_recurring_dates(series.id, template.id, first_tuesdays(count=3, until=None))
    created = create_dates(series, template, first_tuesdays(count=3, until=None))

    assert [d.exists for d in plan.dates] == [True, False, False]
    assert [event.starts_at.astimezone(BERLIN).date() for event in created] == FIRST_TUESDAYS[1:3]
    assert len(events_of(series)) == 3


def test_an_invitation_only_template_gives_invitation_only_dates(series, template, set_event):
    set_event(template, visibility=EventVisibility.invitation)

    created = create_dates(series, template, first_tuesdays(count=2, until=None))

    assert {reload(event).visibility for event in created} == {EventVisibility.invitation}


def test_dates_that_changed_since_the_preview_are_not_created(series, template, set_event):
    recurrence = first_tuesdays()
    shown = series_service.plan_recurring_dates(series.id, template.id, recurrence).fingerprint
    later = timedelta(hours=1)
    set_event(template, starts_at=template.starts_at + later, ends_at=template.ends_at + later)
    before = event_count()

    with pytest.raises(StateConflict):
        series_service.create_recurring_dates(series.id, template.id, recurrence, expected=shown,
                                              by=TEST_ACTOR)

    assert event_count() == before
    assert events_of(series) == []


def test_a_failure_halfway_creates_no_date_at_all(series, template, monkeypatch):
    """One transaction: if the fifth copy fails, the four before it are not kept either."""
    from app.events import series as module
    calls = []

    def failing_create_event(**fields):
        calls.append(fields["starts_at"])
        if len(calls) == 5:
            raise InvalidInput("refused")
        return create_event(**fields)

    monkeypatch.setattr(module, "create_event", failing_create_event)
    before = event_count()

    with pytest.raises(InvalidInput):
        create_dates(series, template, first_tuesdays())

    assert len(calls) == 5
    assert event_count() == before


def test_the_template_stays_as_it_was(series, template):
    create_dates(series, template, first_tuesdays(count=2, until=None))

    unchanged = reload(template)
    assert unchanged.series_id is None and unchanged.is_published
    assert unchanged.starts_at == berlin(YEAR, 10, OCTOBER.day, 18)


def test_events_made_outside_the_form_can_join_too(series):
    """A row made by the command line or the demo data is an ordinary event of the series."""
    with write_transaction():
        event = create_event(title="Demo", kind="forum", starts_at=days_from_now(3), publish=True,
                             by=TEST_ACTOR, series_id=series.id)

    assert [e.id for e in series_service.public_series_events(series.id)] == [event.id]
