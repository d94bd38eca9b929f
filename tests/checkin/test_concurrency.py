"""Twenty devices scan the same ticket at the same moment: exactly one of them lets the guest in.

Each device is a thread with its own app context (and so its own session and
database connection) and its own test client with its own bearer token, released
together by a Barrier. The race window is widened the same way in every test
here, after each request has read the registration and before it writes: on SQLite
a short sleep in front of the write transaction; on PostgreSQL, where the scan reads
and writes in one statement (app/checkin/admission.py), a pg_sleep in the scan's
read, before the statement's UPDATE. The negative control takes the rules out of
the UPDATE's condition but the row's id; it must show the race, or these tests
prove nothing.
"""
import time
from collections import Counter

import pytest
from flask import url_for
from sqlalchemy import func

from app.auth.services import create_api_token
from app.checkin import admission, scans, services
from app.registrations.models import Registration
from tests.rows import reload
from tests.together import run_together

from .conftest import bearer, records_of

# Threads racing each other, or thousands of mails: minutes of the suite, not seconds.
pytestmark = pytest.mark.slow

DEVICES = 20
RACE_WINDOW_SECONDS = 0.05


def scan_together(app, url: str, bodies: list[dict], tokens: list[str]) -> list:
    """POST each body from its own device (thread, app context, client, token), all released at once.

    Returns each device's (status code, JSON answer), or the exception it raised.
    """
    def device(i):
        response = app.test_client().post(url, json=bodies[i], headers=bearer(tokens[i]))
        return response.status_code, response.json

    return run_together(app, [lambda i=i: device(i) for i in range(len(bodies))])


def statuses(outcomes) -> Counter:
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert failures == [], failures
    assert {code for code, _ in outcomes} == {200}, outcomes
    return Counter(answer["status"] for _, answer in outcomes)


@pytest.fixture
def ticket(make_event, sign_up):
    event = make_event(title="Forum Fachkräfte", capacity=100)
    anna = sign_up(event, name="Anna Schmidt")
    return event, anna


@pytest.fixture
def tokens(app):
    return [create_api_token(f"Tablet {n}")[1] for n in range(1, DEVICES + 1)]


def rebuild_scans(monkeypatch, scan_by=scans._scan_by):
    """Build the scans' statements again (after a fixture changed what they are made of)."""
    for name, key_column in (("BY_CODE", Registration.ticket_code), ("BY_ID", Registration.id)):
        monkeypatch.setattr(scans, name, scans._Statements.by(key_column, scan_by))
    monkeypatch.setattr(admission, "ADMIT", admission._admit())


@pytest.fixture
def widened_race_window(monkeypatch, database_url):
    """Every scan has read the registration; now it waits a little before it writes. Gives what
    builds the scans' read (the control builds its statements with it again)."""
    if database_url.startswith("postgresql"):
        # The scan's read is the first CTE of its one statement: a column that sleeps holds each
        # statement there, between its snapshot and its UPDATE's lock on the row.
        def sleeping_scan(key_column):
            return scans._scan_by(key_column).add_columns(func.pg_sleep(RACE_WINDOW_SECONDS).label("race_window"))

        rebuild_scans(monkeypatch, sleeping_scan)
        return sleeping_scan
    original = services.begin_write_on

    def slow_begin_write(connection):
        time.sleep(RACE_WINDOW_SECONDS)
        return original(connection)

    monkeypatch.setattr(services, "begin_write_on", slow_begin_write)
    return scans._scan_by


@pytest.fixture
def unconditional_check_in(monkeypatch, widened_race_window):
    """The check-in as it would be without the atomic conditional UPDATE: the same statements, but
    the UPDATE's condition only finds the row and asks nothing of it, so whether the guest is already in is decided
    only by the scan's read (before the write), and the UPDATE then writes over whatever the row
    holds by now. Every device here sends a nonce of its own, so the nonce's part of the condition
    would not act either. Writes are still serialised (BEGIN IMMEDIATE on SQLite, the row lock of
    the UPDATE on PostgreSQL), so what this control removes for these scans is the condition.
    """
    monkeypatch.setattr(admission, "_may_come_in", lambda the_guest: (the_guest,))
    rebuild_scans(monkeypatch, widened_race_window)


