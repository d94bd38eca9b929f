"""How Podium talks to its databases: UTC datetimes, SQLite set-up and the row lock.

SQLite and PostgreSQL are both first-class. Two things differ and are settled here:
SQLite has no row locks, so a writer that must serialise takes the database write
lock up front with BEGIN IMMEDIATE; PostgreSQL takes SELECT ... FOR UPDATE.
"""
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime, stored in UTC on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Podium stores only timezone-aware values")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and transactions that Podium begins itself.

    pysqlite's own transaction handling defers BEGIN until the first write, which
    makes a locked read-then-write impossible. We turn it off and emit BEGIN
    ourselves, IMMEDIATE when the session asked for the write lock.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's own lower() folds ASCII only; German names start with Ä, Ö, Ü.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write() -> None:
    """Make sure the current transaction may write without a read-then-write upgrade.

    In SQLite's WAL mode a transaction that has read and then writes fails at once
    ("database is locked") if another connection wrote in between; the busy timeout
    does not help. So a use case that reads and then writes starts with this: it
    ends any read-only transaction and begins one that holds the write lock
    (BEGIN IMMEDIATE; a no-op on PostgreSQL). Inside a transaction that already
    writes, it does nothing.
    """
    session = db.session()  # the real Session behind the scoped proxy
    if session.info.get("writing"):
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() must start the transaction; the session has pending changes")
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.info["writing"] = True


@event.listens_for(Session, "after_flush")
def _mark_writing(session, _flush_context):
    session.info["writing"] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_writing(session, transaction):
    if transaction.parent is None:
        session.info.pop("writing", None)


@contextmanager
def rolled_back_on_error():
    """The body of a use case that commits itself: any error rolls back, and the lock is let go."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise


def first_row(statement) -> tuple | None:
    """The first row of a plain SELECT, run as Core on the session's connection.

    For hot paths that need values, not ORM objects (the page cache's version checks):
    it skips the ORM's result processing, about half the cost of a small query.
    """
    row = db.session.connection().execute(statement).first()
    return tuple(row) if row is not None else None


def commit_write(*statements) -> None:
    """Run Core write statements in a short transaction of their own, and commit."""
    begin_write()
    for statement in statements:
        db.session.execute(statement)
    db.session.commit()


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def lock_row(model, row_id):
    """Begin (or continue) a write transaction holding the lock on one row; return the row.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite: the write lock of begin_write().
    """
    begin_write()
    query = select(model).where(model.id == row_id).with_for_update()
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
