"""What one scan costs the database, counted statement by statement, as a door tablet sends it.

A scan is one SELECT: the device's token, the door's event, the guest, and whose scan the nonce
was. A retry, a second scan and a refused ticket are answered from it and write nothing. Only a guest who may come in now takes the write lock, for the conditional UPDATE (whose
RETURNING says whether it let the guest in) and the door log's INSERT, on PostgreSQL one
statement with it. BEGIN is left out of the counts (SQLite's are sent by Podium and counted
apart, psycopg sends its own unseen).
"""
import pytest
from flask import url_for
from sqlalchemy import event as sqlalchemy_event

from app.extensions import db
from app.registrations.services import cancel_registration

from .conftest import bearer, records_of, with_statements


@pytest.fixture
def event(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=1, waitlist_enabled=True)


@pytest.fixture
def token(device_token):
    return device_token("Tablet 1")


@pytest.fixture
def post_scan(client, event, token):
    """post_scan(body) -> (response, statements, write locks): one scan through the API, and every
    statement it sent to the database but BEGIN, and how many BEGIN IMMEDIATE (SQLite's write lock)."""
    url = url_for("checkin_api.check_in", event_id=event.id)

    def post(body):
        response, sent = with_statements(lambda: client.post(url, json=body, headers=bearer(token)))
        assert response.status_code == 200, response.json
        statements = [s for s in sent if not s.startswith("BEGIN")]
        return response, statements, sent.count("BEGIN IMMEDIATE")

    return post


def verbs(statements) -> list[str]:
    return [statement.split()[0] for statement in statements]


def assert_the_scan(statement):
    """The scan's one SELECT: the device's token, the door's event, the guest and the nonce's owner."""
    assert statement.startswith("SELECT")
    for table in ("LEFT OUTER JOIN events ", "LEFT OUTER JOIN registrations", "LEFT OUTER JOIN api_tokens",
                  "FROM checkin_records"):
        assert table in statement, (table, statement)


@pytest.mark.parametrize("how", ["code", "registration_id"])
def test_a_first_check_in_is_one_select_the_update_and_the_log(post_scan, event, sign_up, how):
    anna = sign_up(event, name="Anna Schmidt")
    body = {"code": anna.ticket_code} if how == "code" else {"registration_id": anna.id}

    response, statements, write_locks = post_scan({**body, "nonce": "scan-0001"})

    assert response.json["status"] == "checked_in"
    assert response.json["registration"]["name"] == "Anna Schmidt"
    assert_the_scan(statements[0])
    if db.engine.dialect.name == "postgresql":
        # The UPDATE and the log's INSERT in one statement, the INSERT a CTE of the UPDATE's.
        assert verbs(statements) == ["SELECT", "WITH"], statements
        update, log = statements[1].split("INSERT INTO checkin_records")
        assert "UPDATE registrations" in update and "RETURNING" in update
        assert "FROM admitted" in log  # written only for a guest the UPDATE let in
    else:
        assert verbs(statements) == ["SELECT", "UPDATE", "INSERT"], statements
        update, log = statements[1:]
        assert update.startswith("UPDATE registrations") and "RETURNING" in update
        assert log.startswith("INSERT INTO checkin_records")
    assert "checkin_records" in update  # the nonce is part of the UPDATE's condition
    assert write_locks == (1 if db.engine.dialect.name == "sqlite" else 0)
    [record] = records_of(anna)
    assert (record.action, record.nonce, record.actor) == ("check_in", "scan-0001", "Tablet 1")


def test_a_guest_let_in_is_one_transaction_on_postgresql(post_scan, event, sign_up):
    """PostgreSQL's read transaction goes on to write: no ROLLBACK, no second BEGIN and no second
    check of a pooled connection between the scan's SELECT and its UPDATE. SQLite must end the read
    to take its write lock (BEGIN IMMEDIATE)."""
    code = sign_up(event).ticket_code
    db.session.remove()
    ended = []

    def rolled_back(connection):
        ended.append("ROLLBACK")

    def committed(connection):
        ended.append("COMMIT")

    sqlalchemy_event.listen(db.engine, "rollback", rolled_back)
    sqlalchemy_event.listen(db.engine, "commit", committed)
    try:
        response, _, _ = post_scan({"code": code, "nonce": "scan-0001"})
    finally:
        sqlalchemy_event.remove(db.engine, "rollback", rolled_back)
        sqlalchemy_event.remove(db.engine, "commit", committed)

    assert response.json["status"] == "checked_in"
    assert ended == (["ROLLBACK", "COMMIT"] if db.engine.dialect.name == "sqlite" else ["COMMIT"])


def test_a_retry_is_one_select_and_writes_nothing(post_scan, event, sign_up):
    anna = sign_up(event)
    first, _, _ = post_scan({"code": anna.ticket_code, "nonce": "scan-0001"})

    retry, statements, write_locks = post_scan({"code": anna.ticket_code, "nonce": "scan-0001"})

    assert retry.json["status"] == "checked_in"
    assert retry.json["checked_in_at"] == first.json["checked_in_at"]
    assert verbs(statements) == ["SELECT"], statements
    assert_the_scan(statements[0])
    assert write_locks == 0
    assert len(records_of(anna)) == 1


@pytest.mark.parametrize("case", ["second scan", "unknown", "cancelled", "waitlisted", "other event"])
def test_a_scan_that_lets_nobody_in_is_one_select(post_scan, event, make_event, sign_up, case):
    anna = sign_up(event)  # the one place
    if case == "second scan":
        post_scan({"code": anna.ticket_code, "nonce": "scan-0001"})
        body, expected = {"code": anna.ticket_code, "nonce": "scan-0002"}, "already_checked_in"
    elif case == "unknown":
        body, expected = {"code": "N1xWqhwQ1mChHY3Umq_vKQ"}, "unknown"
    elif case == "cancelled":
        cancel_registration(anna.id)
        body, expected = {"code": anna.ticket_code}, "cancelled"
    elif case == "waitlisted":
        body, expected = {"code": sign_up(event).ticket_code}, "not_confirmed"
    else:
        body, expected = {"code": sign_up(make_event()).ticket_code}, "wrong_event"

    response, statements, write_locks = post_scan(body)

    assert response.json["status"] == expected
    assert verbs(statements) == ["SELECT"], statements
    assert_the_scan(statements[0])
    assert write_locks == 0

