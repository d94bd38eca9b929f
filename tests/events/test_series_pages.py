"""Series through their pages: staff make a series, add and remove events, add recurring dates
after a preview; the public sees the series' public dates on its page and in its feed."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from icalendar import Calendar
from sqlalchemy import func, select

from app.events import series as series_service
from app.events.models import Event, Series
from app.extensions import db
from tests.conftest import TEST_ACTOR, days_from_now
from tests.pages import ENGLISH, field_error, form_values, main_text, page
from tests.rows import copy_audit_entry, fresh_reads, reload

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = datetime.now(UTC).year + 1
TUESDAY = 1


def first_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(TUESDAY - first.weekday()) % 7)


FIRST_TUESDAYS = [first_tuesday(YEAR, month) for month in (10, 11, 12)] + \
                 [first_tuesday(YEAR + 1, month) for month in range(1, 7)]


def event_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Event.id))).scalar_one()


def series_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Series.id))).scalar_one()


def events_of(series) -> list[Event]:
    fresh_reads()
    return series_service.staff_series_events(series.id)


@pytest.fixture
def series(app):
    return series_service.create_series(title="Ausbildung und Arbeit", description="Foren mit **Kammern**.",
                                        by=TEST_ACTOR)


@pytest.fixture
def template(make_event):
    start = datetime.combine(FIRST_TUESDAYS[0], datetime.min.time(), tzinfo=BERLIN).replace(hour=18)
    return make_event(title="Forum Ausbildung", starts_at=start, ends_at=start.replace(hour=20))


def in_series(series, *events):
    for event in events:
        series_service.add_event(series.id, event.id, by=TEST_ACTOR)
    return events


def rule_form(template, **overrides) -> dict:
    """The recurring-dates form as staff fill it in: every first Tuesday, October to June."""
    data = {"template_id": str(template.id), "first_day": f"{YEAR}-10-01", "frequency": "monthly",
            "interval": "1", "monthly_by": "weekday", "ordinal": "1", "weekday": str(TUESDAY),
            "until": f"{YEAR + 1}-06-30", "count": ""}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def sent_back(response, **extra) -> dict:
    """What the browser sends for the page's form as it stands (the chosen options too), plus `extra`."""
    form = page(response).one("form", class_="form")
    values = form_values(form)
    for select_element in form.find_all("select"):
        chosen = select_element.find("option", selected="")
        values[select_element.get("name")] = chosen.get("value") if chosen else ""
    return values | extra


def previewed_dates(response) -> list[str]:
    section = page(response).one("section", id="preview")
    return [item.one("time").get("datetime") for item in section.one("ol").find_all("li")]


# --- staff: the series ---------------------------------------------------------------------------

def test_staff_create_a_series_and_land_on_its_page(office):
    response = office.post(url_for("series_staff.create"), data={"title": "Ausbildung und Arbeit 2026/27",
                                                                "description": "Mit *Kammern*."})

    [series] = db.session.execute(select(Series)).scalars().all()
    assert response.status_code == 302
    assert response.location == url_for("series_staff.page", series_id=series.id)
    assert series.slug == "ausbildung-und-arbeit-2026-27"
    shown = office.get(response.location)
    assert "Ausbildung und Arbeit 2026/27" in page(shown).one("h1").text
    assert "series created" in page(shown).one("section", class_="history").text


def test_a_series_without_title_is_refused_next_to_the_field(office):
    response = office.post(url_for("series_staff.create"), data={"title": "  ", "description": "Text"})

    assert response.status_code == 422
    assert field_error(response, "title") == "Please give the series a title."
    assert page(response).one("textarea", name="description").text == "Text"
    assert series_count() == 0


