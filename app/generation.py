"""The database's *generation*: a number that moves whenever anything is written to the database, by
any process on any host, so that what a process keeps (stored pages, app/pagecache.py; the door's
stored answers, app/checkin/stored_answers.py) is known to be current without a query.

- SQLite: `PRAGMA data_version` on a connection of its own, which changes whenever another
  connection commits (a few microseconds, no disk read);
- PostgreSQL: a listener thread per process (`LISTEN podium_changes`); every write to a table that
  pages show notifies it at commit (triggers, migration 0010), and this process's own commits move
  the number at once. Notifications that come within GATHER_SECONDS of each other wake it once.
  While the listener is not connected, the generation is unknown (None).
"""
import itertools
import logging
import os
import sqlite3
import threading
from collections import OrderedDict

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# The channel PostgreSQL's triggers notify (migration 0010).
CHANNEL = "podium_changes"
# Tables no public page and no stored door answer (checkin/stored_answers.py) depends on, written
# all day by the door and the mail workers: their triggers would only make every process check its
# pages again. (The door log's lines are written with their registration's change, which notifies.)
QUIET_TABLES = frozenset({"outgoing_mails", "checkin_records", "audit_entries", "person_refs", "alembic_version"})


class DataVersion:
    """SQLite: `PRAGMA data_version` of a connection that does nothing else."""

    def __init__(self, path: str):
        self._path = path
        self._connection = None
        self._lock = threading.Lock()

    def current(self) -> int | None:
        """The database's data_version; None while there is no database file."""
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = sqlite3.connect(f"file:{self._path}?mode=rw", uri=True,
                                                       isolation_level=None, check_same_thread=False)
                return self._connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:  # no database yet (before `flask db upgrade`)
                self._connection = None
                return None

    def moved(self) -> None:
        """Our own commits are another connection's: data_version sees them already."""

    def close(self) -> None:
        """Close the connection (a store that no app of this process uses any more)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class Notifications:
    """PostgreSQL: a number that moves with every notification on CHANNEL, every commit of this
    process and every time the listener (re)connects; None while it is not listening."""

    # How long the listener waits for a notification before it checks that its connection lives.
    PING_SECONDS = 5.0
    # After a notification, how long the listener lets the next ones gather before it reads them,
    # all at once: a busy door commits hundreds of times a second, and a wake-up for each cost every
    # process about 0.3 ms of CPU per check-in (the bench, 2026-12-07). A change still shows on
    # every process's pages within this long, well within the 100 ms promised.
    GATHER_SECONDS = 0.01

    def __init__(self, dsn: str):
        self._dsn = dsn
        self._counter = itertools.count(1)
        self._generation = 0
        self._listening = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="podium-page-changes", daemon=True)
        self._thread.start()

    def current(self) -> int | None:
        """The generation; None while not listening (nobody can say what changed meanwhile)."""
        return self._generation if self._listening else None

    def moved(self) -> None:
        """Something may have changed: a new generation."""
        self._generation = next(self._counter)  # next() of a count is atomic under the GIL

    def close(self) -> None:
        """Stop listening (at the listener's next wake-up)."""
        self._stopped.set()

    def _listen(self) -> None:
        import psycopg  # here: a process on SQLite never loads it

        while not self._stopped.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.moved()  # anything may have changed while nobody listened
                    self._listening = True
                    while not self._stopped.is_set():
                        # One notification, or all that came in the same packet.
                        if not list(connection.notifies(timeout=self.PING_SECONDS, stop_after=1)):
                            connection.execute("SELECT 1")  # silence: is the connection still there?
                            continue
                        self.moved()
                        self._stopped.wait(self.GATHER_SECONDS)
            except psycopg.Error as exc:
                log.warning("page changes: not listening (%s); pages check their version meanwhile", exc)
            finally:
                self._listening = False
            self._stopped.wait(1.0)


# One per database and process, shared by every app on it (the test suite makes thousands of apps).
_watchers: OrderedDict = OrderedDict()
_watchers_lock = threading.Lock()
_WATCHERS_KEPT = 4


def watcher_of(engine: Engine) -> DataVersion | Notifications | None:
    """This process's watcher of the database behind `engine`, made on first use (after any fork);
    None for a database in memory, whose pages then check their version on every request."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        key = (os.getpid(), "sqlite", url.database)
    else:
        key = (os.getpid(), "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False))
    with _watchers_lock:
        if key not in _watchers:
            _watchers[key] = DataVersion(key[2]) if key[1] == "sqlite" else Notifications(key[2])
            while len(_watchers) > _WATCHERS_KEPT:
                _watchers.popitem(last=False)[1].close()
        return _watchers[key]
