"""How often one email address may be signed up, from whatever client address
(app/registrations/limits.py), and what a person over any sign-up limit sees: the form again
with what they typed, a 429, when to try again, and Retry-After. The limit per client address
alone is in test_rate_limit.py; the invitation link shares the count (tests/campaigns)."""
import pytest
from flask import url_for

from app.extensions import limiter
from app.registrations.limits import mailbox_key
from tests.pages import ENGLISH, form_values, page
from tests.rows import registration_count, registrations_of

from .conftest import form_data

TOO_OFTEN = "This form has been sent too often in a short time"


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "100 per minute",
            "SIGNUP_EMAIL_RATE_LIMIT": "2 per hour"}


def sign_up_from(client, event, address, **fields):
    return client.post(url_for("registrations.register", slug=event.slug), data=form_data(**fields),
                       headers=ENGLISH, environ_base={"REMOTE_ADDR": address})


def summary(response) -> str:
    found = page(response).find("div", class_="error-summary")
    return found.text if found else ""


def assert_over_the_limit_with_the_form_kept(response, minutes_at_most):
    assert response.status_code == 429
    assert TOO_OFTEN in summary(response)
    assert 0 < int(response.headers["Retry-After"]) <= minutes_at_most * 60
    kept = form_values(page(response).one("form", id="signup"))
    assert (kept["name"], kept["email"], kept["note"], kept["consent"]) == \
        ("Anna Schmidt", "anna@example.org", "Rollstuhl", "y")


def test_one_address_from_many_client_addresses_is_stopped(client, make_event, mailbox):
    events = [make_event(), make_event(), make_event()]

    answers = [sign_up_from(client, event, f"198.51.100.{n}") for n, event in enumerate(events)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert_over_the_limit_with_the_form_kept(answers[-1], minutes_at_most=60)
    assert registrations_of(events[2]) == []
    assert len(mailbox("anna@example.org")) == 2


def test_forms_refused_for_a_mistake_do_not_count(client, make_event):
    """Else anyone could lock a person out by posting junk in their name."""
    for n in range(5):
        refused = sign_up_from(client, make_event(), f"198.51.100.{n}", consent=None)
        assert refused.status_code == 422

    assert sign_up_from(client, make_event(), "198.51.100.9").status_code == 302


@pytest.mark.parametrize(("limit", "wait"), [("2 per hour", "in 60 minutes"), ("2 per day", "in 24 hours")])
def test_the_page_says_how_long_to_wait(app, client, make_event, limit, wait):
    app.config["SIGNUP_EMAIL_RATE_LIMIT"] = limit
    for n in range(2):
        sign_up_from(client, make_event(), f"198.51.100.{n}")

    response = sign_up_from(client, make_event(), "198.51.100.9")

    assert response.status_code == 429
    assert f"Please send it again {wait}; what you entered is still here." in summary(response)


def test_the_limit_is_per_mailbox_whatever_the_spelling(client, make_event):
    for n, email in enumerate(["anna@example.org", "ANNA@Example.org"]):
        assert sign_up_from(client, make_event(), f"198.51.100.{n}", email=email).status_code == 302

    response = sign_up_from(client, make_event(), "198.51.100.9", email=" Anna+forum@example.ORG ")

    assert response.status_code == 429


def test_other_addresses_are_not_held_back(client, make_event):
    for n in range(2):
        sign_up_from(client, make_event(), "198.51.100.1")
    event = make_event()

    response = sign_up_from(client, event, "198.51.100.1", email="ben@example.org", name="Ben")

    assert response.status_code == 302
    assert [r.name for r in registrations_of(event)] == ["Ben"]


def test_the_limiters_storage_holds_no_address(make_event, client):
    """In production it is Redis, kept apart from the database and its retention."""
    sign_up_from(client, make_event(), "198.51.100.1")

    keys = " ".join(limiter.storage.storage)
    assert mailbox_key("anna@example.org") in keys
    assert "anna" not in keys and "example" not in keys


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "2 per minute",
                                         "SIGNUP_EMAIL_RATE_LIMIT": "100 per hour"}])
def test_over_the_limit_per_client_address_the_form_comes_back_too(client, make_event):
    event = make_event()
    for n in range(2):
        sign_up_from(client, event, "203.0.113.7", email=f"guest{n}@example.org")

    response = sign_up_from(client, event, "203.0.113.7")

    assert_over_the_limit_with_the_form_kept(response, minutes_at_most=1)
    assert registration_count() == 2


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "2 per minute"}])
def test_over_the_limit_for_an_unknown_event_is_a_plain_429(client):
    for _ in range(3):
        response = client.post("/events/no-such-event/register", data=form_data(), headers=ENGLISH,
                               environ_base={"REMOTE_ADDR": "198.51.100.1"})

    assert response.status_code == 429
    assert "Please wait a minute and try again." in page(response).one("main").text


# --- the guest's own page: a new address is mailed a link, and that counts -----------------------

def edit(client, registration, address="192.0.2.5", **changes):
    url = url_for("registrations.edit", token=registration.manage_token)
    data = form_values(page(client.get(url, headers=ENGLISH)).one("form", id="details")) | changes
    return client.post(url_for("registrations.save", token=registration.manage_token), data=data,
                       headers=ENGLISH, environ_base={"REMOTE_ADDR": address})


def test_corrections_without_a_new_address_do_not_count(client, make_event, sign_up):
    anna = sign_up(make_event(), name="Anna Schmit", email="anna@example.org")

    answers = [edit(client, anna, name=f"Anna Schmidt {n}").status_code for n in range(4)]

    assert answers == [302] * 4


def test_a_new_address_on_the_own_page_counts_for_that_address(client, make_event, sign_up, mailbox):
    """Else anyone with a registration could mail a stranger a link again and again."""
    anna = sign_up(make_event(), email="anna@example.org")

    answers = [edit(client, anna, f"198.51.100.{n}", email="stranger@example.org") for n in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert TOO_OFTEN in summary(answers[-1])
    assert form_values(page(answers[-1]).one("form", id="details"))["email"] == "stranger@example.org"
    assert len(mailbox("stranger@example.org")) == 2
    # The same count as the sign-up's: the stranger's address cannot be signed up now either.
    assert sign_up_from(client, make_event(), "198.51.100.50", email="stranger@example.org").status_code == 429


# --- the link to a guest's data is mailed to the registration's address, and that counts --------

def test_asking_for_the_data_link_again_and_again_is_stopped_for_that_address(client, make_event, sign_up,
                                                                               mailbox):
    anna = sign_up(make_event(), email="anna@example.org")
    url = url_for("privacy.send_link", token=anna.manage_token)

    answers = [client.post(url, headers=ENGLISH, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
               for n in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert [m["Subject"].startswith("Your data") for m in mailbox("anna@example.org")] == [False, True, True]
    # One count with the sign-up: Anna's address is now over the limit there too.
    assert sign_up_from(client, make_event(), "198.51.100.50").status_code == 429
