"""A scan that wrote nothing is answered again from the store, without a query, until anything it
depends on changes: in this process, or in any other (another connection commits)."""
import sqlite3
import time

import psycopg
import pytest
from flask import url_for
from sqlalchemy.engine import make_url

from app.auth.services import create_api_token
from app.registrations.services import cancel_registration

from .conftest import bearer, records_of, with_statements


@pytest.fixture
def event(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=5)


@pytest.fixture
def token(device_token):
    return device_token("Tablet 1")


@pytest.fixture
def post_scan(app, client, event, token):
    """post_scan(body, token=..., headers=...) -> (response, statements sent for it)."""

    door = event.id

    def post(body, *, token=token, headers=None, http=None, event_id=None):
        url = url_for("checkin_api.check_in", event_id=event_id or door)
        return with_statements(
            lambda: (http or client).post(url, json=body, headers={**bearer(token), **(headers or {})}))

    return post


def commit_elsewhere(database_url: str, sql: str, *params) -> None:
    """Commit `sql` on a connection of its own, as another process or host would."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(make_url(database_url).database) as other:
            other.execute(sql, params)
    else:
        with psycopg.connect(make_url(database_url).set(drivername="postgresql")
                             .render_as_string(hide_password=False), autocommit=True) as other:
            other.execute(sql.replace("?", "%s"), params)


def within_a_second(ask, done, what: str):
    """What `ask()` gives once `done` holds of it, asked again and again for up to a second (on
    PostgreSQL a commit's notification comes a moment after it); fails, saying `what`, after that."""
    started = time.monotonic()
    while not done(answer := ask()):
        assert time.monotonic() - started < 1.0, f"{what}: {answer}"
        time.sleep(0.01)
    return answer


def stored(post_scan, body):
    """The answer to `body` once it comes from the store (on PostgreSQL, the notifications of the
    test's own earlier commits may come a moment later and make the first stored answer stale)."""
    return within_a_second(lambda: post_scan(body), lambda answer: not answer[1], "the answer is not stored")[0]


def test_a_retry_is_answered_again_without_a_query(post_scan, sign_up, event):
    anna = sign_up(event, name="Anna Schmidt")
    body = {"code": anna.ticket_code, "nonce": "scan-0001"}
    first, sent = post_scan(body)
    assert first.json["status"] == "checked_in" and any("UPDATE registrations" in s for s in sent)
    retry, sent = post_scan(body)  # answered from the database, without a write: stored
    assert retry.json["status"] == "checked_in" and sent

    again = stored(post_scan, body)

    assert again.status_code == 200 and again.data == retry.data
    assert again.json["registration"]["name"] == "Anna Schmidt"
    assert again.json["checked_in_at"] == first.json["checked_in_at"]
    # The headers Flask gave, as Flask gave them.
    assert again.headers["Content-Type"] == "application/json"
    assert again.headers["Cache-Control"] == retry.headers["Cache-Control"]
    assert again.headers["Content-Security-Policy"] == retry.headers["Content-Security-Policy"]
    assert int(again.headers["Content-Length"]) == len(again.data)
    assert len(records_of(anna)) == 1


def test_a_first_scan_is_never_stored_and_another_nonce_is_another_scan(post_scan, sign_up, event):
    anna = sign_up(event)
    first, _ = post_scan({"code": anna.ticket_code, "nonce": "scan-0001"})
    second, sent = post_scan({"code": anna.ticket_code, "nonce": "scan-0002"})
    assert (first.json["status"], second.json["status"]) == ("checked_in", "already_checked_in")
    assert sent
    # Without a nonce, every scan of the ticket is the same second scan.
    assert post_scan({"code": anna.ticket_code})[0].json["status"] == "already_checked_in"
    assert stored(post_scan, {"code": anna.ticket_code}).json["status"] == "already_checked_in"


def test_a_change_in_this_process_shows_at_once(post_scan, sign_up, event):
    anna = sign_up(event)
    body = {"code": anna.ticket_code}
    post_scan(body)  # checked in
    assert stored(post_scan, body).json["status"] == "already_checked_in"

    cancel_registration(anna.id)

    response, sent = post_scan(body)
    assert response.json["status"] == "cancelled" and sent


@pytest.mark.parametrize("change", ["token revoked", "guest cancelled"])
def test_a_change_in_another_process_shows_within_a_second(post_scan, sign_up, event, database_url, change):
    anna = sign_up(event)
    body = {"code": anna.ticket_code, "nonce": "scan-0001"}
    post_scan(body)
    stored(post_scan, body)

    if change == "token revoked":
        commit_elsewhere(database_url, "UPDATE api_tokens SET revoked_at = created_at")
        response = within_a_second(lambda: post_scan(body)[0], lambda r: r.status_code == 401, "still answered")
        assert response.json["error"] == "invalid or revoked token"
    else:
        commit_elsewhere(database_url, "UPDATE registrations SET status = 'cancelled' WHERE id = ?", anna.id)
        response = within_a_second(lambda: post_scan(body)[0],
                                   lambda r: r.status_code == 200 and r.json["status"] == "cancelled",
                                   "the cancellation does not show")
        assert response.json["registration"]["id"] == anna.id


def test_another_token_gets_its_own_answer(post_scan, sign_up, event, make_event):
    anna = sign_up(event, name="Anna Schmidt")
    body = {"code": anna.ticket_code, "nonce": "scan-0001"}
    post_scan(body)
    stored(post_scan, body)  # for Tablet 1
    _, other_event = create_api_token("Tablet 2", role="door", event_id=make_event().id)

    assert post_scan(body, token=other_event)[0].status_code == 403
    assert post_scan(body, token="not-a-token-of-ours")[0].status_code == 401
    assert post_scan(body, token=other_event)[0].status_code == 403


def test_a_wrong_door_is_not_answered_from_another_doors_store(post_scan, sign_up, event, make_event):
    anna = sign_up(event)
    body = {"code": anna.ticket_code}
    post_scan(body)
    post_scan(body)
    other = make_event().id

    response, sent = post_scan(body, event_id=other)

    assert response.json["status"] == "wrong_event" and sent


def test_the_language_asked_for_is_kept_apart(post_scan, sign_up, event):
    anna = sign_up(event)
    body = {"code": anna.ticket_code}
    post_scan(body)
    german = [post_scan(body)[0].json["headline"] for _ in range(2)]
    english = [post_scan(body, headers={"Accept-Language": "en"})[0].json["headline"] for _ in range(2)]
    assert german == ["Schon eingelassen", "Schon eingelassen"]
    assert english == ["Already in", "Already in"]


def test_a_staff_session_is_never_answered_from_the_store(log_in_as, sign_up, event):
    door = log_in_as("door", name="Anna Door")
    url = url_for("checkin_api.check_in", event_id=event.id)
    code = sign_up(event).ticket_code
    door.post(url, json={"code": code})
    for _ in range(2):
        response, sent = with_statements(lambda: door.post(url, json={"code": code}))
        assert response.json["status"] == "already_checked_in"
        assert any("LEFT OUTER JOIN registrations" in s for s in sent)


def test_a_body_the_layer_does_not_read_still_reaches_the_api(client, token, event):
    url = url_for("checkin_api.check_in", event_id=event.id)
    too_long = {"code": "x" * 5000}
    response = client.post(url, json=too_long, headers=bearer(token))
    assert response.status_code == 400 and "at most 2000 characters" in response.json["error"]
    empty = client.post(url, data=b"", headers={**bearer(token), "Content-Type": "application/json"})
    assert empty.status_code == 400 and empty.json["error"] == "the body must be a JSON object"
