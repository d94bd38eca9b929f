"""A survey's results: per question the counts a chart shows (choice, scale, number) or the answers
given (text), for all responses or a group of them (a kind of institution, full-time or volunteer).

What is counted: complete responses (the person pressed "send"), unless staff ask to include the
part-way ones too; the page says which. Each question counts the responses that answered it.

Anonymous surveys: a group (a filter) of fewer than MIN_GROUP responses shows nothing but that
fact, so that no answer can be traced to the few people of a small group. Nor does a group that
differs from a view one step away (the filter without its kind, without its affiliation, with
part-way answers switched the other way) by fewer than MIN_GROUP responses: placed side by side,
the two would show the answers of those few as their difference. The whole survey with no filter
is no breakdown and is shown.
"""
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..affiliation import Affiliation
from ..contacts.models import OrganisationKind
from ..extensions import db
from ..formatting import number
from .answer_forms import OTHER, is_answered
from .building import questions_by_section, sections_of
from .models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveySection
from .respondents import Respondent, respondents

MIN_GROUP = 5
# A number question with at most this many different answers is charted value by value; with
# more, in NUMBER_BINS ranges of equal width (whole numbers: ranges of whole numbers, at most
# NUMBER_BINS, that neither overlap nor leave a gap).
MAX_VALUES_CHARTED = 8
NUMBER_BINS = 5
OTHER_LABEL = _l("Other")
REMOVED_LABEL = _l("A choice deleted since")
CHOICE_KINDS = (QuestionKind.single, QuestionKind.multiple)
TEXT_KINDS = (QuestionKind.short_text, QuestionKind.long_text)


@dataclass(frozen=True)
class ResultFilter:
    """Which responses the results count: a kind of institution, an affiliation, part-way ones."""

    kind: str | None = None
    affiliation: str | None = None
    partial: bool = False

    @classmethod
    def read(cls, args) -> "ResultFilter":
        """The filter from a query string; values that name nothing are ignored."""
        kind = args.get("kind") or None
        affiliation = args.get("affiliation") or None
        return cls(kind=kind if kind in OrganisationKind.__members__.values() else None,
                   affiliation=affiliation if affiliation in Affiliation.__members__.values() else None,
                   partial=args.get("partial") in ("1", "y", "on", "true"))

    @property
    def is_breakdown(self) -> bool:
        """Whether it narrows the responses to a group."""
        return bool(self.kind or self.affiliation)

    def as_args(self) -> dict:
        """The filter as query-string arguments (for links that keep it)."""
        args = {"kind": self.kind, "affiliation": self.affiliation, "partial": "1" if self.partial else None}
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class TextAnswer:
    """A text given, with who gave it in a named survey (nobody in an anonymous one)."""

    text: str
    by: Respondent | None = None


@dataclass
class QuestionResult:
    """One question's results."""

    question: SurveyQuestion
    answered: int = 0
    rows: list[tuple[str, float | int]] = field(default_factory=list)  # the chart's (label, count)
    other_texts: list[TextAnswer] = field(default_factory=list)
    texts: list[TextAnswer] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # scale: mean; number: count, min, max, mean, median
    ranges: bool = False  # a number question's chart counts ranges, not values

    @property
    def is_chart(self) -> bool:
        """Choice, scale and number questions are charted; text is listed."""
        return self.question.kind not in TEXT_KINDS


@dataclass
class Results:
    """The results of one survey for one filter."""

    survey: Survey
    filter: ResultFilter
    complete: int  # complete responses counted (in the group)
    partial: int  # part-way responses in the group (counted only with filter.partial)
    # Why nothing is shown, for an anonymous survey's small group: FEW or LEFT_OUT; else None.
    hidden: str | None
    sections: list[tuple[SurveySection, list[QuestionResult]]]

    @property
    def counted(self) -> int:
        """How many responses the charts count."""
        return self.complete + (self.partial if self.filter.partial else 0)


def group_conditions(survey_id: int, chosen: ResultFilter) -> list:
    """The WHERE of the responses in the filter's group (part-way ones included)."""
    conditions = [SurveyResponse.survey_id == survey_id]
    # A person of no known institution counts as "other", as in the contacts list; so does one
    # whose affiliation is not known.
    if chosen.kind:
        conditions.append(_is(SurveyResponse.institution_kind, chosen.kind, OrganisationKind.other))
    if chosen.affiliation:
        conditions.append(_is(SurveyResponse.affiliation, chosen.affiliation, Affiliation.other))
    return conditions


def _is(column, value: str, other: str):
    return or_(column == value, column.is_(None)) if value == other else column == value


def survey_results(survey: Survey, chosen: ResultFilter = ResultFilter()) -> Results:
    """The results of `survey` for the responses `chosen` names."""
    conditions = group_conditions(survey.id, chosen)
    rows = db.session.execute(select(SurveyResponse.id, SurveyResponse.submitted_at,
                                     SurveyResponse.invitation_id).where(*conditions)).all()
    complete = sum(1 for row in rows if row.submitted_at is not None)
    partial = len(rows) - complete
    counted_ids = [row.id for row in rows if chosen.partial or row.submitted_at is not None]
    hidden = hidden_because(survey, chosen, len(counted_ids))
    answers = {} if hidden else _answers_by_question(counted_ids)
    people = {} if hidden or survey.anonymous else _people(rows)
    questions = questions_by_section(survey.id)
    sections = [(section, [question_result(question, answers.get(question.id, []), people)
                           for question in questions.get(section.id, [])])
                for section in sections_of(survey.id)]
    return Results(survey, chosen, complete, partial, hidden, sections)


