"""Kinds of gathering: public events, invitation-only events and records. What staff choose on the
event form and see on their pages, and what stays out of every public list and feed."""
import pytest
from flask import url_for
from icalendar import Calendar

from app.events.models import Series
from app.extensions import db
from tests.conftest import days_from_now
from tests.events.staff_forms import event_form, events_titled, shown_form
from tests.pages import ENGLISH, field_error, main_text, page
from tests.rows import reload


@pytest.fixture
def guest(app):
    """Another browser: an anonymous visitor, whatever the staff client is logged in as."""
    return app.test_client()


def listed_titles(response) -> list[str]:
    return [card.find("h2").text for card in page(response).find_all("li", class_="event-card")]


def feed_titles(response) -> list[str]:
    calendar = Calendar.from_ical(response.data)
    return [str(vevent.get("summary")) for vevent in calendar.walk("VEVENT")]


@pytest.fixture
def three_kinds(make_event):
    """One event of each visibility in a week, and one of each a week ago."""
    for when, prefix in ((days_from_now(7), "Coming"), (days_from_now(-7), "Past")):
        make_event(title=f"{prefix} public forum", starts_at=when)
        make_event(title=f"{prefix} invitation-only meeting", starts_at=when, visibility="invitation")
        make_event(title=f"{prefix} recorded visit", starts_at=when, visibility="record", kind="visit")


# --- the staff's form -------------------------------------------------------------------------

def test_the_form_offers_three_kinds_of_gathering_each_with_a_line_on_what_it_means(office):
    form = page(office.get(url_for("events_staff.new"))).one("form", class_="event-form")

    choices = {radio.get("value"): radio for radio in form.find_all("input", name="visibility")}
    assert list(choices) == ["public", "invitation", "record"]
    assert "checked" in choices["public"].attrs  # what a new event is unless staff say otherwise
    hints = {value: form.one(id=radio.get("aria-describedby")).text for value, radio in choices.items()}
    assert "anyone may sign up" in hints["public"]
    assert "personal invitation or the event's secret link" in hints["invitation"]
    assert "no public page, no sign-up, no mail" in hints["record"]
    kinds = [option.get("value") for option in form.one("select", name="kind").find_all("option")]
    assert "visit" in kinds


def test_an_invitation_only_event_is_saved_as_a_draft_like_any_other(office):
    response = office.post(url_for("events_staff.create"), data=event_form(visibility="invitation"))

    [event] = events_titled("Forum Ausbildung und Arbeit")
    assert response.status_code == 302
    assert event.visibility == "invitation"
    assert event.status == "draft"
    assert shown_form(office.get(response.location))["visibility"] == "invitation"


def test_a_record_needs_no_publishing_and_has_no_public_page(office, guest):
    response = office.post(url_for("events_staff.create"), data=event_form(
        title="Besuch beim Jobcenter", kind="visit", visibility="record"))

    [event] = events_titled("Besuch beim Jobcenter")
    assert (event.visibility, event.status) == ("record", "published")
    edit_page = office.get(response.location, headers=ENGLISH)
    assert "The event is recorded" in main_text(edit_page)
    state = page(edit_page).one("section", class_="event-state")
    assert [badge.text for badge in state.find_all("span", class_="badge")] == ["recorded", "record only"]
    assert state.find("form", action=url_for("events_staff.publish", event_id=event.id)) is None
    assert state.find("form", action=url_for("events_staff.unpublish", event_id=event.id)) is None
    assert guest.get(url_for("registrations.event_page", slug=event.slug)).status_code == 404


def test_an_unknown_visibility_is_refused_next_to_the_choice(office):
    response = office.post(url_for("events_staff.create"), data=event_form(visibility="secret"))

    assert response.status_code == 422
    assert "Not a valid choice" in field_error(response, "visibility")
    assert events_titled("Forum Ausbildung und Arbeit") == []


def test_wtforms_own_messages_speak_each_readers_language_in_turn(staff):
    """WTForms' messages come from translations read once per language (app.forms.PodiumForm): one
    reader's language never answers another's."""
    for language, refusal in (("de", "Keine gültige Auswahl"), ("en", "Not a valid choice"),
                              ("de", "Keine gültige Auswahl")):
        staff.get(f"/lang/{language}")
        response = staff.post(url_for("events_staff.create"), data=event_form(visibility="secret"))

        assert response.status_code == 422
        assert refusal in field_error(response, "visibility")


