"""Feedback after an event, as services: the form staff switch on, and the request and its one
reminder to the guests who came, as they arrive over SMTP; once per guest, however many senders."""
import re
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.audit import AuditAction, AuditEntry
from app.checkin.services import check_in_registration, register_walk_in
from app.database import utcnow, write_transaction
from app.errors import NotFound
from app.extensions import db
from app.mailing.chores import run_due_chores
from app.registrations import services as registrations
from app.registrations.models import Registration
from app.surveys import feedback
from app.surveys.feedback import FeedbackRefused, FeedbackSettings
from app.surveys.models import InvitationStatus, Survey, SurveyInvitation, SurveyQuestion, SurveyStatus
from tests.conftest import TEST_ACTOR
from tests.mailing.reading import only_part, text_of
from tests.rows import fresh_reads, outbox_rows, reload
from tests.together import run_together, write_transaction_without_lock

WORKERS = 4


def in_days(days: float):
    return utcnow().replace(microsecond=0) + timedelta(days=days)


def after_end(event, **delta):
    """A moment after the event's end (default: three hours, past the default delay of two)."""
    return event.ends_at + (timedelta(**delta) if delta else timedelta(hours=3))


def guest(email: str) -> Registration:
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one()


def check_in(event, registration):
    result = check_in_registration(event.id, registration.id, TEST_ACTOR)
    assert result.registration.checked_in_at is not None


@pytest.fixture
def forum(make_event, sign_up):
    """A forum in a week. Anna and Ben come (checked in), Cem registered and does not come, Dora
    cancelled; Emil walks in at the door with his address, Frida walks in without one."""
    event = make_event(title="Forum Arbeitsmarkt", starts_at=in_days(7))
    anna = sign_up(event, name="Anna Schmidt", email="anna@example.org", locale="en")
    ben = sign_up(event, name="Ben Weber", email="ben@example.org")
    sign_up(event, name="Cem Yilmaz", email="cem@example.org", locale="en")
    dora = sign_up(event, name="Dora Storniert", email="dora@example.org")
    registrations.cancel_registration(dora.id)
    check_in(event, anna)
    check_in(event, ben)
    register_walk_in(event.id, {"name": "Emil Neu", "email": "emil@example.org"}, TEST_ACTOR)
    register_walk_in(event.id, {"name": "Frida Ohne"}, TEST_ACTOR)
    return event


@pytest.fixture
def switched_on(forum):
    feedback.switch_on(forum.id, FeedbackSettings(), by=TEST_ACTOR)
    return forum


def requests():
    return outbox_rows(kind=feedback.REQUEST_MAIL)


def reminders():
    return outbox_rows(kind=feedback.REMINDER_MAIL)


def recipients(rows) -> list[str]:
    return sorted(row.recipient for row in rows)


def link_in(message) -> str:
    [link] = set(re.findall(r"https?://\S+/s/[\w-]+", text_of(only_part(message, "text/plain"))))
    return link


def invitation_of(email: str) -> SurveyInvitation:
    fresh_reads()
    [row] = [row for row in requests() if row.recipient == email]
    return db.session.get(SurveyInvitation, row.params["invitation_id"])


def complete(invitation: SurveyInvitation) -> None:
    """The guest sent the form (as the answering pages record it)."""
    with write_transaction() as tx:
        row = db.session.get(SurveyInvitation, invitation.id)
        row.status, row.started_at, row.completed_at = InvitationStatus.completed, tx.now, tx.now


# --- switching on ----------------------------------------------------------------------------

def test_switching_on_makes_the_default_questions_in_the_staff_members_language(forum, app):
    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale("en"):
        survey = feedback.switch_on(forum.id, FeedbackSettings(), by=TEST_ACTOR)

    fresh_reads()
    survey = db.session.get(Survey, survey.id)
    questions = list(db.session.execute(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
                                        .order_by(SurveyQuestion.position)).scalars())
    assert [(q.kind, q.text) for q in questions] == [
        ("scale", "Overall, how was the event?"), ("long-text", "What was most useful?"),
        ("long-text", "What should we change?"), ("single", "Would you come again?")]
    assert (questions[0].low_label, questions[0].high_label, questions[0].required) == ("poor", "excellent", True)
    assert [option["label"] for option in questions[3].options] == ["Yes", "Maybe", "No"]
    assert (survey.kind, survey.status, survey.event_id) == ("feedback", "draft", forum.id)
    assert (survey.send_after_hours, survey.remind_after_days, survey.anonymous) == (2, 4, True)
    assert survey.closes_at == forum.ends_at + timedelta(days=14)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.survey_id == survey.id)).scalar_one()
    assert (entry.action, entry.event_id, entry.actor) == (AuditAction.survey_created, forum.id, "Test Staff")


