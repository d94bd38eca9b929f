"""Fixtures: the app on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set),
a request context for url_for, a real SMTP server on localhost, logged-in staff clients,
delivering the outbox, and factories for test data.

Plain helpers live beside this file: tests/rows.py reads rows back, tests/pages.py
reads pages, tests/mailing/reading.py reads mails, tests/together.py runs races."""
import email
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import policy

import pytest
from aiosmtpd.controller import Controller
from alembic.command import upgrade as alembic_upgrade
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

import app.models  # noqa: F401  (every table, for the cleanup between tests)
from app import create_app
from app.audit import Actor
from app.auth.services import create_user
from app.database import utcnow, write_transaction
from app.events.services import create_event
from app.extensions import db
from app.mailing import sender
from app.migrations import migrations
from app.registrations import services as registrations
from config import TestingConfig

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# pytest-xdist names each worker ("gw0", "gw1", ...); without it there is one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this test worker: TEST_DATABASE_URL's, with the worker's name
    appended (made if missing), so that workers never see each other's rows."""
    if not WORKER:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{WORKER}")
    server = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": own.database}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


def recreated_postgres(suffix: str) -> str:
    """The PostgreSQL database `<TEST_DATABASE_URL's database>_<suffix>`, dropped with whatever a
    failed run left in it and made again, empty; its URL. For tests that need a database of
    their own (migrations from scratch, several processes)."""
    base = make_url(os.environ["TEST_DATABASE_URL"])
    own = base.set(database=f"{base.database}_{suffix}")
    server = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)  # closed at once, not kept in a pool
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrate_to_head(app) -> None:
    """Upgrade the app's database with the project's Alembic chain."""
    with app.app_context():
        config = migrations(app).get_config()
        alembic_upgrade(config, "head")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A database upgraded by the migrations, once per backend and test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'podium.db'}"
    else:
        url = _worker_database(os.environ["TEST_DATABASE_URL"])
        _reset_postgres(url)
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    migrate_to_head(app)
    with app.app_context():
        db.engine.dispose()
    return url


@pytest.fixture
def app_config():
    """Settings a test may add to before the app is made (override this fixture or update it)."""
    return {}


class FreshGlobalsClient(FlaskClient):
    """A test client whose requests each start with an empty `g`, as on a real server.

    The app fixture keeps one app context open for the whole test (so tests can call
    services), and Flask reuses it for the client's requests; without this, the
    language, the logged-in user and the CSRF token of one request would leak into
    the next.
    """

    def open(self, *args, **kwargs):
        vars(g._get_current_object()).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g._get_current_object()).clear()


@pytest.fixture
def app(database_url, app_config, tmp_path):
    app = create_app(TestingConfig, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url,
                     **app_config)
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        yield app
        db.session.remove()
        # DELETE, children first: for the few rows a test makes it is several times faster than
        # TRUNCATE on PostgreSQL. Ids go on counting, which no test may rely on anyway.
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def request_headers():
    """Headers of the request context tests build URLs in (override for another language)."""
    return {}


@pytest.fixture(autouse=True)
def request_context(request):
    """Lets every test that uses the app build URLs with url_for, as the pages do."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context(headers=request.getfixturevalue("request_headers")):
        yield


@pytest.fixture
def mailbox(smtp, deliver):
    """mailbox(address): deliver what is due, then every mail `address` has received so far."""

    def received(address: str) -> list:
        deliver()
        return smtp.to(address)

    return received


@pytest.fixture
def deliver(app):
    """Deliver what is due, as a sender would; returns the DeliveryReport."""

    def run(now=None):
        report = sender.deliver_due(now=now)
        db.session.rollback()
        return report

    return run


# --- factories -------------------------------------------------------------

# Who the staff services are told acts, when a test calls them directly.
TEST_ACTOR = Actor(name="Test Staff")

@pytest.fixture
def make_event(app):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        starts = fields.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=7))
        fields.setdefault("title", f"Forum {n}")
        fields.setdefault("kind", "forum")
        fields.setdefault("venue", "Rathaus Trier")
        fields.setdefault("address", "Am Augustinerhof, 54290 Trier")
        publish = fields.pop("publish", True)
        with write_transaction():
            return create_event(starts_at=starts, publish=publish, by=TEST_ACTOR, **fields)

    return make


@pytest.fixture
def set_event(app):
    """Change an event's columns directly, as staff would have (e.g. cancel it), and commit."""

    def change(event, **columns):
        for name, value in columns.items():
            setattr(event, name, value)
        db.session.commit()
        return event

    return change


