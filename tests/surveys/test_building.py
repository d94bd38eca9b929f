"""Building a survey as services: the survey and its sections, the six types of question with their
choices and limits, the order (buttons and the dragged order), and what stays fixed once people
were invited and once the survey closed. Every change leaves an audit entry; a refused one
changes nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditAction, AuditEntry
from app.database import utcnow, write_transaction
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.surveys import building, building_questions
from app.surveys.building import StructureFixed, SurveyReadOnly
from app.surveys.models import (QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse,
                                SurveySection, SurveyStatus)
from tests.conftest import TEST_ACTOR
from tests.rows import fresh_reads, reload

from .conftest import survey_questions


def change(survey_id, service, *args, **kwargs):
    """Run one builder service on the locked survey and commit, as the pages do."""
    with write_transaction(lock=(Survey, survey_id)) as tx:
        return service(tx.row, *args, **kwargs, by=TEST_ACTOR, now=tx.now)


def trail(survey) -> list[AuditAction]:
    fresh_reads()
    query = select(AuditEntry.action).where(AuditEntry.survey_id == survey.id).order_by(AuditEntry.id)
    return list(db.session.execute(query).scalars())


def structure(survey) -> list[tuple[str, list[str]]]:
    """The survey as a person reads it: each section's title with its questions' texts, in order."""
    fresh_reads()
    grouped = building.questions_by_section(survey.id)
    return [(section.title, [q.text for q in grouped[section.id]]) for section in building.sections_of(survey.id)]


def set_status(survey, status: SurveyStatus) -> None:
    survey = reload(survey)
    survey.status = status
    db.session.commit()


def answer(question, value) -> None:
    """Somebody's saved answer to `question` (as the answering pages store it)."""
    with write_transaction():
        response = SurveyResponse(survey_id=question.survey_id)
        db.session.add(response)
        db.session.flush()
        db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, value=value))


def question_fields(question, **changes) -> dict:
    """The question's fields as the edit form sends them back, with `changes`."""
    return {"kind": question.kind, "text": question.text, "help": question.help, "required": question.required,
            "options": [dict(option) for option in question.options], "allow_other": question.allow_other,
            "min_number": question.min_number, "max_number": question.max_number,
            "low_label": question.low_label, "high_label": question.high_label} | changes


# --- creating ---------------------------------------------------------------------------------

def test_a_new_survey_is_a_draft_with_one_section_and_its_creation_is_recorded(app):
    closes = utcnow() + timedelta(days=30)
    with write_transaction() as tx:
        survey = building.create_survey(title="  Akteursbefragung 2026 ", intro="Liebe Akteure,\nbitte ...",
                                        anonymous=True, closes_at=closes, by=TEST_ACTOR, now=tx.now)
    survey = reload(survey)
    assert (survey.title, survey.status, survey.anonymous) == ("Akteursbefragung 2026", SurveyStatus.draft, True)
    assert survey.closes_at == closes.replace(microsecond=survey.closes_at.microsecond)
    assert len(building.sections_of(survey.id)) == 1
    assert trail(survey) == [AuditAction.survey_created]


@pytest.mark.parametrize("fields, field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "Survey", "closes_at": utcnow() - timedelta(days=1)}, "closes_at"),
])
def test_a_survey_needs_a_title_and_a_closing_date_ahead(app, fields, field):
    with pytest.raises(InvalidInput) as refused:
        with write_transaction() as tx:
            building.create_survey(**fields, by=TEST_ACTOR, now=tx.now)
    assert refused.value.field == field
    fresh_reads()
    assert db.session.execute(select(func.count(Survey.id))).scalar_one() == 0


def test_every_type_of_question_is_kept_as_typed(make_survey):
    survey = make_survey()
    fresh_reads()
    questions = survey_questions(survey)
    assert set(questions) == {kind.value for kind in QuestionKind}
    single = questions["single"]
    assert [o["label"] for o in single.options] == ["Chamber", "Charity", "City"]
    assert len({o["id"] for o in single.options}) == 3 and single.required
    assert questions["multiple"].allow_other and questions["multiple"].help == "Tick all that apply."
    assert (questions["scale"].low_label, questions["scale"].high_label) == ("not at all", "very")
    assert (questions["number"].min_number, questions["number"].max_number) == (0, 1000)
    assert questions["long-text"].options == [] and not questions["long-text"].required
    assert trail(survey).count(AuditAction.survey_question_added) == 6


