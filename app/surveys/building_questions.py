"""Building a survey's questions: the six types, their choices with ids that stay, their limits.

Like building.py, every function flushes and leaves the commit to its caller (write_transaction
with the survey locked). Once people were invited a question keeps its type, and a question or a
choice somebody answered cannot be deleted; a new choice gets a random id, so that an id is
never given again after a delete (answers name choices by id).
"""
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import Actor, AuditAction, changed_fields
from ..errors import InvalidInput
from ..extensions import db
from ..text import clean_line
from .building import (StructureFixed, answer_counts, check_writable, get_question, get_section, is_fixed,
                       questions_by_section, record_change, renumber)
from .models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion

CHOICE_KINDS = frozenset({QuestionKind.single, QuestionKind.multiple})
MIN_OPTIONS, MAX_OPTIONS = 2, 100
# The longest a question's text, help and a choice may be (the columns' lengths allow no more).
TEXT_MAX, LABEL_MAX, SCALE_LABEL_MAX = 500, 200, 100


def _number(value, field: str) -> float | None:
    """A limit as typed ("10", "2,5" the German way), or None for none. :raises InvalidInput:"""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(_l("Enter a number, for example 10 or 2.5."), field=field) from None
    # Not NaN or infinity, nor beyond anything people count.
    if number != number or abs(number) > 1e12:
        raise InvalidInput(_l("Enter a number, for example 10 or 2.5."), field=field)
    return number


def _options(given: list[dict], before: list[dict]) -> list[dict]:
    """The choices as typed: known ids keep theirs (and may be reworded), new ones get a fresh id,
    an empty label deletes the choice."""
    known = {option["id"] for option in before}
    taken = set(known)
    options, labels, seen = [], set(), set()
    for item in given or []:
        label = clean_line(str(item.get("label") or ""))
        option_id = str(item.get("id") or "")
        if option_id and (option_id not in known or option_id in seen):
            raise InvalidInput(_l("One of the choices is not part of this question any more. Please reload "
                                  "the page."), field="options")
        seen.add(option_id)
        if not label:
            continue
        if len(label) > LABEL_MAX:
            raise InvalidInput(_l("Please keep each choice under 200 characters."), field="options")
        if label.casefold() in labels:
            raise InvalidInput(_l("Two choices read “%(label)s”. Please make each choice different.",
                                  label=label), field="options")
        labels.add(label.casefold())
        if not option_id:
            option_id = _new_option_id(taken)
        taken.add(option_id)
        options.append({"id": option_id, "label": label})
    if len(options) < MIN_OPTIONS:
        raise InvalidInput(_l("A choice question needs at least two choices."), field="options")
    if len(options) > MAX_OPTIONS:
        raise InvalidInput(_l("Please keep to at most 100 choices."), field="options")
    return options


def _new_option_id(taken: set[str]) -> str:
    while True:
        option_id = "o" + secrets.token_hex(4)
        if option_id not in taken:
            return option_id


