"""Programs that post the sign-up form (app/formtrap.py), and people who post it too often
(app/registrations/limits.py).

A form with the honeypot filled, sent faster than a person fills it, or without a valid stamp
is refused with the form again: everything typed kept, a message that asks to send it again,
a fresh stamp; nothing stored, no mail at the SMTP server. A person who sends it again a
moment later is signed up. Over the limit per client address or per email address (from any
client address), the form comes back with a 429, Retry-After and what was typed.

The time trap is off in the test configuration (FORM_MIN_SECONDS 0), so that the rest of the
suite can post forms at once; the tests here switch it on.
"""
import re
import time
from datetime import timedelta

import pytest
from flask import url_for
from itsdangerous import URLSafeSerializer

from app.database import utcnow
from app.formtrap import STAMP_MARKER, WINDOW_SECONDS, new_stamp, stamp_age
from config import DevelopmentConfig, ProductionConfig
from tests.pages import ENGLISH, form_values, page
from tests.rows import registrations_of

from .conftest import form_data, signed_up_at

REFUSED = "Please send the form again"


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Fachkräfte", capacity=10)


@pytest.fixture
def trap_after(app):
    """trap_after(seconds): switch the time trap on, as in production."""

    def switch_on(seconds):
        app.config["FORM_MIN_SECONDS"] = seconds

    return switch_on


def event_url(event) -> str:
    return url_for("registrations.event_page", slug=event.slug)


def the_form(response) -> dict:
    """What the browser would send back from the sign-up form on this page, untouched."""
    return form_values(page(response).one("form", id="signup"))


def filled_in(client, event, **changes) -> dict:
    """The sign-up form of the event page as a person fills it in, with its honeypot and stamp."""
    response = client.get(event_url(event), headers=ENGLISH)
    assert response.status_code == 200
    return the_form(response) | form_data() | changes


def post(client, event, data, address="192.0.2.10"):
    return client.post(url_for("registrations.register", slug=event.slug), data=data, headers=ENGLISH,
                       environ_base={"REMOTE_ADDR": address})


def summary(response) -> str:
    found = page(response).find("div", class_="error-summary")
    return found.text if found else ""


def assert_refused_and_kept(response, data):
    """Refused as a person sees it: 422, the message, every typed value still in the form, the
    honeypot empty again."""
    assert response.status_code == 422
    assert REFUSED in summary(response)
    again = the_form(response)
    for name in ("name", "email", "organisation", "affiliation", "note", "consent"):
        assert again[name] == data[name], name
    assert again["remarks"] == ""


# --- the honeypot --------------------------------------------------------------------------------

def test_the_honeypot_is_hidden_from_people_keyboards_screen_readers_and_autofill(client, forum):
    html = page(client.get(event_url(forum), headers=ENGLISH))

    honeypot = html.one("input", name="remarks")
    box = next(a for a in honeypot.ancestors() if "form-trap" in a.classes)
    assert box.get("aria-hidden") == "true"
    assert (honeypot.get("type"), honeypot.get("tabindex"), honeypot.get("autocomplete"), honeypot.get("value")) \
        == ("text", "-1", "off", "")
    # A browser that shows it anyway (no stylesheet) asks people to leave it alone.
    assert box.one("label", for_=honeypot.get("id")).text == "Please leave this field empty."
    # No word that autofill or a password manager fills (Chromium's autofill_regex_constants).
    assert not re.search(r"mail|name|phone|tel|addr|street|city|zip|post|company|organi|url|web|user|login|pass",
                         honeypot.get("name") + honeypot.get("id"))
    served = client.get("/static/podium.css")
    stylesheet = served.get_data(as_text=True)
    served.close()
    assert re.search(r"^\.form-trap \{ display: none", stylesheet, re.MULTILINE)


@pytest.mark.parametrize("spam", ["http://spam.example/", "Anna", " "])
def test_a_filled_honeypot_is_refused_nothing_stored_nothing_mailed(client, forum, mailbox, spam):
    data = filled_in(client, forum, remarks=spam)

    response = post(client, forum, data)

    assert_refused_and_kept(response, data)
    assert registrations_of(forum) == []
    assert mailbox("anna@example.org") == []


def test_a_filled_honeypot_with_other_mistakes_shows_those_mistakes(client, forum):
    response = post(client, forum, filled_in(client, forum, remarks="x", email="anna(at)example.org"))

    assert response.status_code == 422
    assert "This does not look like an email address" in summary(response)
    assert REFUSED not in summary(response)  # the person corrects and sends again anyway
    assert registrations_of(forum) == []


# --- the time trap -------------------------------------------------------------------------------

def test_a_form_sent_faster_than_a_person_fills_it_is_refused(client, forum, mailbox, trap_after):
    trap_after(30)
    data = filled_in(client, forum)

    response = post(client, forum, data)

    assert_refused_and_kept(response, data)
    assert registrations_of(forum) == []
    assert mailbox("anna@example.org") == []


def forged(_stamp: str) -> str:
    return URLSafeSerializer("another-secret", salt="podium.form-trap").dumps(int(time.time() * 1000) - 600_000)


def tampered(stamp: str) -> str:
    """One character of the signature changed (in its middle: every bit of it counts)."""
    at = len(stamp) - 10
    return stamp[:at] + ("B" if stamp[at] == "A" else "A") + stamp[at + 1:]


