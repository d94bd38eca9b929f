"""The factory, configuration and languages."""
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import config
from app import create_app
from app.auth.models import User
from app.registrations.models import Registration
from config import DevelopmentConfig, ProductionConfig, TestingConfig


def test_testing_config_is_used(app):
    assert app.testing
    assert app.config["WTF_CSRF_ENABLED"] is False


def test_development_secret_key_is_generated_once_into_the_instance_folder(tmp_path, database_url):
    def make():
        return create_app(DevelopmentConfig, instance_path=str(tmp_path), SECRET_KEY=None,
                          SQLALCHEMY_DATABASE_URI=database_url, MAIL_BACKGROUND=False)

    first, second = make(), make()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("config_class", [DevelopmentConfig, ProductionConfig])
def test_passwords_are_hashed_at_full_cost_outside_the_tests(tmp_path, database_url, config_class):
    """The suite hashes cheaply (TestingConfig); every other configuration keeps scrypt's full cost."""
    app = create_app(config_class, instance_path=str(tmp_path), SECRET_KEY="x" * 32,
                     SQLALCHEMY_DATABASE_URI=database_url, MAIL_BACKGROUND=False)
    with app.app_context():
        user = User(email="anna@example.org")
        user.set_password("correct horse battery")
        assert user.password_hash.startswith("scrypt:32768:8:1$")
        assert user.check_password("correct horse battery") and not user.check_password("wrong horse")


def test_production_needs_a_secret_key(tmp_path, database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, instance_path=str(tmp_path), SECRET_KEY=None,
                   SQLALCHEMY_DATABASE_URI=database_url)


def test_a_mail_claim_timeout_a_live_sender_can_outlast_is_refused(tmp_path, database_url):
    """Claims are renewed every 10 s and a sender waits up to MAIL_TIMEOUT_SECONDS for the server:
    a timeout within that would let a second sender send the same mail."""
    with pytest.raises(RuntimeError, match="MAIL_CLAIM_TIMEOUT_SECONDS must be more than 30"):
        create_app(TestingConfig, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url,
                   MAIL_TIMEOUT_SECONDS=20, MAIL_CLAIM_TIMEOUT=timedelta(seconds=30))
    app = create_app(TestingConfig, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url,
                     MAIL_TIMEOUT_SECONDS=20, MAIL_CLAIM_TIMEOUT=timedelta(seconds=31))
    assert app.config["MAIL_CLAIM_TIMEOUT"] == timedelta(seconds=31)


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("Yes", True),
                                           ("0", False), ("false", False), ("no", False)])
def test_booleans_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("PODIUM_TEST_FLAG", raw)
    assert config.env_bool("PODIUM_TEST_FLAG", not expected) is expected


def test_a_boolean_that_is_neither_is_refused(monkeypatch):
    monkeypatch.setenv("PODIUM_TEST_FLAG", "maybe")
    with pytest.raises(ValueError, match="PODIUM_TEST_FLAG"):
        config.env_bool("PODIUM_TEST_FLAG", False)


def test_production_refuses_to_start_without_its_settings(monkeypatch):
    monkeypatch.setenv("PODIUM_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL, BASE_URL"):
        config.config_from_environment()


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("PODIUM_ENV", "staging")
    with pytest.raises(RuntimeError, match="PODIUM_ENV"):
        config.config_from_environment()


def test_pages_speak_german_by_default_and_english_on_request(client, make_event):
    make_event(title="Forum Sprache")
    german = client.get("/events/")
    assert german.status_code == 200
    assert '<html lang="de" dir="ltr">' in german.text
    assert "Veranstaltungen" in german.text
    english = client.get("/events/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en" dir="ltr">' in english.text
    assert "Upcoming events" in english.text


def test_language_switch_is_remembered(client, make_event):
    make_event()
    response = client.get("/lang/en?next=/events/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/")
    assert "Upcoming events" in client.get("/events/").text
    client.get("/lang/de?next=/events/")
    assert '<html lang="de" dir="ltr">' in client.get("/events/", headers={"Accept-Language": "en"}).text


def test_language_switch_does_not_redirect_elsewhere(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"].endswith("/events/")


def test_unknown_page_is_a_404_page(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "<h1>" in response.text


EN = {"Accept-Language": "en"}
SIGN_UP = {"name": "Anna", "email": "anna@example.org", "affiliation": "volunteer", "consent": "y"}


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}])
def test_another_sites_page_cannot_send_the_sign_up_form(client, make_event, headers):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=SIGN_UP, headers={**headers, **EN})
    assert response.status_code == 422
    assert "Please send the form again" in response.text
    assert 'value="anna@example.org"' in response.text  # what was typed is still there
    assert Registration.query.count() == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin", "Origin": "null"},
                                     {"Origin": "http://localhost"}, {"Origin": "http://podium.test"}, {}])
def test_the_sign_up_form_needs_no_session_from_our_own_page(app, make_event, headers):
    """No cookie and no CSRF token: our own page (or a client that says nothing of where it posts
    from) signs up."""
    event = make_event()
    guest = app.test_client()
    response = guest.post(f"/events/{event.slug}/register", data=SIGN_UP, headers=headers)
    assert response.status_code == 302
    assert Registration.query.filter_by(email="anna@example.org").count() == 1


def test_make_run_on_another_port_puts_that_port_into_links():
    """`PORT=5321 make run`: mails, QR codes and calendar files must point to 5321, not 5000."""
    root = Path(__file__).resolve().parent.parent
    environment = {name: value for name, value in os.environ.items() if name != "BASE_URL"}

    def planned(*args):
        result = subprocess.run(["make", "--dry-run", "run", *args], cwd=root, env=environment,
                                capture_output=True, text=True, check=True)
        return [line for line in result.stdout.splitlines() if "gunicorn" in line or "flask demo" in line]

    demo, server = planned("PORT=5321")
    assert "BASE_URL=http://127.0.0.1:5321 " in demo and "BASE_URL=http://127.0.0.1:5321 " in server
    assert "--bind 127.0.0.1:5321" in server
    demo, server = planned("PORT=5321", "BASE_URL=https://podium.example.org")
    assert "BASE_URL=https://podium.example.org " in demo and "BASE_URL=https://podium.example.org " in server


def test_a_web_process_leaves_out_what_only_migrations_pdfs_and_postgresql_need(tmp_path):
    """Alembic (for `flask db`), WeasyPrint (the first PDF) and psycopg (a PostgreSQL database) are
    imported where they are used: a gunicorn worker on SQLite holds none of them (make bench
    measures a worker's memory against 100 MB)."""
    root = Path(__file__).resolve().parent.parent
    heavy = ("alembic", "flask_migrate", "weasyprint", "psycopg")
    code = f"import sys, wsgi; print(sorted(name for name in {heavy!r} if name in sys.modules))"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'podium.db'}", "PODIUM_ENV": "development"}
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=environment, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
