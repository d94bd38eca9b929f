"""Podium on more than one machine, as processes on this one: two gunicorn instances and two
`flask mail work` processes on one PostgreSQL database, rate limits in one Redis database, mail
to the suite's aiosmtpd server; and what the test reads back from the database and the server.

Every process is started with the environment a production layout gives it (DATABASE_URL,
SECRET_KEY, RATELIMIT_STORAGE_URI, PROXY_COUNT, MAIL_BACKGROUND=false on the web processes), under
PODIUM_ENV=development so that a cookie, if any, also works over plain HTTP.
"""
import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from sqlalchemy import func, select

from app import create_app
from app.database import utcnow, write_transaction
from app.events.models import Event
from app.events.services import create_event
from app.extensions import db
from app.outbox import MailStatus, OutgoingMail
from app.registrations.models import Registration
from bench.load import Server
from config import TestingConfig
from tests.conftest import TEST_ACTOR, SMTPRecorder, free_port, recreated_postgres
from tests.rows import fresh_reads

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Shared by every process, as production shares one: a form made by one instance is accepted
# by the other (its time-trap stamp is signed with it).
SECRET_KEY = "multi-instance-test-only-not-secret"
WEB_WORKERS = 2


# --- the database and Redis ------------------------------------------------------------

def fresh_database(name: str) -> str:
    """The database `<TEST_DATABASE_URL's database>_<name>`, dropped (with whatever a failed run
    left in it), made again and upgraded by `flask db upgrade` as a deployment does; its URL."""
    url = recreated_postgres(name)
    upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                             env={**os.environ, "PODIUM_ENV": "development", "DATABASE_URL": url,
                                  "SECRET_KEY": SECRET_KEY},
                             capture_output=True, text=True)
    if upgrade.returncode:
        pytest.fail(f"flask db upgrade failed:\n{upgrade.stderr}")
    return url


