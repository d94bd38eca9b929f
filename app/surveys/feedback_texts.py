"""The words of an event's feedback form: its default texts, and the form as each reader reads it.

Staff switch a form on in their own language, German or English, and its title, intro and
questions are stored as text in that language (feedback.switch_on), so that staff may reword any
of them in the builder, as in every survey. A guest reads the form in their own language, which
may be Arabic, Persian or Ukrainian: a text that is still exactly a default as German or English
wrote it (nobody edited it) is shown as that default in the reader's language; a text staff wrote
or changed is shown as they wrote it, marked with the form's language (when the form tells it:
a default left in it names the language staff worked in) and dir="auto", so that German words
keep their order inside an Arabic page and are read out as German.

Only what a respondent reads changes: the stored texts stay what staff wrote, and staff's pages,
the results and the CSV show those. Answers name choice ids, never labels, so they are the same
in every language.
"""
from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from ..events.texts import title_in
from .models import QuestionKind, Survey, SurveyQuestion
from .responding import Section

TITLE = _l("Feedback: %(title)s")
INTRO = _l("Thank you for coming. A few short questions, two minutes: your answers help us make the next "
           "event better.")
POOR, EXCELLENT = _l("poor"), _l("excellent")
ANSWERS = (("yes", _lp("feedback answer", "Yes")), ("maybe", _lp("feedback answer", "Maybe")),
           ("no", _lp("feedback answer", "No")))
# The questions of every new form, as SurveyQuestion columns (in order).
QUESTIONS = (
    {"kind": QuestionKind.scale, "text": _l("Overall, how was the event?"), "required": True,
     "low_label": POOR, "high_label": EXCELLENT},
    {"kind": QuestionKind.long_text, "text": _l("What was most useful?")},
    {"kind": QuestionKind.long_text, "text": _l("What should we change?")},
    {"kind": QuestionKind.single, "text": _l("Would you come again?"),
     "options": [{"id": option_id, "label": label} for option_id, label in ANSWERS]},
)
# Every default without a placeholder, whatever column it stands in: a text equal to one of them
# means the same words in whichever column staff moved it to.
DEFAULT_TEXTS = (INTRO, POOR, EXCELLENT, *(label for _id, label in ANSWERS),
                 *(question["text"] for question in QUESTIONS))


# --- writing (switching a form on) ----------------------------------------------------------

def default_title(event_title: str) -> str:
    """The form's title for an event, in the current language."""
    return str(TITLE) % {"title": event_title}


def default_questions() -> list[dict]:
    """The default questions' columns with their words in the current language."""
    return [{key: _written(value) for key, value in question.items()} for question in QUESTIONS]


def _written(value):
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, list):
        return [{"id": option["id"], "label": str(option["label"])} for option in value]
    return value


# --- reading (the answering pages) ----------------------------------------------------------

class FormWords(str):
    """A text of a form as its reader is shown it (a str of its words). `edited`: staff's own
    words, in `lang` (None: not known); otherwise a default in the reader's own language."""

    lang: str | None = None
    edited: bool = False

    def __new__(cls, words: str, *, edited: bool = False, lang: str | None = None):
        made = super().__new__(cls, words)
        made.edited, made.lang = edited, lang
        return made

    @property
    def attrs(self) -> Markup:
        """The attributes of an element that holds the words: lang and dir="auto" for staff's words."""
        if not self.edited:
            return Markup("")
        if self.lang:
            return Markup(' lang="{}" dir="auto"').format(self.lang)
        return Markup(' dir="auto"')

    @property
    def marked(self) -> Markup:
        """The words as HTML, staff's own in a <span> with their language and direction."""
        if not (self.edited and self):
            return escape(str(self))
        return Markup("<span{}>{}</span>").format(self.attrs, str(self))


class InlineWords(FormWords):
    """Words that a template only ever puts inside an element (a question, a choice): `{{ words }}`
    marks staff's own. (A title is not one: inside <title> a <span> would show as text.)"""

    def __html__(self) -> Markup:
        return self.marked


@dataclass(frozen=True)
class ReadForm:
    """A form as its reader reads it: the survey, and its sections with their questions, whose
    words are FormWords; every other attribute is the stored row's."""

    survey: "_Shown"
    sections: list[Section]


def for_reader(survey: Survey, sections: list[Section]) -> ReadForm:
    """The survey (or feedback form) with `sections` (responding.sections_of) in the reader's words."""
    words = _Words(survey, [q for part in sections for q in part.questions])
    shown = _Shown(survey, title=words.title(), intro=words.of(survey.intro, FormWords))
    return ReadForm(shown, [replace(part, questions=[words.question(q) for q in part.questions])
                            for part in sections])


class _Shown:
    """A row with some of its columns replaced by the words its reader is shown (the rest read through)."""

    def __init__(self, row, **words):
        self._row = row
        self.__dict__.update(words)

    def __getattr__(self, name):
        return getattr(self._row, name)


class _Words:
    """Which stored texts of one form are still a default, in which staff language, and the form's
    language as its defaults tell it."""

    def __init__(self, survey: Survey, questions: list[SurveyQuestion]):
        self.survey = survey
        self.event = survey.event if survey.is_feedback else None
        # A survey's texts are all staff's own: only a feedback form has defaults.
        self.defaults = _as_staff_wrote_them(self.event.title) if self.event is not None else {}
        stored = [survey.title, survey.intro] + [text for question in questions for text in _texts(question)]
        self.lang = self._language(stored)

    def _language(self, stored: list[str]) -> str | None:
        """The one staff language the form's defaults are written in, if they tell it (a default
        German and English write alike tells nothing)."""
        told: set[str] = set()
        for text in stored:
            _default, languages = self.defaults.get(text, (None, set()))
            if len(languages) == 1:
                told |= languages
        return told.pop() if len(told) == 1 else None

    def of(self, stored: str, kind: type[FormWords] = InlineWords) -> FormWords:
        """A stored text as the reader is shown it."""
        if stored in self.defaults:
            default = self.defaults[stored][0]
            if default is not TITLE:
                return kind(str(default))
        return kind(stored, edited=True, lang=self.lang)

    def title(self) -> FormWords:
        """The title; a default one names the event in the reader's language where it has it."""
        if self.survey.title in self.defaults and self.defaults[self.survey.title][0] is TITLE:
            return FormWords(default_title(title_in(self.event, str(get_locale())).text))
        return self.of(self.survey.title, FormWords)

    def question(self, question: SurveyQuestion) -> _Shown:
        """A question with its text, help, scale ends and choices as the reader is shown them."""
        return _Shown(question, text=self.of(question.text), help=self.of(question.help),
                      low_label=self.of(question.low_label), high_label=self.of(question.high_label),
                      options=[{"id": option["id"], "label": self.of(option["label"])}
                               for option in question.options])


def _as_staff_wrote_them(event_title: str) -> dict[str, tuple[LazyString, set[str]]]:
    """Each default as German and English staff write it: {text: (the default, the languages that
    write it so)}; the title with the event's (German) title, as feedback.switch_on wrote it."""
    defaults: dict[str, tuple[LazyString, set[str]]] = {}
    for language in current_app.config["STAFF_LANGUAGES"]:
        with force_locale(language):
            written = [(default_title(event_title), TITLE)] + [(str(text), text) for text in DEFAULT_TEXTS]
        for text, default in written:
            defaults.setdefault(text, (default, set()))[1].add(language)
    return defaults


def _texts(question: SurveyQuestion) -> list[str]:
    return [question.text, question.help, question.low_label, question.high_label,
            *(option["label"] for option in question.options)]
