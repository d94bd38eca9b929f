"""Who may open what, checked over the whole URL map, so that a page added later is covered too:
every staff page refuses anonymous visitors and door accounts, every page that names a
registration refuses one of another event, and a device token for one event learns nothing of
another. URLs carry the ids and keys of real rows (tests/routes.py), so each refusal is a refusal
of something that exists."""
import pytest
from flask import url_for
from werkzeug.routing import Map, Rule

from app.auth.services import create_api_token, create_user
from tests.conftest import STAFF_PASSWORD
from tests.routes import UnknownArgument, arguments_of, small_podium, url_of

# The door's own pages (door accounts may use them) and logging in and out.
DOOR_AND_LOGIN = ("checkin.", "auth.")


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/staff") and not rule.endpoint.startswith(DOOR_AND_LOGIN)]


def requests_of(rules, podium):
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url_of(rule, podium)


@pytest.fixture
def podium(app):
    return small_podium()


def test_the_map_has_staff_pages_to_check(app):
    assert len(staff_rules(app)) >= 40  # if this drops, the checks below would prove little


def test_every_rule_of_the_map_has_real_arguments(app, podium):
    unknown = []
    for rule in app.url_map.iter_rules():
        try:
            arguments_of(rule, podium)
        except UnknownArgument as exc:
            unknown.append(str(exc))

    assert unknown == []


def test_a_rule_with_an_argument_nobody_named_is_refused(app, podium):
    """The negative control: a new route with an unknown argument cannot be walked past."""
    new_page = Rule("/x/<token>", endpoint="somebody.new_page")
    Map([new_page])  # bound to a map, as the app's rules are: now it knows its arguments

    with pytest.raises(UnknownArgument, match="no value known for token"):
        arguments_of(new_page, podium)
    manage = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == "registrations.manage")
    assert arguments_of(manage, podium) == {"token": podium.manage_token}


def test_every_staff_page_sends_an_anonymous_visitor_to_the_login(app, client, podium):
    answers = {f"{method} {url}": client.open(url, method=method)
               for method, url in requests_of(staff_rules(app), podium)}

    wrong = {request: response.status_code for request, response in answers.items()
             if response.status_code != 302 or not response.location.startswith("/staff/login")}
    assert wrong == {}


def test_every_staff_page_refuses_a_door_account(app, client, podium):
    create_user("door@podium.test", role="door", password=STAFF_PASSWORD)
    client.post("/staff/login", data={"email": "door@podium.test", "password": STAFF_PASSWORD})

    answers = {f"{method} {url}": client.open(url, method=method).status_code
               for method, url in requests_of(staff_rules(app), podium)}

    assert {request: status for request, status in answers.items() if status != 403} == {}


def test_a_registration_of_another_event_is_not_found_on_any_page(app, staff, make_event, sign_up):
    mine, other = make_event(title="Forum A"), make_event(title="Forum B")
    strangers_registration = sign_up(other)
    rules = [rule for rule in app.url_map.iter_rules() if {"event_id", "registration_id"} <= rule.arguments]
    assert rules, "no page names an event and a registration: nothing to check"

    answers = {}
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = url_for(rule.endpoint, event_id=mine.id, registration_id=strangers_registration.id)
            answers[f"{method} {url}"] = staff.open(url, method=method, headers={"Accept": "text/html"})

    assert {request: r.status_code for request, r in answers.items() if r.status_code != 404} == {}
    assert all(strangers_registration.name not in r.get_data(as_text=True) for r in answers.values())


def test_a_device_token_for_another_event_is_refused_by_every_api_call(app, client, podium, make_event):
    elsewhere = make_event(title="Fachvortrag Pflege")
    _, token = create_api_token("Tablet Pflege", role="door", event_id=elsewhere.id)
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert len(rules) >= 5, "the API has fewer calls than it had: does this still check them all?"

    answers = {f"{method} {url}": client.open(url, method=method, json={"code": podium.ticket_code},
                                              headers={"Authorization": f"Bearer {token}"})
               for method, url in requests_of(rules, podium)}

    assert {request: r.status_code for request, r in answers.items() if r.status_code != 403} == {}
    assert all(podium.guest_name not in r.get_data(as_text=True) for r in answers.values())