def test_staff_change_the_title_and_the_address_stays(office, series):
    form = sent_back(office.get(url_for("series_staff.edit", series_id=series.id)))
    assert form["title"] == "Ausbildung und Arbeit"

    response = office.post(url_for("series_staff.update", series_id=series.id),
                           data=form | {"title": "Ausbildung und Arbeit 2027"})

    assert response.status_code == 302
    changed = reload(series)
    assert (changed.title, changed.slug) == ("Ausbildung und Arbeit 2027", "ausbildung-und-arbeit")


def test_a_long_history_of_other_series_does_not_hide_the_first_entry_of_this_one(office, series):
    other = series_service.create_series(title="Pflege 2027", by=TEST_ACTOR)
    copy_audit_entry(series_service.entries_for_series(other.id)[0], 2100)
    series_service.update_series(series.id, title="Ausbildung und Arbeit 2027", description="", by=TEST_ACTOR)

    shown = office.get(url_for("series_staff.page", series_id=series.id))

    rows = page(shown).one("section", class_="history").one("tbody").find_all("tr")
    assert [row.find_all("td")[2].text for row in rows] == ["series changed", "series created"]


def test_the_list_shows_each_series_with_its_number_of_events_and_next_date(office, series, make_event):
    next_date = days_from_now(9)
    in_series(series, make_event(starts_at=days_from_now(-20)),
              make_event(starts_at=next_date, publish=False), make_event(starts_at=days_from_now(40)))

    row = page(office.get(url_for("series_staff.index"))).one("tr", id=f"series-{series.id}")

    assert "Ausbildung und Arbeit" in row.text
    assert row.one("td", class_="num").text == "3"
    assert row.find_all("td")[2].text == next_date.astimezone(BERLIN).strftime("%b %-d, %Y")


def test_the_series_page_lists_every_event_with_its_state(office, series, make_event, set_event):
    in_series(series, make_event(title="Published forum"), make_event(title="Draft forum", publish=False),
              make_event(title="Closed round", visibility="invitation"),
              set_event(make_event(title="Called off"), status="cancelled"))

    shown = page(office.get(url_for("series_staff.page", series_id=series.id)))
    table = shown.one("table", id="series-events")
    rows = {row.find("a").text: row.text for row in table.one("tbody").find_all("tr")}

    assert set(rows) == {"Published forum", "Draft forum", "Closed round", "Called off"}
    assert "draft" in rows["Draft forum"] and "published" in rows["Published forum"]
    assert "invitation only" in rows["Closed round"] and "cancelled" in rows["Called off"]


def test_staff_add_an_event_from_the_list_and_remove_it_again(office, series, make_event):
    event = make_event(title="Forum Pflege")
    shown = office.get(url_for("series_staff.page", series_id=series.id))
    options = page(shown).one("select", name="event_id")
    assert "Forum Pflege" in options.text

    added = office.post(url_for("series_staff.add_event", series_id=series.id),
                        data={"event_id": str(event.id)})
    assert added.status_code == 302 and reload(event).series_id == series.id
    assert "Forum Pflege" in page(office.get(added.location)).one("table", id="series-events").text

    removed = office.post(url_for("series_staff.remove_event", series_id=series.id, event_id=event.id))

    assert removed.status_code == 302
    assert reload(event).series_id is None and reload(event).title == "Forum Pflege"
    history = page(office.get(removed.location)).one("section", class_="history").text
    assert "Event removed: Forum Pflege" in history and "Event added: Forum Pflege" in history


@pytest.mark.parametrize("chosen", ["", "abc", "999999"])
def test_an_unknown_event_is_refused_next_to_the_field(office, series, make_event, chosen):
    event = make_event(title="Forum Pflege")

    response = office.post(url_for("series_staff.add_event", series_id=series.id), data={"event_id": chosen})

    assert response.status_code == 422
    assert field_error(response, "event_id") == "Please choose an event from the list."
    assert reload(event).series_id is None


def test_with_every_event_in_the_series_there_is_nothing_to_add(office, series, make_event):
    in_series(series, make_event(title="Forum Pflege"))

    response = office.get(url_for("series_staff.page", series_id=series.id), headers=ENGLISH)

    assert page(response).find("select", name="event_id") is None
    assert "Every event is in this series already." in main_text(response)


