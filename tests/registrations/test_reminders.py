"""The reminder before an event, as it arrives over SMTP; once per guest, however many workers."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from app.database import utcnow, write_transaction
from app.extensions import db
from app.mailing import sender
from app.registrations import reminders, services, staff_services
from app.registrations.models import Registration
from tests.conftest import TEST_ACTOR
from tests.mailing.reading import (
    TICKET_MAIL_TREE,
    attachment,
    calendar_text,
    decode_qr,
    method_line,
    mime_tree,
    only_part,
    parse_with_ical,
    parse_with_vobject,
    text_of,
)
from tests.rows import outbox_rows, reload
from tests.together import run_together, write_transaction_without_lock

from .conftest import signed_up_at

REMINDER = "registration_reminder"


def in_days(days: float):
    return utcnow().replace(microsecond=0) + timedelta(days=days)


def reload_by_id(registration_id: int) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, registration_id)


def reminder_rows(registration=None):
    filters = {"registration_id": registration.id} if registration is not None else {}
    return outbox_rows(kind=REMINDER, **filters)


def reminded_names() -> list[str]:
    rows = reminder_rows()
    return sorted(db.session.get(Registration, row.registration_id).name for row in rows)


@pytest.fixture
def forum(make_event, sign_up):
    """A forum in a week, two places: Anna and Ben confirmed, Cem waiting, Dora cancelled."""
    event = make_event(title="Forum Arbeitsmarkt", capacity=2, starts_at=in_days(7))
    sign_up(event, name="Anna Schmidt", email="anna@example.org")
    sign_up(event, name="Ben Weber", email="ben@example.org")
    sign_up(event, name="Cem Yilmaz", email="cem@example.org")
    dora = sign_up(event, name="Dora Storniert", email="dora@example.org")
    services.cancel_registration(dora.id)
    return event


def a_day_before(event):
    """A moment inside the reminder window (48 hours by default)."""
    return event.starts_at - timedelta(hours=24)


# --- who gets one ----------------------------------------------------------------

def test_each_confirmed_guest_of_an_event_in_the_window_gets_one_reminder(forum, smtp, deliver):
    now = a_day_before(forum)
    deliver()  # the confirmations of the sign-ups
    smtp.received.clear()

    queued = reminders.queue_due_reminders(now=now)

    assert queued == 2
    assert reminded_names() == ["Anna Schmidt", "Ben Weber"]
    assert {reload(r).reminded_at for r in (forum_guest(forum, "Anna"), forum_guest(forum, "Ben"))} == {now}
    deliver()
    assert len(smtp.to("anna@example.org")) == 1 and len(smtp.to("ben@example.org")) == 1
    assert smtp.to("cem@example.org") == [] and smtp.to("dora@example.org") == []
    [to_anna] = smtp.to("anna@example.org")
    assert forum.title in to_anna["Subject"]
    assert to_anna["Message-ID"] == reminder_rows(forum_guest(forum, "Anna"))[0].message_id


def forum_guest(event, first_name) -> Registration:
    db.session.rollback()
    return db.session.execute(select(Registration).where(Registration.event_id == event.id,
                                                         Registration.name.startswith(first_name))).scalar_one()


def test_nothing_before_the_window_opens(forum):
    assert reminders.queue_due_reminders(now=forum.starts_at - timedelta(hours=49)) == 0
    assert reminder_rows() == []


def test_the_window_is_configurable_and_zero_turns_reminders_off(app, forum):
    app.config["REMINDER_BEFORE_HOURS"] = 0
    assert reminders.queue_due_reminders(now=forum.starts_at - timedelta(minutes=30)) == 0

    app.config["REMINDER_BEFORE_HOURS"] = 3
    assert reminders.queue_due_reminders(now=forum.starts_at - timedelta(hours=4)) == 0
    assert reminders.queue_due_reminders(now=forum.starts_at - timedelta(hours=2)) == 2


def test_cancelled_past_and_draft_events_and_later_ones_get_none(make_event, sign_up, forum):
    now = a_day_before(forum)
    cancelled = make_event(starts_at=forum.starts_at)
    sign_up(cancelled, name="Gast Abgesagt")
    started = make_event(starts_at=now - timedelta(minutes=5))
    sign_up(started, name="Gast Begonnen")
    draft = make_event(starts_at=forum.starts_at, publish=False)
    staff_services.add_registration(draft.id, {"name": "Gast Entwurf", "email": "entwurf@example.org"},
                              locale="de", send_mail=False, by=TEST_ACTOR)
    later = make_event(starts_at=forum.starts_at + timedelta(days=2))
    sign_up(later, name="Gast Später")
    cancelled.status = "cancelled"
    db.session.commit()

    reminders.queue_due_reminders(now=now)

    assert reminded_names() == ["Anna Schmidt", "Ben Weber"]


def test_running_twice_queues_each_reminder_once(forum, smtp, deliver):
    now = a_day_before(forum)
    deliver()
    smtp.received.clear()

    assert reminders.queue_due_reminders(now=now) == 2
    assert reminders.queue_due_reminders(now=now + timedelta(minutes=1)) == 0
    deliver()
    assert reminders.queue_due_reminders(now=now + timedelta(hours=12)) == 0

    assert len(reminder_rows()) == 2
    assert len(smtp.to("anna@example.org")) == 1


def test_a_guest_who_moved_up_before_the_window_opened_is_reminded_like_the_others(forum):
    services.cancel_registration(forum_guest(forum, "Ben").id)  # a week ahead: Cem moves up

    assert reminders.queue_due_reminders(now=a_day_before(forum)) == 2
    assert reminded_names() == ["Anna Schmidt", "Cem Yilmaz"]


# --- late sign-ups: their confirmation is their reminder -------------------------

def test_a_guest_who_signed_up_after_the_window_opened_gets_none(forum):
    ben = forum_guest(forum, "Ben")
    signed_up_at(ben, forum.starts_at - timedelta(hours=2))

    reminders.queue_due_reminders(now=forum.starts_at - timedelta(hours=1))

    assert reminded_names() == ["Anna Schmidt"]


def test_a_guest_moved_up_inside_the_window_gets_none(make_event, sign_up):
    event = make_event(capacity=2, starts_at=in_days(1))  # the window opened a day ago
    anna, ben, cem = (sign_up(event, name=name) for name in ("Anna", "Ben", "Cem"))
    for guest in (anna, ben, cem):
        signed_up_at(guest, utcnow() - timedelta(days=3))
    services.cancel_registration(anna.id)  # Cem moves up and gets the ticket now
    assert reload(cem).is_confirmed

    assert reminders.queue_due_reminders() == 1

    assert reminded_names() == ["Ben"]


def test_a_guest_staff_added_inside_the_window_without_mail_gets_none(make_event, sign_up):
    event = make_event(capacity=5, starts_at=in_days(1))
    anna = sign_up(event, name="Anna")
    signed_up_at(anna, utcnow() - timedelta(days=3))
    staff_services.add_registration(event.id, {"name": "Heinz", "email": "heinz@example.org"}, locale="de",
                              send_mail=False, by=TEST_ACTOR)

    assert reminders.queue_due_reminders() == 1
    assert reminded_names() == ["Anna"]


# --- the mail ---------------------------------------------------------------------

@pytest.fixture
def reminder(app, make_event, sign_up, smtp, deliver):
    """Anna's reminder, received over SMTP. She cancelled once and signed up again, so her
    calendar SEQUENCE is the event's (3) plus two."""
    app.config["ORGANIZER_EMAIL"] = "veranstaltungen@netzwerk.example"
    event = make_event(title="Forum Sprache und Mobilität", capacity=10, sequence=3, starts_at=in_days(7),
                       venue="Kulturhaus Prüm", address="Hahnplatz 20, 54595 Prüm")
    anna = sign_up(event, name="Anna Schmidt", email="anna@example.org")
    services.cancel_registration(anna.id)
    anna = sign_up(event, name="Anna Schmidt", email="anna@example.org")
    deliver()
    smtp.received.clear()

    reminders.queue_due_reminders(now=a_day_before(event))
    deliver()

    [message] = smtp.to("anna@example.org")
    return event, reload(anna), message


