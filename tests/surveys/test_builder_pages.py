"""The survey builder's pages, as staff use them: the list with its live counts, a new survey, the
builder with its sections and questions, the up and down buttons and the dragged order (JSON), the
preview as respondents see it, and what the pages say and refuse once people were invited or the
survey closed. Bad input gets its message next to the field, keeps what was typed, changes nothing."""
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.audit import AuditAction, AuditEntry
from app.database import utcnow, write_transaction
from app.extensions import db
from app.surveys import building
from app.surveys.models import Survey, SurveyInvitation, SurveyKind, SurveyQuestion, SurveyStatus
from tests.conftest import TEST_ACTOR
from tests.pages import field_error, form_values, main_text, page
from tests.rows import fresh_reads, reload

from .conftest import survey_questions
from .test_building import answer, set_status, structure


def survey_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Survey.id))).scalar_one()


def builder(office, survey):
    response = office.get(url_for("surveys_staff.edit", survey_id=survey.id))
    assert response.status_code == 200
    return response


def question_form(office, survey, question) -> dict:
    response = office.get(url_for("surveys_staff.edit_question", survey_id=survey.id, question_id=question.id))
    assert response.status_code == 200
    return form_values(page(response).one("form", id="question-form")) | {"kind": question.kind.value}


def first_section(survey):
    return building.sections_of(survey.id)[0]


# --- who may open them ----------------------------------------------------------------------

def test_visitors_are_sent_to_the_login_and_door_users_refused(client, login, make_survey):
    survey = make_survey()
    assert client.get(url_for("surveys_staff.index")).status_code == 302
    door = login("door")
    for url in (url_for("surveys_staff.index"), url_for("surveys_staff.edit", survey_id=survey.id),
                url_for("surveys_staff.preview", survey_id=survey.id)):
        assert door.get(url).status_code == 403
    assert door.post(url_for("surveys_staff.order", survey_id=survey.id), json={}).status_code == 403


def test_an_unknown_survey_is_not_found(office):
    assert office.get(url_for("surveys_staff.edit", survey_id=999_999)).status_code == 404
    assert office.get(url_for("surveys_staff.preview", survey_id=2**31 - 1)).status_code == 404


# --- the list ---------------------------------------------------------------------------------

def test_the_list_shows_each_survey_with_its_status_and_live_counts(office, make_survey, make_event):
    survey = make_survey(title="Akteursbefragung 2026")
    with write_transaction():
        for status in ("invited", "invited", "started", "completed"):
            db.session.add(SurveyInvitation(survey_id=survey.id, status=status))
    with write_transaction() as tx:
        building.create_survey(title="Feedback: Forum", kind=SurveyKind.feedback, event_id=make_event().id,
                               by=TEST_ACTOR, now=tx.now)
    response = office.get(url_for("surveys_staff.index"))
    row = page(response).one("tr", id=f"survey-{survey.id}")
    assert "Akteursbefragung 2026" in row.text and "draft" in row.text
    assert [row.one("td", data_count=name).text for name in ("invited", "started", "completed")] == ["4", "2", "1"]
    links = {a.text: a.get("href") for a in row.find_all("a")}
    assert links["Preview Akteursbefragung 2026"] == url_for("surveys_staff.preview", survey_id=survey.id)
    assert links["Send Akteursbefragung 2026"] == url_for("survey_sending_staff.send", survey_id=survey.id)
    assert links["Results Akteursbefragung 2026"] == url_for("survey_sending_staff.results", survey_id=survey.id)
    assert "Feedback: Forum" not in main_text(response)
    assert "Feedback: Forum" in main_text(office.get(url_for("surveys_staff.index", kind="feedback")))


# --- a new survey -----------------------------------------------------------------------------

def test_staff_create_a_survey_and_land_in_the_builder(office):
    response = office.post(url_for("surveys_staff.new"), data={
        "title": "Akteursbefragung 2026", "intro": "Liebe Akteure", "anonymous": "y", "closes_on": ""})
    assert response.status_code == 302
    survey = db.session.execute(select(Survey)).scalar_one()
    assert response.location.endswith(url_for("surveys_staff.edit", survey_id=survey.id))
    assert (survey.title, survey.anonymous, survey.status) == ("Akteursbefragung 2026", True, SurveyStatus.draft)
    text = main_text(office.get(response.location))
    assert "Akteursbefragung 2026" in text and "Section 1" in text


