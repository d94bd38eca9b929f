"""The staff page of an event's feedback: switching it on with its settings, what it says before
and after the request goes out, switching off and closing, and bad input answered next to the field."""
from datetime import timedelta

import pytest
from flask import url_for
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.checkin.services import check_in_registration
from app.database import utcnow
from app.extensions import db
from app.surveys import feedback
from app.surveys.feedback import FeedbackSettings
from app.surveys.models import Survey, SurveyQuestion, SurveyStatus
from tests.conftest import TEST_ACTOR
from tests.pages import field_error, main_text, page
from tests.rows import fresh_reads

DEFAULTS = {"send_after_hours": "2", "remind_after_days": "4", "anonymity": "anonymous"}


def in_days(days: float):
    return utcnow().replace(microsecond=0) + timedelta(days=days)


def survey_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Survey.id))).scalar_one()


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Arbeitsmarkt", starts_at=in_days(7))


def feedback_page(office, event):
    return office.get(url_for("feedback_staff.edit", event_id=event.id))


def test_anonymous_visitors_are_sent_to_the_login_and_door_users_refused(client, login, forum):
    assert client.get(url_for("feedback_staff.edit", event_id=forum.id)).status_code == 302
    door = login("door")

    assert door.get(url_for("feedback_staff.edit", event_id=forum.id)).status_code == 403
    assert door.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS).status_code == 403
    assert survey_count() == 0


def test_the_event_page_links_to_its_feedback(office, forum):
    link = page(office.get(url_for("events_staff.edit", event_id=forum.id))).one("a", data_link="feedback")

    assert link.get("href") == url_for("feedback_staff.edit", event_id=forum.id)


def test_feedback_is_off_until_staff_switch_it_on_with_the_defaults(office, forum):
    response = feedback_page(office, forum)

    assert response.status_code == 200
    assert "Feedback is off for this event" in main_text(response)
    form = page(response).one("form", id="feedback-settings")
    assert form.one("input", id="send_after_hours").get("value") == "2"
    assert form.one("input", id="remind_after_days").get("value") == "4"
    assert "checked" in form.one("input", value="anonymous").attrs

    response = office.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS)

    assert response.status_code == 302
    shown = feedback_page(office, forum)
    text = main_text(shown)
    assert "Feedback is switched on." in page(shown).text
    assert "on, not yet sent" in text
    request_at = page(shown).one("dd", id="request-at").text
    assert "Goes out on" in request_at and "(2 hours after the end of the event)" in request_at
    assert page(shown).one("dd", id="closes-at").text  # the date answers are taken until
    counts = page(shown).one("table", id="feedback-counts")
    assert [cell.text for cell in counts.find_all("td")] == ["0", "0", "0"]
    survey = feedback.form_of(forum.id)
    assert page(shown).one("a", data_link="questions").get("href") == url_for("surveys_staff.edit",
                                                                              survey_id=survey.id)
    assert page(shown).one("a", data_link="answers").get("href") == url_for("survey_sending_staff.results",
                                                                            survey_id=survey.id)
    assert "created" in page(shown).one("section", class_="history").text


def test_the_questions_are_written_in_the_language_staff_work_in(office, forum):
    office.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS)

    survey = feedback.form_of(forum.id)
    assert survey.title == "Feedback: Forum Arbeitsmarkt"
    texts = db.session.execute(select(SurveyQuestion.text).where(SurveyQuestion.survey_id == survey.id)
                               .order_by(SurveyQuestion.position)).scalars()
    assert list(texts) == ["Overall, how was the event?", "What was most useful?", "What should we change?",
                           "Would you come again?"]


def test_staff_working_in_german_get_the_questions_in_german(staff, forum):
    response = staff.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS)

    assert response.status_code == 302
    assert staff.get(response.location).status_code == 200
    texts = db.session.execute(select(SurveyQuestion.text).where(SurveyQuestion.survey_id == feedback.form_of(
        forum.id).id).order_by(SurveyQuestion.position)).scalars()
    with force_locale("de"):
        assert list(texts)[2] == gettext("What should we change?")


