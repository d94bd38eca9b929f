"""Staff change a registration's status: move from the waitlist, over capacity, cancel."""
from datetime import timedelta

import pytest
from flask import url_for

from app.extensions import db
from app.registrations import services
from tests.mailing.reading import calendar_text, method_line, only_part, parse_with_ical
from tests.pages import ENGLISH, main_text, page
from tests.rows import outbox_rows, reload

from .conftest import counts_of, statuses_of


def confirm(client, registration, **form):
    return client.post(url_for("registrations_staff.confirm", event_id=registration.event_id,
                               registration_id=registration.id), data=form, headers=ENGLISH)


def cancel(client, registration, **form):
    return client.post(url_for("registrations_staff.cancel", event_id=registration.event_id,
                               registration_id=registration.id), data=form, headers=ENGLISH)


def mail_kinds(registration) -> list[str]:
    return [m.kind for m in outbox_rows(registration_id=registration.id)]


@pytest.fixture
def talk(make_event):
    return make_event(title="Fachgespräch Anerkennung", capacity=2, sequence=2)


# --- moving a guest from the waitlist -----------------------------------------

def test_moving_a_guest_from_the_waitlist_confirms_them_and_mails_the_ticket(
        staff, make_event, sign_up, smtp, deliver):
    """A place was added (the room is bigger): staff move the guest up by hand."""
    event = make_event(capacity=1, sequence=2)
    sign_up(event, name="Anna")
    ben = sign_up(event, name="Ben", email="ben@example.org")
    event.capacity = 2
    db.session.commit()
    deliver()
    smtp.received.clear()

    response = confirm(staff, ben)

    assert response.status_code == 302
    assert statuses_of(event) == {"Anna": "confirmed", "Ben": "confirmed"}
    assert counts_of(event) == (2, 0)
    assert "Ben is confirmed" in main_text(staff.get(response.headers["Location"], headers=ENGLISH))
    [row] = [m for m in outbox_rows(registration_id=ben.id) if m.kind == "registration_confirmed"]
    assert row.params["promoted"] is True
    deliver()
    [message] = smtp.to("ben@example.org")
    calendar = calendar_text(message)
    assert method_line(calendar) == "REQUEST"
    assert only_part(message, "text/calendar").get_param("method") == "REQUEST"
    [vevent] = parse_with_ical(calendar).events
    assert vevent.sequence == reload(ben).calendar_sequence == 2
    assert only_part(message, "image/png")  # the ticket's QR code


