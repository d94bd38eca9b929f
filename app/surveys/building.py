"""Building a survey: its own fields, its sections, and the order of sections and questions
(the questions themselves: building_questions.py).

Every function here flushes and leaves the commit to its caller, inside write_transaction with
the survey locked (`lock=(Survey, survey_id)`), so that a feedback form can be made with its
default questions in one transaction, and two staff members' changes to one survey follow each
other. Each change is an audit entry about the survey (and about its event, for a feedback form).

What answers already given rely on is kept once people were invited (the survey is open): a
question's type stays, and a question or a choice somebody answered cannot be deleted; the
wording may change. Answers name a choice by its id, and a new choice gets a random id, so an
id is never given again after a delete. A closed survey is read-only.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import Actor, AuditAction, changed_fields, record
from ..database import get_row, is_valid_id
from ..errors import InvalidInput, NotFound, StateConflict
from ..extensions import db
from ..text import clean_line, clean_text
from .models import Survey, SurveyAnswer, SurveyKind, SurveyQuestion, SurveySection, SurveyStatus


class SurveyReadOnly(StateConflict):
    code = "survey_closed"
    message = _l("This survey is closed: it can no longer be changed.")


class StructureFixed(StateConflict):
    """A change that would break answers already given (or expected) in an open survey."""

    code = "survey_structure_fixed"


# --- reading --------------------------------------------------------------------------------

def get_survey(survey_id: int) -> Survey:
    """One survey or feedback form. :raises NotFound:"""
    return get_row(Survey, survey_id)


def list_surveys(kind: SurveyKind = SurveyKind.survey) -> list[Survey]:
    """The surveys (or the feedback forms) of one kind, newest first."""
    query = select(Survey).where(Survey.kind == kind).order_by(Survey.created_at.desc(), Survey.id.desc())
    return list(db.session.execute(query).scalars())


def sections_of(survey_id: int) -> list[SurveySection]:
    """The survey's sections, in order."""
    query = (select(SurveySection).where(SurveySection.survey_id == survey_id)
             .order_by(SurveySection.position, SurveySection.id))
    return list(db.session.execute(query).scalars())


def questions_by_section(survey_id: int) -> dict[int, list[SurveyQuestion]]:
    """The survey's questions, in order, by the id of their section (every section has a list)."""
    grouped: dict[int, list[SurveyQuestion]] = {section.id: [] for section in sections_of(survey_id)}
    query = (select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
             .order_by(SurveyQuestion.position, SurveyQuestion.id))
    for question in db.session.execute(query).scalars():
        grouped.setdefault(question.section_id, []).append(question)
    return grouped


def get_section(survey: Survey, section_id: int) -> SurveySection:
    """A section of this survey. :raises NotFound:"""
    section = db.session.get(SurveySection, section_id) if is_valid_id(section_id) else None
    if section is None or section.survey_id != survey.id:
        raise NotFound(_l("This survey has no such section."))
    return section


def get_question(survey: Survey, question_id: int) -> SurveyQuestion:
    """A question of this survey. :raises NotFound:"""
    question = db.session.get(SurveyQuestion, question_id) if is_valid_id(question_id) else None
    if question is None or question.survey_id != survey.id:
        raise NotFound(_l("This survey has no such question."))
    return question


def answer_counts(survey_id: int) -> dict[int, int]:
    """How many answers each question of the survey has (questions without any are left out)."""
    rows = db.session.execute(
        select(SurveyAnswer.question_id, func.count(SurveyAnswer.id))
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyQuestion.survey_id == survey_id).group_by(SurveyAnswer.question_id))
    return dict(rows.all())


def is_read_only(survey: Survey) -> bool:
    """Whether nothing may change any more (the survey is closed)."""
    return survey.status == SurveyStatus.closed


def is_fixed(survey: Survey) -> bool:
    """Whether people were invited: types stay, answered questions and choices stay."""
    return survey.status != SurveyStatus.draft


# --- the survey itself ------------------------------------------------------------------------

def _survey_fields(title: str, intro: str, anonymous: bool, closes_at: datetime | None,
                   now: datetime) -> dict:
    title, intro = clean_line(title or ""), clean_text(intro or "")
    if not title:
        raise InvalidInput(_l("Please give the survey a title."), field="title")
    if len(title) > 200:
        raise InvalidInput(_l("Please keep the title under 200 characters."), field="title")
    if closes_at is not None and closes_at <= now:
        raise InvalidInput(_l("The closing date must lie in the future."), field="closes_at")
    return {"title": title, "intro": intro, "anonymous": bool(anonymous), "closes_at": closes_at}


