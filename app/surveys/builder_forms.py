"""The staff forms of the survey builder: the survey, a section, a question (with its choices, one
box each), and the buttons that move a section or a question."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from ..forms import PodiumForm
from ..network.meeting_forms import DayField
from ..text import clean_line, clean_text
from .models import QuestionKind, Survey, SurveyQuestion

# Empty boxes under a question's choices, for new ones (more after saving, if needed).
NEW_OPTION_BOXES = 3


def _site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def closing_day(closes_at: datetime | None):
    """The last day answers are taken, in the site's zone (a survey closes at the end of it)."""
    return (closes_at.astimezone(_site_zone()) - timedelta(microseconds=1)).date() if closes_at else None


class SurveyForm(PodiumForm):
    """A survey's title, introduction, anonymity and closing date."""

    title = StringField(_l("Title"), filters=[clean_line],
                        validators=[DataRequired(_l("Please give the survey a title.")), Length(max=200)])
    intro = TextAreaField(_l("Introduction"), filters=[clean_text], render_kw={"rows": 5},
                          validators=[Optional(), Length(max=20_000)])
    anonymous = BooleanField(_l("Anonymous: store the answers without the name of who gave them"))
    closes_on = DayField(_l("Last day for answers (optional)"), validators=[Optional()])

    @classmethod
    def for_survey(cls, survey: Survey) -> "SurveyForm":
        """The form filled in with the survey as it stands."""
        return cls(data={"title": survey.title, "intro": survey.intro, "anonymous": survey.anonymous,
                         "closes_on": closing_day(survey.closes_at)})

    def survey_fields(self) -> dict:
        """The validated input as building.create_survey and update_survey take it: the survey closes
        at the end of its last day, in the site's zone."""
        closes_at = None
        if self.closes_on.data:
            day_after = self.closes_on.data + timedelta(days=1)
            closes_at = datetime.combine(day_after, time(0), tzinfo=_site_zone())
        return {"title": self.title.data, "intro": self.intro.data or "", "anonymous": self.anonymous.data,
                "closes_at": closes_at}


class SectionForm(PodiumForm):
    """A section's title and introduction (both optional: a survey of one part needs neither)."""

    title = StringField(_l("Title of the section"), filters=[clean_line],
                        validators=[Optional(), Length(max=200)])
    intro = TextAreaField(_l("Introduction to the section"), filters=[clean_text], render_kw={"rows": 3},
                          validators=[Optional(), Length(max=20_000)])


class OptionForm(Form):
    """One choice: its id (empty for a new one) and its wording."""

    id = HiddenField()
    label = StringField(_l("Choice"), filters=[clean_line], validators=[Optional(), Length(max=200)])


def kind_choices() -> list[SelectChoice]:
    """The six types of question, by their names."""
    return [SelectChoice(kind.value, kind.label) for kind in QuestionKind]


class QuestionForm(PodiumForm):
    """A question of any of the six types; each type reads only the fields it needs."""

    kind = SelectField(_l("Type of question"), choices=kind_choices,
                       validators=[InputRequired(_l("Please choose the type of question."))])
    text = StringField(_l("Question"), filters=[clean_line],
                       validators=[DataRequired(_l("Please write the question.")), Length(max=500)])
    help = StringField(_l("Help text (optional)"), filters=[clean_line],
                       validators=[Optional(), Length(max=500)])
    required = BooleanField(_l("An answer is required"))
    options = FieldList(FormField(OptionForm), label=_l("Choices"), min_entries=0)
    allow_other = BooleanField(_l("Offer “Other” with a box to write in"))
    min_number = StringField(_l("Smallest number allowed (optional)"), filters=[clean_line],
                             validators=[Optional(), Length(max=30)])
    max_number = StringField(_l("Largest number allowed (optional)"), filters=[clean_line],
                             validators=[Optional(), Length(max=30)])
    low_label = StringField(_l("What 1 means (optional)"), filters=[clean_line],
                            validators=[Optional(), Length(max=100)])
    high_label = StringField(_l("What 5 means (optional)"), filters=[clean_line],
                             validators=[Optional(), Length(max=100)])

    @classmethod
    def for_question(cls, question: SurveyQuestion) -> "QuestionForm":
        """The form filled in with the question, and empty boxes for new choices."""
        form = cls(data={"kind": question.kind.value, "text": question.text, "help": question.help,
                         "required": question.required, "allow_other": question.allow_other,
                         "options": [dict(option) for option in question.options],
                         "min_number": _plain_number(question.min_number),
                         "max_number": _plain_number(question.max_number),
                         "low_label": question.low_label, "high_label": question.high_label})
        form.add_option_boxes()
        return form

    def add_option_boxes(self, number: int = NEW_OPTION_BOXES) -> None:
        """Empty boxes for new choices below those there are."""
        for _ in range(number):
            self.options.append_entry({"id": "", "label": ""})

    def question_fields(self) -> dict:
        """The validated input as building_questions.add_question and update_question take it."""
        return {"kind": self.kind.data, "text": self.text.data, "help": self.help.data or "",
                "required": self.required.data, "allow_other": self.allow_other.data,
                "options": [{"id": entry.form.id.data or "", "label": entry.form.label.data or ""}
                            for entry in self.options],
                "min_number": self.min_number.data or None, "max_number": self.max_number.data or None,
                "low_label": self.low_label.data or "", "high_label": self.high_label.data or ""}


def _plain_number(number: float | None) -> str:
    """A limit as staff typed it: 10, not 10.0."""
    if number is None:
        return ""
    return str(int(number)) if number == int(number) else str(number)


class MoveForm(PodiumForm):
    """The up and down buttons beside a section or a question (the button pressed names the way)."""

    direction = HiddenField(validators=[AnyOf(["up", "down"])])

    @property
    def step(self) -> int:
        """-1 for up, +1 for down."""
        return -1 if self.direction.data == "up" else 1