def test_the_reminder_has_the_imip_tree_with_the_qr_code(reminder):
    _event, _anna, message = reminder

    assert mime_tree(message) == TICKET_MAIL_TREE
    image = only_part(message, "image/png")
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in text_of(only_part(message, "text/html"))


def test_the_reminder_calendar_is_a_request_with_the_guests_current_sequence(reminder):
    event, anna, message = reminder
    calendar = calendar_text(message)

    assert anna.calendar_sequence == 5
    assert method_line(calendar) == "REQUEST"
    assert only_part(message, "text/calendar").get_param("method") == "REQUEST"
    parsed = parse_with_ical(calendar)
    [vevent] = parsed.events
    assert (vevent.uid, vevent.sequence) == (event.ical_uid, 5)
    assert vevent.dtstart == event.starts_at
    assert "Kulturhaus Prüm" in vevent.location
    checked = parse_with_vobject(calendar)
    assert checked.method.value == "REQUEST"
    assert checked.vevent.uid.value == event.ical_uid
    assert int(checked.vevent.sequence.value) == 5
    assert checked.vevent.attendee.value == "mailto:anna@example.org"
    assert calendar_text(message) == text_of(attachment(message, "invite.ics"))


def test_the_reminder_qr_code_decodes_to_the_ticket_page(app, client, reminder):
    _event, anna, message = reminder

    [url] = decode_qr(only_part(message, "image/png").get_payload(decode=True))

    assert url == f"{app.config['BASE_URL']}/t/{anna.ticket_code}"
    assert anna.ticket_code in text_of(only_part(message, "text/plain"))
    assert anna.manage_token in text_of(only_part(message, "text/plain"))


