"""The check-in API as a door device or the door page uses it: every answer, every refusal.

Scans go through the test client with a bearer token (as a tablet would) unless a
test is about the staff session.
"""
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for

from app.audit import Actor
from app.auth.services import authenticate_token, revoke_api_token
from app.checkin import services
from app.checkin.models import CheckInMethod
from app.checkin.scans import door_scan
from app.extensions import db
from app.links import absolute_url
from app.registrations.models import Registration
from app.registrations.services import cancel_registration
from tests.rows import fresh_reads, reload

from .conftest import bearer, records_of

PARTY_TIME = datetime(2030, 12, 3, 17, 2, tzinfo=UTC)  # 18:02 in Trier


@pytest.fixture
def event(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=2, waitlist_enabled=True)


@pytest.fixture
def token(device_token):
    return device_token("Tablet 1")


# --- every answer ----------------------------------------------------------

def test_a_valid_ticket_is_checked_in_by_the_device(scan, event, sign_up, token):
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")

    response = scan(event, anna.ticket_code, token=token)

    assert response.status_code == 200
    answer = response.json
    assert answer["status"] == "checked_in"
    assert answer["registration"]["id"] == anna.id
    assert answer["registration"]["name"] == "Anna Schmidt"
    assert answer["checked_in_by"] == "Tablet 1"
    assert answer["checked_in_at"] is not None
    stored = reload(anna)
    assert stored.checked_in_at is not None and stored.checked_in_by == "Tablet 1"
    assert datetime.fromisoformat(answer["checked_in_at"]) == stored.checked_in_at


def test_a_second_scan_says_when_and_by_whom_the_guest_was_let_in(scan, event, sign_up, token):
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Anna Door"), now=PARTY_TIME)

    response = scan(event, anna.ticket_code, token=token)

    answer = response.json
    assert response.status_code == 200
    assert answer["status"] == "already_checked_in"
    assert answer["registration"]["id"] == anna.id
    assert answer["checked_in_by"] == "Anna Door"
    assert datetime.fromisoformat(answer["checked_in_at"]) == PARTY_TIME
    # The sentence the door reads, in the event's own time (German by default: 18:02).
    assert "18:02" in answer["message"] and "Anna Door" in answer["message"]
    assert reload(anna).checked_in_by == "Anna Door"  # the second scan changed nothing


@pytest.mark.parametrize("code", [
    # Look like tickets, are none (fixed, so that every test process collects the same tests).
    "N1xWqhwQ1mChHY3Umq_vKQ",
    "http://podium.test/t/9ZyKKQ-8gz9GXmY8tbZ5Hw",
    "!!!; DROP TABLE registrations",
    "Hallo Welt",
    "/t/",
    "http://podium.test/t/",
    "-",
    "x" * 400,
])
def test_anything_that_is_not_a_ticket_is_unknown(scan, event, sign_up, token, code):
    sign_up(event)

    response = scan(event, code, token=token)

    assert response.status_code == 200
    assert response.json["status"] == "unknown"
    assert response.json["registration"] is None
    assert response.json["colour"] == "red"


def test_a_ticket_for_another_event_names_that_event(scan, event, make_event, sign_up, token):
    other = make_event(title="Podium Wohnen im Quartier")
    ben = sign_up(other, name="Ben Weber")

    response = scan(event, ben.ticket_code, token=token)

    answer = response.json
    assert answer["status"] == "wrong_event"
    assert answer["registration"]["event"]["title"] == "Podium Wohnen im Quartier"
    assert "Podium Wohnen im Quartier" in answer["message"]
    assert reload(ben).checked_in_at is None  # not let into the other event either


@pytest.mark.parametrize("how", ["code", "registration_id"])
def test_a_token_for_one_event_learns_nothing_of_another(scan, event, make_event, sign_up, device_token, how):
    scoped = device_token("Tablet Saal 1", event=event)
    ben = sign_up(make_event(title="Podium Wohnen im Quartier"), name="Ben Weber", organisation="IHK Trier")
    unknown = scan(event, "x" * 22, token=scoped).json if how == "code" else \
        scan(event, None, token=scoped, registration_id=999_999).json

    answer = (scan(event, ben.ticket_code, token=scoped) if how == "code" else
              scan(event, None, token=scoped, registration_id=ben.id)).json

    assert answer == unknown
    assert answer["status"] == "unknown" and answer["registration"] is None
    for secret in ("Ben Weber", "IHK Trier", "Podium Wohnen im Quartier"):
        assert secret not in str(answer)
    assert reload(ben).checked_in_at is None


