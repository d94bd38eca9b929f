"""The command line: users, events, demo data, mail worker."""
import re
from datetime import datetime, timezone

import pytest
from flask_babel import gettext

from app.auth.models import User
from app.contacts.models import Institution
from app.database import write_transaction
from app.events.models import Event
from app.extensions import db
from app.outbox import OutgoingMail
from app.text import name_key


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create_prints_a_generated_password_once(app):
    result = run(app, "users", "create", "door1@podium.test", "--role", "door")
    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    user = db.session.query(User).filter_by(email="door1@podium.test").one()
    assert user.role == "door" and user.check_password(password)
    assert re.search(r"^id: \d+$", result.output, re.M)


def test_users_create_with_a_given_password_does_not_print_it(app):
    result = run(app, "users", "create", "a@podium.test", "--role", "admin", "--password", "a long password")
    assert result.exit_code == 0
    assert "a long password" not in result.output


def test_users_create_refuses_a_duplicate_with_a_message(app):
    run(app, "users", "create", "a@podium.test", "--password", "a long password")
    result = run(app, "users", "create", "A@podium.test", "--password", "a long password")
    assert result.exit_code != 0
    assert "Es gibt schon ein Konto mit dieser E-Mail-Adresse" in result.output  # German by default
    assert db.session.query(User).count() == 1


def test_events_create_prints_id_and_url_and_reads_local_time(app):
    result = run(app, "events", "create", "--title", "Forum Sprache und Mobilität", "--kind", "forum",
                 "--starts", "2030-12-03 18:00", "--venue", "Kulturhaus Prüm", "--capacity", "70",
                 "--no-waitlist", "--publish")
    assert result.exit_code == 0, result.output
    event_id = int(re.search(r"^id: (\d+)$", result.output, re.M).group(1))
    url = re.search(r"^url: (\S+)$", result.output, re.M).group(1)
    event = db.session.get(Event, event_id)
    assert url == f"http://podium.test/events/{event.slug}/"
    assert event.starts_at == datetime(2030, 12, 3, 17, 0, tzinfo=timezone.utc)  # 18:00 CET
    assert (event.capacity, event.waitlist_enabled, event.status) == (70, False, "published")
    assert app.test_client().get(url.removeprefix("http://podium.test")).status_code == 200


@pytest.mark.parametrize("kind", ["forum", "podium", "info", "talk", "working-group", "coordination", "other"])
def test_events_create_takes_every_kind_as_the_readme_spells_it(app, kind):
    result = run(app, "events", "create", "--title", "Treffen", "--kind", kind, "--starts", "2030-12-03 18:00")

    assert result.exit_code == 0, result.output
    assert db.session.get(Event, int(result.output.split("id: ")[1].split()[0])).kind == kind


def test_events_create_is_a_draft_unless_published(app):
    result = run(app, "events", "create", "--title", "Intern", "--kind", "coordination",
                 "--starts", "2030-01-10 09:00")
    assert result.exit_code == 0
    assert "status: draft" in result.output


def test_events_create_explains_a_bad_time(app):
    result = run(app, "events", "create", "--title", "X", "--kind", "forum", "--starts", "3.12.2030 18 Uhr")
    assert result.exit_code == 2
    assert "YYYY-MM-DD HH:MM" in result.output
    assert db.session.query(Event).count() == 0


def test_events_create_refuses_an_end_before_the_start(app):
    result = run(app, "events", "create", "--title", "X", "--kind", "forum",
                 "--starts", "2030-12-03 18:00", "--ends", "2030-12-03 17:00")
    assert result.exit_code != 0
    assert db.session.query(Event).count() == 0


def test_demo_loads_events_and_an_admin_once(app):
    first = run(app, "demo")
    assert first.exit_code == 0, first.output
    assert "login: " in first.output and "password: " in first.output
    titles = [e.title for e in db.session.query(Event)]
    assert "Perspektiven für Flüchtlinge in der Region Trier" in titles
    assert "Wie kommen Flüchtlinge in Ausbildung und Arbeit?" in titles
    assert any(e.capacity is not None and e.capacity <= 5 for e in db.session.query(Event))
    second = run(app, "demo")
    assert second.exit_code == 0
    assert "password" not in second.output
    assert db.session.query(Event).count() == len(titles)


def test_mail_work_once_delivers_the_outbox(app, make_event, sign_up, smtp):
    event = make_event()
    sign_up(event, email="anna@example.org")
    result = run(app, "mail", "work", "--once")
    assert result.exit_code == 0, result.output
    assert [r.rcpt_tos for r in smtp.received] == [["anna@example.org"]]
    assert db.session.query(OutgoingMail).one().status == "sent"


def _institution(name="IHK Trier"):
    with write_transaction():
        institution = Institution(name=name, name_key=name_key(name))
        db.session.add(institution)
    return institution


def test_users_create_makes_a_partner_account_of_an_institution(app):
    ihk = _institution()

    result = run(app, "users", "create", "glockauer@ihk.example", "--role", "partner", "--institution", str(ihk.id))

    assert result.exit_code == 0, result.output
    user_id = int(re.search(r"^id: (\d+)$", result.output, re.M).group(1))
    user = db.session.get(User, user_id)
    assert (user.email, user.role, user.institution_id) == ("glockauer@ihk.example", "partner", ihk.id)
    assert f"institution: {ihk.id}" in result.output
    assert user.check_password(re.search(r"password: (\S+)", result.output).group(1))


@pytest.mark.parametrize("args, message", [
    (["--role", "partner"], "A partner account belongs to an institution: please choose one."),
    (["--role", "partner", "--institution", "999999"], "There is no institution with the number %(id)s."),
    (["--role", "staff", "--institution", "{ihk}"],
     "Only a partner account belongs to an institution; leave it out for this role."),
])
def test_users_create_refuses_a_partner_without_a_real_institution_and_an_institution_for_others(app, args, message):
    ihk = _institution()
    args = [arg.format(ihk=ihk.id) for arg in args]

    result = run(app, "users", "create", "x@ihk.example", *args, "--password", "a long password")

    assert result.exit_code == 1, result.output
    assert gettext(message, id=999999) in result.output  # in the command line's language (German)
    assert db.session.query(User).count() == 0