def record_change(survey: Survey, by: Actor, action: AuditAction, now: datetime, changes: dict) -> None:
    """The audit entry of a change: about the survey, and about its event for a feedback form. The
    survey's updated_at says when anything in it last changed."""
    survey.updated_at = now
    record(by, action, at=now, survey_id=survey.id, event_id=survey.event_id, changes=changes)


def create_survey(*, title: str, intro: str = "", anonymous: bool = False, closes_at: datetime | None = None,
                  kind: SurveyKind = SurveyKind.survey, event_id: int | None = None, by: Actor,
                  now: datetime) -> Survey:
    """A new draft survey with one empty section to put questions in. Flushes.
    :raises InvalidInput:"""
    fields = _survey_fields(title, intro, anonymous, closes_at, now)
    survey = Survey(kind=kind, event_id=event_id, created_by=by.name[:200], created_at=now, **fields)
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveySection(survey_id=survey.id, position=0))
    db.session.flush()
    record_change(survey, by, AuditAction.survey_created, now,
                  {"survey": survey.title} | changed_fields({}, fields))
    return survey


def update_survey(survey: Survey, *, title: str, intro: str = "", anonymous: bool = False,
                  closes_at: datetime | None = None, by: Actor, now: datetime) -> Survey:
    """Change the title, introduction, anonymity (only before anybody is invited) or closing date.
    Flushes. :raises InvalidInput, StructureFixed, SurveyReadOnly:"""
    check_writable(survey)
    before = {"title": survey.title, "intro": survey.intro, "anonymous": survey.anonymous,
              "closes_at": survey.closes_at}
    if closes_at == survey.closes_at:  # an old date that has passed may stay as it is
        fields = _survey_fields(title, intro, anonymous, None, now) | {"closes_at": closes_at}
    else:
        fields = _survey_fields(title, intro, anonymous, closes_at, now)
    if is_fixed(survey) and fields["anonymous"] != survey.anonymous:
        raise StructureFixed(_l("People were told whether the survey is anonymous when they were invited; "
                                "that cannot change now."), field="anonymous")
    changes = changed_fields(before, fields)
    for key, value in fields.items():
        setattr(survey, key, value)
    if changes:
        record_change(survey, by, AuditAction.survey_updated, now, changes)
    return survey


def check_writable(survey: Survey) -> None:
    """:raises SurveyReadOnly: the survey is closed."""
    if is_read_only(survey):
        raise SurveyReadOnly()


# --- sections -----------------------------------------------------------------------------------

def _section_fields(title: str, intro: str) -> dict:
    title, intro = clean_line(title or ""), clean_text(intro or "")
    if len(title) > 200:
        raise InvalidInput(_l("Please keep the title under 200 characters."), field="title")
    return {"title": title, "intro": intro}


def add_section(survey: Survey, *, title: str = "", intro: str = "", by: Actor,
                now: datetime) -> SurveySection:
    """A new section at the end of the survey. Flushes. :raises InvalidInput, SurveyReadOnly:"""
    check_writable(survey)
    fields = _section_fields(title, intro)
    section = SurveySection(survey_id=survey.id, position=len(sections_of(survey.id)), **fields)
    db.session.add(section)
    db.session.flush()
    record_change(survey, by, AuditAction.survey_section_added, now,
                  {"section": section.title, "position": section.position + 1})
    return section


def update_section(survey: Survey, section_id: int, *, title: str = "", intro: str = "", by: Actor,
                   now: datetime) -> SurveySection:
    """Change a section's title or introduction. Flushes. :raises NotFound, InvalidInput, SurveyReadOnly:"""
    check_writable(survey)
    section = get_section(survey, section_id)
    fields = _section_fields(title, intro)
    changes = changed_fields({"title": section.title, "intro": section.intro}, fields)
    for key, value in fields.items():
        setattr(section, key, value)
    if changes:
        record_change(survey, by, AuditAction.survey_section_updated, now, changes)
    return section


def delete_section(survey: Survey, section_id: int, *, by: Actor, now: datetime) -> SurveySection:
    """Delete a section with its questions, unless one of them has answers. Flushes.
    :raises NotFound, StructureFixed, SurveyReadOnly:"""
    check_writable(survey)
    section = get_section(survey, section_id)
    questions = questions_by_section(survey.id).get(section.id, [])
    answered = answer_counts(survey.id)
    if any(question.id in answered for question in questions):
        raise StructureFixed(_l("Questions of this section have answers; the section cannot be deleted."))
    for question in questions:
        db.session.delete(question)
    db.session.delete(section)
    db.session.flush()
    renumber(sections_of(survey.id))
    record_change(survey, by, AuditAction.survey_section_removed, now,
                  {"section": section.title, "questions": len(questions)})
    return section


# --- order --------------------------------------------------------------------------------------

def renumber(rows: list) -> None:
    """Positions 0, 1, 2 ... in the order of `rows` (sections, or the questions of one section)."""
    for position, row in enumerate(rows):
        row.position = position