@contextmanager
def redis_database(number: int) -> Iterator[str]:
    """Redis database `number`, emptied before and after (that one only): the rate limits'
    storage URI. Without a Redis server the test fails: CI has one (.ci/run starts it)."""
    uri = f"{REDIS_URL}/{number}"
    client = redis.Redis.from_url(uri, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        client.close()
        pytest.fail(f"Redis is not answering at {REDIS_URL} ({exc}); the multi-instance test needs it "
                    f"(start it with `redis-server --daemonize yes`, as .ci/run does)")
    client.flushdb()
    try:
        yield uri
    finally:
        client.flushdb()
        client.close()


# --- the processes ---------------------------------------------------------------------

class Instance(Server):
    """A gunicorn master and its workers serving wsgi:app (bench.load.Server), which a test may
    kill outright, as a host that loses power."""

    def wait_ready(self, timeout: float = 120) -> None:
        """As the bench's, with time for a machine busy with the rest of the suite; an instance
        that does not come up is not left running."""
        try:
            super().wait_ready(timeout)
        except RuntimeError:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the master and every worker: no process finishes a request or closes a
        connection."""
        workers = self.worker_pids()  # before the master dies and they lose their parent
        self.process.send_signal(signal.SIGKILL)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()


class MailWorker:
    """One `flask --app wsgi mail work` process."""

    def __init__(self, env: dict, log: Path):
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "work"], cwd=ROOT,
                env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: the worker dies wherever it is, between sending a mail and recording it too."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Cluster:
    """What a test talks to and kills (their logs are in the test's tmp_path/logs)."""

    instances: list[Instance]
    workers: list[MailWorker]


@contextmanager
def two_instances(tmp_path: Path, smtp: SMTPRecorder, *, database: str, redis_db: int,
                  **settings: str) -> Iterator[Cluster]:
    """Start two instances with WEB_WORKERS workers each and two mail workers delivering to
    `smtp`, on the database `database` (fresh_database) and Redis db `redis_db` (emptied);
    `settings` are more environment for all of them. Inside, the test has an app context of its
    own on that database (for making events as staff would, and for reading back what the
    processes wrote). Everything is stopped on leaving, even after a failure."""
    logs = tmp_path / "logs"
    logs.mkdir()
    with ExitStack() as stack:
        storage = stack.enter_context(redis_database(redis_db))
        database_url = fresh_database(database)
        stack.enter_context(_app_context(database_url, tmp_path / "instance"))
        env = {"PODIUM_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
               "MAIL_SERVER": smtp.host, "MAIL_PORT": str(smtp.port), "MAIL_BACKGROUND": "false",
               "FORM_MIN_SECONDS": "0", "RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": storage,
               "PROXY_COUNT": "1", **settings}
        # Each instance's own address is its BASE_URL: the links it makes are the ones the
        # browser used. The mails link to the first.
        urls = [f"http://127.0.0.1:{free_port()}" for _ in (1, 2)]
        workers = []
        for n in (1, 2):
            worker = MailWorker({**env, "BASE_URL": urls[0]}, logs / f"mail{n}.log")
            stack.callback(worker.stop)
            workers.append(worker)
        # Both at once: each loads the app in every process, which takes a while on a busy machine.
        with ThreadPoolExecutor(2) as pool:
            starting = [pool.submit(Instance, "wsgi:app", urlsplit(url).port, WEB_WORKERS,
                                    {**env, "BASE_URL": url}, logs / f"instance{n}.log")
                        for n, url in enumerate(urls, 1)]
        for future in starting:
            if future.exception() is None:
                stack.callback(_stop_instance, future.result())
        instances = [future.result() for future in starting]
        yield Cluster(instances, workers)


@contextmanager
def _app_context(url: str, instance_path: Path) -> Iterator[None]:
    """An app context (and a request context, for url_for) of the test's own on the database."""
    app = create_app(TestingConfig, instance_path=str(instance_path), SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), app.test_request_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def _stop_instance(instance: Instance) -> None:
    if instance.process.poll() is None:
        instance.stop()


# --- a mail server that holds a mail --------------------------------------------------

@dataclass
class HoldingSMTP(SMTPRecorder):
    """The suite's SMTP server, which can hold one mail at the worst moment for its sender: the
    content has arrived, the server has not answered yet. A sender killed there cannot record
    the mail as sent, though the server has it (and keeps it once let go). Like a real server,
    it goes on answering its other connections meanwhile: a hold that stopped them all would
    make the other sender time out on mails the server has, and send those again."""

    arriving: str | None = None  # the Message-ID of the mail being held
    _armed: threading.Event = field(default_factory=threading.Event)
    _holding: threading.Event = field(default_factory=threading.Event)
    _released: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        # Kept first, as a server that has taken the mail in: aiosmtpd cancels the handler of a
        # connection that closes (its sender killed) during the hold.
        answer = await super().handle_DATA(server, session, envelope)
        # Checked and cleared with no await between: one mail only is held.
        if self._armed.is_set():
            self._armed.clear()
            self.arriving = message_id_of(envelope.content)
            self._holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self._released.wait, 60)
        return answer

    @contextmanager
    def holding_next_mail(self, timeout: float = 10) -> Iterator[str]:
        """Hold the next mail that arrives and give its Message-ID; let it go on leaving."""
        self._armed.set()
        try:
            if not self._holding.wait(timeout):
                pytest.fail(f"no mail reached the server within {timeout} s")
            yield self.arriving
        finally:
            self._armed.clear()
            self._released.set()


# --- the database, as staff and the test see it ---------------------------------------

def new_event(title: str, capacity: int | None) -> Event:
    """A published event in a week, with a waitlist, made as staff would."""
    with write_transaction():
        starts_at = utcnow().replace(microsecond=0) + timedelta(days=7)
        event = create_event(title=title, kind="forum", starts_at=starts_at, venue="Rathaus Trier",
                             address="Am Augustinerhof, 54290 Trier", capacity=capacity,
                             waitlist_enabled=True, publish=True, by=TEST_ACTOR)
    return event


def standing(event: Event) -> dict:
    """How many registrations the event has in each status, and what its counters say."""
    fresh_reads()
    rows = db.session.execute(select(Registration.status, func.count())
                              .where(Registration.event_id == event.id).group_by(Registration.status)).all()
    counters = db.session.execute(select(Event.confirmed_count, Event.waitlist_count)
                                  .where(Event.id == event.id)).one()
    return {"rows": {str(status): count for status, count in rows},
            "counters": {"confirmed": counters.confirmed_count, "waitlisted": counters.waitlist_count}}


def emails_registered(event: Event) -> Counter:
    """How many registrations each address has for the event."""
    fresh_reads()
    return Counter(db.session.execute(select(Registration.email).where(Registration.event_id == event.id))
                   .scalars())


def outbox() -> list:
    """Every outbox row's message id and recipient (not its content)."""
    fresh_reads()
    return db.session.execute(select(OutgoingMail.message_id, OutgoingMail.recipient)).all()


def undelivered() -> int:
    """How many outbox rows are not yet sent."""
    fresh_reads()
    return db.session.execute(select(func.count()).where(OutgoingMail.status != MailStatus.sent)).scalar_one()


def claimed_by_process(pid: int) -> list[str]:
    """The message ids of the mails that process `pid` has claimed and not yet recorded as sent."""
    fresh_reads()
    return list(db.session.execute(select(OutgoingMail.message_id).where(
        OutgoingMail.status == MailStatus.sending, OutgoingMail.claimed_by.like(f"%:{pid}:%"))).scalars())


def sender_of(message_id: str, workers: list[MailWorker]) -> MailWorker:
    """The worker whose claim the mail is under."""
    fresh_reads()
    claim = db.session.execute(select(OutgoingMail.claimed_by)
                               .where(OutgoingMail.message_id == message_id)).scalar_one()
    # A claim names its sender "host:pid:thread" (sender.sender_name).
    pid = int(claim.rsplit(":", 2)[1])
    return next(worker for worker in workers if worker.pid == pid)


def message_id_of(content: bytes) -> str:
    """A mail's Message-ID (its headers only are read: quicker than the whole mail)."""
    return BytesHeaderParser(policy=policy.default).parsebytes(content)["Message-ID"]


def message_ids_received(smtp: SMTPRecorder) -> Counter:
    """How often the server received each Message-ID."""
    with smtp.lock:
        received = list(smtp.received)
    return Counter(message_id_of(r.data) for r in received)


def recipients_received(smtp: SMTPRecorder) -> Counter:
    """How many mails the server received for each recipient."""
    with smtp.lock:
        return Counter(address for r in smtp.received for address in r.rcpt_tos)


def wait_for(condition, *, timeout: float, interval: float = 0.1, what: str) -> float:
    """Seconds until `condition()` held; fails the test with `what` after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started
