"""Where a guest lands after signing up, and what each landing offers (DESIGN.md "Landing after
sign-up"): confirmed, waitlisted, already registered. The invitation link lands the same way
(tests/campaigns/test_invitation_link.py)."""
from datetime import timedelta

import pytest
from flask import url_for

from app.database import utcnow
from app.registrations import services
from tests.pages import ENGLISH, main_text, page
from tests.rows import mails_to, registrations_of


def landing(client, response):
    assert response.status_code == 302
    return client.get(response.location, headers=ENGLISH)


def hrefs(element) -> list[str]:
    return [a.get("href") for a in element.find_all("a")]


def ics_links(element) -> list[str]:
    return [href for href in hrefs(element) if href.endswith(".ics")]


def test_the_confirmed_landing_offers_ticket_calendar_own_page_and_the_way_back(client, make_event, submit):
    event = make_event(title="Forum Fachkräfte", capacity=10)

    response = landing(client, submit(event, email="anna.schmidt@example.org"))

    (anna,) = registrations_of(event)
    html = page(response)
    outcome = html.one("section", class_="outcome")
    assert outcome.one("h1").text == "You are registered"
    assert "We have sent your ticket and a calendar invitation to anna.schmidt@example.org." in outcome.text
    assert url_for("registrations.manage", token=anna.manage_token) in hrefs(outcome)
    assert ics_links(outcome) == [url_for("registrations.manage_calendar", token=anna.manage_token)]
    assert url_for("registrations.ticket", code=anna.ticket_code) in hrefs(outcome)
    assert outcome.one("img", class_="qr").get("src") == url_for("registrations.ticket_qr", code=anna.ticket_code)
    links = {a.text: a.get("href") for a in outcome.one("ul", class_="calendar-links").find_all("a")}
    assert set(links) == {"Calendar file (.ics)", "Google Calendar", "Outlook.com"}
    assert url_for("registrations.event_page", slug=event.slug) in hrefs(html.one("main"))
    # A confirmed guest is not told about a waitlist.
    assert "waitlist" not in main_text(response)


def test_the_landing_is_personal_and_never_stored(client, make_event, submit):
    event = make_event()
    response = landing(client, submit(event))

    assert response.headers["Cache-Control"] == "private, no-store"
    assert page(response).find("meta", name="robots").get("content") == "noindex"
    # Another guest's landing shows their own address, not a stored copy of the first.
    second = landing(client, submit(event, email="ben@example.org", name="Ben Weber"))
    assert "ben@example.org" in page(second).one("section", class_="outcome").text
    assert "anna@example.org" not in second.text


def test_the_calendar_file_of_the_landing_is_the_guests(client, make_event, submit):
    event = make_event(title="Forum Fachkräfte")
    response = landing(client, submit(event))
    (href,) = ics_links(page(response).one("section", class_="outcome"))

    calendar = client.get(href)

    assert calendar.status_code == 200
    assert calendar.mimetype == "text/calendar"
    assert "SUMMARY:Forum Fachkräfte" in calendar.text


def test_a_waitlisted_guest_lands_on_their_page_with_position_next_steps_and_no_calendar(
        client, make_event, sign_up, submit):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    sign_up(event)

    response = landing(client, submit(event))

    anna = registrations_of(event)[-1]
    assert response.request.path == url_for("registrations.manage", token=anna.manage_token)
    html = page(response)
    outcome = html.one("section", class_="outcome")
    assert "outcome--waitlisted" in outcome.classes
    assert "You are number 2 on the waitlist" in outcome.text
    assert "What happens next" in outcome.text
    assert "anna@example.org" in outcome.text  # where the ticket will go
    main = html.one("main")
    assert ics_links(main) == []
    assert not [h for h in hrefs(main) if "calendar.google.com" in h or "outlook.live.com" in h]
    assert main.find("img") is None  # no QR code: no ticket yet
    assert client.get(url_for("registrations.manage_calendar", token=anna.manage_token)).status_code == 404
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_landing_of_a_registration_without_a_place_is_their_own_page(client, make_event, sign_up):
    event = make_event(capacity=0, waitlist_enabled=True)
    anna = sign_up(event)

    response = client.get(url_for("registrations.signed_up", token=anna.manage_token))

    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.manage", token=anna.manage_token))


@pytest.mark.parametrize("capacity", [5, 0])
def test_already_registered_hears_that_a_mail_is_on_its_way_in_the_same_words(client, make_event, submit,
                                                                                capacity):
    """Confirmed or waitlisted: the page reads the same, so it tells no one who is registered how."""
    event = make_event(title="Forum Pflege", capacity=capacity, waitlist_enabled=True)
    submit(event)
    unknown_state = make_event(title="Forum Pflege", capacity=5)
    submit(unknown_state)

    again = page(landing(client, submit(event)))
    other = page(landing(client, submit(unknown_state)))

    outcome = again.one("section", class_="outcome")
    assert outcome.one("h1").text == "Please check your mail"
    assert "is on its way to the address you entered" in outcome.text
    assert outcome.text == other.one("section", class_="outcome").text
    assert not [h for h in hrefs(again.one("main")) if h.startswith(("/r/", "/t/"))]
    assert ics_links(again.one("main")) == []


def test_the_same_address_again_is_mailed_at_most_once_an_hour(make_event, submit):
    event = make_event(capacity=5)
    submit(event)
    for _ in range(3):
        assert submit(event).status_code == 302

    kinds = [(m.kind, m.params["repeated"]) for m in mails_to("anna@example.org")]
    assert kinds == [("registration_confirmed", False), ("registration_confirmed", True)]


def test_an_hour_later_the_same_address_is_mailed_again(app, make_event):
    event = make_event(capacity=5)
    data = {"name": "Anna", "email": "anna@example.org", "affiliation": "volunteer", "consent": True}
    services.register(event.id, data, locale="de")
    services.register(event.id, data, locale="de")
    services.register(event.id, data, locale="de", now=utcnow() + timedelta(minutes=30))
    services.register(event.id, data, locale="de", now=utcnow() + timedelta(minutes=61))

    assert [m.params["repeated"] for m in mails_to("anna@example.org")] == [False, True, True]