def _moved(rows: list, row, step: int) -> list | None:
    """`rows` with `row` moved one place (step -1 up, +1 down); None where it cannot go further."""
    index = rows.index(row)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(rows):
        return None
    rows = list(rows)
    rows[index], rows[target] = rows[target], rows[index]
    return rows


def move_section(survey: Survey, section_id: int, step: int, *, by: Actor, now: datetime) -> bool:
    """Move a section one place up (-1) or down (+1); False where it is already first or last.
    Flushes. :raises NotFound, SurveyReadOnly:"""
    check_writable(survey)
    section = get_section(survey, section_id)
    rows = _moved(sections_of(survey.id), section, step)
    if rows is None:
        return False
    renumber(rows)
    record_change(survey, by, AuditAction.survey_reordered, now,
                  {"section": section.title, "position": section.position + 1})
    return True


def move_question(survey: Survey, question_id: int, step: int, *, by: Actor, now: datetime) -> bool:
    """Move a question one place up (-1) or down (+1); from the top of its section up to the end of
    the section before, from the bottom down to the start of the next, so that the buttons alone
    reach every place. False where it cannot go further. Flushes. :raises NotFound, SurveyReadOnly:"""
    check_writable(survey)
    question = get_question(survey, question_id)
    grouped = questions_by_section(survey.id)
    rows = _moved(grouped[question.section_id], question, step)
    if rows is not None:
        renumber(rows)
    elif not _to_next_section(survey, question, step, grouped):
        return False
    record_change(survey, by, AuditAction.survey_reordered, now,
                  {"question": question.text, "section": get_section(survey, question.section_id).title,
                   "position": question.position + 1})
    return True


def _to_next_section(survey: Survey, question: SurveyQuestion, step: int, grouped: dict) -> bool:
    """Move a question at the edge of its section into the neighbouring one (step -1: to the end of
    the section before; +1: to the start of the next); False where there is none."""
    section_ids = [section.id for section in sections_of(survey.id)]
    index = section_ids.index(question.section_id) + step
    if step not in (-1, 1) or not 0 <= index < len(section_ids):
        return False
    grouped[question.section_id].remove(question)
    renumber(grouped[question.section_id])
    target = grouped[section_ids[index]]
    target = target + [question] if step < 0 else [question] + target
    question.section_id = section_ids[index]
    renumber(target)
    return True


def reorder(survey: Survey, sections: list, questions: dict, *, by: Actor, now: datetime) -> None:
    """Put the sections and questions in the order given, as dragging left them: `sections` every
    section id in order, `questions` {section id: [question ids in order]} naming every question
    once (a question may change its section). Flushes.
    :raises InvalidInput: an id unknown, missing or given twice. :raises SurveyReadOnly:"""
    check_writable(survey)
    section_rows = {section.id: section for section in sections_of(survey.id)}
    grouped = questions_by_section(survey.id)
    question_rows = {question.id: question for rows in grouped.values() for question in rows}
    section_ids = _ids(sections)
    if section_ids is None or sorted(section_ids) != sorted(section_rows):
        raise InvalidInput(_l("The order names sections this survey does not have, or not all of them. "
                              "Please reload the page."), field="sections")
    placed = _placed(questions, section_rows)
    flat = [question_id for ids in placed.values() for question_id in ids]
    if sorted(flat) != sorted(question_rows):
        raise InvalidInput(_l("The order names questions this survey does not have, or not all of them. "
                              "Please reload the page."), field="questions")
    renumber([section_rows[section_id] for section_id in section_ids])
    for section_id, ids in placed.items():
        for position, question_id in enumerate(ids):
            question = question_rows[question_id]
            question.section_id, question.position = section_id, position
    record_change(survey, by, AuditAction.survey_reordered, now,
                  {"sections": len(section_ids), "questions": len(flat)})


def _placed(questions, section_rows: dict) -> dict[int, list[int]]:
    """{section id: [question ids]} from the JSON of an order. :raises InvalidInput:"""
    refused = InvalidInput(_l("The order names a section this survey does not have. Please reload the page."),
                           field="questions")
    if not isinstance(questions, dict):
        raise refused
    placed = {}
    for key, ids in questions.items():
        section_id, question_ids = _ids([key]), _ids(ids)
        if not section_id or section_id[0] not in section_rows or question_ids is None:
            raise refused
        placed[section_id[0]] = question_ids
    return placed


def _ids(values) -> list[int] | None:
    """Ids as JSON gives them (numbers, or numbers as text), or None if one cannot be an id."""
    if not isinstance(values, list):
        return None
    ids = []
    for value in values:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 11:
            value = int(value)
        if not is_valid_id(value):
            return None
        ids.append(value)
    return ids
