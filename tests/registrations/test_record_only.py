"""A record-only event: the network's own record of a meeting, a talk or a visit. Nobody signs up
for it, not on the public page and not through staff, and nobody is ever mailed about it."""
from datetime import timedelta

import pytest
from flask import url_for

from app.database import utcnow
from app.errors import RegistrationRefused
from app.registrations import reminders, services
from tests.events.staff_forms import shown_form
from tests.pages import ENGLISH, main_text, page
from tests.rows import outbox_rows, registrations_of, reload

from .conftest import form_data, signed_up_at


@pytest.fixture
def visit(make_event):
    """A visit to the employment agency next week, recorded by staff."""
    return make_event(title="Besuch der Agentur für Arbeit", kind="visit", visibility="record")


@pytest.fixture
def record_with_guests(make_event, sign_up, set_event):
    """A forum with two guests that has since become a record (as data from before this rule may
    be): whatever happens to it now mails neither of them."""
    tomorrow = utcnow().replace(microsecond=0) + timedelta(days=1)
    event = make_event(title="Forum Arbeit", capacity=10, starts_at=tomorrow)
    for email in ("anna@example.org", "ben@example.org"):
        signed_up_at(sign_up(event, email=email), utcnow() - timedelta(days=10))
    return set_event(event, visibility="record")


def test_the_public_page_and_the_calendar_file_do_not_exist(client, visit):
    assert client.get(url_for("registrations.event_page", slug=visit.slug)).status_code == 404
    assert client.get(url_for("events.event_calendar", slug=visit.slug)).status_code == 404


def test_a_public_sign_up_is_refused_and_nothing_is_stored(client, visit):
    response = client.post(url_for("registrations.register", slug=visit.slug), data=form_data(), headers=ENGLISH)

    assert response.status_code == 404
    assert registrations_of(visit) == []
    assert outbox_rows() == []


def test_the_sign_up_service_refuses_it_too(visit):
    with pytest.raises(RegistrationRefused, match="Niemand meldet sich an"):
        services.register(visit.id, form_data(consent=True), locale="de", invite_key=visit.invite_key)
    assert registrations_of(visit) == []


def test_staff_cannot_add_anyone_by_hand(staff, visit):
    form_page = staff.get(url_for("registrations_staff.new", event_id=visit.id), headers=ENGLISH)
    response = staff.post(url_for("registrations_staff.create", event_id=visit.id), headers=ENGLISH, data={
        "name": "Heinz Müller", "email": "heinz@example.org", "affiliation": "professional", "locale": "de",
        "send_mail": "y"})

    assert "This event is a record only: nobody signs up for it" in main_text(form_page)
    assert page(form_page).find("form", action=url_for("registrations_staff.create", event_id=visit.id)) is None
    assert response.status_code == 409
    assert "This event is a record only: nobody signs up for it" in main_text(response)
    assert registrations_of(visit) == []
    assert outbox_rows() == []


def test_no_reminder_goes_out_before_it(record_with_guests):
    assert reminders.queue_due_reminders() == 0
    assert outbox_rows(kind=reminders.REMINDER_MAIL) == []


def test_the_same_forum_would_have_reminded_its_guests(record_with_guests, set_event):
    """The negative control of the test above: as a public event, both guests are due."""
    set_event(record_with_guests, visibility="public")

    assert reminders.queue_due_reminders() == 2


def test_a_new_time_and_place_mail_nobody_and_ask_nothing(office, record_with_guests):
    before = len(outbox_rows())
    form = shown_form(office.get(url_for("events_staff.edit", event_id=record_with_guests.id)))

    response = office.post(url_for("events_staff.update", event_id=record_with_guests.id), headers=ENGLISH,
                           data=form | {"venue": "Kulturhaus Prüm", "starts_at": form["starts_at"][:-5] + "09:00"})

    assert response.status_code == 302  # saved at once: there is nobody to ask about
    assert reload(record_with_guests).venue == "Kulturhaus Prüm"
    assert len(outbox_rows()) == before


def test_cancelling_it_mails_nobody(office, record_with_guests):
    before = len(outbox_rows())

    response = office.post(url_for("events_staff.cancel", event_id=record_with_guests.id),
                           data={"confirm": "y", "message": "Fällt aus"}, headers=ENGLISH)

    assert response.status_code == 302
    assert reload(record_with_guests).status == "cancelled"
    assert "It is a record only: nobody is mailed." in main_text(office.get(response.location, headers=ENGLISH))
    assert len(outbox_rows()) == before
