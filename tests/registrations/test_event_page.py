"""The event page: all about one event, the calendar links, and the sign-up form or the
reason why there is none (with the same reason, and 409, for a POST)."""
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from tests.conftest import days_from_now
from tests.pages import ENGLISH, page
from tests.rows import registrations_of

from .conftest import form_data


def event_page(client, event):
    response = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)
    assert response.status_code == 200
    return page(response)


def test_the_page_shows_partners_and_speakers(client, make_event):
    event = make_event(title="Forum Fachkräfte", kind="forum",
                       partners=["Handwerkskammer Trier", "Agentur für Arbeit Trier"],
                       speakers=["Dr. Eva Klein, Arbeitsagentur", "Jonas Berg, HWK"])

    html = event_page(client, event)

    assert html.one("h1").text == "Forum Fachkräfte"
    assert [li.text for li in html.one("ul", class_="partners").find_all("li")] == [
        "Handwerkskammer Trier", "Agentur für Arbeit Trier"]
    assert "Dr. Eva Klein, Arbeitsagentur" in html.text
    assert "Jonas Berg, HWK" in html.text


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


REFUSALS = {
    "cancelled": ({}, {"status": "cancelled"}, "This event has been cancelled."),
    "past": ({"starts_at": days_from_now(-1)}, {},
             "This event has already taken place; registration is closed."),
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


def test_a_refusing_event_shows_the_reason_instead_of_the_form(client, refused):
    event, reason = refused

    signup = event_page(client, event).one("section", id="register")

    assert reason in signup.one("p", class_="alert").text
    assert signup.find("form") is None


def test_a_sign_up_for_a_refusing_event_answers_409_with_the_reason(client, refused, submit):
    event, reason = refused
    before = len(registrations_of(event))

    response = submit(event)

    assert response.status_code == 409
    assert reason in page(response).one("section", id="register").text
    assert len(registrations_of(event)) == before


def test_not_yet_open_says_when_registration_opens_in_the_events_zone(client, make_event):
    opens = days_from_now(3).replace(hour=7, minute=30)  # 08:30 in Berlin in winter, 09:30 in summer
    event = make_event(registration_opens_at=opens, timezone="Europe/Berlin")

    reason = event_page(client, event).one("section", id="register").one("p", class_="alert").text

    local = opens.astimezone(event.zone)
    assert local.hour != opens.hour
    assert reason == f"Registration opens on {local:%b} {local.day}, {local.year} at {local:%-I:%M %p}."


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