def test_a_guest_who_cancels_before_the_reminder_goes_out_does_not_get_it(forum, smtp, deliver):
    deliver()
    smtp.received.clear()
    reminders.queue_due_reminders(now=a_day_before(forum))
    anna = forum_guest(forum, "Anna")
    services.cancel_registration(anna.id)

    deliver()

    to_anna = smtp.to("anna@example.org")
    assert [method_line(calendar_text(m)) for m in to_anna] == ["CANCEL"]  # the cancellation only
    [row] = reminder_rows(anna)
    # Withdrawn: not a failure that staff would be asked to send again.
    assert (row.status, row.last_error, row.raw) == ("withdrawn", None, None)


# --- many workers at once -----------------------------------------------------------

WORKERS = 8
RACE_WINDOW_SECONDS = 0.02


@pytest.fixture
def many_events(make_event, sign_up):
    """Three events in the window, 5 confirmed guests each (plus one waiting)."""
    events = []
    for n in range(3):
        event = make_event(capacity=5, starts_at=in_days(7) + timedelta(hours=n))
        for _ in range(6):
            sign_up(event)
        events.append(event)
    return events


def confirmed_ids(events) -> set[int]:
    db.session.rollback()
    return set(db.session.execute(select(Registration.id).where(
        Registration.event_id.in_([e.id for e in events]), Registration.status == "confirmed")).scalars())


def remind_together(app, now):
    return run_together(app, [lambda: reminders.queue_due_reminders(now=now)] * WORKERS)


@pytest.fixture
def widened_race_window(monkeypatch):
    """Sleep inside the transaction, between claiming and enqueueing."""
    original = reminders.enqueue

    def slow_enqueue(*args, **kwargs):
        time.sleep(RACE_WINDOW_SECONDS / 5)
        return original(*args, **kwargs)

    monkeypatch.setattr(reminders, "enqueue", slow_enqueue)