def test_a_cancelled_registration_is_refused(scan, event, sign_up, token):
    anna = sign_up(event, name="Anna Schmidt")
    cancel_registration(anna.id)

    response = scan(event, anna.ticket_code, token=token)

    assert response.json["status"] == "cancelled"
    assert response.json["colour"] == "red"
    assert reload(anna).checked_in_at is None


def test_a_waitlisted_guest_has_no_confirmed_place(scan, event, sign_up, token):
    sign_up(event), sign_up(event)  # capacity 2
    cem = sign_up(event, name="Cem Yilmaz")
    assert cem.is_waitlisted

    response = scan(event, cem.ticket_code, token=token)

    assert response.json["status"] == "not_confirmed"
    assert response.json["registration"]["id"] == cem.id
    assert reload(cem).checked_in_at is None


@pytest.mark.parametrize("make_url", [
    lambda code: absolute_url("registrations.ticket", code=code),  # what the QR code holds
    lambda code: f"https://podium.example.org/t/{code}",
    lambda code: f"  http://podium.test/t/{code}/  \n",
    lambda code: f"http://podium.test/t/{code}?utm_source=mail",
])
def test_the_full_ticket_url_is_accepted_as_the_code(scan, event, sign_up, token, make_url):
    anna = sign_up(event)

    response = scan(event, make_url(anna.ticket_code), token=token)

    assert response.json["status"] == "checked_in"
    assert response.json["registration"]["id"] == anna.id


# --- malformed bodies ------------------------------------------------------

@pytest.mark.parametrize("body, content_type", [
    ("this is not json", "application/json"),
    ('{"code": ', "application/json"),
    ("code=abc", "application/x-www-form-urlencoded"),
    ('["abc"]', "application/json"),
    ("{}", "application/json"),
    ('{"nonce": "n-1"}', "application/json"),
    ('{"code": 12345678901}', "application/json"),
    ('{"code": null}', "application/json"),
    ('{"code": ["abc"]}', "application/json"),
    ('{"code": "   "}', "application/json"),
    ('{"code": "%s", "nonce": 7}', "application/json"),
    ('{"code": "%s", "nonce": "scan\\u0000-1"}', "application/json"),
    ('{"code": "%s", "nonce": "' + "n" * 101 + '"}', "application/json"),
    ('{"registration_id": 2147483648}', "application/json"),
    ('{"registration_id": "12", "code": "%s"}', "application/json"),
    ('{"registration_id": true}', "application/json"),
    ('{"code": "' + "x" * 2001 + '"}', "application/json"),
])
def test_a_malformed_body_is_400_with_a_reason(client, event, sign_up, token, body, content_type):
    anna = sign_up(event)

    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           data=body.replace("%s", anna.ticket_code), content_type=content_type,
                           headers=bearer(token))

    assert response.status_code == 400
    assert response.json["error"]  # says what is wrong
    assert reload(anna).checked_in_at is None


def test_a_scan_for_an_event_that_does_not_exist_is_404_whatever_its_body(client, event, sign_up, token):
    anna = sign_up(event)
    url = url_for("checkin_api.check_in", event_id=event.id + 1000)

    scanned = client.post(url, json={"code": anna.ticket_code}, headers=bearer(token))
    malformed = client.post(url, json={"code": 5}, headers=bearer(token))

    assert scanned.status_code == malformed.status_code == 404
    assert scanned.json["error"] and malformed.json["error"]
    assert reload(anna).checked_in_at is None


# --- who may scan ----------------------------------------------------------

def test_without_credentials_the_answer_is_401(scan, event, sign_up):
    anna = sign_up(event)

    response = scan(event, anna.ticket_code)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]
    assert reload(anna).checked_in_at is None


@pytest.mark.parametrize("header", [
    "Bearer q7wF-Y4DJbQk2LBtOQPYIYBJKmkgRZq10Nr2-s7PZx8",  # looks like a token, is none
    "Bearer ",
    "Bearer " + "x" * 500,
    "Basic ZG9vcjpkb29y",
])
def test_a_wrong_token_is_401(client, event, sign_up, token, header):
    anna = sign_up(event)

    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           json={"code": anna.ticket_code}, headers={"Authorization": header})

    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert reload(anna).checked_in_at is None