@pytest.mark.parametrize("typed, field", [
    ({"title": "   "}, "title"),
    ({"title": "Survey", "closes_on": "2001-01-01"}, "closes_on"),
    ({"title": "Survey", "closes_on": "next week"}, "closes_on"),
])
def test_a_new_survey_without_a_title_or_with_a_past_closing_day_is_refused(office, typed, field):
    data = {"intro": "Bitte bis Freitag", "closes_on": ""} | typed
    response = office.post(url_for("surveys_staff.new"), data=data)
    assert response.status_code == 422
    assert field_error(response, field)
    assert form_values(page(response).one("form", id="survey-form"))["intro"] == "Bitte bis Freitag"
    assert survey_count() == 0


def test_the_closing_day_is_kept_and_shown_again(office, make_survey):
    survey = make_survey()
    day = (utcnow() + timedelta(days=20)).date()
    data = form_values(page(builder(office, survey)).one("form", id="survey-form")) | {"closes_on": day.isoformat()}
    assert office.post(url_for("surveys_staff.edit", survey_id=survey.id), data=data).status_code == 302
    assert reload(survey).closes_at > utcnow() + timedelta(days=19)
    assert form_values(page(builder(office, survey)).one("form", id="survey-form"))["closes_on"] == day.isoformat()


# --- questions --------------------------------------------------------------------------------

def test_staff_add_a_choice_question_and_see_it_in_its_section(office, make_survey):
    survey = make_survey(questions=False)
    section = first_section(survey)
    new_form = office.get(url_for("surveys_staff.new_question", survey_id=survey.id, section_id=section.id,
                                  kind="multiple"))
    assert page(new_form).one("select", name="kind").find("option", value="multiple").get("selected") is not None
    response = office.post(url_for("surveys_staff.new_question", survey_id=survey.id, section_id=section.id), data={
        "kind": "multiple", "text": "Which formats did you attend?", "help": "", "required": "y",
        "allow_other": "y", "options-0-id": "", "options-0-label": "Forum", "options-1-id": "",
        "options-1-label": "Expert talk", "options-2-id": "", "options-2-label": ""})
    assert response.status_code == 302
    [question] = db.session.execute(select(SurveyQuestion)).scalars()
    assert [o["label"] for o in question.options] == ["Forum", "Expert talk"] and question.allow_other
    item = page(office.get(response.location)).one("li", id=f"question-{question.id}")
    assert "Which formats did you attend?" in item.text and "Multiple choice" in item.text
    assert "required" in item.text and "Expert talk" in item.text


@pytest.mark.parametrize("typed, field, message", [
    ({"kind": "single", "options-0-label": "Yes", "options-1-label": ""}, "options", "at least two choices"),
    ({"kind": "number", "min_number": "10", "max_number": "5"}, "max_number", "must not be below"),
    ({"kind": "number", "min_number": "ten"}, "min_number", "Enter a number"),
    ({"kind": "short-text", "text": ""}, "text", "Please write the question"),
])
def test_a_question_that_cannot_be_answered_is_refused_with_everything_typed_kept(office, make_survey, typed,
                                                                                  field, message):
    survey = make_survey(questions=False)
    section = first_section(survey)
    data = {"text": "How many places?", "help": "Count 2026 only", "options-0-id": "", "options-1-id": ""} | typed
    response = office.post(url_for("surveys_staff.new_question", survey_id=survey.id, section_id=section.id),
                           data=data)
    assert response.status_code == 422
    assert message in field_error(response, field)
    values = form_values(page(response).one("form", id="question-form"))
    assert values["help"] == "Count 2026 only" and values["text"] == data["text"]
    assert values.get("min_number", "") == typed.get("min_number", "")
    assert structure(survey) == [("Your work", [])]