def test_removing_an_event_of_another_series_changes_nothing(office, series, make_event):
    other = series_service.create_series(title="Pflege", by=TEST_ACTOR)
    [event] = in_series(other, make_event(title="Forum Pflege"))

    response = office.post(url_for("series_staff.remove_event", series_id=series.id, event_id=event.id))

    assert response.status_code == 409
    assert "not part of the series" in main_text(response)
    assert reload(event).series_id == other.id


# --- staff: recurring dates ----------------------------------------------------------------------

def test_the_form_starts_from_the_template_chosen_on_the_series_page(office, series, template):
    in_series(series, template)

    response = office.get(url_for("series_staff.recurring_form", series_id=series.id, template=template.id))

    values = sent_back(response)
    assert values["first_day"] == FIRST_TUESDAYS[0].isoformat()
    chosen = (values["template_id"], values["ordinal"], values["weekday"])
    assert chosen == (str(template.id), "1", str(TUESDAY))
    assert (values["frequency"], values["monthly_by"], values["interval"]) == ("monthly", "weekday", "1")


def test_the_preview_shows_every_date_and_creates_nothing(office, series, template):
    before = event_count()

    response = office.post(url_for("series_staff.recurring", series_id=series.id), data=rule_form(template))

    assert response.status_code == 200
    assert previewed_dates(response) == [
        datetime.combine(day, datetime.min.time(), tzinfo=BERLIN).replace(hour=18).isoformat()
        for day in FIRST_TUESDAYS]
    preview = page(response).one("section", id="preview")
    assert "These 9 dates will be created" in preview.text
    assert all("Tuesday" in item.text and "18:00" in item.text for item in preview.one("ol").find_all("li"))
    assert preview.one("code").text == f"RRULE:FREQ=MONTHLY;UNTIL={YEAR + 1}0630T235959;BYDAY=+1TU"
    assert event_count() == before


def test_the_preview_names_the_dates_the_series_holds_already(office, series, template):
    in_series(series, template)

    response = office.post(url_for("series_staff.recurring", series_id=series.id), data=rule_form(template))

    preview = page(response).one("section", id="preview")
    assert "These 8 dates will be created" in preview.text
    assert len(previewed_dates(response)) == 8
    existing = preview.one("ul", class_="existing-dates").find_all("time")
    assert [item.get("datetime")[:10] for item in existing] == [FIRST_TUESDAYS[0].isoformat()]


def test_confirming_the_preview_creates_the_dates_as_drafts_of_the_series(office, series, template):
    preview = office.post(url_for("series_staff.recurring", series_id=series.id), data=rule_form(template))
    response = office.post(url_for("series_staff.recurring", series_id=series.id),
                           data=sent_back(preview, confirm="1"))

    assert response.status_code == 302
    created = events_of(series)
    assert [event.starts_at.astimezone(BERLIN).date() for event in created] == FIRST_TUESDAYS
    assert all(event.is_draft and event.title == "Forum Ausbildung" for event in created)
    assert {event.starts_at.astimezone(BERLIN).hour for event in created} == {18}
    assert "9 dates were created as drafts" in main_text(office.get(response.location))


def test_dates_changed_since_the_preview_are_shown_again_not_created(office, series, template, set_event):
    preview = office.post(url_for("series_staff.recurring", series_id=series.id), data=rule_form(template))
    confirmed = sent_back(preview, confirm="1")
    later = timedelta(hours=1)
    set_event(template, starts_at=template.starts_at + later, ends_at=template.ends_at + later)
    before = event_count()

    response = office.post(url_for("series_staff.recurring", series_id=series.id), data=confirmed)

    assert response.status_code == 409
    assert "not the same as in the preview" in main_text(response)
    assert previewed_dates(response)[0].startswith(f"{FIRST_TUESDAYS[0].isoformat()}T19:00")
    assert event_count() == before