@pytest.mark.parametrize("stamp", [
    pytest.param(lambda s: None, id="missing"),
    pytest.param(lambda s: "", id="empty"),
    pytest.param(tampered, id="tampered signature"),
    pytest.param(lambda s: "MTc2NTAwMDAwMDAwMA." + s.rpartition(".")[2], id="another moment, same signature"),
    pytest.param(forged, id="signed with another key"),
    pytest.param(lambda s: "x" * 5000, id="huge"),
])
def test_a_form_without_a_valid_stamp_is_refused(client, forum, mailbox, trap_after, stamp):
    trap_after(2)
    data = filled_in(client, forum)
    data["form_time"] = stamp(new_stamp(time.time() - 600))  # long enough ago, but not ours
    if data["form_time"] is None:
        del data["form_time"]

    response = post(client, forum, data)

    assert_refused_and_kept(response, data)
    assert registrations_of(forum) == []
    assert mailbox("anna@example.org") == []


def test_a_person_who_waits_and_sends_again_is_signed_up(client, forum, mailbox, trap_after):
    trap_after(1)
    first = post(client, forum, filled_in(client, forum))
    assert first.status_code == 422

    time.sleep(1.05 + WINDOW_SECONDS)  # reading the message and pressing the button again
    response = post(client, forum, the_form(first))

    assert response.status_code == 302
    (anna,) = registrations_of(forum)
    assert (anna.name, anna.note, anna.status) == ("Anna Schmidt", "Rollstuhl", "confirmed")
    assert len(mailbox("anna@example.org")) == 1


def test_the_form_shown_again_keeps_a_valid_stamp_and_replaces_a_bad_one(client, forum, trap_after):
    trap_after(30)
    valid = filled_in(client, forum) | {"form_time": new_stamp(time.time() - 20)}
    forged_stamp = filled_in(client, forum) | {"form_time": forged("")}

    kept = the_form(post(client, forum, valid))["form_time"]
    fresh = the_form(post(client, forum, forged_stamp))["form_time"]

    assert kept == valid["form_time"]  # 10 seconds on, this form is taken: the person began 30 s ago
    assert fresh != forged_stamp["form_time"] and -WINDOW_SECONDS <= stamp_age(fresh) < 5


def test_a_mistake_fixed_within_a_second_is_taken(client, forum, mailbox, trap_after):
    """The time trap counts from when the form was first made, not from the page with the errors."""
    trap_after(2)
    data = filled_in(client, forum) | {"form_time": new_stamp(time.time() - 3), "email": "anna@"}
    with_the_mistake = post(client, forum, data)
    assert with_the_mistake.status_code == 422

    response = post(client, forum, the_form(with_the_mistake) | {"email": "anna@example.org"})

    assert response.status_code == 302
    assert len(mailbox("anna@example.org")) == 1


def test_a_form_left_open_for_days_is_taken(client, forum, trap_after):
    trap_after(2)
    data = filled_in(client, forum) | {"form_time": new_stamp(time.time() - 5 * 86400)}

    assert post(client, forum, data).status_code == 302
    assert len(registrations_of(forum)) == 1


def test_the_stored_event_page_gives_each_visitor_the_stamp_of_now(client, forum, trap_after):
    """Stored or not, the page carries the stamp of the moment it is served, never the moment it
    was stored: a program cannot fetch a page that is old enough already."""
    trap_after(2)
    first = client.get(event_url(forum), headers=ENGLISH)
    time.sleep(0.3)
    asked = time.time()
    second = client.get(event_url(forum), headers=ENGLISH)  # from the store
    answered = time.time()

    stamps = [the_form(r)["form_time"] for r in (first, second)]
    assert stamps[0] != stamps[1]
    # The end of the window the page was served in: after it was asked for, at most a window
    # after it was answered (measured from those moments: the window may end before this line).
    assert stamp_age(stamps[1], now=asked) <= 0
    assert stamp_age(stamps[1], now=answered) >= -WINDOW_SECONDS
    assert STAMP_MARKER not in second.get_data(as_text=True)
    data = filled_in(client, forum)  # from the store too, and sent at once: refused
    assert_refused_and_kept(post(client, forum, data), data)


@pytest.mark.parametrize("config_class", [DevelopmentConfig, ProductionConfig])
def test_the_time_trap_is_on_outside_the_tests(config_class):
    assert config_class.FORM_MIN_SECONDS >= 1


def test_with_the_time_trap_off_a_form_without_a_stamp_is_taken(client, forum):
    """FORM_MIN_SECONDS 0 (the test configuration) keeps only the honeypot."""
    assert post(client, forum, form_data()).status_code == 302
    assert len(registrations_of(forum)) == 1


# --- the same address again ---------------------------------------------------------------------

def test_signing_up_a_known_address_again_and_again_mails_it_once_an_hour(client, forum, mailbox):
    for _ in range(4):
        assert post(client, forum, form_data()).status_code == 302
    assert len(mailbox("anna@example.org")) == 2  # the ticket, and once its current state again

    (anna,) = registrations_of(forum)
    signed_up_at(anna, utcnow() - timedelta(minutes=61))
    for _ in range(3):
        post(client, forum, form_data())

    assert len(mailbox("anna@example.org")) == 3
