"""The sign-up limit per client address (switched on here; the test config turns it off)."""
import pytest
from flask import url_for

from tests.rows import registrations_of

from .conftest import form_data


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "3 per minute"}


def post_from(client, event, address, n):
    return client.post(url_for("registrations.register", slug=event.slug),
                       data=form_data(email=f"guest{n}@example.org"), environ_base={"REMOTE_ADDR": address})


def test_too_many_sign_ups_from_one_address_are_refused(client, make_event):
    event = make_event()

    answers = [post_from(client, event, "203.0.113.7", n).status_code for n in range(4)]

    assert answers == [302, 302, 302, 429]
    assert len(registrations_of(event)) == 3


def test_the_limit_is_per_address(client, make_event):
    event = make_event()
    for n in range(3):
        post_from(client, event, "203.0.113.7", n)

    assert post_from(client, event, "198.51.100.23", 9).status_code == 302
    assert len(registrations_of(event)) == 4


def test_reading_the_event_page_is_not_limited(client, make_event):
    event = make_event()
    for n in range(3):
        post_from(client, event, "203.0.113.7", n)

    response = client.get(url_for("registrations.event_page", slug=event.slug),
                          environ_base={"REMOTE_ADDR": "203.0.113.7"})

    assert response.status_code == 200


def test_corrections_on_the_own_page_are_limited_too(client, make_event, sign_up):
    """Each new address entered there is mailed a link: no endless mails from one page."""
    anna = sign_up(make_event())
    save = url_for("registrations.save", token=anna.manage_token)

    answers = [client.post(save, data=form_data(email=f"anna{n}@example.org"),
                           environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code for n in range(4)]

    assert answers == [302, 302, 302, 429]