def test_by_default_the_questions_are_written_in_german(forum):
    survey = feedback.switch_on(forum.id, FeedbackSettings(), by=TEST_ACTOR)

    texts = [q.text for q in db.session.execute(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
                                                 .order_by(SurveyQuestion.position)).scalars()]
    with force_locale("de"):
        assert texts[1] == gettext("What was most useful?")


def test_a_record_only_event_refuses_feedback(make_event):
    meeting = make_event(title="Koordinierungsrunde", visibility="record", starts_at=in_days(-3))

    with pytest.raises(FeedbackRefused, match="nur dokumentiert"):
        feedback.switch_on(meeting.id, FeedbackSettings(), by=TEST_ACTOR)
    assert feedback.form_of(meeting.id) is None


def test_a_cancelled_event_refuses_feedback(forum, set_event):
    set_event(forum, status="cancelled")

    with pytest.raises(FeedbackRefused, match="abgesagt"):
        feedback.switch_on(forum.id, FeedbackSettings(), by=TEST_ACTOR)
    assert feedback.form_of(forum.id) is None


def test_a_second_form_for_the_same_event_is_refused(switched_on):
    with pytest.raises(FeedbackRefused, match="schon einen Feedback-Bogen"):
        feedback.switch_on(switched_on.id, FeedbackSettings(), by=TEST_ACTOR)


def test_switching_off_before_anything_was_sent_deletes_the_form(switched_on):
    feedback.switch_off(switched_on.id, by=TEST_ACTOR)

    assert feedback.form_of(switched_on.id) is None
    assert feedback.send_due(now=after_end(switched_on)) == 0
    assert requests() == []


def test_once_sent_the_form_can_be_closed_but_not_switched_off(switched_on):
    feedback.send_due(now=after_end(switched_on))

    with pytest.raises(FeedbackRefused, match="nicht mehr ausgeschaltet"):
        feedback.switch_off(switched_on.id, by=TEST_ACTOR)
    with pytest.raises(FeedbackRefused):
        feedback.change_settings(switched_on.id, FeedbackSettings(send_after_hours=5), by=TEST_ACTOR)
    feedback.close(switched_on.id, by=TEST_ACTOR)
    assert reload(feedback.form_of(switched_on.id)).status == SurveyStatus.closed
    assert feedback.send_due(now=after_end(switched_on, days=5)) == 0
    assert reminders() == []


def test_switching_off_an_event_without_a_form_is_not_found(forum):
    with pytest.raises(NotFound):
        feedback.switch_off(forum.id, by=TEST_ACTOR)


# --- who is asked, and when -------------------------------------------------------------------

def test_nothing_goes_out_before_the_delay(switched_on, smtp, deliver):
    assert feedback.send_due(now=switched_on.ends_at + timedelta(hours=1, minutes=59)) == 0
    deliver()
    assert requests() == []
    assert [m["Subject"] for m in smtp.to("anna@example.org")] == ["Registration confirmed: Forum Arbeitsmarkt"]
    assert reload(feedback.form_of(switched_on.id)).status == SurveyStatus.draft


def test_only_the_guests_who_came_are_asked_each_once_with_their_own_link(switched_on, mailbox, smtp):
    mailbox("anna@example.org")  # the confirmations of the sign-ups
    smtp.received.clear()

    assert feedback.send_due(now=after_end(switched_on)) == 3
    assert feedback.send_due(now=after_end(switched_on, hours=4)) == 0

    # Anna and Ben were checked in, Emil walked in with an address; Cem did not come, Dora
    # cancelled, Frida walked in without an address.
    assert recipients(requests()) == ["anna@example.org", "ben@example.org", "emil@example.org"]
    [mail] = mailbox("anna@example.org")
    assert mail["Subject"] == "How was Forum Arbeitsmarkt? Two minutes of feedback"
    text = text_of(only_part(mail, "text/plain"))
    assert "Hello Anna Schmidt," in text and "Forum Arbeitsmarkt" in text
    invitation = invitation_of("anna@example.org")
    assert link_in(mail).endswith(f"/s/{invitation.token}")
    assert invitation.token in text_of(only_part(mail, "text/html"))
    assert (invitation.locale, invitation.status) == ("en", InvitationStatus.invited)
    assert invitation_of("ben@example.org").locale == "de"
    assert len({invitation_of(a).token for a in ("anna@example.org", "ben@example.org", "emil@example.org")}) == 3
    assert smtp.to("cem@example.org") == [] and smtp.to("dora@example.org") == []
    survey = reload(feedback.form_of(switched_on.id))
    assert survey.status == SurveyStatus.open and survey.opened_at == after_end(switched_on)


