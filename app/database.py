"""How Podium talks to its databases: UTC datetimes, status columns, SQLite set-up,
and the one way a use case writes (write_transaction).

SQLite and PostgreSQL are both first-class. Two things differ and are settled here:
SQLite has no row locks, so a writer that must serialise takes the database write
lock up front with BEGIN IMMEDIATE; PostgreSQL takes SELECT ... FOR UPDATE.
"""
import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, String, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from .errors import NotFound
from .extensions import db

# Ids travel in URLs and JSON; PostgreSQL's integer column ends here, and a larger
# number must be "not found", not a database error.
MAX_ID = 2**31 - 1

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a writer waiting for SQLite's write lock sleeps between tries, at most (begin_immediate).
SQLITE_LOCK_POLL_SECONDS = 0.002
# A pooled server connection idle for longer than this is pinged before it is used (ping_when_idle).
PING_AFTER_IDLE_SECONDS = 1.0


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC: the only clock Podium reads."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime, stored in UTC on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Aware datetimes go in as UTC; a naive one is refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Podium stores only timezone-aware values")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Out comes an aware datetime in UTC, whatever the database kept."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class LabelledEnum(enum.StrEnum):
    """A str enum whose members carry the name people read, next to the value stored:

        class EventStatus(LabelledEnum):
            draft = "draft", _lp("event status", "draft")

    `EventStatus.draft.label` is that (lazy) text, translated when it is shown.
    """

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class EnumText(TypeDecorator):
    """A str enum stored as its text: the schema keeps a plain VARCHAR, Python sees the members.

    Reading gives the enum member (so `event.status.label` works); writing accepts a
    member or its text and refuses anything else before it reaches the database.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[enum.StrEnum], length: int):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        """A member, or text that names one, goes in as its text."""
        return None if value is None else str(self.enum_class(value))

    def process_result_value(self, value, dialect):
        """Out comes the enum member."""
        return None if value is None else self.enum_class(value)


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
        if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN DEFERRED")


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection to a server before it is used, if it lay idle in the pool for
    longer than PING_AFTER_IDLE_SECONDS: the server may have closed it (a restart, a failover, an
    idle timeout). One given back a moment ago is used as it is: SQLAlchemy's pool_pre_ping asked
    on every checkout, a round trip more for every request. A connection that fails the ping is
    replaced, as SQLAlchemy documents for a DisconnectionError raised at checkout. A SQLite file
    cannot drop the connection: nothing to check."""
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")  # None: made just now
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"the connection failed its ping after {PING_AFTER_IDLE_SECONDS} s idle") from exc


def begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in steps of at most SQLITE_LOCK_POLL_SECONDS.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15 … ms between tries, so a writer that finds the
    lock taken sleeps through most of the moments it is free: two workers signing guests up served
    fewer than one alone. Here the busy timeout is off for the BEGIN only; every other statement
    keeps it (SQLITE_BUSY_TIMEOUT_MS, which also bounds this wait).
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = SQLITE_LOCK_POLL_SECONDS / 16
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if getattr(exc.orig, "sqlite_errorname", None) != "SQLITE_BUSY" or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, SQLITE_LOCK_POLL_SECONDS)
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def begin_write() -> None:
    """Make sure the current transaction may write without a read-then-write upgrade.

    In SQLite's WAL mode a transaction that has read and then writes fails at once
    ("database is locked") if another connection wrote in between; the busy timeout
    does not help. So a use case that reads and then writes starts with this: on
    SQLite it ends any read-only transaction and begins one that holds the write lock
    (BEGIN IMMEDIATE). PostgreSQL's read transaction may go on to write (each statement
    of READ COMMITTED sees what is committed when it runs, and rows lock as they are
    written or read FOR UPDATE), so there it goes on, sparing a ROLLBACK, a new BEGIN
    and the pool's check of the connection. Either way what was read before is expired,
    as a rollback would: it is read again, afresh, where the write needs it. Inside a
    transaction that already writes, it does nothing.
    """
    session = db.session()  # the real Session behind the scoped proxy
    if session.info.get("writing"):
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() must start the transaction; the session has pending changes")
    if session.get_bind().dialect.name != "sqlite":
        session.expire_all()
        session.connection()
    else:
        if session.in_transaction():
            session.rollback()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.info["writing"] = True


def begin_write_on(connection: Connection) -> None:
    """begin_write() for a Core connection that a use case holds of its own (the door's scan): on
    SQLite end its read and take the write lock (BEGIN IMMEDIATE); on PostgreSQL go on in the
    read's transaction. The caller commits or rolls back."""
    if connection.dialect.name != "sqlite":
        return
    if connection.in_transaction():
        connection.rollback()
    connection.execution_options(sqlite_begin="IMMEDIATE")
    try:
        connection.begin()
    finally:
        connection.execution_options(sqlite_begin=None)  # a later read of the connection begins DEFERRED


