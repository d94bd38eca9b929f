"""Who may open what, checked over the whole URL map, so that a page added later is covered too:
every staff page refuses anonymous visitors and door accounts, and every page that names a
registration refuses one of another event."""
import pytest
from flask import url_for

from app.auth.services import create_user
from tests.conftest import STAFF_PASSWORD

# The door's own pages (door accounts may use them) and logging in and out.
DOOR_AND_LOGIN = ("checkin.", "auth.")


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/staff") and not rule.endpoint.startswith(DOOR_AND_LOGIN)]


def url_of(rule, **ids):
    """The rule's URL with every argument filled in (ids of real rows where given, else 1)."""
    values = {name: ids.get(name, 1) for name in rule.arguments}
    return url_for(rule.endpoint, **values)


def requests_of(app, **ids):
    for rule in staff_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url_of(rule, **ids)


def test_the_map_has_staff_pages_to_check(app):
    assert len(staff_rules(app)) >= 40  # if this drops, the checks below would prove little


def test_every_staff_page_sends_an_anonymous_visitor_to_the_login(app, client, make_event, sign_up):
    event = make_event()
    ids = {"event_id": event.id, "registration_id": sign_up(event).id}

    answers = {f"{method} {url}": client.open(url, method=method) for method, url in requests_of(app, **ids)}

    wrong = {request: response.status_code for request, response in answers.items()
             if response.status_code != 302 or not response.location.startswith("/staff/login")}
    assert wrong == {}


def test_every_staff_page_refuses_a_door_account(app, client, make_event, sign_up):
    event = make_event()
    ids = {"event_id": event.id, "registration_id": sign_up(event).id}
    create_user("door@podium.test", role="door", password=STAFF_PASSWORD)
    client.post("/staff/login", data={"email": "door@podium.test", "password": STAFF_PASSWORD})

    answers = {f"{method} {url}": client.open(url, method=method).status_code
               for method, url in requests_of(app, **ids)}

    assert {request: status for request, status in answers.items() if status != 403} == {}


def test_a_registration_of_another_event_is_not_found_on_any_page(app, staff, make_event, sign_up):
    mine, other = make_event(title="Forum A"), make_event(title="Forum B")
    strangers_registration = sign_up(other)
    rules = [rule for rule in app.url_map.iter_rules() if {"event_id", "registration_id"} <= rule.arguments]
    assert rules, "no page names an event and a registration: nothing to check"

    answers = {}
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = url_of(rule, event_id=mine.id, registration_id=strangers_registration.id)
            answers[f"{method} {url}"] = staff.open(url, method=method, headers={"Accept": "text/html"})

    assert {request: r.status_code for request, r in answers.items() if r.status_code != 404} == {}
    assert all(strangers_registration.name not in r.get_data(as_text=True) for r in answers.values())
