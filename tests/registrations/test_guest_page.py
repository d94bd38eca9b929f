"""The guest's own page /r/<token>: details, calendar file, cancelling (and what it
frees), signing up again; and the ticket of a cancelled registration."""
import re
from datetime import timedelta

import pytest
from flask import url_for
from ical.calendar_stream import IcsCalendarStream

from app.events.models import Event
from app.extensions import db
from tests.conftest import days_from_now
from tests.pages import ENGLISH, main_text, page
from tests.rows import fresh_reads, mails_to, registrations_of


def manage_url(registration) -> str:
    return url_for("registrations.manage", token=registration.manage_token)


def cancel_url(registration) -> str:
    return url_for("registrations.cancel", token=registration.manage_token)


def ticket_url(registration) -> str:
    return url_for("registrations.ticket", code=registration.ticket_code)


def counts(event) -> tuple[int, int]:
    fresh_reads()
    event = db.session.get(Event, event.id)
    return event.confirmed_count, event.waitlist_count


def test_the_guest_page_shows_the_registration(client, make_event, sign_up):
    event = make_event(title="Forum Fachkräfte")
    anna = sign_up(event, name="Anna Schmidt", email="anna@example.org", organisation="Caritas Trier")

    response = client.get(manage_url(anna), headers=ENGLISH)

    assert response.status_code == 200
    html = page(response)
    details = html.one("dl", class_="details").text
    for shown in ("Anna Schmidt", "anna@example.org", "Caritas Trier", "confirmed"):
        assert shown in details
    assert html.one("h1").text == "Forum Fachkräfte"
    hrefs = [a.get("href") for a in html.find_all("a")]
    assert ticket_url(anna) in hrefs
    assert url_for("registrations.manage_calendar", token=anna.manage_token) in hrefs
    assert url_for("registrations.cancel_confirm", token=anna.manage_token) in hrefs


def test_the_guest_page_is_kept_out_of_search_engines(client, make_event, sign_up):
    anna = sign_up(make_event())

    for url in (manage_url(anna), ticket_url(anna)):
        assert page(client.get(url)).find("meta", name="robots").get("content") == "noindex"


def test_the_guest_downloads_the_event_for_their_calendar(client, make_event, sign_up):
    event = make_event(title="Forum Fachkräfte")
    anna = sign_up(event)

    response = client.get(url_for("registrations.manage_calendar", token=anna.manage_token))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    (entry,) = IcsCalendarStream.calendar_from_ics(response.text).events
    assert entry.uid == event.ical_uid
    assert entry.summary == "Forum Fachkräfte"
    assert entry.sequence == anna.calendar_sequence


def test_cancelling_asks_first(client, make_event, sign_up):
    anna = sign_up(make_event())

    response = client.get(url_for("registrations.cancel_confirm", token=anna.manage_token), headers=ENGLISH)

    assert response.status_code == 200
    form = page(response).one("form")
    assert form.get("method") == "post"
    assert form.get("action") == cancel_url(anna)
    assert form.one("button").text == "Yes, cancel my registration"
    assert [r.status for r in registrations_of(anna.event)] == ["confirmed"]


def test_cancelling_frees_the_place_and_says_so(client, make_event, sign_up):
    event = make_event(capacity=3)
    anna = sign_up(event)

    response = client.post(cancel_url(anna))

    assert response.status_code == 302
    landing = client.get(response.location, headers=ENGLISH)
    assert "Your registration is cancelled" in main_text(landing)
    assert "cancelled" in page(landing).one("dl", class_="details").text
    asking = url_for("registrations.cancel_confirm", token=anna.manage_token)
    assert page(landing).find("a", href=asking) is None
    (registration,) = registrations_of(event)
    assert registration.status == "cancelled"
    assert registration.cancelled_at is not None
    assert counts(event) == (0, 0)
    assert [m.kind for m in mails_to(registration.email)][-1] == "registration_cancelled"