@pytest.mark.parametrize("fields, field", [
    ({"kind": "single", "text": "Pick one", "options": [{"label": "Only"}, {"label": " "}]}, "options"),
    ({"kind": "multiple", "text": "Pick", "options": [{"label": "Same"}, {"label": "same"}]}, "options"),
    ({"kind": "single", "text": "Pick", "options": [{"id": "forged", "label": "A"}, {"label": "B"}]}, "options"),
    ({"kind": "number", "text": "How many?", "min_number": 10, "max_number": 5}, "max_number"),
    ({"kind": "number", "text": "How many?", "min_number": "many"}, "min_number"),
    ({"kind": "short-text", "text": "  "}, "text"),
    ({"kind": "essay", "text": "Tell us"}, "kind"),
])
def test_a_question_that_cannot_be_answered_is_refused_next_to_its_field(make_survey, fields, field):
    survey = make_survey(questions=False)
    [section] = building.sections_of(survey.id)
    with pytest.raises(InvalidInput) as refused:
        change(survey.id, building_questions.add_question, section.id, fields)
    assert refused.value.field == field
    assert structure(survey) == [("Your work", [])]


def test_number_limits_may_be_typed_the_german_way_and_either_may_stay_open(make_survey):
    survey = make_survey(questions=False)
    [section] = building.sections_of(survey.id)
    question = change(survey.id, building_questions.add_question, section.id,
                      {"kind": "number", "text": "Hours per week?", "min_number": "0,5", "max_number": " "})
    assert (reload(question).min_number, reload(question).max_number) == (0.5, None)


def test_a_reworded_choice_keeps_its_id_and_a_deleted_id_is_never_given_again(make_survey):
    survey = make_survey()
    single = survey_questions(survey)["single"]
    chamber, charity, city = single.options
    change(survey.id, building_questions.update_question, single.id, question_fields(single, options=[
        {"id": chamber["id"], "label": "Chamber of crafts"}, {"id": charity["id"], "label": ""},
        {"id": city["id"], "label": "City"}, {"label": "Employment agency"}]))
    options = reload(single).options
    assert [o["label"] for o in options] == ["Chamber of crafts", "City", "Employment agency"]
    assert options[0]["id"] == chamber["id"] and options[1]["id"] == city["id"]
    assert options[2]["id"] not in {chamber["id"], charity["id"], city["id"]}
    [entry] = [e for e in db.session.execute(select(AuditEntry).where(AuditEntry.survey_id == survey.id))
               .scalars() if e.action == AuditAction.survey_question_updated]
    assert entry.changes["question_options"] == ["Chamber | Charity | City",
                                                 "Chamber of crafts | City | Employment agency"]


def test_sections_are_added_renamed_and_deleted_with_their_questions(make_survey):
    survey = make_survey()
    section = change(survey.id, building.add_section, title="Results", intro="What came of it")
    change(survey.id, building_questions.add_question, section.id, {"kind": "long-text", "text": "Tell us"})
    change(survey.id, building.update_section, section.id, title="Concrete results", intro="")
    assert structure(survey)[1] == ("Concrete results", ["Tell us"])
    change(survey.id, building.delete_section, section.id)
    assert [title for title, _ in structure(survey)] == ["Your work"]
    assert trail(survey)[-4:] == [AuditAction.survey_section_added, AuditAction.survey_question_added,
                                  AuditAction.survey_section_updated, AuditAction.survey_section_removed]


def test_a_question_of_another_survey_is_not_found(make_survey):
    mine, other = make_survey(), make_survey()
    foreign = survey_questions(other)["single"]
    with pytest.raises(NotFound):
        change(mine.id, building_questions.delete_question, foreign.id)
    assert survey_questions(reload(other))["single"].id == foreign.id


# --- order ----------------------------------------------------------------------------------------

def test_the_buttons_move_a_question_one_place_and_stop_at_the_ends(make_survey):
    survey = make_survey()
    questions = survey_questions(survey)
    assert change(survey.id, building.move_question, questions["scale"].id, -1) is True
    assert change(survey.id, building.move_question, questions["single"].id, -1) is False
    assert structure(survey)[0][1][:3] == [questions["single"].text, questions["scale"].text,
                                           questions["multiple"].text]
    assert change(survey.id, building.move_question, questions["number"].id, 1) is False


def test_the_buttons_move_a_question_across_the_edge_of_its_section_into_the_next(make_survey):
    survey = make_survey()
    change(survey.id, building.add_section, title="Results")
    number = survey_questions(survey)["number"]
    assert change(survey.id, building.move_question, number.id, 1) is True
    assert structure(survey)[1] == ("Results", [number.text])
    assert change(survey.id, building.move_question, number.id, 1) is False
    assert change(survey.id, building.move_question, number.id, -1) is True
    assert structure(survey)[0][1][-1] == number.text and structure(survey)[1] == ("Results", [])


def test_the_buttons_move_a_section(make_survey):
    survey = make_survey(questions=False)
    change(survey.id, building.add_section, title="Second")
    [first, second] = building.sections_of(survey.id)
    assert change(survey.id, building.move_section, second.id, -1) is True
    assert [title for title, _ in structure(survey)] == ["Second", "Your work"]
    assert AuditAction.survey_reordered in trail(survey)