def test_twenty_devices_scanning_one_ticket_at_once_check_it_in_exactly_once(
        app, ticket, tokens, widened_race_window):
    event, anna = ticket
    url = url_for("checkin_api.check_in", event_id=event.id)
    bodies = [{"code": anna.ticket_code, "nonce": f"device-{n}-scan-1"} for n in range(DEVICES)]

    outcomes = scan_together(app, url, bodies, tokens)

    assert statuses(outcomes) == {"checked_in": 1, "already_checked_in": DEVICES - 1}
    [winner] = [n for n, (_, answer) in enumerate(outcomes) if answer["status"] == "checked_in"]
    let_in_by = f"Tablet {winner + 1}"
    # Everyone else is told who let the guest in, and the row agrees.
    assert {answer["checked_in_by"] for _, answer in outcomes} == {let_in_by}
    assert reload(anna).checked_in_by == let_in_by
    [record] = records_of(anna)
    assert (record.action, record.actor) == ("check_in", let_in_by)


def test_twenty_retries_of_the_same_scan_at_once_all_answer_checked_in_and_count_once(
        app, ticket, tokens, widened_race_window):
    event, anna = ticket
    url = url_for("checkin_api.check_in", event_id=event.id)
    same_token = [tokens[0]] * DEVICES  # one device whose retries overtake each other
    bodies = [{"code": anna.ticket_code, "nonce": "tablet-1-scan-42"}] * DEVICES

    outcomes = scan_together(app, url, bodies, same_token)

    assert statuses(outcomes) == {"checked_in": DEVICES}
    assert len({answer["checked_in_at"] for _, answer in outcomes}) == 1
    assert len(records_of(anna)) == 1


def test_without_the_conditional_update_the_race_is_seen(
        app, ticket, tokens, widened_race_window, unconditional_check_in):
    """Negative control: proves that the first test above can fail."""
    event, anna = ticket
    url = url_for("checkin_api.check_in", event_id=event.id)
    bodies = [{"code": anna.ticket_code, "nonce": f"device-{n}-scan-1"} for n in range(DEVICES)]

    outcomes = scan_together(app, url, bodies, tokens)

    # Several devices read "not yet in" before any of them wrote: each says "checked in",
    # each writes a record, and the door log no longer says who really let the guest in.
    assert statuses(outcomes)["checked_in"] > 1
    assert len(records_of(anna)) > 1


def test_two_tickets_scanned_at_once_with_the_same_nonce_both_get_in_once(app, make_event, sign_up, tokens,
                                                                          widened_race_window):
    """A client bug: two devices send the same nonce for two tickets at the same moment. Both scans
    read no check-in with that nonce; whichever writes its door log second finds the nonce taken
    and goes again without it. Neither guest loses their check-in, and each is let in once."""
    event = make_event(title="Forum Fachkräfte", capacity=10)
    anna, ben = sign_up(event, name="Anna Schmidt"), sign_up(event, name="Ben Weber")
    url = url_for("checkin_api.check_in", event_id=event.id)
    bodies = [{"code": anna.ticket_code, "nonce": "tablet-scan-7"}, {"code": ben.ticket_code, "nonce": "tablet-scan-7"}]

    outcomes = scan_together(app, url, bodies, tokens[:2])

    assert statuses(outcomes) == {"checked_in": 2}
    assert reload(anna).checked_in_at is not None and reload(ben).checked_in_at is not None
    records = records_of(anna) + records_of(ben)
    assert len(records) == 2
    assert sorted(record.nonce or "" for record in records) == ["", "tablet-scan-7"]