def test_the_staff_page_of_an_invitation_only_event_shows_its_secret_link_to_copy(office, make_event):
    event = make_event(title="Arbeitskreis Integration", visibility="invitation")

    state = page(office.get(url_for("events_staff.edit", event_id=event.id), headers=ENGLISH)).one(
        "section", class_="event-state")

    link = state.one("input", id="invitation-link")
    assert link.get("value") == f"http://podium.test/events/{event.slug}/?key={event.invite_key}"
    assert "readonly" in link.attrs
    assert "Only people with this link or with a personal invitation" in state.text
    assert "invitation only" in [badge.text for badge in state.find_all("span", class_="badge")]


def test_a_public_event_has_no_secret_link(office, make_event):
    event = make_event()

    edit_page = page(office.get(url_for("events_staff.edit", event_id=event.id), headers=ENGLISH))

    assert edit_page.find("input", id="invitation-link") is None
    assert event.invite_key not in edit_page.text


def test_the_dashboard_marks_invitation_only_and_records_and_offers_no_door_for_a_record(office, make_event):
    public = make_event(title="Forum Fachkräfte")
    invitation = make_event(title="Treffen der Kammern", visibility="invitation")
    record = make_event(title="Besuch bei der Caritas", visibility="record", kind="visit")

    rows = page(office.get(url_for("events_staff.dashboard"), headers=ENGLISH))

    def badges(event):
        return [badge.text for badge in rows.one("tr", id=f"event-{event.id}").find_all("span", class_="badge")]

    def check_in_link(event):
        return rows.one("tr", id=f"event-{event.id}").find("a", href=url_for("checkin.page", event_id=event.id))

    assert badges(public) == ["published"]
    assert badges(invitation) == ["invitation only", "published"]
    assert badges(record) == ["record only", "recorded"]
    assert check_in_link(public) is not None and check_in_link(invitation) is not None
    assert check_in_link(record) is None


def test_a_record_that_becomes_public_is_a_draft_until_published(office, guest, make_event):
    record = make_event(title="Gespräch mit der Stadt", visibility="record")
    form = shown_form(office.get(url_for("events_staff.edit", event_id=record.id)))

    office.post(url_for("events_staff.update", event_id=record.id), data=form | {"visibility": "public"})

    assert (reload(record).visibility, reload(record).status) == ("public", "draft")
    assert "Gespräch mit der Stadt" not in listed_titles(guest.get(url_for("events.upcoming")))


def test_an_event_people_signed_up_for_cannot_become_a_record(office, make_event, sign_up):
    event = make_event(title="Forum Arbeit")
    sign_up(event)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    response = office.post(url_for("events_staff.update", event_id=event.id), data=form | {"visibility": "record"},
                           headers=ENGLISH)

    assert response.status_code == 422
    assert "1 person has signed up for this event, so it cannot become record only" in \
        field_error(response, "visibility")
    assert (reload(event).visibility, reload(event).status) == ("public", "published")


# --- the public lists -------------------------------------------------------------------------

def test_only_public_events_are_listed_coming_or_past(guest, three_kinds):
    upcoming = guest.get(url_for("events.upcoming"), headers=ENGLISH)
    past = guest.get(url_for("events.past"), headers=ENGLISH)

    assert listed_titles(upcoming) == ["Coming public forum"]
    assert listed_titles(past) == ["Past public forum"]
    for response in (upcoming, past):
        assert "invitation-only meeting" not in response.text and "recorded visit" not in response.text


def test_only_public_events_are_in_the_calendar_feed(guest, three_kinds):
    response = guest.get(url_for("events.feed"))

    assert response.status_code == 200
    assert feed_titles(response) == ["Coming public forum"]


def test_a_series_page_lists_only_its_public_events(guest, make_event):
    series = Series(slug="ausbildung-2027", title="Ausbildung und Arbeit 2027")
    db.session.add(series)
    db.session.commit()
    make_event(title="Auftakt", series_id=series.id)
    make_event(title="Vorbereitung der Kammern", series_id=series.id, visibility="invitation")
    make_event(title="Nachbesprechung", series_id=series.id, visibility="record")

    response = guest.get(url_for("series.show", slug=series.slug), headers=ENGLISH)

    assert response.status_code == 200
    assert "Auftakt" in response.text
    assert "Vorbereitung der Kammern" not in response.text
    assert "Nachbesprechung" not in response.text


def test_a_cached_list_drops_an_event_once_it_is_made_invitation_only(office, guest, make_event):
    event = make_event(title="Forum Sprache")
    assert listed_titles(guest.get(url_for("events.upcoming"))) == ["Forum Sprache"]  # now stored
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    office.post(url_for("events_staff.update", event_id=event.id), data=form | {"visibility": "invitation"})

    assert listed_titles(guest.get(url_for("events.upcoming"))) == []
    assert feed_titles(guest.get(url_for("events.feed"))) == []
    assert reload(event).status == "published"  # still taking sign-ups, through the secret link
    assert guest.get(url_for("registrations.event_page", slug=event.slug)).status_code == 200
