"""The one way a use case writes (app.database.write_transaction), on SQLite and PostgreSQL."""
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app import database
from app.database import SQLITE_BUSY_TIMEOUT_MS, write_transaction
from app.events.models import Event
from app.extensions import db


def test_what_was_read_before_a_write_is_read_afresh_inside_it(make_event):
    """A view reads, another process commits a change, then the view's use case writes: the write
    sees the change. SQLite ends the read for its write lock; PostgreSQL's transaction goes on, and
    what it had read is expired all the same."""
    event_id = make_event(title="Forum Pflege").id
    db.session.remove()
    event = db.session.get(Event, event_id)  # read in this request's transaction
    assert event.title == "Forum Pflege"
    with db.engine.begin() as other_process:
        other_process.execute(text("UPDATE events SET title = 'Forum Pflege und Gesundheit' WHERE id = :id"),
                              {"id": event_id})

    with write_transaction():
        assert event.title == "Forum Pflege und Gesundheit"


def test_a_writer_that_finds_the_lock_taken_waits_for_it_and_reads_what_was_written(make_event):
    """Another process holds the lock (SQLite's write lock, PostgreSQL's row lock) and commits a
    change a moment later: the use case waits, then reads the change. On SQLite begin_immediate
    tries again until the lock is free (SQLite's own busy handler slept through most of the moments
    it was), and the statements after the BEGIN keep the busy timeout."""
    event_id = make_event(title="Forum Pflege").id
    db.session.remove()
    other_process = db.engine.raw_connection()
    if db.engine.dialect.name == "sqlite":
        other_process.execute("BEGIN IMMEDIATE")
    other_process.cursor().execute(f"UPDATE events SET title = 'Forum Pflege und Gesundheit' WHERE id = {event_id}")
    committed = threading.Timer(0.3, other_process.commit)
    committed.start()
    try:
        with write_transaction(lock=(Event, event_id)) as tx:
            # Read once the other process let go of the lock: what it wrote is there.
            assert tx.row.title == "Forum Pflege und Gesundheit"
            if db.engine.dialect.name == "sqlite":
                assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        committed.join()
        other_process.close()


def backend_pid() -> int:
    """The PostgreSQL server process of the session's pooled connection, given back at once."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    db.session.remove()
    return pid


def terminate(pid: int) -> None:
    """Close a connection from the server's side, as a restart or an idle timeout would."""
    other = create_engine(db.engine.url, poolclass=NullPool)  # not the pool's connection: that is the one closed
    with other.begin() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    other.dispose()


def closed_by_the_server(monkeypatch, ping_after_idle: float) -> int:
    """The backend of the pool's one connection, closed by the server once it was given back, with
    pings after `ping_after_idle` seconds of idleness."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("a SQLite file cannot drop its connection: nothing is pinged")
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", ping_after_idle)
    db.session.remove()
    idle = backend_pid()
    terminate(idle)
    return idle


def test_a_connection_the_server_closed_while_it_lay_idle_is_replaced_before_use(app, monkeypatch):
    idle = closed_by_the_server(monkeypatch, ping_after_idle=0.05)
    time.sleep(0.1)

    assert backend_pid() != idle  # a new connection, and no error for the request


def test_a_connection_given_back_a_moment_ago_is_used_without_a_ping(app, monkeypatch):
    """Negative control: within PING_AFTER_IDLE_SECONDS no ping is sent (the round trip it saves),
    so a connection closed in that moment fails its first statement, and the pool replaces it."""
    idle = closed_by_the_server(monkeypatch, ping_after_idle=60)

    with pytest.raises(OperationalError):
        db.session.execute(text("SELECT 1"))
    db.session.remove()
    assert backend_pid() != idle
