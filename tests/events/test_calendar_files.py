"""Calendar files: one event (/events/<slug>.ics) and the feed (/events.ics), read by
independent parsers (ical and vobject), not by the code that wrote them."""
from datetime import timedelta

import vobject
from flask import url_for
from ical.calendar_stream import IcsCalendarStream

from tests.conftest import days_from_now


def parse_ical(response):
    return IcsCalendarStream.calendar_from_ics(response.get_data(as_text=True))


def test_an_event_downloads_as_a_calendar_file(client, make_event):
    event = make_event(title="Forum Ausbildung", venue="IHK Trier", capacity=40)

    response = client.get(url_for("events.event_calendar", slug=event.slug))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (entry,) = parse_ical(response).events
    assert entry.uid == event.ical_uid
    assert entry.summary == "Forum Ausbildung"
    assert entry.dtstart == event.starts_at
    assert entry.dtend == event.ends_at
    assert "IHK Trier" in entry.location
    assert url_for("registrations.event_page", slug=event.slug) in entry.description


def test_the_calendar_file_reads_the_same_in_vobject(client, make_event):
    event = make_event(title="Forum Ausbildung")

    calendar = vobject.readOne(client.get(url_for("events.event_calendar", slug=event.slug)).text)

    assert calendar.method.value == "PUBLISH"
    assert calendar.vevent.uid.value == event.ical_uid
    assert calendar.vevent.dtstart.value == event.starts_at


def test_the_feed_lists_upcoming_published_events(client, make_event):
    soon = make_event(title="Soon", starts_at=days_from_now(2))
    later = make_event(title="Later", starts_at=days_from_now(30))
    make_event(title="Draft", publish=False)
    make_event(title="Over", starts_at=days_from_now(-2))

    response = client.get(url_for("events.feed"))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    uids = {entry.uid: entry.summary for entry in parse_ical(response).events}
    assert uids == {soon.ical_uid: "Soon", later.ical_uid: "Later"}


def test_the_feed_reads_the_same_in_vobject(client, make_event):
    event = make_event(title="Soon")

    calendar = vobject.readOne(client.get(url_for("events.feed")).text)

    assert [v.uid.value for v in calendar.vevent_list] == [event.ical_uid]
    assert calendar.vevent.dtend.value - calendar.vevent.dtstart.value == timedelta(hours=2)


def test_an_empty_feed_is_still_a_calendar(client):
    response = client.get(url_for("events.feed"))

    assert response.status_code == 200
    assert parse_ical(response).events == []