# Each mistake, the field it is shown next to, and what it says. Sent with "confirm": nothing may be
# created even then.
INVALID = [
    ({"until": "", "count": ""}, "until", "Give the last day or the number of dates."),
    ({"count": "5"}, "count", "Give either the last day or the number of dates, not both."),
    ({"until": f"{YEAR}-09-01"}, "until", "The last day cannot come before the first day."),
    ({"until": f"{YEAR + 3}-06-30", "frequency": "weekly"}, "until", "This rule gives more than 60 dates."),
    ({"until": "", "count": "61"}, "count", "Enter a number from 1 to 60."),
    ({"interval": "0"}, "interval", "Enter a number from 1 to 12."),
    ({"interval": "zwei"}, "interval", "Enter a whole number."),
    ({"first_day": ""}, "first_day", "From which day on?"),
    ({"first_day": "31.02.2027"}, "first_day", "Enter a date, for example 2026-10-06."),
    ({"first_day": "20266-10-01"}, "first_day", "Enter a date, for example 2026-10-06."),
    ({"first_day": "1999-10-01"}, "first_day", "Enter a year between 2000 and 2100."),
    ({"frequency": "daily"}, "frequency", "Please choose weekly or monthly."),
    ({"ordinal": "5"}, "ordinal", "Please choose from the list."),
    ({"weekday": "9"}, "weekday", "Please choose a weekday."),
    ({"template_id": "999999"}, "template_id", "Please choose the event each date copies."),
]


@pytest.mark.parametrize("mistake, name, message", INVALID)
def test_a_bad_rule_is_refused_next_to_its_field_and_creates_nothing(office, series, template, mistake, name,
                                                                     message):
    before = event_count()

    response = office.post(url_for("series_staff.recurring", series_id=series.id),
                           data=rule_form(template, confirm="1", **mistake))

    assert response.status_code == 422
    assert field_error(response, name).startswith(message)
    assert page(response).find("section", id="preview") is None
    assert event_count() == before


# --- public --------------------------------------------------------------------------------------

@pytest.fixture
def public_series(series, make_event, set_event):
    """A series with one date of each kind: what the public sees and what it must not."""
    in_series(series,
              make_event(title="Next forum", starts_at=days_from_now(10)),
              make_event(title="Last forum", starts_at=days_from_now(-10)),
              set_event(make_event(title="Called off", starts_at=days_from_now(20)), status="cancelled"),
              make_event(title="Draft forum", starts_at=days_from_now(30), publish=False),
              make_event(title="Closed round", starts_at=days_from_now(15), visibility="invitation"))
    make_event(title="Not in the series")
    return series


def cards(section) -> dict[str, str]:
    return {card.find("h3").text: card.text for card in section.find_all("li", class_="event-card")}


def test_the_public_page_shows_public_dates_upcoming_and_past_apart(client, public_series):
    response = client.get(url_for("series.show", slug=public_series.slug), headers=ENGLISH)

    assert response.status_code == 200
    shown = page(response)
    assert shown.one("h1").text == "Ausbildung und Arbeit"
    assert shown.one("div", class_="description").find("strong").text == "Kammern"
    upcoming = cards(shown.one("section", aria_labelledby="upcoming-heading"))
    past = cards(shown.one("section", aria_labelledby="past-heading"))
    assert list(upcoming) == ["Next forum", "Called off"]
    assert list(past) == ["Last forum"]
    assert "cancelled" in upcoming["Called off"]
    for hidden in ("Draft forum", "Closed round", "Not in the series"):
        assert hidden not in response.text
    link = shown.one("section", aria_labelledby="upcoming-heading").find("a")
    [next_forum] = [event for event in events_of(public_series) if event.title == "Next forum"]
    assert link.get("href") == url_for("registrations.event_page", slug=next_forum.slug)


