"""The calendar SEQUENCE a guest sees never goes down: a calendar app ignores an
update or cancellation whose SEQUENCE is not above the one it already holds."""
from flask import url_for
from ical.calendar_stream import IcsCalendarStream

from tests.rows import mails_to, registrations_of


def sequence_in_download(client, registration) -> int:
    response = client.get(url_for("registrations.manage_calendar", token=registration.manage_token))
    (entry,) = IcsCalendarStream.calendar_from_ics(response.text).events
    return entry.sequence


def test_cancelling_and_signing_up_again_raise_the_guests_sequence(client, make_event, submit):
    event = make_event(capacity=5)
    submit(event)
    (anna,) = registrations_of(event)
    signed_up = anna.calendar_sequence

    client.post(url_for("registrations.cancel", token=anna.manage_token))
    (anna,) = registrations_of(event)
    cancelled = anna.calendar_sequence

    submit(event)
    (anna,) = registrations_of(event)
    again = anna.calendar_sequence

    assert signed_up < cancelled < again
    assert sequence_in_download(client, anna) == again


def test_the_mails_carry_a_growing_sequence(client, make_event, submit):
    event = make_event(capacity=5)
    submit(event)
    (anna,) = registrations_of(event)
    client.post(url_for("registrations.cancel", token=anna.manage_token))
    submit(event)

    mails = mails_to("anna@example.org")

    assert [m.kind for m in mails] == ["registration_confirmed", "registration_cancelled",
                                       "registration_confirmed"]
    sequences = [m.params["sequence"] for m in mails]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3


def test_one_guests_cancellation_leaves_the_others_sequence_alone(client, make_event, sign_up):
    event = make_event(capacity=5)
    anna, ben = sign_up(event), sign_up(event)
    before = ben.calendar_sequence

    client.post(url_for("registrations.cancel", token=anna.manage_token))

    assert registrations_of(event)[1].calendar_sequence == before


def test_a_promotion_keeps_the_sequence_the_guest_already_holds(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna, ben = sign_up(event), sign_up(event)
    waitlisted = ben.calendar_sequence

    client.post(url_for("registrations.cancel", token=anna.manage_token))

    promoted = registrations_of(event)[1]
    assert promoted.status == "confirmed"
    assert promoted.calendar_sequence >= waitlisted
    assert mails_to(promoted.email)[-1].params["sequence"] >= waitlisted