def test_a_revoked_token_is_401_at_once(scan, event, sign_up, device_token):
    token = device_token("Tablet 2")
    anna, ben = sign_up(event), sign_up(event)
    assert scan(event, anna.ticket_code, token=token).status_code == 200

    revoke_api_token(authenticate_token(token).id)
    response = scan(event, ben.ticket_code, token=token)

    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert reload(ben).checked_in_at is None


def test_a_token_for_another_event_is_403(scan, event, make_event, sign_up, device_token):
    other = make_event(title="Fachvortrag Pflege")
    token = device_token("Tablet Pflege", event=other)
    anna = sign_up(event)

    refused = scan(event, anna.ticket_code, token=token)

    assert refused.status_code == 403
    assert refused.json["error"]
    assert reload(anna).checked_in_at is None
    # The same token does work for its own event.
    assert scan(other, sign_up(other).ticket_code, token=token).json["status"] == "checked_in"


@pytest.mark.parametrize("role, status_code", [("door", 200), ("staff", 200), ("admin", 200), ("partner", 403)])
def test_a_token_lets_guests_in_only_with_a_role_that_works_doors(scan, event, sign_up, device_token, role,
                                                                   status_code):
    """On PostgreSQL the scan's own statement lets the guest in before the token is judged in Python:
    its condition must refuse what the API refuses, and write nothing then."""
    anna = sign_up(event)

    response = scan(event, anna.ticket_code, token=device_token(f"Gerät {role}", role=role))

    assert response.status_code == status_code
    assert (reload(anna).checked_in_at is not None) == (status_code == 200)
    assert len(records_of(anna)) == (1 if status_code == 200 else 0)


def test_a_token_for_another_event_cannot_undo_count_or_search_here(client, event, make_event, sign_up,
                                                                     device_token, token):
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Door"))
    foreign = bearer(device_token("Elsewhere", event=make_event()))

    assert client.post(url_for("checkin_api.undo", event_id=event.id, registration_id=anna.id),
                       headers=foreign).status_code == 403
    assert client.get(url_for("checkin_api.counts", event_id=event.id), headers=foreign).status_code == 403
    assert client.get(url_for("checkin_api.search", event_id=event.id, q="Anna"),
                      headers=foreign).status_code == 403
    assert client.post(url_for("checkin_api.walk_in", event_id=event.id), json={"name": "Eva"},
                       headers=foreign).status_code == 403
    assert reload(anna).checked_in_at is not None


@pytest.mark.parametrize("body", ["not json", "[]", "{}", '{"code": 5}'])
def test_authentication_is_checked_before_the_body(client, event, body):
    response = client.post(url_for("checkin_api.check_in", event_id=event.id), data=body,
                           content_type="application/json")

    assert response.status_code == 401


@pytest.mark.parametrize("body", [{"code": "YDekx43sUAq6AQcwNQ51Ww"}, {"code": 5}])
@pytest.mark.parametrize("credentials, expected", [("none", 401), ("unknown", 401), ("another event's", 403),
                                                   ("partner's", 403), ("door's", 404)])
def test_for_an_event_that_does_not_exist_the_credentials_are_judged_first(client, make_event, device_token, body,
                                                                            credentials, expected):
    """A device's token is read with the scan itself; its answer comes in the same order as for every
    other request: 401, 403, then 404 (and a malformed body 400, last)."""
    tokens = {"none": None, "unknown": "q7wF-Y4DJbQk2LBtOQPYIYBJKmkgRZq10Nr2-s7PZx8",
              "another event's": device_token("Elsewhere", event=make_event()),
              "partner's": device_token("Partner", role="partner"), "door's": device_token("Tablet 1")}
    token = tokens[credentials]

    response = client.post(url_for("checkin_api.check_in", event_id=10**6), json=body,
                           headers=bearer(token) if token else {})

    assert response.status_code == expected, response.json
    assert response.json["error"]


def test_a_bad_token_with_a_bad_body_is_401_not_400(client, event):
    response = client.post(url_for("checkin_api.check_in", event_id=event.id), data="[]",
                           content_type="application/json", headers=bearer("nonsense-token"))

    assert response.status_code == 401


def test_a_door_session_may_scan_and_is_named_as_the_one_who_let_in(log_in_as, scan, event, sign_up):
    door = log_in_as("door", name="Anna Door")
    ben = sign_up(event, name="Ben Weber")

    response = scan(event, ben.ticket_code, http=door)

    assert response.status_code == 200
    assert response.json["status"] == "checked_in"
    assert response.json["checked_in_by"] == "Anna Door"


# --- undo ------------------------------------------------------------------

def undo(client, event, registration, token):
    return client.post(url_for("checkin_api.undo", event_id=event.id, registration_id=registration.id),
                       headers=bearer(token))