def test_workers_running_at_once_queue_each_reminder_once(app, many_events, widened_race_window):
    now = a_day_before(many_events[0])

    outcomes = remind_together(app, now)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sum(outcomes) == 15
    reminded = [row.registration_id for row in reminder_rows()]
    assert sorted(reminded) == sorted(confirmed_ids(many_events))


def test_without_the_event_lock_the_conditional_update_still_queues_each_once(
        app, many_events, widened_race_window, monkeypatch):
    monkeypatch.setattr(reminders, "write_transaction", write_transaction_without_lock)

    outcomes = remind_together(app, a_day_before(many_events[0]))

    # SQLite refuses a read-then-write upgrade after another writer ("database is locked");
    # that worker queues nothing, and another one does.
    assert [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DBAPIError)] == []
    reminded = [row.registration_id for row in reminder_rows()]
    assert sorted(reminded) == sorted(confirmed_ids(many_events))


def test_negative_control_a_claim_without_condition_queues_twice(app, many_events, monkeypatch):
    """Proves that the tests above can fail: workers that read who is due and then mark them
    without a condition (and without the lock) do queue reminders more than once."""
    read_by_all = threading.Barrier(WORKERS)
    waited = threading.local()

    def queue_without_condition(event_id, now, window):
        due = reminders._is_due(event_id, db.session.get(reminders.Event, event_id).starts_at - window)
        ids = list(db.session.execute(select(Registration.id).where(due)).scalars())
        db.session.rollback()
        if not getattr(waited, "done", False):
            waited.done = True
            read_by_all.wait(timeout=30)
        with write_transaction():
            db.session.execute(update(Registration).where(Registration.id.in_(ids)).values(reminded_at=now))
            for registration_id in ids:
                reminders.enqueue(reminders.REMINDER_MAIL, "x@example.org", registration_id=registration_id)
        return len(ids)

    monkeypatch.setattr(reminders, "_queue_for_event", queue_without_condition)

    outcomes = remind_together(app, a_day_before(many_events[0]))

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    reminded = [row.registration_id for row in reminder_rows()]
    assert len(reminded) > len(set(reminded))


# --- who runs it: the mail worker and the command line ------------------------------

def test_the_mail_worker_queues_and_sends_due_reminders(make_event, sign_up, smtp):
    event = make_event(capacity=5, starts_at=in_days(1))
    anna_id = sign_up(event, name="Anna", email="anna@example.org").id
    signed_up_at(reload_by_id(anna_id), utcnow() - timedelta(days=3))

    sender.work(once=True)

    [row] = outbox_rows(kind=REMINDER, registration_id=anna_id)
    assert row.status == "sent"
    assert [m["Subject"] for m in smtp.to("anna@example.org")][-1] == row.subject


def test_the_mail_worker_looks_for_reminders_at_most_once_a_minute(app, monkeypatch):
    calls = []
    monkeypatch.setattr(sender, "queue_due_reminders", lambda: calls.append(time.monotonic()))
    stop = threading.Event()

    def run():
        with app.app_context():
            sender.work(stop=stop, idle_seconds=0.01)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.5)  # about fifty rounds of the loop
    stop.set()
    worker.join(timeout=10)

    assert len(calls) == 1


def test_mail_remind_on_the_command_line_prints_how_many(app, make_event, sign_up):
    event = make_event(capacity=5, starts_at=in_days(1))
    for name in ("Anna", "Ben"):
        signed_up_at(sign_up(event, name=name), utcnow() - timedelta(days=3))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["mail", "remind"])
    second = runner.invoke(args=["mail", "remind"])

    assert first.exit_code == 0, first.output
    assert first.output.strip() == "reminders queued: 2"
    assert second.output.strip() == "reminders queued: 0"
    assert reminded_names() == ["Anna", "Ben"]
