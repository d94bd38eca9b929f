"""Capacity under concurrent sign-ups: exactly N confirmed, on SQLite and PostgreSQL.

Every test starts its guests together (a Barrier), each in its own app context and
so with its own session and connection. The race window is widened by a short
sleep inside the critical section, the same in the positive tests and in the
negative control; the only difference between them is the lock. With the lock
disabled the race must be seen, otherwise these tests would prove nothing.

Thread counts stay at or below the engine's default pool (5 + 10 connections)
times two, and every thread returns its connection quickly, so a pool timeout
is never what a test sees.
"""
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.errors import AlreadyCancelled, EventFull
from app.events.models import Event
from app.extensions import db
from app.registrations import services
from app.registrations.models import Registration
from tests.rows import fresh_reads, registrations_of
from tests.together import failures, run_together, write_transaction_without_lock

# Threads racing each other, or thousands of mails: minutes of the suite, not seconds.
pytestmark = pytest.mark.slow

GUESTS = 30
CAPACITY = 5
RACE_WINDOW_SECONDS = 0.02


def guest_data(n: int) -> dict:
    return {"name": f"Gast {n}", "email": f"gast{n}@example.org", "organisation": "",
            "affiliation": "professional", "note": "", "consent": True}


def sign_up_together(app, event: str | int, guests: int = GUESTS):
    """Guests sign up for the event at once: by its slug, as the public form does, or by its id,
    as an invitation link does."""
    calls = [lambda n=n: services.register(event, guest_data(n), locale="de") for n in range(guests)]
    return run_together(app, calls)


def fresh_event(event_id: int) -> Event:
    fresh_reads()
    return db.session.get(Event, event_id)


def statuses(event) -> list[str]:
    return [r.status for r in registrations_of(event)]


@pytest.fixture
def widened_race_window(monkeypatch):
    """Sleep inside the critical section, between reading the count and writing it."""
    original = services.give_place_or_queue

    def slow_give_place_or_queue(event, registration, now):
        time.sleep(RACE_WINDOW_SECONDS)
        return original(event, registration, now)

    monkeypatch.setattr(services, "give_place_or_queue", slow_give_place_or_queue)


def event_read_without_lock(slug: str) -> Event:
    """services.locked_event as it would be without its lock: a plain read of the event."""
    query = select(Event).where(Event.slug == slug).execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one()


@pytest.fixture
def lock_disabled(monkeypatch):
    """Sign-up as it would be without the event's lock: no BEGIN IMMEDIATE (SQLite), no
    SELECT ... FOR UPDATE (PostgreSQL), a plain read of the event."""
    monkeypatch.setattr(services, "write_transaction", write_transaction_without_lock)
    monkeypatch.setattr(services, "locked_event", event_read_without_lock)


@pytest.mark.parametrize("named_by", ["slug", "id"])
def test_concurrent_sign_ups_confirm_exactly_capacity_and_queue_the_rest(
        app, make_event, widened_race_window, named_by):
    event = make_event(capacity=CAPACITY, waitlist_enabled=True)

    outcomes = sign_up_together(app, getattr(event, named_by))

    assert failures(outcomes) == []
    assert statuses(event).count("confirmed") == CAPACITY
    assert statuses(event).count("waitlisted") == GUESTS - CAPACITY
    event = fresh_event(event.id)
    assert (event.confirmed_count, event.waitlist_count) == (CAPACITY, GUESTS - CAPACITY)


def test_concurrent_sign_ups_without_waitlist_confirm_capacity_and_refuse_the_rest(
        app, make_event, widened_race_window):
    event = make_event(capacity=CAPACITY, waitlist_enabled=False)

    outcomes = sign_up_together(app, event.slug)

    refused = [o for o in outcomes if isinstance(o, EventFull)]
    assert [o for o in failures(outcomes) if not isinstance(o, EventFull)] == []
    assert len(refused) == GUESTS - CAPACITY
    assert statuses(event) == ["confirmed"] * CAPACITY
    event = fresh_event(event.id)
    assert (event.confirmed_count, event.waitlist_count) == (CAPACITY, 0)