def test_undo_takes_the_check_in_back_and_the_guest_can_be_let_in_again(client, scan, event, sign_up, token):
    anna = sign_up(event, name="Anna Schmidt")
    scan(event, anna.ticket_code, token=token)

    response = undo(client, event, anna, token)

    assert response.status_code == 200
    assert response.json["status"] == "undone"
    assert response.json["registration"]["id"] == anna.id
    assert reload(anna).checked_in_at is None
    again = scan(event, anna.ticket_code, token=token)
    assert again.json["status"] == "checked_in"
    assert reload(anna).checked_in_at is not None


def test_undo_of_a_guest_who_is_not_checked_in_says_so(client, event, sign_up, token):
    anna = sign_up(event)

    response = undo(client, event, anna, token)

    assert response.status_code == 200
    assert response.json["status"] == "not_checked_in"
    assert records_of(anna) == []


def test_undo_for_a_registration_of_another_event_is_404(client, event, make_event, sign_up, token):
    other = make_event()
    ben = sign_up(other)
    services.check_in(other.id, ben.ticket_code, Actor(name="Door"))

    response = undo(client, event, ben, token)

    assert response.status_code == 404
    assert response.json["error"]
    assert reload(ben).checked_in_at is not None


def test_undo_of_a_registration_that_does_not_exist_is_404(client, event, token):
    response = client.post(url_for("checkin_api.undo", event_id=event.id, registration_id=999_999),
                           headers=bearer(token))

    assert response.status_code == 404


def test_undo_without_credentials_is_401(client, event, sign_up):
    anna = sign_up(event)
    services.check_in(event.id, anna.ticket_code, Actor(name="Door"))

    response = client.post(url_for("checkin_api.undo", event_id=event.id, registration_id=anna.id))

    assert response.status_code == 401
    assert reload(anna).checked_in_at is not None


# --- retries (nonce) -------------------------------------------------------

def test_a_retry_with_the_same_nonce_answers_as_the_first_time(scan, event, sign_up, token):
    anna = sign_up(event)

    first = scan(event, anna.ticket_code, token=token, nonce="scan-0001")
    retry = scan(event, anna.ticket_code, token=token, nonce="scan-0001")

    assert first.json["status"] == retry.json["status"] == "checked_in"
    assert retry.json["checked_in_at"] == first.json["checked_in_at"]
    assert len(records_of(anna)) == 1


def test_a_new_scan_with_another_nonce_is_a_second_scan(scan, event, sign_up, token):
    anna = sign_up(event)

    scan(event, anna.ticket_code, token=token, nonce="scan-0001")
    second = scan(event, anna.ticket_code, token=token, nonce="scan-0002")

    assert second.json["status"] == "already_checked_in"
    assert second.json["checked_in_by"] == "Tablet 1"
    assert len(records_of(anna)) == 1


def test_a_nonce_used_for_one_ticket_does_not_check_in_another_as_a_replay(scan, event, sign_up, token):
    anna, ben = sign_up(event), sign_up(event)

    scan(event, anna.ticket_code, token=token, nonce="reused")
    response = scan(event, ben.ticket_code, token=token, nonce="reused")

    # A client bug (the same nonce for two tickets) must not cost Ben his check-in.
    assert response.json["status"] == "checked_in"
    assert response.json["registration"]["id"] == ben.id
    assert reload(ben).checked_in_at is not None
    assert len(records_of(ben)) == 1


def test_a_late_retry_of_an_undone_scan_is_not_a_second_check_in(client, scan, event, sign_up, token):
    """A scanner that lost the answer retries (same nonce) after the door undid the check-in:
    the retry is still the first scan, not a new one that lets the guest in again."""
    anna = sign_up(event)
    scan(event, anna.ticket_code, token=token, nonce="scan-0001")
    undo(client, event, anna, token)

    scan(event, anna.ticket_code, token=token, nonce="scan-0001")

    assert reload(anna).checked_in_at is None
    assert [r.action for r in records_of(anna)] == ["check_in", "undo"]


