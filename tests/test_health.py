"""GET /healthz, as a load balancer sees it (app/health.py): 200 with the outbox's backlog while the
database answers, 503 with a reason when it does not; no cookie, no stored copy, no rate limit,
and no mail sender started by a probe."""
from datetime import timedelta

import pytest
from flask import url_for

from app import create_app
from app.database import write_transaction
from app.extensions import db, limiter
from app.outbox import MailStatus, enqueue
from config import TestingConfig


def queue(recipient: str, *, due_in: timedelta = timedelta(0), status: MailStatus = MailStatus.queued):
    """Put one mail into the outbox through its own API, due `due_in` from now. Commits."""
    with write_transaction() as tx:
        mail = enqueue("registration_confirmed", recipient)
        mail.next_attempt_at = tx.now + due_in
        mail.status = status


@pytest.fixture
def make_app(tmp_path):
    """make_app(**settings): an app apart from the `app` fixture's, its connections closed after the test."""
    made = []

    def make(**settings):
        made.append(create_app(TestingConfig, instance_path=str(tmp_path), **settings))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_an_empty_outbox_has_no_backlog(client):
    response = client.get(url_for("health.check"))

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok",
                             "outbox": {"due": 0, "oldest_due_seconds": None}}


def test_the_backlog_counts_the_mails_due_and_the_age_of_the_oldest(client):
    queue("anna@example.org")
    queue("bert@example.org", due_in=-timedelta(hours=1))
    queue("carl@example.org", due_in=timedelta(minutes=10))  # a retry that waits: not late yet
    queue("dora@example.org", due_in=-timedelta(days=1), status=MailStatus.sent)

    response = client.get(url_for("health.check"))

    assert response.status_code == 200
    outbox = response.json["outbox"]
    assert outbox["due"] == 2
    assert 3600 <= outbox["oldest_due_seconds"] < 3660


def test_a_backlog_is_reported_but_the_web_process_stays_in_service(client):
    """Late mail is the mail workers' matter: a 503 would take every web process out for it."""
    queue("anna@example.org", due_in=-timedelta(days=2))

    response = client.get(url_for("health.check"))

    assert response.status_code == 200
    assert response.json["outbox"]["oldest_due_seconds"] >= 2 * 86400


def test_the_answer_sets_no_cookie_and_is_never_stored(client):
    response = client.get(url_for("health.check", lang="en"))  # a language link would set one elsewhere

    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("unreachable", [
    "postgresql+psycopg://podium@127.0.0.1:1/podium?connect_timeout=2",  # nothing listens on port 1
    "sqlite:////nonexistent-directory/podium.db",
])
def test_a_database_that_does_not_answer_is_a_503_with_the_reason(make_app, unreachable):
    app = make_app(SQLALCHEMY_DATABASE_URI=unreachable)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["reason"].startswith("the database could not be queried")
    assert "127.0.0.1" not in response.text and "nonexistent" not in response.text  # details go to the log
    assert "Set-Cookie" not in response.headers


def test_a_database_without_podium_s_tables_is_a_503(make_app, tmp_path):
    """Before `flask db upgrade` a web process can serve nothing: not in service yet."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503


def test_the_probe_is_not_rate_limited(make_app, database_url, monkeypatch):
    """A limit on every page (RATELIMIT_DEFAULT) holds back other pages, never the probe. Flask-Limiter
    keeps default limits on its one module-wide instance: this test's are put back afterwards."""
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])
    app = make_app(SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True,
                   RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()

    probes = [client.get("/healthz").status_code for _ in range(5)]
    logins = [client.get("/staff/login").status_code for _ in range(3)]

    assert probes == [200] * 5
    assert logins[-1] == 429  # the negative control: the limit does hold elsewhere


def test_a_probe_starts_no_mail_sender(app, client, monkeypatch):
    started = []
    monkeypatch.setattr("app.start_background_sender", started.append)

    client.get(url_for("health.check"))
    assert started == []
    client.get(url_for("auth.login"))  # the negative control: any other request does
    assert started == [app]
