"""The event page: all about one event, the calendar links, and the sign-up form or the
reason why there is none (with the same reason, and 409, for a POST)."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from app.database import utcnow
from app.events.models import Series
from app.extensions import db
from tests.conftest import days_from_now
from tests.pages import ENGLISH, field_error, form_values, page
from tests.rows import registrations_of

from .conftest import form_data


def event_page(client, event):
    response = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)
    assert response.status_code == 200
    return page(response)


def test_the_page_shows_the_kind_and_the_speakers(client, make_event):
    event = make_event(title="Forum Fachkräfte", kind="forum",
                       speakers=["Dr. Eva Klein, Arbeitsagentur", "Jonas Berg, HWK"])

    html = event_page(client, event)

    assert html.one("h1").text == "Forum Fachkräfte"
    assert html.one("p", class_="eyebrow").text == "Forum"
    assert [li.text for li in html.one("ul", class_="speakers").find_all("li")] == [
        "Dr. Eva Klein, Arbeitsagentur", "Jonas Berg, HWK"]


def test_the_page_offers_the_event_for_every_calendar(client, make_event):
    event = make_event(title="Forum Fachkräfte")

    links = {a.text: a.get("href") for a in event_page(client, event).one("ul", class_="calendar-links")
             .find_all("a")}

    assert links["Calendar file (.ics)"] == url_for("events.event_calendar", slug=event.slug)
    google = urlsplit(links["Google Calendar"])
    assert google.netloc == "calendar.google.com"
    assert parse_qs(google.query)["text"] == ["Forum Fachkräfte"]
    assert parse_qs(google.query)["dates"] == [
        f"{event.starts_at:%Y%m%dT%H%M%SZ}/{event.ends_at:%Y%m%dT%H%M%SZ}"]
    outlook = urlsplit(links["Outlook.com"])
    assert outlook.netloc == "outlook.live.com"
    assert parse_qs(outlook.query)["subject"] == ["Forum Fachkräfte"]


def test_every_form_field_has_its_label(client, make_event):
    form = event_page(client, make_event()).one("form")

    labels = {label.get("for") for label in form.find_all("label") if label.get("for")}
    for name in ("name", "email", "organisation", "note"):
        control = form.one(name=name)
        assert control.get("id") in labels, name
    # Checkboxes and radio buttons sit inside their label.
    for control in form.find_all("input", type="checkbox") + form.find_all("input", type="radio"):
        assert any(a.tag == "label" for a in control.ancestors()), control


def test_the_page_shows_the_consent_text_and_its_version(client, app, make_event):
    html = event_page(client, make_event())

    consent = html.one("p", id="consent-text").text
    assert consent.startswith("I agree")
    assert len(consent) > 100  # the text itself, not only a checkbox
    assert f"Version {app.config['CONSENT_VERSION']}" in consent
    assert html.one("input", name="consent").get("type") == "checkbox"
    assert "checked" not in html.one("input", name="consent").attrs


def test_a_full_event_with_waitlist_offers_the_waitlist(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)

    html = event_page(client, event)

    assert "waitlist" in html.one("p", class_="places").text
    assert html.one("form").one("button").text == "Join the waitlist"


OVER = {
    "cancelled": ({}, {"status": "cancelled"}, "This event has been cancelled."),
    "past": ({"starts_at": days_from_now(-1)}, {},
             "This event has already taken place; registration is closed."),
}
REFUSALS = OVER | {
    "not yet open": ({"registration_opens_at": days_from_now(2)}, {}, "Registration opens on"),
    "closed": ({"registration_closes_at": days_from_now(-1)}, {}, "Registration for this event is closed."),
    "full without waitlist": ({"capacity": 1, "waitlist_enabled": False}, {"full": True},
                              "This event is fully booked."),
}


@pytest.fixture(params=list(REFUSALS), ids=list(REFUSALS))
def refused(request, make_event, sign_up, set_event):
    """An event that takes no sign-up, and the reason it gives."""
    fields, change, reason = REFUSALS[request.param]
    change = dict(change)
    event = make_event(**fields)
    if change.pop("full", False):
        sign_up(event)
    set_event(event, **change)
    return event, reason


def where_the_reason_shows(html, event) -> str:
    """The sign-up section says why it is closed; a page of an event that is over says it once, at the top."""
    over = event.is_cancelled or event.starts_at <= utcnow()
    return (html.one("header", class_="event-head") if over else html.one("section", id="register")).text


def test_a_refusing_event_shows_the_reason_instead_of_the_form(client, refused):
    event, reason = refused

    html = event_page(client, event)

    assert reason in where_the_reason_shows(html, event)
    assert html.find("form", action=f"/events/{event.slug}/register") is None


@pytest.mark.parametrize("case", list(OVER))
def test_an_event_that_is_over_offers_no_places_calendar_or_sign_up(client, make_event, set_event, case):
    fields, change, reason = OVER[case]
    event = make_event(**fields)
    set_event(event, **change)

    html = event_page(client, event)

    assert html.text.count(reason) == 1
    assert html.find("section", id="register") is None
    assert html.find("p", class_="places") is None
    assert html.find("ul", class_="calendar-links") is None
    assert html.find("a", class_="map-link") is None


def test_a_sign_up_for_a_refusing_event_answers_409_with_the_reason(client, refused, submit):
    event, reason = refused
    before = len(registrations_of(event))

    response = submit(event)

    assert response.status_code == 409
    assert reason in where_the_reason_shows(page(response), event)
    assert len(registrations_of(event)) == before


def test_not_yet_open_says_when_registration_opens_in_the_events_zone(client, make_event):
    opens = days_from_now(3).replace(hour=7, minute=30)  # 08:30 in Berlin in winter, 09:30 in summer
    event = make_event(registration_opens_at=opens, timezone="Europe/Berlin")

    reason = event_page(client, event).one("section", id="register").one("p", class_="alert").text

    local = opens.astimezone(event.zone)
    assert local.hour != opens.hour
    assert reason == f"Registration opens on {local:%b} {local.day}, {local.year} at {local:%H:%M}."  # 24 h


def test_an_open_window_takes_sign_ups(client, make_event, submit):
    event = make_event(registration_opens_at=days_from_now(-1), registration_closes_at=days_from_now(1))

    assert event_page(client, event).one("section", id="register").find("form") is not None
    assert submit(event).status_code == 302
    assert [r.status for r in registrations_of(event)] == ["confirmed"]


def test_form_data_helper_posts_what_a_guest_types():
    """The helper behind `submit`: None leaves a field out, as an unticked checkbox is left out."""
    assert "consent" not in form_data(consent=None)
    assert form_data()["consent"] == "y"


def test_the_page_follows_the_last_place_going(client, make_event, sign_up):
    """Whatever the page caches, the button says "waitlist" once the last place is gone."""
    event = make_event(capacity=1, waitlist_enabled=True)
    assert event_page(client, event).one("form").one("button").text == "Sign up"

    sign_up(event)

    assert event_page(client, event).one("form").one("button").text == "Join the waitlist"


# --- the first screen: facts, the way to the form, the map, the organiser ------------------

def test_the_page_leads_from_the_top_straight_to_the_form(client, make_event):
    html = event_page(client, make_event(description="Ein langer Text. " * 200, speakers=["Dr. Eva Klein"]))

    head = html.one("header", class_="event-head")
    jump = head.one("a", href="#register")
    assert "button" in jump.classes
    assert jump.text == "Sign up"
    assert html.one("section", id="register").find("form", id="signup") is not None
    # In the head, before everything long: date, time, place and free places.
    for part in ("when", "where", "places"):
        assert head.find("p", class_=part) is not None, part
    assert html.one("div", class_="description") not in list(head.iter())


def test_a_full_event_leads_to_the_waitlist(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)

    assert event_page(client, event).one("header", class_="event-head").one("a", href="#register").text == \
        "Join the waitlist"


def test_a_refusing_event_has_no_way_to_the_form_but_says_why_at_the_top(client, refused):
    event, reason = refused

    head = event_page(client, event).one("header", class_="event-head")

    assert head.find("a", href="#register") is None
    assert reason in head.text


def test_the_place_links_to_a_map_search_for_the_address(client, make_event):
    event = make_event(venue="Rathaus Trier", address="Am Augustinerhof, 54290 Trier")

    link = event_page(client, event).one("a", class_="map-link")

    url = urlsplit(link.get("href"))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.openstreetmap.org", "/search")
    assert parse_qs(url.query)["query"] == ["Am Augustinerhof, 54290 Trier"]
    assert "noopener" in link.get("rel").split()
    assert "OpenStreetMap" in link.text


def test_without_an_address_the_map_searches_the_venue(client, make_event):
    event = make_event(venue="Tuchfabrik Trier", address="")

    href = event_page(client, event).one("a", class_="map-link").get("href")

    assert parse_qs(urlsplit(href).query)["query"] == ["Tuchfabrik Trier"]


def test_the_page_names_the_organisers_address(client, app, make_event):
    app.config["ORGANIZER_EMAIL"] = "netzwerk@trier.example"

    contact = event_page(client, make_event()).one("p", class_="contact")

    assert contact.one("a").get("href") == "mailto:netzwerk@trier.example"
    assert "netzwerk@trier.example" in contact.text


@pytest.mark.parametrize("headers", [{}, ENGLISH])
def test_the_time_range_does_not_break_at_its_dash(client, make_event, headers):
    event = make_event()
    html = client.get(url_for("registrations.event_page", slug=event.slug), headers=headers).text

    # Read from the source: the page reader folds no-break spaces into plain ones.
    ranges = re.findall(r'<span class="time-range">([^<]*)</span>', html)
    assert ranges
    for shown in ranges:
        assert "\u00a0–\u00a0" in shown
        assert " – " not in shown


# --- the form: nothing decided for the guest, and mistakes in view -------------------------

def test_how_the_guest_takes_part_is_not_chosen_beforehand(client, make_event):
    form = event_page(client, make_event()).one("form", id="signup")

    radios = form.find_all("input", type="radio", name="affiliation")
    assert {r.get("value") for r in radios} == {"professional", "volunteer", "other"}
    assert [r for r in radios if "checked" in r.attrs] == []


def test_a_guest_who_chooses_nothing_is_asked_to_and_nothing_is_stored(make_event, submit):
    event = make_event()

    response = submit(event, affiliation=None)

    assert response.status_code == 422
    form = page(response).one("form", id="signup")
    group = form.one("fieldset", aria_invalid="true")
    assert "You take part as" in group.one("legend").text
    assert "affiliation-error" in group.get("aria-describedby").split()
    assert field_error(response, "affiliation") == "Please choose one."
    assert form_values(form)["name"] == "Anna Schmidt"  # nothing typed is lost
    assert registrations_of(event) == []


def test_a_made_up_choice_is_refused(make_event, submit):
    event = make_event()

    response = submit(event, affiliation="vip")

    assert response.status_code == 422
    assert field_error(response, "affiliation") == "Please choose one."
    assert registrations_of(event) == []


def test_the_form_posts_to_itself_at_the_form(client, make_event):
    event = make_event()

    form = event_page(client, event).one("form", id="signup")

    assert form.get("action") == url_for("registrations.register", slug=event.slug) + "#register"
    assert form.one("button").get("type") == "submit"


def test_after_mistakes_the_error_summary_takes_the_focus_and_links_to_each_field(make_event, submit):
    response = submit(make_event(), name="", email="nope", affiliation=None, consent=None)

    html = page(response)
    summary = html.one("div", class_="error-summary")
    assert "autofocus" in summary.attrs
    assert summary.get("tabindex") == "-1"
    links = [a.get("href") for a in summary.find_all("a")]
    assert links == ["#name", "#email", "#affiliation-0", "#consent"]
    for href in links:
        assert html.find(id=href[1:]) is not None, href
    # Above the form, inside the section the browser lands at (#register).
    section = html.one("section", id="register")
    assert summary in list(section.iter())


def test_an_event_of_a_series_links_to_the_series(client, make_event):
    series = Series(slug="ausbildung-2027", title="Ausbildung und Arbeit 2027")
    db.session.add(series)
    db.session.commit()
    event = make_event(title="Auftakt", series_id=series.id)

    link = event_page(client, event).one("p", class_="series-link")

    assert link.text == "Part of the series Ausbildung und Arbeit 2027"
    assert link.one("a").get("href") == url_for("series.show", slug="ausbildung-2027")


def test_an_event_of_no_series_names_none(client, make_event):
    assert event_page(client, make_event()).find("p", class_="series-link") is None