FEW = "few"  # the group has fewer than MIN_GROUP responses
LEFT_OUT = "left-out"  # a view one step away differs from it by fewer than MIN_GROUP


def hidden_because(survey: Survey, chosen: ResultFilter, counted: int) -> str | None:
    """Why an anonymous survey's breakdown must not be shown (FEW, LEFT_OUT), or None."""
    if not survey.anonymous or not chosen.is_breakdown:
        return None
    if counted < MIN_GROUP:
        return FEW
    neighbours = [replace(chosen, partial=not chosen.partial)]
    if chosen.kind:
        neighbours.append(replace(chosen, kind=None))
    if chosen.affiliation:
        neighbours.append(replace(chosen, affiliation=None))
    if any(0 < abs(_count(survey.id, other) - counted) < MIN_GROUP for other in neighbours):
        return LEFT_OUT
    return None


def _count(survey_id: int, chosen: ResultFilter) -> int:
    conditions = group_conditions(survey_id, chosen)
    if not chosen.partial:
        conditions.append(SurveyResponse.submitted_at.is_not(None))
    return db.session.execute(select(func.count(SurveyResponse.id)).where(*conditions)).scalar_one()


def _people(rows) -> dict[int, Respondent]:
    """Who gave each response of a named survey, by the response's id."""
    by_invitation = respondents([row.invitation_id for row in rows if row.invitation_id])
    return {row.id: by_invitation[row.invitation_id] for row in rows if row.invitation_id in by_invitation}


def _answers_by_question(response_ids: list[int]) -> dict[int, list[SurveyAnswer]]:
    found: dict[int, list[SurveyAnswer]] = {}
    if not response_ids:
        return found
    query = select(SurveyAnswer).where(SurveyAnswer.response_id.in_(response_ids)).order_by(SurveyAnswer.id)
    for answer in db.session.execute(query).scalars():
        found.setdefault(answer.question_id, []).append(answer)
    return found


def question_result(question: SurveyQuestion, answers: list[SurveyAnswer],
                    people: dict[int, Respondent] | None = None) -> QuestionResult:
    """One question's counts (or texts) from its answers; `people` (named surveys only) says who
    gave each response, by its id, for the texts."""
    people = people or {}
    given = [answer for answer in answers if is_answered(answer.value)]
    result = QuestionResult(question, answered=len(given))
    if question.kind in CHOICE_KINDS:
        _choices(result, given, people)
    elif question.kind == QuestionKind.scale:
        values = [answer.value for answer in given
                  if isinstance(answer.value, int) and 1 <= answer.value <= 5]
        counts = Counter(values)
        result.rows = [(str(point), counts[point]) for point in range(1, 6)]
        result.stats = {"mean": statistics.fmean(values) if values else None}
    elif question.kind == QuestionKind.number:
        values = [answer.value for answer in given if isinstance(answer.value, int | float)
                  and not isinstance(answer.value, bool)]
        result.rows = number_rows(values)
        result.ranges = len(set(values)) > MAX_VALUES_CHARTED
        result.stats = ({"count": len(values), "min": min(values), "max": max(values),
                         "mean": statistics.fmean(values), "median": statistics.median(values)} if values
                        else {"count": 0})
    else:
        result.texts = [TextAnswer(str(answer.value), people.get(answer.response_id)) for answer in given]
    return result


def _choices(result: QuestionResult, given: list[SurveyAnswer], people: dict[int, Respondent]) -> None:
    question = result.question
    counts: Counter = Counter()
    for answer in given:
        chosen = answer.value if isinstance(answer.value, list) else [answer.value]
        counts.update(set(chosen))
        if OTHER in chosen and answer.other_text.strip():
            result.other_texts.append(TextAnswer(answer.other_text.strip(), people.get(answer.response_id)))
    known = [option["id"] for option in question.options]
    result.rows = [(option["label"], counts[option["id"]]) for option in question.options]
    if question.allow_other or counts[OTHER]:
        result.rows.append((str(OTHER_LABEL), counts[OTHER]))
    removed = sum(count for option_id, count in counts.items()
                  if option_id not in known and option_id != OTHER)
    if removed:
        result.rows.append((str(REMOVED_LABEL), removed))


def number_rows(values: list[float]) -> list[tuple[str, int]]:
    """A number question's chart: each value with its count, or ranges: of whole numbers when
    every answer is one ("5 – 9", "10 – 14"), else of equal width."""
    if not values:
        return []
    counts = Counter(values)
    if len(counts) <= MAX_VALUES_CHARTED:
        return [(number(value), counts[value]) for value in sorted(counts)]
    if all(float(value).is_integer() for value in values):
        return _whole_ranges([int(value) for value in values])
    low, high = min(values), max(values)
    width = (high - low) / NUMBER_BINS
    bins = [0] * NUMBER_BINS
    for value in values:
        bins[min(int((value - low) / width), NUMBER_BINS - 1)] += 1
    return [(f"{number(round(low + i * width, 2))} – {number(round(low + (i + 1) * width, 2))}", count)
            for i, count in enumerate(bins)]


def _whole_ranges(values: list[int]) -> list[tuple[str, int]]:
    """At most NUMBER_BINS ranges of whole numbers of one width from the lowest value to the
    highest, each "first – last" (both counted), the last one ending at the highest."""
    low, high = min(values), max(values)
    width = math.ceil((high - low + 1) / NUMBER_BINS)
    bins = [0] * math.ceil((high - low + 1) / width)
    for value in values:
        bins[(value - low) // width] += 1
    rows = []
    for i, count in enumerate(bins):
        first, last = low + i * width, min(low + (i + 1) * width - 1, high)
        rows.append((number(first) if first == last else f"{number(first)} – {number(last)}", count))
    return rows