def test_without_the_lock_the_race_is_seen(app, make_event, widened_race_window, lock_disabled):
    """Negative control: proves that the two tests above can fail."""
    event = make_event(capacity=CAPACITY, waitlist_enabled=True)

    outcomes = sign_up_together(app, event.slug)

    database_errors = [o for o in failures(outcomes) if isinstance(o, DBAPIError)]
    # Anything else (say, an AttributeError) would mean the control itself is broken.
    assert [o for o in failures(outcomes) if not isinstance(o, DBAPIError)] == []
    overbooked = statuses(event).count("confirmed") > CAPACITY
    # On SQLite the race shows as "database is locked" (a read-then-write upgrade that
    # lost); on PostgreSQL as lost updates of the count, and so more than N confirmed.
    assert overbooked or database_errors


def test_waitlist_order_is_the_order_in_which_guests_joined(app, make_event, widened_race_window):
    """Who was told "number 1 on the waitlist" stays number 1 and is promoted first."""
    event = make_event(capacity=1, waitlist_enabled=True)

    outcomes = sign_up_together(app, event.slug, guests=15)

    assert failures(outcomes) == []
    # Registrations are inserted under the event lock, so ids are the order of joining.
    waitlisted = [r for r in registrations_of(event) if r.is_waitlisted]
    positions = [services.waitlist_position(r) for r in waitlisted]
    assert positions == list(range(1, len(waitlisted) + 1))


def test_the_same_address_sent_many_times_at_once_registers_once(app, make_event):
    event = make_event(capacity=CAPACITY)
    slug = event.slug  # the event object belongs to this thread's session
    variants = ["anna@example.org", "ANNA@example.org", "Anna@Example.org"]
    calls = [lambda n=n: services.register(slug, {**guest_data(n), "email": variants[n % 3]}, locale="de")
             for n in range(12)]

    outcomes = run_together(app, calls)

    assert failures(outcomes) == []
    assert sorted(result.created for result in outcomes) == [False] * 11 + [True]
    assert statuses(event) == ["confirmed"]
    assert fresh_event(event.id).confirmed_count == 1


def test_concurrent_cancellations_promote_exactly_as_many_from_the_waitlist(app, make_event, sign_up):
    event = make_event(capacity=CAPACITY, waitlist_enabled=True)
    guests = [sign_up(event) for _ in range(CAPACITY + 8)]
    confirmed_ids = [g.id for g in guests[:CAPACITY]]
    first_in_line = {g.id for g in guests[CAPACITY:2 * CAPACITY]}

    outcomes = run_together(app, [lambda i=i: services.cancel_registration(i) for i in confirmed_ids])

    assert failures(outcomes) == []
    rows = {r.id: r.status for r in registrations_of(event)}
    assert {i for i, status in rows.items() if status == "confirmed"} == first_in_line
    assert list(rows.values()).count("waitlisted") == 8 - CAPACITY
    event = fresh_event(event.id)
    assert (event.confirmed_count, event.waitlist_count) == (CAPACITY, 8 - CAPACITY)


def test_cancelling_the_same_registration_twice_at_once_frees_one_place(app, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna, ben, cem = sign_up(event), sign_up(event), sign_up(event)

    anna_id = anna.id
    outcomes = run_together(app, [lambda: services.cancel_registration(anna_id)] * 6)

    assert len([o for o in outcomes if isinstance(o, Registration)]) == 1
    assert all(isinstance(o, AlreadyCancelled) for o in failures(outcomes))
    rows = {r.id: r.status for r in registrations_of(event)}
    assert rows == {anna.id: "cancelled", ben.id: "confirmed", cem.id: "waitlisted"}
    event = fresh_event(event.id)
    assert (event.confirmed_count, event.waitlist_count) == (1, 1)