def test_rewording_a_choice_keeps_its_id(office, make_survey):
    survey = make_survey()
    single = survey_questions(survey)["single"]
    before = [dict(option) for option in single.options]
    data = question_form(office, survey, single) | {"options-0-label": "Chamber of crafts", "options-1-label": ""}
    response = office.post(url_for("surveys_staff.edit_question", survey_id=survey.id, question_id=single.id),
                           data=data)
    assert response.status_code == 302
    after = reload(single).options
    assert [o["label"] for o in after] == ["Chamber of crafts", "City"]
    assert [o["id"] for o in after] == [before[0]["id"], before[2]["id"]]


def test_the_buttons_move_questions_and_sections(office, make_survey):
    survey = make_survey()
    questions = survey_questions(survey)
    response = office.post(url_for("surveys_staff.move_question", survey_id=survey.id,
                                   question_id=questions["multiple"].id), data={"direction": "up"})
    assert response.status_code == 302 and response.location.endswith(f"#question-{questions['multiple'].id}")
    assert structure(survey)[0][1][:2] == [questions["multiple"].text, questions["single"].text]
    office.post(url_for("surveys_staff.add_section", survey_id=survey.id))
    second = building.sections_of(survey.id)[1]
    office.post(url_for("surveys_staff.edit_section", survey_id=survey.id, section_id=second.id),
                data={"title": "Results", "intro": ""})
    office.post(url_for("surveys_staff.move_section", survey_id=survey.id, section_id=second.id),
                data={"direction": "up"})
    assert [title for title, _ in structure(survey)] == ["Results", "Your work"]
    first_item = page(builder(office, survey)).find("li", class_="builder-section")
    assert first_item.one("button", value="up").get("disabled") is not None


def test_the_dragged_order_is_saved_through_json(office, make_survey):
    survey = make_survey()
    section = first_section(survey)
    ids = [q.id for q in building.questions_by_section(survey.id)[section.id]]
    texts = structure(survey)[0][1]
    response = office.post(url_for("surveys_staff.order", survey_id=survey.id),
                           json={"sections": [section.id], "questions": {str(section.id): ids[::-1]}})
    assert response.status_code == 200 and response.json["saved"] is True
    assert structure(survey)[0][1] == texts[::-1]


@pytest.mark.parametrize("body, status", [
    ({"sections": "all", "questions": {}}, 422),
    ({"questions": {}}, 422),
    ("not an object", 400),
])
def test_an_order_naming_unknown_rows_is_refused_and_changes_nothing(office, make_survey, body, status):
    survey = make_survey()
    before = structure(survey)
    response = office.post(url_for("surveys_staff.order", survey_id=survey.id), json=body)
    assert response.status_code == status and response.json["error"]
    assert structure(survey) == before


def test_an_order_with_a_question_of_another_survey_is_refused(office, make_survey):
    survey, other = make_survey(), make_survey()
    section = first_section(survey)
    ids = [q.id for q in building.questions_by_section(survey.id)[section.id]]
    foreign = survey_questions(other)["single"].id
    response = office.post(url_for("surveys_staff.order", survey_id=survey.id),
                           json={"sections": [section.id], "questions": {str(section.id): ids[1:] + [foreign]}})
    assert response.status_code == 422 and "questions this survey does not have" in response.json["error"]
    assert survey_questions(reload(other))["single"].section_id != section.id


# --- once open, once closed -------------------------------------------------------------------

def test_once_people_are_invited_the_page_says_what_may_still_change(office, make_survey):
    survey = make_survey(anonymous=True)
    set_status(survey, SurveyStatus.open)
    scale = survey_questions(survey)["scale"]
    answer(scale, 4)
    assert "a question's type cannot change" in page(builder(office, survey)).one(id="builder-rules").text
    item = page(builder(office, survey)).one("li", id=f"question-{scale.id}")
    assert "1 answer" in item.text and "Delete" not in item.text
    edit = office.get(url_for("surveys_staff.edit_question", survey_id=survey.id, question_id=scale.id))
    assert page(edit).find("select", name="kind") is None and "1 answer" in main_text(edit)
    response = office.post(url_for("surveys_staff.edit_question", survey_id=survey.id, question_id=scale.id),
                           data=question_form(office, survey, scale) | {"kind": "number"})
    assert response.status_code == 409 and "type of a question cannot change" in field_error(response, "kind")
    response = office.post(url_for("surveys_staff.delete_question", survey_id=survey.id, question_id=scale.id))
    assert "has answers" in main_text(office.get(response.location))
    assert db.session.get(SurveyQuestion, scale.id) is not None