def test_a_walk_in_who_came_is_asked_and_a_no_show_is_not(make_event, sign_up):
    event = make_event(title="Infoabend", starts_at=in_days(2))
    sign_up(event, name="Nora Nichtda", email="nora@example.org")
    register_walk_in(event.id, {"name": "Willi Spontan", "email": "willi@example.org"}, TEST_ACTOR)
    feedback.switch_on(event.id, FeedbackSettings(), by=TEST_ACTOR)

    assert feedback.send_due(now=after_end(event)) == 1

    assert recipients(requests()) == ["willi@example.org"]


def test_the_requests_in_german_name_the_event_and_carry_the_link(switched_on, mailbox):
    feedback.send_due(now=after_end(switched_on))

    received = mailbox("ben@example.org")
    [row] = [row for row in requests() if row.recipient == "ben@example.org"]
    [mail] = [m for m in received if m["Message-ID"] == row.message_id]
    with force_locale("de"):
        assert mail["Subject"] == gettext("How was %(title)s? Two minutes of feedback", title="Forum Arbeitsmarkt")
    assert link_in(mail).endswith(f"/s/{invitation_of('ben@example.org').token}")


def test_the_senders_chore_asks_the_guests_of_an_event_that_has_ended(switched_on, set_event, mailbox):
    set_event(switched_on, starts_at=utcnow() - timedelta(hours=6), ends_at=utcnow() - timedelta(hours=4))

    run_due_chores({})

    assert [m["Subject"] for m in mailbox("anna@example.org")][-1] == (
        "How was Forum Arbeitsmarkt? Two minutes of feedback")


def test_an_anonymised_guest_is_not_asked(switched_on):
    with write_transaction() as tx:
        # As the retention purge or an erasure marks it (the address kept here, to show that the
        # mark alone is enough).
        guest("ben@example.org").anonymised_at = tx.now

    feedback.send_due(now=after_end(switched_on))

    assert recipients(requests()) == ["anna@example.org", "emil@example.org"]


def test_a_guest_checked_in_later_is_asked_at_the_next_run(switched_on):
    feedback.send_due(now=after_end(switched_on))
    check_in(switched_on, guest("cem@example.org"))

    assert feedback.send_due(now=after_end(switched_on, hours=20)) == 1
    assert recipients(requests()) == ["anna@example.org", "ben@example.org", "cem@example.org",
                                      "emil@example.org"]


def test_a_form_switched_on_late_still_goes_out_within_30_days(forum):
    feedback.switch_on(forum.id, FeedbackSettings(), by=TEST_ACTOR)

    assert feedback.send_due(now=after_end(forum, days=31)) == 0
    assert feedback.send_due(now=after_end(forum, days=29)) == 3
    survey = reload(feedback.form_of(forum.id))
    # Answers are taken until at least a week after the reminder.
    assert survey.closes_at == after_end(forum, days=29) + timedelta(days=4 + 7)


def test_guests_of_a_cancelled_event_are_not_asked(switched_on, set_event):
    set_event(switched_on, status="cancelled")

    assert feedback.send_due(now=after_end(switched_on)) == 0
    assert requests() == []


# --- the reminder -----------------------------------------------------------------------------

def test_the_reminder_goes_once_to_those_who_have_not_completed(switched_on, mailbox, smtp):
    sent_at = after_end(switched_on)
    feedback.send_due(now=sent_at)
    complete(invitation_of("ben@example.org"))

    assert feedback.send_due(now=sent_at + timedelta(days=3, hours=23)) == 0
    assert feedback.send_due(now=sent_at + timedelta(days=4)) == 2
    assert feedback.send_due(now=sent_at + timedelta(days=6)) == 0

    assert recipients(reminders()) == ["anna@example.org", "emil@example.org"]
    mails = mailbox("anna@example.org")
    assert [m["Subject"] for m in mails][-1] == "Reminder: how was Forum Arbeitsmarkt? Two minutes of feedback"
    assert link_in(mails[-1]) == link_in(mails[-2])
    assert len(mailbox("ben@example.org")) == 2  # his confirmation and the request, no reminder
    invitation = reload(invitation_of("anna@example.org"))
    assert (invitation.reminders, invitation.reminded_at) == (1, sent_at + timedelta(days=4))