def test_the_update_itself_refuses_a_retry_that_read_the_ticket_too_early(event, sign_up):
    """The nonce is part of the conditional UPDATE, not only of the scan's read: a retry that read
    the ticket just before its first request was recorded, and writes after the door undid that
    check-in, is still the first scan and lets nobody in a second time."""
    anna = sign_up(event)
    tablet = Actor(name="Tablet 1")
    with door_scan(event.id, scanned=anna.ticket_code, nonce="scan-0001") as retry:  # read, not decided
        services.check_in(event.id, anna.ticket_code, tablet, nonce="scan-0001")  # the first request
        services.undo_check_in(event.id, anna.id, Actor(name="Anna Door"))
        answer = services.decide(retry, tablet, method=CheckInMethod.scan)

    assert answer.status == "checked_in"  # answered as the first time
    assert reload(anna).checked_in_at is None
    assert [r.action for r in records_of(anna)] == ["check_in", "undo"]


# --- the record of every check-in and undo ---------------------------------

def test_every_check_in_and_undo_is_recorded_with_who_when_and_which_device(client, scan, event, sign_up,
                                                                            device_token):
    token = device_token("Tablet Eingang Nord")
    token_id = authenticate_token(token).id
    anna = sign_up(event, name="Anna Schmidt")
    before = datetime.now(UTC) - timedelta(seconds=1)

    scan(event, anna.ticket_code, token=token)
    undo(client, event, anna, token)
    scan(event, anna.ticket_code, token=token)
    scan(event, anna.ticket_code, token=token)  # already checked in: not a new check-in

    records = records_of(anna)
    assert [(r.action, r.method) for r in records] == [("check_in", "scan"), ("undo", "undo"),
                                                       ("check_in", "scan")]
    after = datetime.now(UTC) + timedelta(seconds=1)
    for record in records:
        assert record.event_id == event.id
        assert record.actor == "Tablet Eingang Nord"
        assert record.device == "Tablet Eingang Nord"
        assert record.api_token_id == token_id and record.user_id is None
        assert before <= record.at <= after


def test_a_session_check_in_records_the_user_and_the_browser(log_in_as, event, sign_up):
    door = log_in_as("door", name="Anna Door")
    ben = sign_up(event, name="Ben Weber")
    phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " \
            "Chrome/130.0 Mobile Safari/537.36"

    door.post(url_for("checkin_api.check_in", event_id=event.id), json={"registration_id": ben.id},
              headers={"User-Agent": phone})

    [record] = records_of(ben)
    assert record.actor == "Anna Door"
    assert record.user_id is not None and record.api_token_id is None
    assert record.method == "search"
    assert record.device == "Chrome on Android"  # the browser by its name, not the User-Agent string


# --- counts, search, walk-ins ----------------------------------------------

def test_the_counts_follow_the_door(client, scan, event, sign_up, token):
    anna, _ben = sign_up(event), sign_up(event)
    sign_up(event)  # waitlisted
    counts_url = url_for("checkin_api.counts", event_id=event.id)

    before = client.get(counts_url, headers=bearer(token)).json
    scan(event, anna.ticket_code, token=token)
    after = client.get(counts_url, headers=bearer(token)).json

    assert before == {"checked_in": 0, "confirmed": 2, "capacity": 2}
    assert after == {"checked_in": 1, "confirmed": 2, "capacity": 2}


def test_counts_need_credentials(client, event):
    assert client.get(url_for("checkin_api.counts", event_id=event.id)).status_code == 401


def search_names(client, event, token, q):
    response = client.get(url_for("checkin_api.search", event_id=event.id, q=q), headers=bearer(token))
    assert response.status_code == 200
    return sorted(r["name"] for r in response.json["results"])


def test_search_finds_guests_by_name_organisation_or_email(client, event, make_event, sign_up, token):
    sign_up(event, name="Anna Schmidt", organisation="IHK Trier", email="anna@ihk-trier.de")
    sign_up(event, name="Ben Weber", organisation="Caritas", email="bw@caritas.example")
    sign_up(make_event(), name="Anna Andere")  # another event's guest

    assert search_names(client, event, token, "anna") == ["Anna Schmidt"]
    assert search_names(client, event, token, "caritas") == ["Ben Weber"]
    assert search_names(client, event, token, "IHK") == ["Anna Schmidt"]
    assert search_names(client, event, token, "bw@carit") == ["Ben Weber"]
    assert search_names(client, event, token, "e") == []  # too short to mean anything
    assert search_names(client, event, token, "nobody") == []


def test_a_guest_found_by_search_is_checked_in_by_registration_id(client, event, sign_up, token):
    anna = sign_up(event, name="Anna Schmidt")
    [found] = client.get(url_for("checkin_api.search", event_id=event.id, q="schmidt"),
                         headers=bearer(token)).json["results"]

    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           json={"registration_id": found["id"]}, headers=bearer(token))

    assert response.json["status"] == "checked_in"
    assert reload(anna).checked_in_at is not None
    [record] = records_of(anna)
    assert record.method == "search"