def test_a_closed_survey_is_shown_read_only_and_refuses_changes(office, make_survey):
    survey = make_survey()
    set_status(survey, SurveyStatus.closed)
    response = builder(office, survey)
    assert "This survey is closed" in main_text(response)
    assert page(response).find("form", id="survey-form") is None and "Edit" not in page(response).one(
        "ol", id="survey-structure").text
    single = survey_questions(survey)["single"]
    edit = office.get(url_for("surveys_staff.edit_question", survey_id=survey.id, question_id=single.id))
    assert edit.status_code == 302
    response = office.post(url_for("surveys_staff.edit", survey_id=survey.id),
                           data={"title": "Renamed", "intro": "", "closes_on": ""})
    assert response.status_code == 409 and reload(survey).title != "Renamed"
    section = first_section(survey)
    ids = [q.id for q in building.questions_by_section(survey.id)[section.id]]
    response = office.post(url_for("surveys_staff.order", survey_id=survey.id),
                           json={"sections": [section.id], "questions": {str(section.id): ids[::-1]}})
    assert response.status_code == 409 and "closed" in response.json["error"]


# --- preview, feedback forms, the trail ---------------------------------------------------------

def test_the_preview_shows_every_section_as_respondents_see_it_but_not_answerable(office, make_survey):
    survey = make_survey()
    with write_transaction() as tx:
        building.add_section(db.session.get(Survey, survey.id), title="Results", by=TEST_ACTOR, now=tx.now)
    response = office.get(url_for("surveys_staff.preview", survey_id=survey.id))
    assert response.status_code == 200
    root = page(response)
    assert "Preview" in root.one(id="preview-banner").text
    assert [s.find("h2").text for s in root.find_all("section", class_="survey-section")] == ["Your work", "Results"]
    inputs = [e for e in root.find("main").iter() if e.tag in ("input", "textarea")]
    assert inputs and all("disabled" in e.attrs for e in inputs)
    assert root.find("form", method="post") is None or not any(
        f.get("action", "").startswith("/s/") for f in root.find_all("form"))
    for question in survey_questions(survey).values():
        assert root.find(data_question=str(question.id)) is not None


def test_a_feedback_form_names_its_event_and_links_back(office, make_event):
    event = make_event(title="Forum Ausbildung")
    with write_transaction() as tx:
        survey = building.create_survey(title="Feedback", kind=SurveyKind.feedback, event_id=event.id,
                                        anonymous=True, closes_at=tx.now + timedelta(days=14), by=TEST_ACTOR,
                                        now=tx.now)
    root = page(builder(office, survey))
    link = root.one(id="feedback-event").find("a")
    assert link.text == "Forum Ausbildung"
    assert link.get("href") == url_for("feedback_staff.edit", event_id=event.id)
    # Its anonymity and closing time are the event's feedback settings, not the builder's.
    assert root.find("input", name="anonymous") is None and root.find("input", name="closes_on") is None
    closes = reload(survey).closes_at
    response = office.post(url_for("surveys_staff.edit", survey_id=survey.id),
                           data={"title": "Wie war das Forum?", "intro": "Zwei Minuten"})
    assert response.status_code == 302
    survey = reload(survey)
    assert (survey.title, survey.anonymous, survey.closes_at) == ("Wie war das Forum?", True, closes)


def test_every_change_on_the_pages_is_recorded_with_who_made_it(office, make_survey):
    survey = make_survey(questions=False)
    section = first_section(survey)
    office.post(url_for("surveys_staff.new_question", survey_id=survey.id, section_id=section.id),
                data={"kind": "long-text", "text": "What did you achieve?"})
    fresh_reads()
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.survey_id == survey.id,
                                                        AuditEntry.action == AuditAction.survey_question_added)
                               ).scalar_one()
    assert entry.changes["question"] == "What did you achieve?" and entry.actor != TEST_ACTOR.name
