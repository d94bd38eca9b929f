"""How a sender works through the outbox, batch by batch: the next batch claimed and composed
while this one goes out, and each delivery recorded before the next mail leaves.

Composing is work for the processor; sending is mostly waiting, for the SMTP server and for the
database to commit each delivery. ComposingAhead overlaps the two in one process (a thread
composes, the sender sends), and BatchRecords makes the commit per mail one round trip.
"""
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

from flask import current_app
from sqlalchemy import Connection

from ..extensions import db


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    withdrawn: int = 0

    @property
    def handled(self) -> int:
        """How many mails this run dealt with, whatever became of them."""
        return sum(getattr(self, counter.name) for counter in fields(self))

    def add(self, other: "DeliveryReport") -> None:
        """Count in what another part of the same run dealt with."""
        for counter in fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))


@dataclass(frozen=True)
class Claimed:
    """What a sender needs of a claimed mail; the row is written only by Core updates."""

    id: int
    recipient: str
    attempts: int
    raw: bytes


@dataclass(frozen=True)
class ComposedBatch:
    """Claimed mails, composed and stored, to go out in this order; and what composing them
    already decided (withdrawn, failed)."""

    claimed: list[Claimed]
    report: DeliveryReport = field(default_factory=DeliveryReport)


class ComposingAhead:
    """Claims and composes batches in a thread of its own, one batch ahead of the sender.

        with ComposingAhead(claim, compose) as ahead:
            while (batch := ahead.take()) is not None:
                ...  # send it; renew the claims on `ahead.waiting` with the batch's own

    `claim()` claims mails (their ids; none when nothing is due) and `compose(ids)` makes their
    ComposedBatch; both run in the thread, in an app context of its own. The thread prepares a
    batch, hands it over, and only then begins the next one, so a composed batch waits no longer
    than the one before it takes to go out. Whatever the thread raises, take() raises. However the
    sender stops, the thread ends with the batch it is preparing: claimed, it goes out once its
    claims time out, as after a crash.
    """

    def __init__(self, claim: Callable[[], list[int]], compose: Callable[[list[int]], ComposedBatch]):
        self.app = current_app._get_current_object()
        self.claim, self.compose = claim, compose
        self.waiting: list[int] = []  # claimed by the thread, not yet taken by the sender
        self._ready: queue.Queue = queue.Queue()
        self._wanted = threading.Semaphore(1)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="podium-mail-composer", daemon=True)

    def __enter__(self) -> "ComposingAhead":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping = True
        self._wanted.release()
        self._thread.join()

    def take(self) -> ComposedBatch | None:
        """The next composed batch (the thread begins the one after it), or None when nothing is due."""
        batch = self._ready.get()
        if isinstance(batch, BaseException):
            raise batch
        self.waiting = []
        if batch is not None:
            self._wanted.release()
        return batch

    def _run(self) -> None:
        with self.app.app_context():
            try:
                while True:
                    self._wanted.acquire()
                    if self._stopping:
                        return
                    ids = self.claim()
                    if not ids:
                        self._ready.put(None)
                        return
                    self.waiting = ids
                    self._ready.put(self.compose(ids))
            except BaseException as exc:  # raised again by take(), in the sender
                self._ready.put(exc)
            finally:
                db.session.remove()


class ClaimKeeper:
    """Renews a sender's claims every `interval` seconds, on one clock for the whole run: a batch
    claimed ahead is renewed while it waits and then while it goes out, never left longer."""

    def __init__(self, renew: Callable[[list[int]], None], interval: float):
        self.renew, self.interval = renew, interval
        self.due_at = time.monotonic() + interval

    def tick(self, ids: list[int]) -> None:
        """Renew the claims on `ids` (and on what `renew` adds) if it is time."""
        if time.monotonic() >= self.due_at:
            self.renew(ids)
            self.due_at = time.monotonic() + self.interval


class BatchRecords:
    """Where a batch records what became of each mail: one database connection, held for the
    batch, on which each record is committed on its own before the next mail goes out.

    Not commit_write, because this runs once per mail: a session transaction checks a connection
    out of the pool (and pings it), begins, updates and commits, four round trips to PostgreSQL.
    Here the connection stays checked out and the UPDATE commits by itself (autocommit), one round
    trip; on SQLite it is BEGIN IMMEDIATE, UPDATE, COMMIT, as in write_transaction.
    """

    def __init__(self, connection: Connection):
        self.connection = connection

    def write(self, statement) -> None:
        """Run one write statement and commit it."""
        with self.connection.begin():
            self.connection.execute(statement)


@contextmanager
def batch_records() -> Iterator[BatchRecords]:
    """A BatchRecords for one batch; its connection goes back to the pool at the end."""
    if db.engine.dialect.name == "postgresql":
        options = {"isolation_level": "AUTOCOMMIT"}
    else:
        options = {"sqlite_begin": "IMMEDIATE"}
    with db.engine.connect() as connection:
        yield BatchRecords(connection.execution_options(**options))