def see_other_commits() -> None:
    """Let the request's ORM session see what another connection of the request just committed (the
    door's scan has one of its own): on SQLite end the session's read, which keeps seeing the
    database as it was when it began; on PostgreSQL, where each statement reads what is committed,
    expire what it loaded. begin_write() does the same for a session about to write."""
    if not db.session.registry.has():
        return  # the request has no session (a scanner's request has none): nothing to see afresh
    session = db.session()
    if not session.in_transaction():
        return
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()
    else:
        session.expire_all()


@event.listens_for(Session, "after_flush")
def _mark_writing(session, _flush_context):
    session.info["writing"] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_writing(session, transaction):
    if transaction.parent is None:
        session.info.pop("writing", None)


@dataclass(frozen=True)
class WriteTransaction:
    now: datetime  # read after the lock was taken: the order of events under it
    row: Any = None  # the locked row, when one was asked for


@contextmanager
def write_transaction(*, lock: tuple[type, int] | None = None,
                      now: datetime | None = None) -> Iterator[WriteTransaction]:
    """The one way a use case writes: begin, lock, read the clock, commit; roll back on any error.

        with write_transaction(lock=(Event, event_id)) as tx:
            event = tx.row   # locked until the commit
            ...              # tx.now: the clock, read inside the lock

    It begins a transaction that may write (begin_write), locks the row `lock` names
    (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write lock covers every row) and
    raises NotFound with the model's `not_found` message if there is none. Leaving the
    block commits, also by `return`; an exception rolls back and goes on. Either way
    the lock is let go. `now` replaces the clock (tests, and callers that hold a time).
    """
    begin_write()
    try:
        row = None
        if lock is not None:
            model, row_id = lock
            row = _locked_row(model, row_id)
            if row is None:
                raise NotFound(getattr(model, "not_found", None))
        yield WriteTransaction(now=now or utcnow(), row=row)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def insert_with_conflicts(target):
    """An INSERT of the database at hand that can say what to do on a conflict with a unique key
    (`.on_conflict_do_nothing(...)`, `.on_conflict_do_update(...)`): both dialects we run on
    spell it alike, but each needs its own construct."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(target)


def get_row(model, row_id: int):
    """The row with this id, or NotFound with the model's `not_found` message."""
    row = db.session.get(model, row_id) if is_valid_id(row_id) else None
    if row is None:
        raise NotFound(getattr(model, "not_found", None))
    return row


def get_by_link_key(column, key: str):
    """The row whose unique `column` holds `key` (a ticket code or the token of a link),
    or NotFound. Keys are URL-safe and at most 64 characters; anything else costs no query."""
    if not key or len(key) > 64 or "\x00" in key:
        raise NotFound()
    row = db.session.execute(select(column.class_).where(column == key)).scalar_one_or_none()
    if row is None:
        raise NotFound()
    return row


def is_valid_id(value) -> bool:
    """Whether `value` can be a row's id: a whole number the database's integer holds."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(text) -> int | None:
    """The row id a form or a URL gives as text ("42"), or None where it cannot be one: not a whole
    number, or too large (Python's int() refuses thousands of digits; checked before it is asked)."""
    text = str(text if text is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if is_valid_id(number) else None


def unique_slug(column, base: str) -> str:
    """`base`, or `base` with "-2", "-3" ... where a row already has it in `column` (a slug column:
    Event.slug, Series.slug, WorkingGroup.slug)."""
    slug, n = base, 2
    while db.session.execute(select(column).where(column == slug).limit(1)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug


def first_row(statement) -> tuple | None:
    """The first row of a plain SELECT, run as Core on the session's connection.

    For hot paths that need values, not ORM objects (the page cache's version checks):
    it skips the ORM's result processing, about half the cost of a small query.
    """
    row = db.session.connection().execute(statement).first()
    return tuple(row) if row is not None else None


def commit_write(*statements) -> None:
    """Run Core write statements in a short transaction of their own, and commit."""
    with write_transaction():
        for statement in statements:
            db.session.execute(statement)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _locked_row(model, row_id):
    """One row, locked for the rest of the transaction (SELECT ... FOR UPDATE; on SQLite the
    write lock of begin_write() already covers it), read afresh; None if there is none."""
    if not is_valid_id(row_id):
        return None
    query = select(model).where(model.id == row_id).with_for_update()
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
