"""Survey factories for every test of surveys: `make_survey` builds one through the builder's
services (building.py, building_questions.py), the way staff would, and commits it.

    survey = make_survey()                       # a draft: one section, one question of each type
    survey = make_survey(anonymous=True, questions=False)
    questions = survey_questions(survey)         # {"single": SurveyQuestion, ..., "number": ...}
"""
import pytest
from sqlalchemy import select

from app.database import write_transaction
from app.extensions import db
from app.surveys import building, building_questions
from app.surveys.models import QuestionKind, Survey, SurveyQuestion
from tests.campaigns.conftest import make_contacts  # noqa: F401 (a fixture: contacts in one bulk insert)
from tests.conftest import TEST_ACTOR

# One question of each type, as staff would fill in the builder's form.
QUESTIONS = [
    {"kind": "single", "text": "Which kind of institution do you work for?", "required": True,
     "options": [{"label": "Chamber"}, {"label": "Charity"}, {"label": "City"}]},
    {"kind": "multiple", "text": "Which of our formats did you attend?", "allow_other": True,
     "help": "Tick all that apply.", "options": [{"label": "Forum"}, {"label": "Expert talk"},
                                                  {"label": "Working group"}]},
    {"kind": "scale", "text": "How useful is the network for your work?", "required": True,
     "low_label": "not at all", "high_label": "very"},
    {"kind": "short-text", "text": "Your main project this year"},
    {"kind": "long-text", "text": "What did the network help you achieve?"},
    {"kind": "number", "text": "How many people did you place in training?", "min_number": 0,
     "max_number": 1000},
]


@pytest.fixture
def make_survey(app):
    """make_survey(title=..., anonymous=..., closes_at=..., questions=True): a committed draft
    survey with one section holding one question of each of the six types (in QUESTIONS' order),
    or no questions with questions=False."""
    counter = iter(range(1, 10_000))

    def make(*, questions: bool = True, **fields) -> Survey:
        fields.setdefault("title", f"Actors' survey {next(counter)}")
        fields.setdefault("intro", "Tell us what the network achieved with you this year.")
        with write_transaction() as tx:
            survey = building.create_survey(**fields, by=TEST_ACTOR, now=tx.now)
            [section] = building.sections_of(survey.id)
            building.update_section(survey, section.id, title="Your work", by=TEST_ACTOR, now=tx.now)
            for question in QUESTIONS if questions else []:
                building_questions.add_question(survey, section.id, question, by=TEST_ACTOR, now=tx.now)
        return survey

    return make


def survey_questions(survey: Survey) -> dict[str, SurveyQuestion]:
    """The survey's questions by their type's value ("single", ..., "short-text", "number"); the
    first of each type."""
    found: dict[str, SurveyQuestion] = {}
    query = (select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
             .order_by(SurveyQuestion.section_id, SurveyQuestion.position))
    for question in db.session.execute(query).scalars():
        found.setdefault(str(QuestionKind(question.kind)), question)
    return found