def test_a_series_without_public_dates_says_so(client, series, make_event):
    in_series(series, make_event(title="Draft forum", publish=False))

    response = client.get(url_for("series.show", slug=series.slug), headers=ENGLISH)

    assert response.status_code == 200
    assert "No dates yet" in main_text(response)
    assert "Draft forum" not in response.text


def test_the_public_page_follows_changes_to_the_series(client, series, make_event):
    url = url_for("series.show", slug=series.slug)
    assert "No dates yet" in main_text(client.get(url, headers=ENGLISH))

    in_series(series, make_event(title="Forum Pflege"))
    series_service.update_series(series.id, title="Ausbildung, Arbeit, Pflege", description="", by=TEST_ACTOR)

    response = client.get(url, headers=ENGLISH)
    assert "Forum Pflege" in response.text
    assert page(response).one("h1").text == "Ausbildung, Arbeit, Pflege"


def test_an_unknown_series_is_not_found(client):
    assert client.get(url_for("series.show", slug="no-such-series")).status_code == 404
    assert client.get(url_for("series.feed", slug="no-such-series")).status_code == 404


def test_the_feed_holds_exactly_the_public_dates(client, public_series):
    response = client.get(url_for("series.feed", slug=public_series.slug))

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Ausbildung und Arbeit"
    entries = {str(entry["SUMMARY"]): entry for entry in calendar.walk("VEVENT")}
    assert set(entries) == {"Next forum", "Last forum", "Called off"}
    by_title = {event.title: event for event in events_of(public_series)}
    assert {str(entry["UID"]) for entry in entries.values()} == {by_title[t].ical_uid for t in entries}
    assert str(entries["Called off"]["STATUS"]) == "CANCELLED"
    assert str(entries["Next forum"]["STATUS"]) == "CONFIRMED"
    assert entries["Next forum"].decoded("DTSTART") == by_title["Next forum"].starts_at


def test_the_public_page_links_its_feed(client, series):
    response = client.get(url_for("series.show", slug=series.slug))

    assert page(response).find("a", href=url_for("series.feed", slug=series.slug, lang="de")) is not None


# --- who may -------------------------------------------------------------------------------------

STAFF_PAGES = [("GET", "series_staff.index"), ("GET", "series_staff.new"), ("POST", "series_staff.create"),
               ("GET", "series_staff.page"), ("GET", "series_staff.edit"), ("POST", "series_staff.update"),
               ("POST", "series_staff.add_event"), ("POST", "series_staff.remove_event"),
               ("GET", "series_staff.recurring_form"), ("POST", "series_staff.recurring")]


def staff_url(endpoint, series, event) -> str:
    if endpoint in ("series_staff.index", "series_staff.new", "series_staff.create"):
        return url_for(endpoint)
    if endpoint == "series_staff.remove_event":
        return url_for(endpoint, series_id=series.id, event_id=event.id)
    return url_for(endpoint, series_id=series.id)


def everything_sent(template) -> dict:
    return rule_form(template, confirm="1", title="Übernommen", description="", event_id=str(template.id))


@pytest.mark.parametrize("method, endpoint", STAFF_PAGES)
def test_the_door_role_is_refused_every_series_page(login, series, template, method, endpoint):
    in_series(series, template)
    door = login("door")
    before = event_count()

    response = door.open(staff_url(endpoint, series, template), method=method, data=everything_sent(template))

    assert response.status_code == 403
    assert event_count() == before and series_count() == 1
    assert reload(series).title == "Ausbildung und Arbeit" and reload(template).series_id == series.id


@pytest.mark.parametrize("method, endpoint", STAFF_PAGES)
def test_without_login_every_series_page_asks_to_log_in(client, series, template, method, endpoint):
    before = event_count()

    response = client.open(staff_url(endpoint, series, template), method=method,
                           data=everything_sent(template))

    assert response.status_code == 302
    assert response.location.startswith(url_for("auth.login"))
    assert event_count() == before and series_count() == 1