def test_a_cancelled_place_goes_to_the_first_in_line(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna, ben, cem = sign_up(event), sign_up(event), sign_up(event)

    client.post(cancel_url(anna))

    statuses = {r.id: r.status for r in registrations_of(event)}
    assert statuses == {anna.id: "cancelled", ben.id: "confirmed", cem.id: "waitlisted"}
    assert counts(event) == (1, 1)
    assert "confirmed" in page(client.get(manage_url(ben), headers=ENGLISH)).one("dl", class_="details").text
    assert "You are number 1 on the waitlist" in main_text(client.get(manage_url(cem), headers=ENGLISH))
    assert [m.kind for m in mails_to(ben.email)] == ["registration_waitlisted", "registration_confirmed"]


def test_a_waitlisted_guest_who_cancels_leaves_the_line(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna, ben, cem = sign_up(event), sign_up(event), sign_up(event)

    client.post(cancel_url(ben))

    statuses = {r.id: r.status for r in registrations_of(event)}
    assert statuses == {anna.id: "confirmed", ben.id: "cancelled", cem.id: "waitlisted"}
    assert counts(event) == (1, 1)
    assert "You are number 1 on the waitlist" in main_text(client.get(manage_url(cem), headers=ENGLISH))


def test_a_cancelled_ticket_says_so_and_has_no_qr_code(client, make_event, sign_up):
    anna = sign_up(make_event())
    client.post(cancel_url(anna))

    response = client.get(ticket_url(anna), headers=ENGLISH)

    assert response.status_code == 200
    assert "cancelled" in main_text(response)
    assert page(response).one("main").find("img") is None  # no QR code
    assert client.get(url_for("registrations.ticket_qr", code=anna.ticket_code)).status_code == 404


def test_a_waitlisted_ticket_is_not_yet_a_ticket(client, make_event, sign_up):
    event = make_event(capacity=0, waitlist_enabled=True)
    anna = sign_up(event)

    response = client.get(ticket_url(anna), headers=ENGLISH)

    assert "This is not a ticket yet" in main_text(response)
    assert page(response).one("main").find("img") is None  # no QR code


def test_cancelling_twice_changes_nothing_more(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna = sign_up(event)
    sign_up(event)
    client.post(cancel_url(anna))
    (first, *_) = registrations_of(event)
    state = (first.status, first.cancelled_at, first.calendar_sequence, counts(event),
             len(mails_to(anna.email)))

    response = client.post(cancel_url(anna))

    assert response.status_code == 302
    (again, *_) = registrations_of(event)
    assert (again.status, again.cancelled_at, again.calendar_sequence, counts(event),
            len(mails_to(anna.email))) == state
    # Asking again does not offer to cancel a second time.
    assert client.get(url_for("registrations.cancel_confirm", token=anna.manage_token)).status_code == 302


def test_signing_up_again_after_cancelling_gives_a_fresh_ticket(client, make_event, sign_up, submit):
    event = make_event(capacity=5)
    submit(event)
    (anna,) = registrations_of(event)
    old_code = anna.ticket_code
    client.post(cancel_url(anna))

    response = submit(event)

    (again,) = registrations_of(event)
    assert again.status == "confirmed"
    assert again.ticket_code != old_code
    assert again.cancelled_at is None
    assert response.location.endswith(url_for("registrations.signed_up", token=again.manage_token))
    landing = page(client.get(response.location, headers=ENGLISH))
    assert landing.one("section", class_="outcome").find("img", class_="qr").get("src") == \
        url_for("registrations.ticket_qr", code=again.ticket_code)
    assert "Status: confirmed" in main_text(client.get(ticket_url(again), headers=ENGLISH))
    assert client.get(url_for("registrations.ticket", code=old_code)).status_code == 404
    assert counts(event) == (1, 0)


def test_signing_up_again_when_the_place_is_gone_joins_the_waitlist(client, make_event, sign_up, submit):
    event = make_event(capacity=1, waitlist_enabled=True)
    submit(event)
    (anna,) = registrations_of(event)
    client.post(cancel_url(anna))
    sign_up(event)  # someone else takes the freed place

    response = submit(event)

    again = registrations_of(event)[0]
    assert again.status == "waitlisted"
    assert response.location.endswith(manage_url(again))
    assert "You are number 1 on the waitlist" in main_text(client.get(response.location, headers=ENGLISH))
    assert counts(event) == (1, 1)


@pytest.fixture
def anna(make_event, sign_up):
    return sign_up(make_event(title="Forum Fachkräfte"), name="Anna Schmidt", email="anna@example.org")


def wrong_keys(anna) -> list[str]:
    code, token = anna.ticket_code, anna.manage_token
    return ["unknown", "x" * 22, "x" * 65, code.swapcase(), code[:-1], token, "%00", "' OR '1'='1"]


@pytest.mark.parametrize("endpoint", ["registrations.ticket", "registrations.ticket_qr"])
def test_an_unknown_ticket_is_not_found_and_reveals_nothing(client, anna, endpoint):
    for key in wrong_keys(anna):
        response = client.get(url_for(endpoint, code=key), headers=ENGLISH)
        assert response.status_code == 404, key
        for secret in ("Anna Schmidt", "anna@example.org", "Forum Fachkräfte", "Traceback"):
            assert secret not in response.text, key


@pytest.mark.parametrize(("method", "endpoint"), [
    ("GET", "registrations.manage"),
    ("GET", "registrations.manage_calendar"),
    ("GET", "registrations.cancel_confirm"),
    ("POST", "registrations.cancel"),
])
def test_an_unknown_guest_page_is_not_found_and_reveals_nothing(client, anna, method, endpoint):
    keys = [k for k in wrong_keys(anna) if k != anna.manage_token] + [anna.ticket_code]
    for key in keys:
        response = client.open(url_for(endpoint, token=key), method=method, headers=ENGLISH)
        assert response.status_code == 404, key
        for secret in ("Anna Schmidt", "anna@example.org", "Forum Fachkräfte", "Traceback"):
            assert secret not in response.text, key
    assert [r.status for r in registrations_of(anna.event)] == ["confirmed"]


URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_ticket_codes_and_manage_tokens_are_separate_unguessable_values(make_event, sign_up):
    event = make_event(capacity=None)
    guests = [sign_up(event) for _ in range(25)]
    codes = [g.ticket_code for g in guests]
    tokens = [g.manage_token for g in guests]

    for value in codes + tokens:
        assert URLSAFE.match(value), value
        assert len(value) * 6 >= 128, value  # base64url: 6 bits a character
    assert len(set(codes)) == len(codes)
    assert len(set(tokens)) == len(tokens)
    assert not set(codes) & set(tokens)


def move_into_the_past(set_event, event):
    starts = days_from_now(-2)
    return set_event(event, starts_at=starts, ends_at=starts + timedelta(hours=2))


@pytest.mark.parametrize("why", ["event cancelled", "event over"])
def test_no_one_is_promoted_into_an_event_that_will_not_take_place(client, make_event, sign_up, set_event,
                                                                   why):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna, ben = sign_up(event), sign_up(event)
    if why == "event cancelled":
        set_event(event, status="cancelled")
    else:
        move_into_the_past(set_event, event)

    client.post(cancel_url(anna))

    assert registrations_of(event)[1].status == "waitlisted"
    assert [m.kind for m in mails_to(ben.email)] == ["registration_waitlisted"]


def test_a_guest_cannot_cancel_after_the_event_has_taken_place(client, make_event, sign_up, set_event):
    event = make_event(capacity=5)
    anna = sign_up(event)
    move_into_the_past(set_event, event)

    offered = page(client.get(manage_url(anna), headers=ENGLISH))
    response = client.post(cancel_url(anna), headers=ENGLISH)

    assert offered.find("a", href=url_for("registrations.cancel_confirm", token=anna.manage_token)) is None
    assert response.status_code == 409
    assert "already taken place" in main_text(response)
    assert [r.status for r in registrations_of(event)] == ["confirmed"]
    assert counts(event) == (1, 0)


def test_the_ticket_page_follows_a_cancellation(client, make_event, sign_up):
    """Whatever the ticket page caches, a cancelled ticket never shows its QR again."""
    anna = sign_up(make_event())
    assert page(client.get(ticket_url(anna))).find("img", class_="qr") is not None

    client.post(cancel_url(anna))

    assert page(client.get(ticket_url(anna))).find("img", class_="qr") is None


def test_the_waitlist_position_follows_the_line(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    _anna, ben, cem = sign_up(event), sign_up(event), sign_up(event)
    assert "You are number 2 on the waitlist" in main_text(client.get(manage_url(cem), headers=ENGLISH))

    client.post(cancel_url(ben))

    assert "You are number 1 on the waitlist" in main_text(client.get(manage_url(cem), headers=ENGLISH))
