"""Reading one section's answers from the posted form, question by question.

A survey's questions are rows staff made, so the form is not a WTForms class of fields: the
page posts q<id> (and q<id>-other for the "Other" box) and `read_section` turns each into the
value a SurveyAnswer keeps, or a message for the person. It keeps what was typed either way, so
that a page shown again with a message loses nothing.

What is kept: an option id (single choice), a list of them in the question's order (multiple),
an int 1-5 (scale), an int or float (number; "2,5" and "2.5" alike), the text (short, long).
A chosen "Other" is the option id OTHER, its text in other_text. An answer left empty is None.
"""
import math
import re
from dataclasses import dataclass, field

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from ..forms import PodiumForm
from ..formatting import number
from ..formtrap import FormTrap
from ..text import clean_line, clean_text
from .models import QuestionKind, SurveyQuestion

# The option id of the "Other" choice: staff's options are named o1, o2, ...
OTHER = "other"
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
# Longer than any number a person types: not worth reading.
NUMBER_TEXT_MAX = 30
# Digits with one decimal mark (point or comma); or grouped thousands with the other mark.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")  # 1.234,5
_GROUPED_POINT = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,234.5

REQUIRED = _l("Please answer this question.")
NOT_AN_OPTION = _l("Please choose one of the answers shown.")
OTHER_MISSING = _l("You chose \u201cOther\u201d: please say what.")
NOT_A_NUMBER = _l("Please enter a number, for example 12 or 2,5.")


class AnswerForm(FormTrap, PodiumForm):
    """The frame of an answering page: the button pressed, CSRF, and the traps for programs that
    post forms (formtrap.py); the answers themselves are read by `read_section`."""

    action = StringField()


@dataclass
class SectionAnswers:
    """What one section's form said: the values to keep (None: left empty), what was typed (to
    show again), the "Other" texts, and a message per question that was not right."""

    values: dict[int, object] = field(default_factory=dict)
    others: dict[int, str] = field(default_factory=dict)
    typed: dict[int, object] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def read_section(questions: list[SurveyQuestion], formdata, *, require: bool) -> SectionAnswers:
    """Each question's answer from `formdata` (a MultiDict). `require`: a required question left
    empty gets a message (on "continue" and "send"; "save and finish later" keeps what is there)."""
    read = SectionAnswers()
    for question in questions:
        name = f"q{question.id}"
        raw = formdata.getlist(name) if question.kind == QuestionKind.multiple else formdata.get(name, "")
        other = clean_line(formdata.get(f"{name}-other", ""))[:SHORT_TEXT_MAX] if question.allow_other else ""
        read.typed[question.id] = raw
        read.others[question.id] = other
        try:
            value = _value(question, raw, other)
        except _Refused as refused:
            read.errors[question.id] = str(refused.message)
            continue
        if value is None and require and question.required:
            read.errors[question.id] = str(REQUIRED)
            continue
        read.values[question.id] = value
    return read


def is_answered(value) -> bool:
    """Whether a kept value answers its question (an empty list or text does not)."""
    return value is not None and value != "" and value != []


def _value(question: SurveyQuestion, raw, other: str):
    kind = question.kind
    if kind == QuestionKind.single:
        return _choice(question, raw.strip(), other)
    if kind == QuestionKind.multiple:
        chosen = {item.strip() for item in raw if item.strip()}
        for option_id in chosen:
            _choice(question, option_id, other)
        ordered = [option["id"] for option in question.options if option["id"] in chosen]
        return ordered + ([OTHER] if OTHER in chosen else []) or None
    if kind == QuestionKind.scale:
        if not raw.strip():
            return None
        if raw.strip() not in ("1", "2", "3", "4", "5"):
            raise _Refused(NOT_AN_OPTION)
        return int(raw)
    if kind == QuestionKind.number:
        return _number(question, raw)
    if kind == QuestionKind.long_text:
        return _text(clean_text(raw), LONG_TEXT_MAX)
    return _text(clean_line(raw), SHORT_TEXT_MAX)


def _choice(question: SurveyQuestion, option_id: str, other: str) -> str | None:
    if not option_id:
        return None
    if option_id == OTHER and question.allow_other:
        if not other:
            raise _Refused(OTHER_MISSING)
        return OTHER
    if option_id not in {option["id"] for option in question.options}:
        raise _Refused(NOT_AN_OPTION)
    return option_id


def _text(text: str, maximum: int) -> str | None:
    if len(text) > maximum:
        raise _Refused(_l("Please keep this under %(max)s characters.", max=maximum))
    return text or None


def _number(question: SurveyQuestion, raw: str) -> int | float | None:
    number = parse_number(raw)
    if number is None:
        if raw.strip():
            raise _Refused(NOT_A_NUMBER)
        return None
    low, high = question.min_number, question.max_number
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Refused(_range_message(low, high))
    return number


def _range_message(low: float | None, high: float | None):
    if low is not None and high is not None:
        return _l("Please enter a number from %(low)s to %(high)s.", low=number(low), high=number(high))
    if low is not None:
        return _l("Please enter a number of at least %(low)s.", low=number(low))
    return _l("Please enter a number of at most %(high)s.", high=number(high))


def parse_number(text: str) -> int | float | None:
    """A number as a person types it: "2,5" and "2.5" alike, "1.234,5" and "1,234.5", spaces
    ignored. None for anything else (also infinity and NaN). Whole numbers come back as int."""
    if len(text or "") > NUMBER_TEXT_MAX:
        return None
    text = re.sub(r"\s", "", text or "")
    if _GROUPED_COMMA.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _GROUPED_POINT.fullmatch(text):
        text = text.replace(",", "")
    elif _PLAIN_NUMBER.fullmatch(text):
        text = text.replace(",", ".")
    else:
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def number_text(number: int | float | None) -> str:
    """A kept number as the reader's language writes it in a field (2,5 in German), without
    thousands marks, so that it reads back as the same number."""
    if number is None:
        return ""
    return format_decimal(number, format="0.##########", locale=get_locale())


def shown_value(question: SurveyQuestion, value):
    """A kept value as the section's page shows it in its field."""
    if question.kind == QuestionKind.number and isinstance(value, int | float):
        return number_text(value)
    return value


def answer_text(question: SurveyQuestion, value, other_text: str = "") -> str:
    """A kept answer in words: the choices' labels ("Other: ..." for the other box), the scale point
    with its end's meaning, the number as the reader writes it, or the text."""
    if question.kind in (QuestionKind.single, QuestionKind.multiple):
        labels = {option["id"]: option["label"] for option in question.options}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(f"{_l('Other')}: {other_text}" if option_id == OTHER else labels.get(option_id, "?")
                         for option_id in chosen)
    if question.kind == QuestionKind.scale:
        end = question.low_label if value == 1 else question.high_label if value == 5 else ""
        point = str(_l("%(point)s of 5", point=value))
        return f"{point} ({end})" if end else point
    if question.kind == QuestionKind.number:
        return number_text(value)
    return str(value)
