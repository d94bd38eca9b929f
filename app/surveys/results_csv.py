"""Every answer of a survey as a table: one row per response (complete and part-way), one column
per question, an "Other" text in a column of its own.

Both formats of csvexport. The plain one (commas, English column keys) is the same whatever
language the reader uses the app in: a choice is written as the survey's own label (its stored id
would mean nothing outside the app, and the labels are the survey's words, not the app's), the
"Other" choice as the key `other`, numbers and times as stored. The Excel one writes the column
titles, "Other" and the statuses in the reader's language and numbers as they read them.

A named survey adds who answered: the person's name, institution, its kind and full-time or
volunteer. An anonymous survey adds nothing about the person, not even when they answered (a time
could be matched with when someone was seen to complete it), and nothing a breakdown could use
(kind, affiliation): the page hides groups under five, and so must the file.
Cells go through csvexport, which keeps spreadsheets from running any of them.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import select

from ..affiliation import Affiliation
from ..contacts.models import OrganisationKind
from ..csvexport import Column, local_time
from ..extensions import db
from ..formatting import number
from .answer_forms import OTHER
from .building import questions_by_section, sections_of
from .models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from .respondents import respondents
from .results import OTHER_LABEL

COMPLETE = _lp("survey response", "complete")
PART_WAY = _lp("survey response", "part-way")


@dataclass
class ResponseRow:
    """One response with what the table shows of it."""

    number: int
    response: SurveyResponse
    name: str = ""
    institution: str = ""
    answers: dict[int, SurveyAnswer] = field(default_factory=dict)


def ordered_questions(survey: Survey) -> list[SurveyQuestion]:
    """The survey's questions in the order a respondent meets them."""
    by_section = questions_by_section(survey.id)
    return [question for section in sections_of(survey.id) for question in by_section.get(section.id, [])]


def response_rows(survey: Survey) -> list[ResponseRow]:
    """Every response of the survey, in the order they were started, with its answers."""
    responses = list(db.session.execute(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                                        .order_by(SurveyResponse.started_at, SurveyResponse.id)).scalars())
    rows = [ResponseRow(n, response) for n, response in enumerate(responses, start=1)]
    by_id = {row.response.id: row for row in rows}
    if by_id:
        query = select(SurveyAnswer).where(SurveyAnswer.response_id.in_(list(by_id)))
        for answer in db.session.execute(query).scalars():
            by_id[answer.response_id].answers[answer.question_id] = answer
    if not survey.anonymous:
        _name_people(rows)
    return rows


def _name_people(rows: list[ResponseRow]) -> None:
    """Who answered: the contact asked (a survey) or the guest who came (a feedback form)."""
    people = respondents([row.response.invitation_id for row in rows if row.response.invitation_id])
    for row in rows:
        person = people.get(row.response.invitation_id)
        if person is not None:
            row.name, row.institution = person.name, person.institution


def export_columns(survey: Survey, zone) -> list[Column]:
    """The table's columns: the response, who (named surveys only), then each question."""
    columns = [
        Column("response", _l("Response"), lambda row: row.number),
        Column("status", _l("Status"), lambda row: "complete" if row.response.submitted_at else "part-way",
               lambda row: str(COMPLETE if row.response.submitted_at else PART_WAY)),
    ]
    if not survey.anonymous:
        columns += [
            Column("started_at", _l("Started"), lambda row: local_time(row.response.started_at, zone)),
            Column("submitted_at", _l("Sent"), lambda row: local_time(row.response.submitted_at, zone)),
            Column("name", _l("Name"), lambda row: row.name),
            Column("institution", _l("Institution"), lambda row: row.institution),
            Column("institution_kind", _l("Kind of institution"),
                   lambda row: row.response.institution_kind or "",
                   lambda row: _label(OrganisationKind, row.response.institution_kind)),
            Column("affiliation", _l("Full-time or volunteer"), lambda row: row.response.affiliation or "",
                   lambda row: _label(Affiliation, row.response.affiliation)),
        ]
    for n, question in enumerate(ordered_questions(survey), start=1):
        columns.append(Column(f"q{n} {question.text}", question.text, _answer_value(question, False),
                              _answer_value(question, True)))
        if question.kind in (QuestionKind.single, QuestionKind.multiple) and question.allow_other:
            columns.append(Column(f"q{n} {question.text} ({OTHER})", f"{question.text} ({OTHER_LABEL})",
                                  _other_text(question)))
    return columns


def _label(enum_class, value: str | None) -> str:
    return str(enum_class(value).label) if value in enum_class.__members__.values() else (value or "")


def _other_text(question: SurveyQuestion):
    def value(row: ResponseRow) -> str:
        answer = row.answers.get(question.id)
        return answer.other_text if answer else ""
    return value


def _answer_value(question: SurveyQuestion, shown: bool):
    """A question's cell: the choices by their labels, "Other" as the key `other` in the plain
    format and in the reader's language in the Excel one; a number as stored or as people read it."""
    labels = {option["id"]: option["label"] for option in question.options}
    labels[OTHER] = str(OTHER_LABEL) if shown else OTHER

    def value(row: ResponseRow):
        answer = row.answers.get(question.id)
        if answer is None or answer.value is None:
            return ""
        if question.kind == QuestionKind.single:
            return labels.get(answer.value, answer.value)
        if question.kind == QuestionKind.multiple:
            return "; ".join(labels.get(item, str(item)) for item in answer.value or [])
        if question.kind == QuestionKind.number and shown:
            return number(answer.value)
        return answer.value
    return value