def test_a_dragged_order_moves_questions_between_sections(make_survey):
    survey = make_survey()
    second = change(survey.id, building.add_section, title="Second")
    first = building.sections_of(survey.id)[0]
    ids = [q.id for q in building.questions_by_section(survey.id)[first.id]]
    texts = {q.id: q.text for q in building.questions_by_section(survey.id)[first.id]}
    change(survey.id, building.reorder, [second.id, first.id],
           {str(second.id): [ids[5], ids[0]], str(first.id): ids[1:5][::-1]})
    assert structure(survey) == [("Second", [texts[ids[5]], texts[ids[0]]]),
                                 ("Your work", [texts[i] for i in ids[1:5][::-1]])]


@pytest.mark.parametrize("broken", ["unknown question", "question missing", "question twice", "unknown section",
                                    "not a list"])
def test_an_order_that_does_not_name_exactly_the_surveys_rows_changes_nothing(make_survey, broken):
    survey = make_survey()
    [section] = building.sections_of(survey.id)
    ids = [q.id for q in building.questions_by_section(survey.id)[section.id]]
    before = structure(survey)
    sections, questions = [section.id], {section.id: ids[::-1]}
    if broken == "unknown question":
        questions = {section.id: ids[:-1] + [2_000_000]}
    elif broken == "question missing":
        questions = {section.id: ids[1:]}
    elif broken == "question twice":
        questions = {section.id: ids + ids[:1]}
    elif broken == "unknown section":
        sections = [section.id, 2_000_000]
    else:
        questions = {section.id: "1,2,3"}
    with pytest.raises(InvalidInput):
        change(survey.id, building.reorder, sections, questions)
    assert structure(survey) == before
    assert AuditAction.survey_reordered not in trail(survey)


# --- once people were invited, and once closed ------------------------------------------------

def test_once_open_the_wording_may_change_but_not_the_type(make_survey):
    survey = make_survey()
    set_status(survey, SurveyStatus.open)
    scale = survey_questions(survey)["scale"]
    change(survey.id, building_questions.update_question, scale.id,
           question_fields(scale, text="How useful was the network this year?"))
    assert reload(scale).text == "How useful was the network this year?"
    with pytest.raises(StructureFixed) as refused:
        change(survey.id, building_questions.update_question, scale.id,
               question_fields(reload(scale), kind="number"))
    assert refused.value.field == "kind"
    assert reload(scale).kind == QuestionKind.scale


def test_once_open_the_anonymity_stays_as_people_were_told(make_survey):
    survey = make_survey(anonymous=True)
    set_status(survey, SurveyStatus.open)
    with pytest.raises(StructureFixed):
        change(survey.id, building.update_survey, title=survey.title, anonymous=False)
    assert reload(survey).anonymous is True


def test_an_answered_question_or_choice_cannot_be_deleted_but_an_unanswered_one_can(make_survey):
    survey = make_survey()
    set_status(survey, SurveyStatus.open)
    questions = survey_questions(survey)
    multiple = questions["multiple"]
    forum, talk, group = multiple.options
    answer(multiple, [forum["id"]])
    with pytest.raises(StructureFixed):
        change(survey.id, building_questions.delete_question, multiple.id)
    with pytest.raises(StructureFixed) as refused:
        change(survey.id, building_questions.update_question, multiple.id,
               question_fields(multiple, options=[{"id": forum["id"], "label": ""}, talk, group]))
    assert refused.value.field == "options"
    change(survey.id, building_questions.update_question, multiple.id,
           question_fields(multiple, options=[forum, {"id": talk["id"], "label": ""}, group]))
    assert [o["id"] for o in reload(multiple).options] == [forum["id"], group["id"]]
    change(survey.id, building_questions.delete_question, questions["long-text"].id)
    assert "long-text" not in survey_questions(reload(survey))
    assert db.session.get(SurveyQuestion, multiple.id) is not None


def test_a_closed_survey_cannot_change_at_all(make_survey):
    survey = make_survey()
    set_status(survey, SurveyStatus.closed)
    question = survey_questions(survey)["short-text"]
    [section] = building.sections_of(survey.id)
    before = structure(survey)
    for service, args in [(building.update_survey, {"title": "New"}), (building.add_section, {}),
                       (building.move_section, {"section_id": section.id, "step": 1}),
                       (building_questions.update_question, {"question_id": question.id,
                                                             "fields": question_fields(question, text="New")}),
                       (building_questions.delete_question, {"question_id": question.id})]:
        with pytest.raises(SurveyReadOnly):
            change(survey.id, service, **args)
    assert structure(survey) == before and reload(survey).title != "New"
    assert db.session.execute(select(func.count(SurveySection.id))).scalar_one() == 1
