"""The check-in API with CSRF protection on, as in production.

A session (cookie) request must prove it comes from Podium's own page: the page
carries the token in <meta name="csrf-token">, the script sends it as X-CSRFToken.
A bearer-token request carries no cookie and needs no CSRF token.
"""
import pytest
from flask import url_for

from app.auth.services import create_api_token, create_user
from tests.conftest import STAFF_PASSWORD
from tests.rows import reload

from .conftest import bearer
from .pages import form_values, page


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def door(client):
    """A door user logged in through the real login form (which needs its CSRF token too)."""
    create_user("door@podium.test", role="door", password=STAFF_PASSWORD, name="Anna Door")
    login_form = page(client.get(url_for("auth.login"))).one("form", method="post")
    data = {**form_values(login_form), "email": "door@podium.test", "password": STAFF_PASSWORD}
    assert data.get("csrf_token"), "the login form carries a CSRF token"
    assert client.post(url_for("auth.login"), data=data).status_code == 302
    return client


def page_token(client, event) -> str:
    meta = page(client.get(url_for("checkin.page", event_id=event.id))).one("meta", name="csrf-token")
    return meta.get("content")


def test_a_session_scan_without_the_csrf_header_is_refused(door, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)

    response = door.post(url_for("checkin_api.check_in", event_id=event.id), json={"code": anna.ticket_code})

    assert response.status_code == 400
    assert reload(anna).checked_in_at is None


def test_a_session_scan_with_a_wrong_csrf_header_is_refused(door, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)

    response = door.post(url_for("checkin_api.check_in", event_id=event.id), json={"code": anna.ticket_code},
                         headers={"X-CSRFToken": "not-the-token"})

    assert response.status_code == 400
    assert reload(anna).checked_in_at is None


def test_a_session_scan_with_the_pages_csrf_token_works(door, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)
    token = page_token(door, event)

    response = door.post(url_for("checkin_api.check_in", event_id=event.id), json={"code": anna.ticket_code},
                         headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert response.json["status"] == "checked_in"
    assert response.json["checked_in_by"] == "Anna Door"
    undo = door.post(url_for("checkin_api.undo", event_id=event.id, registration_id=anna.id),
                     headers={"X-CSRFToken": token})
    assert undo.json["status"] == "undone"


def test_a_bearer_scan_needs_no_csrf_token(client, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)
    _, token = create_api_token("Tablet 1")

    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           json={"code": anna.ticket_code}, headers=bearer(token))

    assert response.status_code == 200
    assert response.json["status"] == "checked_in"


def test_without_a_session_or_token_it_is_401_not_a_csrf_error(client, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)

    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           json={"code": anna.ticket_code})

    assert response.status_code == 401


def test_the_no_javascript_scan_form_carries_its_csrf_token(door, make_event, sign_up):
    event = make_event()
    anna = sign_up(event, name="Anna Schmidt")
    scan_form = page(door.get(url_for("checkin.page", event_id=event.id))).one("form", id="scan-form")

    without = door.post(url_for("checkin.scan", event_id=event.id), data={"code": anna.ticket_code})
    with_token = door.post(url_for("checkin.scan", event_id=event.id),
                           data={**form_values(scan_form), "code": anna.ticket_code})

    assert without.status_code == 400
    assert with_token.status_code == 200
    assert reload(anna).checked_in_at is not None
