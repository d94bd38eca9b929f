"""What one scan costs the database, counted statement by statement, as a door tablet sends it.

A scan is one SELECT: the device's token, the door's event, the guest, and whose scan the nonce
was. A retry, a second scan and a refused ticket are answered from it and write nothing. On SQLite
only a guest who may come in now takes the write lock, for the conditional UPDATE (whose RETURNING
says whether it let the guest in) and the door log's INSERT. On PostgreSQL the scan is one statement
with both, which write only where every rule allows: one round trip, counted here as the protocol
messages libpq traced. BEGIN is left out of the statement counts (SQLite's are sent by Podium and
counted apart; psycopg sends its own unseen, which the trace sees).
"""
import tempfile

import pytest
from flask import url_for
from psycopg.pq import Trace

from app.extensions import db
from app.registrations.services import cancel_registration

from .conftest import bearer, listening, records_of, with_statements


@pytest.fixture
def event(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=1, waitlist_enabled=True)


@pytest.fixture
def token(device_token):
    return device_token("Tablet 1")


POSTGRESQL = "postgresql"


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


def traced(send) -> tuple:
    """`send()`'s response and what libpq's trace saw of the request's traffic with PostgreSQL: the
    frontend's messages, one (type, text) per message, and how many round trips (ReadyForQuery)."""
    db.session.remove()
    trace, traced_connections = tempfile.TemporaryFile("w+"), []

    def start(dbapi_connection, record, proxy):
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        traced_connections.append(dbapi_connection)

    try:
        with listening("checkout", start):
            response = send()
    finally:
        for dbapi_connection in traced_connections:
            dbapi_connection.pgconn.untrace()
    trace.seek(0)
    lines = [line.split("\t") for line in trace.read().splitlines()]
    trace.close()
    frontend = [(fields[2], fields[3] if len(fields) > 3 else "") for fields in lines if fields[0] == "F"]
    return response, frontend, sum(fields[2] == "ReadyForQuery" for fields in lines if fields[0] == "B")


def verbs(statements) -> list[str]:
    return [statement.split()[0] for statement in statements]


def assert_the_scan(statement):
    """The scan's one statement: the device's token, the door's event, the guest and the nonce's
    owner; on PostgreSQL, with the UPDATE that lets the guest in where every rule allows, and the
    door log's INSERT written only for a guest it let in."""
    for table in ("LEFT OUTER JOIN events ", "LEFT OUTER JOIN registrations", "LEFT OUTER JOIN api_tokens",
                  "FROM checkin_records"):
        assert table in statement, (table, statement)
    if db.engine.dialect.name == POSTGRESQL:
        assert statement.startswith("WITH scan AS")
        scan, rest = statement.split("admitted AS", 1)
        update, log = rest.split("INSERT INTO checkin_records")
        assert "UPDATE registrations" in update and "RETURNING" in update
        assert "checkin_records" in update  # the nonce is part of the UPDATE's condition
        assert "FROM admitted" in log  # written only for a guest the UPDATE let in
    else:
        assert statement.startswith("SELECT")


def one_scan_verbs() -> list[str]:
    return ["WITH"] if db.engine.dialect.name == POSTGRESQL else ["SELECT"]


@pytest.mark.parametrize("how", ["code", "registration_id"])
def test_a_first_check_in_is_one_select_the_update_and_the_log(post_scan, event, sign_up, how):
    anna = sign_up(event, name="Anna Schmidt")
    body = {"code": anna.ticket_code} if how == "code" else {"registration_id": anna.id}

    response, statements, write_locks = post_scan({**body, "nonce": "scan-0001"})

    assert response.json["status"] == "checked_in"
    assert response.json["registration"]["name"] == "Anna Schmidt"
    assert_the_scan(statements[0])
    if db.engine.dialect.name == POSTGRESQL:
        assert verbs(statements) == ["WITH"], statements  # read, UPDATE and log: one statement
    else:
        assert verbs(statements) == ["SELECT", "UPDATE", "INSERT"], statements
        update, log = statements[1:]
        assert update.startswith("UPDATE registrations") and "RETURNING" in update
        assert "checkin_records" in update  # the nonce is part of the UPDATE's condition
        assert log.startswith("INSERT INTO checkin_records")
    assert write_locks == (1 if db.engine.dialect.name == "sqlite" else 0)
    [record] = records_of(anna)
    assert (record.action, record.nonce, record.actor) == ("check_in", "scan-0001", "Tablet 1")


@pytest.mark.parametrize("kind", ["first", "second"])
def test_a_scan_is_one_round_trip_on_postgresql(client, event, token, sign_up, database_url, kind):
    """PostgreSQL sees one message with the scan's statement and answers once: no BEGIN, no COMMIT,
    whether the scan lets the guest in or not (the statement commits itself)."""
    if not database_url.startswith(POSTGRESQL):
        pytest.skip("SQLite has no round trips: it is a file")
    code = sign_up(event).ticket_code
    url = url_for("checkin_api.check_in", event_id=event.id)
    if kind == "second":
        client.post(url, json={"code": code, "nonce": "scan-0001"}, headers=bearer(token))

    response, frontend, round_trips = traced(lambda: client.post(url, json={"code": code, "nonce": "scan-0002"},
                                                                   headers=bearer(token)))

    assert response.json["status"] == ("checked_in" if kind == "first" else "already_checked_in")
    assert round_trips == 1, frontend
    assert not [text for _, text in frontend if "BEGIN" in text or "COMMIT" in text], frontend


def test_a_retry_is_one_select_and_writes_nothing(post_scan, event, sign_up):
    anna = sign_up(event)
    first, _, _ = post_scan({"code": anna.ticket_code, "nonce": "scan-0001"})

    retry, statements, write_locks = post_scan({"code": anna.ticket_code, "nonce": "scan-0001"})

    assert retry.json["status"] == "checked_in"
    assert retry.json["checked_in_at"] == first.json["checked_in_at"]
    assert verbs(statements) == one_scan_verbs(), statements
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
    assert verbs(statements) == one_scan_verbs(), statements
    assert_the_scan(statements[0])
    assert write_locks == 0

