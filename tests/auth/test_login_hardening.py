"""Logging in tells nobody which addresses have an account, and guessing one account's password
is limited however many client addresses the guesses come from."""
import pytest
from werkzeug import security

from app.auth import models, services
from app.auth.services import create_user
from tests.conftest import STAFF_PASSWORD
from tests.pages import page


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute"}


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash checked, with the method it was made with."""
    checked = []

    def spy(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", spy)
    monkeypatch.setattr(services, "check_password_hash", spy)
    return checked


def log_in(client, email, password, address="198.51.100.7"):
    return client.post("/staff/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_an_unknown_address_costs_the_same_hash_check_as_a_known_one(app, client, hash_checks):
    """Not timed (timing belongs in the benchmark): the same work is shown instead, one check of
    a hash made with the same method and cost, whether the address has an account or not."""
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)

    known = log_in(client, "anna@podium.test", "wrong password")
    unknown = log_in(client, "nobody@podium.test", "wrong password")

    assert known.status_code == unknown.status_code == 401
    assert hash_checks == [app.config["PASSWORD_HASH_METHOD"]] * 2
    # And the same words: nothing on the page tells the two apart.
    assert page(known).one(class_="error-summary").text == page(unknown).one(class_="error-summary").text


def test_guesses_at_one_account_are_limited_from_any_number_of_addresses(client):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)

    answers = [log_in(client, "anna@podium.test", "guess", address=f"198.51.100.{n}").status_code
               for n in range(1, 5)]

    assert answers == [401, 401, 401, 429]
    # The account is held back, not the other accounts, and not the addresses.
    create_user("ben@podium.test", role="staff", password=STAFF_PASSWORD)
    assert log_in(client, "ben@podium.test", STAFF_PASSWORD, address="198.51.100.1").status_code == 302


def test_the_account_limit_does_not_care_how_the_address_is_spelt(client):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)

    answers = [log_in(client, spelling, "guess", address=f"198.51.100.{n}").status_code
               for n, spelling in enumerate(["anna@podium.test", "ANNA@podium.test", " Anna@Podium.test",
                                             "anna@PODIUM.TEST"], start=1)]

    assert answers[-1] == 429