def test_a_reminder_queued_before_the_guest_completed_is_withdrawn(switched_on, smtp, deliver, app):
    sent_at = after_end(switched_on)
    feedback.send_due(now=sent_at)
    deliver()
    feedback.send_due(now=sent_at + timedelta(days=5))
    complete(invitation_of("anna@example.org"))

    deliver()

    [reminder] = [row for row in reminders() if row.recipient == "anna@example.org"]
    assert reminder.status == "withdrawn"
    assert [m["Subject"] for m in smtp.to("anna@example.org")][-1].startswith("How was")


# --- however many senders run -------------------------------------------------------------------

@pytest.fixture
def widened_race_window(monkeypatch):
    """Sleep inside the transaction, between claiming and enqueueing."""
    original = feedback.enqueue

    def slow_enqueue(*args, **kwargs):
        time.sleep(0.05)
        return original(*args, **kwargs)

    monkeypatch.setattr(feedback, "enqueue", slow_enqueue)


def send_together(app, now):
    return run_together(app, [lambda: feedback.send_due(now=now)] * WORKERS)


def test_senders_running_at_once_ask_each_guest_once(app, switched_on, widened_race_window):
    outcomes = send_together(app, after_end(switched_on))

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sum(outcomes) == 3
    assert recipients(requests()) == ["anna@example.org", "ben@example.org", "emil@example.org"]

    outcomes = send_together(app, after_end(switched_on, days=5))

    assert sum(outcomes) == 3
    assert recipients(reminders()) == ["anna@example.org", "ben@example.org", "emil@example.org"]


def test_without_the_event_lock_the_conditional_writes_still_ask_each_once(
        app, switched_on, widened_race_window, monkeypatch):
    monkeypatch.setattr(feedback, "write_transaction", write_transaction_without_lock)

    for now in (after_end(switched_on), after_end(switched_on, days=5)):
        outcomes = send_together(app, now)
        # SQLite refuses a read-then-write upgrade after another writer ("database is locked");
        # that sender queues nothing, and another one does.
        assert [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DBAPIError)] == []
        feedback.send_due(now=now)  # what a refused sender would do at its next turn

    assert recipients(requests()) == ["anna@example.org", "ben@example.org", "emil@example.org"]
    assert recipients(reminders()) == ["anna@example.org", "ben@example.org", "emil@example.org"]


def test_negative_control_a_reminder_claim_without_condition_queues_twice(app, switched_on, monkeypatch):
    """Proves that the tests above can fail: senders that read who is due and then mark them
    without a condition (and without the lock) do queue reminders more than once."""
    feedback.send_due(now=after_end(switched_on))
    read_by_all = threading.Barrier(WORKERS)

    def remind_without_condition(event_id, now):
        survey = feedback.form_of(event_id)
        due = feedback._to_remind(survey.id, event_id, survey.remind_after_days, now)
        ids = list(db.session.execute(select(SurveyInvitation.id).where(due)).scalars())
        db.session.rollback()
        read_by_all.wait(timeout=30)
        with write_transaction():
            for invitation_id in ids:
                feedback.enqueue(feedback.REMINDER_MAIL, "x@example.org", params={"invitation_id": invitation_id})
        return len(ids)

    monkeypatch.setattr(feedback, "_send_for_event", remind_without_condition)

    outcomes = send_together(app, after_end(switched_on, days=5))

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    reminded = [row.params["invitation_id"] for row in reminders()]
    assert len(reminded) > len(set(reminded))


# --- the whole way: the mail's link, the answers, and no reminder after them --------------------

def test_a_guest_answers_through_the_link_in_the_mail_and_gets_no_reminder(switched_on, mailbox, client):
    sent_at = after_end(switched_on)
    feedback.send_due(now=sent_at)
    path = urlsplit(link_in(mailbox("anna@example.org")[-1])).path
    survey = feedback.form_of(switched_on.id)
    questions = list(db.session.execute(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
                                        .order_by(SurveyQuestion.position)).scalars())

    assert client.get(path).status_code == 200
    answers = {f"q{questions[0].id}": "4", f"q{questions[1].id}": "The talk on apprenticeships",
               f"q{questions[2].id}": "", f"q{questions[3].id}": "yes", "action": "send"}
    response = client.post(f"{path}/1", data=answers)

    assert response.status_code == 302
    assert reload(invitation_of("anna@example.org")).status == InvitationStatus.completed
    feedback.send_due(now=sent_at + timedelta(days=5))
    assert recipients(reminders()) == ["ben@example.org", "emil@example.org"]