def test_a_walk_in_is_registered_and_checked_in_at_once(client, event, token):
    response = client.post(url_for("checkin_api.walk_in", event_id=event.id),
                           json={"name": "Eva Neu", "organisation": "Stadt Trier"}, headers=bearer(token))

    assert response.status_code == 201
    assert response.json["status"] == "checked_in"
    assert response.json["registration"]["name"] == "Eva Neu"
    counts = client.get(url_for("checkin_api.counts", event_id=event.id), headers=bearer(token)).json
    assert counts["checked_in"] == 1 and counts["confirmed"] == 1


def test_a_walk_in_over_capacity_needs_confirmation(client, event, sign_up, token):
    sign_up(event), sign_up(event)  # full
    walk_in_url = url_for("checkin_api.walk_in", event_id=event.id)

    asked = client.post(walk_in_url, json={"name": "Eva Neu"}, headers=bearer(token))
    confirmed = client.post(walk_in_url, json={"name": "Eva Neu", "over_capacity": True},
                            headers=bearer(token))

    assert asked.status_code == 409
    assert asked.json["status"] == "over_capacity"
    assert confirmed.status_code == 201
    assert confirmed.json["status"] == "checked_in"
    counts = client.get(url_for("checkin_api.counts", event_id=event.id), headers=bearer(token)).json
    assert counts == {"checked_in": 1, "confirmed": 3, "capacity": 2}


def test_nobody_walks_into_a_recorded_meeting(client, make_event, token):
    meeting = make_event(title="Gespräch mit dem BAMF", visibility="record")

    response = client.post(url_for("checkin_api.walk_in", event_id=meeting.id), json={"name": "Eva Neu"},
                           headers=bearer(token))

    assert response.status_code == 409
    assert "nur erfasst" in response.json["error"]  # German, the language of the door by default
    assert db.session.query(Registration).count() == 0


def test_a_walk_in_without_a_name_is_400(client, event, token):
    response = client.post(url_for("checkin_api.walk_in", event_id=event.id), json={"name": "  "},
                           headers=bearer(token))

    assert response.status_code == 400
    assert response.json["error"]


@pytest.mark.parametrize("body", [
    {"name": "Eva Neu", "email": 42},
    {"name": "Eva Neu", "organisation": ["Stadt", "Trier"]},
    {"name": "Eva Neu", "email": "not an address"},
    {"name": ["Eva"]},
    {"name": "Eva Neu", "over_capacity": "yes"},
    {"name": "E" * 1001},
])
def test_a_walk_in_with_malformed_fields_is_400_and_registers_nobody(client, event, token, body):
    response = client.post(url_for("checkin_api.walk_in", event_id=event.id), json=body,
                           headers=bearer(token))

    assert response.status_code == 400
    assert response.json["error"]
    counts = client.get(url_for("checkin_api.counts", event_id=event.id), headers=bearer(token)).json
    assert counts["confirmed"] == 0


def test_a_walk_in_may_leave_the_optional_fields_out_or_null(client, event, token):
    walk_in_url = url_for("checkin_api.walk_in", event_id=event.id)

    # The event has two places: the third walk-in is let in over capacity on purpose.
    left_out = client.post(walk_in_url, json={"name": "Eva Neu"}, headers=bearer(token))
    null = client.post(walk_in_url, json={"name": "Fritz Neu", "organisation": None, "email": None},
                       headers=bearer(token))
    empty = client.post(walk_in_url, json={"name": "Gina Neu", "organisation": "", "email": "",
                                           "over_capacity": True}, headers=bearer(token))

    answers = [left_out, null, empty]
    assert [r.status_code for r in answers] == [201, 201, 201], [r.json for r in answers]
    assert [r.json["status"] for r in answers] == ["checked_in"] * 3


def test_a_walk_in_with_an_email_is_stored_with_it(client, event, token):
    response = client.post(url_for("checkin_api.walk_in", event_id=event.id),
                           json={"name": "Eva Neu", "organisation": "Stadt Trier",
                                 "email": " Eva.Neu@Example.org "},
                           headers=bearer(token))

    fresh_reads()
    guest = db.session.get(Registration, response.json["registration"]["id"])
    assert (guest.name, guest.organisation, guest.email) == ("Eva Neu", "Stadt Trier", "Eva.Neu@Example.org")
    assert guest.source == "walk-in" and guest.checked_in_at is not None