@pytest.fixture
def sign_up(app):
    counter = iter(range(1, 100_000))

    def sign(event, **fields):
        n = next(counter)
        data = {"name": f"Guest {n}", "email": f"guest{n}@example.org", "organisation": "",
                "affiliation": "professional", "note": "", "consent": True}
        data.update(fields)
        return registrations.register(event.id, data, locale=fields.get("locale", "de")).registration

    return sign


# --- staff -----------------------------------------------------------------

STAFF_PASSWORD = "correct horse battery"


@pytest.fixture
def login(client):
    """log_in(role, email, name): the test client, logged in as a new user through the login form."""

    def log_in(role="staff", email=None, name=""):
        email = email or f"{role}@podium.test"
        create_user(email, role=role, password=STAFF_PASSWORD, name=name)
        response = client.post("/staff/login", data={"email": email, "password": STAFF_PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return log_in


@pytest.fixture
def staff(login):
    """A test client logged in as a staff member."""
    return login("staff")


@pytest.fixture
def office(staff):
    """A staff member's browser, switched to English (as a person would, with the link in the header)."""
    staff.get("/lang/en")
    return staff


# --- a real SMTP server ----------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)


@dataclass
class SMTPRecorder:
    """What an aiosmtpd server on localhost received, with each mail's MAIL FROM options (e.g.
    BODY=8BITMIME). `reply` makes it refuse every mail; `refused_recipients` are refused at
    RCPT TO (550), as a real server does for an unknown user."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list = field(default_factory=list)
    mail_options: list = field(default_factory=list)
    reply: str | None = None  # e.g. "550 5.1.1 No such user" or "451 4.3.0 Try later"
    refused_recipients: set = field(default_factory=set)
    smtputf8: bool = False  # offer SMTPUTF8 (RFC 6531), as big providers do; aiosmtpd's default is not to
    # Called (in the server's thread) when a mail's content arrives, before the server answers:
    # what happens elsewhere while a sender waits for the reply.
    on_data: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data:
            self.on_data()
        if self.reply:
            return self.reply
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            self.mail_options.append(list(envelope.mail_options))
        return "250 OK"

    @property
    def messages(self) -> list:
        return [r.message for r in self.received]

    def to(self, address: str) -> list:
        return [r.message for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Hooks:
    """What aiosmtpd sees of a recorder: its handle_* hooks only. aiosmtpd inspects every
    attribute of its handler on each connection, and `messages` parses every mail so far."""

    def __init__(self, recorder):
        for name in dir(type(recorder)):
            if name.startswith("handle_"):
                setattr(self, name, getattr(recorder, name))


def start_smtp(recorder: SMTPRecorder) -> Controller:
    controller = Controller(_Hooks(recorder), hostname=recorder.host, port=recorder.port,
                            enable_SMTPUTF8=recorder.smtputf8)
    controller.start()
    return controller


@pytest.fixture
def smtp_recorder():
    recorder = SMTPRecorder(port=free_port())
    controller = start_smtp(recorder)
    yield recorder
    controller.stop()


@pytest.fixture
def smtp(smtp_recorder, app):
    """A real SMTP server on localhost, and the app configured to deliver to it."""
    point_mail_at(app, smtp_recorder.port, smtp_recorder.host)
    return smtp_recorder


def point_mail_at(app, port: int, host: str = "127.0.0.1") -> None:
    """Make the app deliver to host:port (Flask-Mail keeps its own copy of the settings)."""
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    app.extensions["mail"].server = host
    app.extensions["mail"].port = port


def days_from_now(days: float) -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=days)