def test_over_capacity_is_asked_first_and_nothing_changes_until_confirmed(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna")
    ben = sign_up(event, name="Ben")
    mails_before = len(outbox_rows())

    asked = confirm(staff, ben)

    assert asked.status_code == 409
    question = page(asked).one("main")
    assert "All 1 places of" in question.text and "over capacity" in question.text
    assert reload(ben).is_waitlisted
    assert counts_of(event) == (1, 1)
    assert len(outbox_rows()) == mails_before
    form = question.one("form")
    assert form.get("action") == url_for("registrations_staff.confirm", event_id=event.id,
                                         registration_id=ben.id)
    assert form.one("input", name="over_capacity").get("value")

    answered = confirm(staff, ben, over_capacity="1")

    assert answered.status_code == 302
    assert reload(ben).is_confirmed
    assert counts_of(event) == (2, 0)
    assert mail_kinds(ben)[-1] == "registration_confirmed"


def test_the_list_offers_moving_up_and_keeps_the_filter_after_it(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna")
    ben = sign_up(event, name="Ben")
    listing = page(staff.get(url_for("registrations_staff.index", event_id=event.id, status="waitlisted"),
                             headers=ENGLISH))
    button_form = listing.one("tr", id=f"registration-{ben.id}").one("form")
    assert "Move from waitlist" in button_form.text

    response = confirm(staff, ben, over_capacity="1", status="waitlisted", q="be")

    assert response.headers["Location"] == url_for("registrations_staff.index", event_id=event.id, q="be",
                                                   status="waitlisted")


def test_confirming_twice_mails_once(staff, make_event, sign_up):
    event = make_event(capacity=5)
    anna = sign_up(event, name="Anna")
    services.cancel_registration(anna.id)
    first = confirm(staff, anna)
    second = confirm(staff, anna)

    assert (first.status_code, second.status_code) == (302, 302)
    assert counts_of(event) == (1, 0)
    assert mail_kinds(anna).count("registration_confirmed") == 2  # the sign-up and the one by staff


def test_a_cancelled_guest_confirmed_again_gets_a_new_ticket_and_a_higher_sequence(
        staff, make_event, sign_up):
    event = make_event(capacity=5, sequence=4)
    anna = sign_up(event, name="Anna")
    old_ticket = anna.ticket_code
    services.cancel_registration(anna.id)
    cancel_sequence = reload(anna).calendar_sequence

    confirm(staff, anna)

    anna = reload(anna)
    assert anna.is_confirmed and anna.cancelled_at is None
    assert anna.ticket_code != old_ticket
    assert anna.calendar_sequence == cancel_sequence + 1
    [last] = outbox_rows(registration_id=anna.id)[-1:]
    assert (last.kind, last.params["sequence"]) == ("registration_confirmed", cancel_sequence + 1)


def test_no_status_changes_for_a_cancelled_or_past_event(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna")
    ben = sign_up(event, name="Ben")
    event.status = "cancelled"
    db.session.commit()

    response = confirm(staff, ben, over_capacity="1")

    assert response.status_code == 409
    assert "cancelled" in main_text(response)
    assert reload(ben).is_waitlisted


def test_a_registration_of_another_event_is_404(staff, make_event, sign_up):
    event, other = make_event(), make_event()
    stranger = sign_up(other, name="Fritz")

    response = staff.post(url_for("registrations_staff.confirm", event_id=event.id,
                                  registration_id=stranger.id))
    assert response.status_code == 404
    response = staff.post(url_for("registrations_staff.cancel", event_id=event.id,
                                  registration_id=stranger.id))
    assert response.status_code == 404
    assert reload(stranger).is_confirmed


# --- cancelling ----------------------------------------------------------------

def test_cancelling_asks_first_and_names_who_moves_up(staff, make_event, sign_up):
    event = make_event(capacity=1)
    anna = sign_up(event, name="Anna Schmidt")
    sign_up(event, name="Ben Weber")

    response = staff.get(url_for("registrations_staff.cancel_confirm", event_id=event.id, registration_id=anna.id),
                         headers=ENGLISH)

    assert response.status_code == 200
    text = main_text(response)
    assert "Anna Schmidt" in text
    assert "The place goes to the first on the waitlist, Ben Weber" in text
    assert reload(anna).is_confirmed


def test_staff_cancellation_promotes_the_first_in_line_and_mails_both(
        staff, make_event, sign_up, smtp, deliver):
    event = make_event(capacity=1, sequence=1)
    anna = sign_up(event, name="Anna", email="anna@example.org")
    sign_up(event, name="Ben", email="ben@example.org")
    sign_up(event, name="Cem", email="cem@example.org")
    deliver()
    smtp.received.clear()

    response = cancel(staff, anna)

    assert response.status_code == 302
    assert statuses_of(event) == {"Anna": "cancelled", "Ben": "confirmed", "Cem": "waitlisted"}
    assert counts_of(event) == (1, 1)
    deliver()
    [to_anna] = smtp.to("anna@example.org")
    [to_ben] = smtp.to("ben@example.org")
    assert smtp.to("cem@example.org") == []
    assert method_line(calendar_text(to_anna)) == "CANCEL"
    assert method_line(calendar_text(to_ben)) == "REQUEST"
    assert "Anna" in main_text(staff.get(response.headers["Location"], headers=ENGLISH))


def test_cancelling_a_waitlisted_guest_promotes_nobody(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna")
    ben = sign_up(event, name="Ben")
    sign_up(event, name="Cem")

    cancel(staff, ben)

    assert statuses_of(event) == {"Anna": "confirmed", "Ben": "cancelled", "Cem": "waitlisted"}
    assert counts_of(event) == (1, 1)


def test_cancelling_a_guest_confirmed_over_capacity_promotes_nobody(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna")
    ben, cem = sign_up(event, name="Ben"), sign_up(event, name="Cem")
    confirm(staff, ben, over_capacity="1")
    asked = staff.get(url_for("registrations_staff.cancel_confirm", event_id=event.id, registration_id=ben.id),
                      headers=ENGLISH)
    assert "Cem" not in main_text(asked)

    cancel(staff, ben)

    assert statuses_of(event) == {"Anna": "confirmed", "Ben": "cancelled", "Cem": "waitlisted"}
    assert counts_of(event) == (1, 1)
    assert reload(cem).is_waitlisted


def test_cancelling_twice_cancels_once(staff, make_event, sign_up):
    event = make_event(capacity=3)
    anna = sign_up(event, name="Anna")

    first, second = cancel(staff, anna), cancel(staff, anna)

    assert (first.status_code, second.status_code) == (302, 302)
    assert "already been cancelled" in main_text(staff.get(second.headers["Location"], headers=ENGLISH))
    assert mail_kinds(anna).count("registration_cancelled") == 1
    assert counts_of(event) == (0, 0)


def test_a_past_event_cannot_be_changed(staff, make_event, sign_up):
    event = make_event(capacity=3)
    anna = sign_up(event, name="Anna")
    event.starts_at = event.starts_at - timedelta(days=8)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()

    response = cancel(staff, anna)

    assert response.status_code == 409
    assert reload(anna).is_confirmed
    assert not [m for m in outbox_rows() if m.kind == "registration_cancelled"]