def _question_fields(fields: dict, before: SurveyQuestion | None) -> dict:
    """The question's columns from what staff typed, checked. :raises InvalidInput:"""
    try:
        kind = QuestionKind(fields.get("kind"))
    except ValueError:
        raise InvalidInput(_l("Please choose the type of question."), field="kind") from None
    text = clean_line(fields.get("text") or "")
    help_text = clean_line(fields.get("help") or "")
    if not text:
        raise InvalidInput(_l("Please write the question."), field="text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(_l("Please keep the question under 500 characters."), field="text")
    if len(help_text) > TEXT_MAX:
        raise InvalidInput(_l("Please keep the help text under 500 characters."), field="help")
    columns = {"kind": kind, "text": text, "help": help_text, "required": bool(fields.get("required")),
               "options": [], "allow_other": False, "min_number": None, "max_number": None,
               "low_label": "", "high_label": ""}
    if kind in CHOICE_KINDS:
        columns["options"] = _options(fields.get("options") or [], before.options if before else [])
        columns["allow_other"] = kind == QuestionKind.multiple and bool(fields.get("allow_other"))
    elif kind == QuestionKind.number:
        low = _number(fields.get("min_number"), "min_number")
        high = _number(fields.get("max_number"), "max_number")
        if low is not None and high is not None and low > high:
            raise InvalidInput(_l("The largest number allowed must not be below the smallest."),
                               field="max_number")
        columns["min_number"], columns["max_number"] = low, high
    elif kind == QuestionKind.scale:
        for key in ("low_label", "high_label"):
            columns[key] = clean_line(fields.get(key) or "")
            if len(columns[key]) > SCALE_LABEL_MAX:
                raise InvalidInput(_l("Please keep this label under 100 characters."), field=key)
    return columns


# A question's columns by the names its history gives them (audit.FACT_LABELS names them for
# people), apart from the fields of an event, whose history shows a feedback form's changes too.
HISTORY_NAMES = {"kind": "question_kind", "text": "question_text", "help": "question_help",
                 "required": "question_required", "allow_other": "question_other",
                 "min_number": "question_min", "max_number": "question_max",
                 "low_label": "question_low_label", "high_label": "question_high_label"}


def _described(question: SurveyQuestion | dict) -> dict:
    """A question's columns as its history names them, the choices as their labels in one line."""
    get = question.get if isinstance(question, dict) else lambda key: getattr(question, key)
    described = {name: get(key) for key, name in HISTORY_NAMES.items()}
    described["question_options"] = " | ".join(option["label"] for option in get("options") or [])
    return described


def add_question(survey: Survey, section_id: int, fields: dict, *, by: Actor,
                 now: datetime) -> SurveyQuestion:
    """A new question at the end of a section. `fields`: kind, text, help, required, options
    ([{"label": ...}]), allow_other, min_number, max_number, low_label, high_label. Flushes.
    :raises NotFound, InvalidInput, SurveyReadOnly:"""
    check_writable(survey)
    section = get_section(survey, section_id)
    columns = _question_fields(fields, None)
    position = len(questions_by_section(survey.id).get(section.id, []))
    question = SurveyQuestion(survey_id=survey.id, section_id=section.id, position=position, **columns)
    db.session.add(question)
    db.session.flush()
    record_change(survey, by, AuditAction.survey_question_added, now,
                  {"question": question.text} | changed_fields({}, _described(columns)))
    return question


def update_question(survey: Survey, question_id: int, fields: dict, *, by: Actor,
                    now: datetime) -> SurveyQuestion:
    """Change a question's wording, help, choices or limits (and, before anybody was invited, its
    type). Choices keep their ids: [{"id": ..., "label": ...}], new ones without an id. Flushes.
    :raises NotFound, InvalidInput, StructureFixed, SurveyReadOnly:"""
    check_writable(survey)
    question = get_question(survey, question_id)
    columns = _question_fields(fields, question)
    answered = answer_counts(survey.id).get(question.id, 0)
    if columns["kind"] != question.kind and (is_fixed(survey) or answered):
        raise StructureFixed(_l("People were invited: the type of a question cannot change now. You may "
                                "still change its wording."), field="kind")
    gone = {option["id"] for option in question.options} - {option["id"] for option in columns["options"]}
    if gone & _answered_options(question):
        raise StructureFixed(_l("A choice somebody chose cannot be deleted. You may still reword it."),
                             field="options")
    changes = changed_fields(_described(question), _described(columns))
    for key, value in columns.items():
        setattr(question, key, value)
    if changes:
        record_change(survey, by, AuditAction.survey_question_updated, now,
                      {"question": question.text} | changes)
    return question


def _answered_options(question: SurveyQuestion) -> set[str]:
    """The ids of the choices somebody chose (or has saved) in this question."""
    chosen: set[str] = set()
    for value in db.session.execute(select(SurveyAnswer.value).where(SurveyAnswer.question_id == question.id)
                                    ).scalars():
        chosen.update(value if isinstance(value, list) else [value])
    return {str(option_id) for option_id in chosen if option_id is not None}


def delete_question(survey: Survey, question_id: int, *, by: Actor, now: datetime) -> SurveyQuestion:
    """Delete a question nobody has answered. Flushes. :raises NotFound, StructureFixed, SurveyReadOnly:"""
    check_writable(survey)
    question = get_question(survey, question_id)
    if answer_counts(survey.id).get(question.id):
        raise StructureFixed(_l("This question has answers; it cannot be deleted. You may still reword it."))
    section_id = question.section_id
    db.session.delete(question)
    db.session.flush()
    renumber(questions_by_section(survey.id).get(section_id, []))
    record_change(survey, by, AuditAction.survey_question_removed, now, {"question": question.text})
    return question