HOURS_RANGE = "Enter a number of hours from 0 to 336 (two weeks)."
HOURS_WHOLE = "Enter a whole number of hours, for example 2."
DAYS_RANGE = "Enter a number of days from 1 to 14."
DAYS_WHOLE = "Enter a whole number of days, for example 4."


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"send_after_hours": "-1"}, "send_after_hours", HOURS_RANGE),
    ({"send_after_hours": "1000"}, "send_after_hours", HOURS_RANGE),
    ({"send_after_hours": "two"}, "send_after_hours", HOURS_WHOLE),
    ({"send_after_hours": ""}, "send_after_hours", HOURS_WHOLE),
    ({"remind_after_days": "0"}, "remind_after_days", DAYS_RANGE),
    ({"remind_after_days": "15"}, "remind_after_days", DAYS_RANGE),
    ({"remind_after_days": "4.5"}, "remind_after_days", DAYS_WHOLE),
    ({"anonymity": "everyone"}, "anonymity", "Not a valid choice."),
])
def test_bad_settings_are_answered_next_to_the_field_and_nothing_is_switched_on(office, forum, typed, field,
                                                                                 message):
    response = office.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS | typed)

    assert response.status_code == 422
    assert field_error(response, field) == message
    form = page(response).one("form", id="feedback-settings")
    for name in ("send_after_hours", "remind_after_days"):
        assert form.one("input", id=name).get("value") == (DEFAULTS | typed)[name]
    assert survey_count() == 0


def test_settings_change_before_the_request_and_bad_ones_are_refused(office, forum):
    office.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS)

    bad = office.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS | {"send_after_hours": "-5"})
    assert bad.status_code == 422 and "from 0 to 336" in field_error(bad, "send_after_hours")

    response = office.post(url_for("feedback_staff.edit", event_id=forum.id),
                           data={"send_after_hours": "24", "remind_after_days": "7", "anonymity": "named"})

    assert response.status_code == 302
    fresh_reads()
    survey = feedback.form_of(forum.id)
    assert (survey.send_after_hours, survey.remind_after_days, survey.anonymous) == (24, 7, False)
    history = page(feedback_page(office, forum)).one("section", class_="history").text
    assert "Hours after the end of the event: 2 → 24" in history
    assert "Anonymous: yes → no" in history


@pytest.mark.parametrize(("fields", "message"), [
    ({"visibility": "record", "starts_at": in_days(-3)}, "record only"),
    ({"status": "cancelled"}, "was cancelled"),
])
def test_record_only_and_cancelled_events_refuse_feedback(office, make_event, set_event, fields, message):
    fields = dict(fields)  # a copy: the parameter's dict is shared by the SQLite and PostgreSQL runs
    status = fields.pop("status", None)
    event = make_event(title="Runde", **fields)
    if status:
        set_event(event, status=status)

    shown = feedback_page(office, event)
    assert message in page(shown).one("p", data_refusal="").text
    assert page(shown).find("form", id="feedback-settings") is None

    response = office.post(url_for("feedback_staff.edit", event_id=event.id), data=DEFAULTS)

    assert response.status_code == 409
    assert message in main_text(response)
    assert survey_count() == 0


def test_switching_off_before_the_request_deletes_the_form(office, forum):
    office.post(url_for("feedback_staff.edit", event_id=forum.id), data=DEFAULTS)

    response = office.post(url_for("feedback_staff.switch_off", event_id=forum.id))

    assert response.status_code == 302
    assert survey_count() == 0
    assert "Feedback is off for this event" in main_text(feedback_page(office, forum))


def test_after_the_request_the_page_counts_and_closes_but_does_not_switch_off(office, forum, sign_up):
    anna = sign_up(forum, name="Anna Schmidt", email="anna@example.org")
    sign_up(forum, name="Cem Yilmaz", email="cem@example.org")
    check_in_registration(forum.id, anna.id, TEST_ACTOR)
    feedback.switch_on(forum.id, FeedbackSettings(), by=TEST_ACTOR)
    sent_at = forum.ends_at + timedelta(hours=3)
    feedback.send_due(now=sent_at)

    shown = feedback_page(office, forum)
    assert "sent, taking answers" in main_text(shown)
    assert "Went out on" in page(shown).one("dd", id="request-at").text
    assert "1 with an address" in page(shown).one("dd", id="attendees").text
    counts = page(shown).one("table", id="feedback-counts")
    assert [cell.text for cell in counts.find_all("td")] == ["1", "0", "0"]
    assert page(shown).find("form", id="feedback-settings") is None

    refused = office.post(url_for("feedback_staff.switch_off", event_id=forum.id))
    assert refused.status_code == 409
    assert "can be closed, not switched off" in main_text(refused)

    closed = office.post(url_for("feedback_staff.close", event_id=forum.id))
    assert closed.status_code == 302
    fresh_reads()
    assert feedback.form_of(forum.id).status == SurveyStatus.closed
    assert "closed" in main_text(feedback_page(office, forum))


def test_an_unknown_event_is_not_found(office):
    assert office.get(url_for("feedback_staff.edit", event_id=999999)).status_code == 404
    assert office.post(url_for("feedback_staff.close", event_id=999999)).status_code == 404
