"""Forms of the results page: the summary and the minutes, a file to add, who sees a file."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from ..forms import PodiumForm
from ..events.models import Event
from ..text import clean_line, clean_text
from .models import EventResult, ResultVisibility
from .results import proposed_summary_visibility

VISIBILITY_CHOICES = [SelectChoice(visibility.value, visibility.label) for visibility in ResultVisibility]
CHOOSE_ONE = _l("Please choose who sees it.")


class ResultTextsForm(PodiumForm):
    """What came of the event, in words: a summary and the minutes, each public or network only."""

    summary = TextAreaField(_l("Summary"), filters=[clean_text], validators=[Optional(), Length(max=20_000)],
                            render_kw={"rows": 8})
    # The network only unless told otherwise; for_result proposes the public for a public event.
    summary_visibility = RadioField(_l("Who sees the summary"), choices=VISIBILITY_CHOICES,
                                    default=ResultVisibility.network.value, validators=[InputRequired(CHOOSE_ONE)])
    minutes = TextAreaField(_l("Minutes"), filters=[clean_text], validators=[Optional(), Length(max=200_000)],
                            render_kw={"rows": 14})
    minutes_visibility = RadioField(_l("Who sees the minutes"), choices=VISIBILITY_CHOICES,
                                    default=ResultVisibility.network.value, validators=[InputRequired(CHOOSE_ONE)])

    @classmethod
    def for_result(cls, result: EventResult | None, *, event: Event) -> "ResultTextsForm":
        """The form filled with what is saved (whatever this request posted); before anything is,
        with who sees the summary proposed for the event (results.proposed_summary_visibility)."""
        if result is None:
            return cls(formdata=None, data={"summary_visibility": proposed_summary_visibility(event).value})
        return cls(formdata=None, data={"summary": result.summary,
                                        "summary_visibility": result.summary_visibility.value,
                         "minutes": result.minutes, "minutes_visibility": result.minutes_visibility.value})

    def texts(self) -> dict:
        """The fields as results.save_texts takes them."""
        return {"summary": self.summary.data or "", "summary_visibility": self.summary_visibility.data,
                "minutes": self.minutes.data or "", "minutes_visibility": self.minutes_visibility.data}


class ResultFileForm(PodiumForm):
    """A file to add to the results: its content decides what it is (network.uploads)."""

    file = FileField(_l("File"), validators=[FileRequired(_l("Please choose a file."))],
                     render_kw={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.pptx,.xlsx"})
    title = StringField(_l("Title"), filters=[clean_line], validators=[Optional(), Length(max=200)])
    visibility = RadioField(_l("Who sees the file"), choices=VISIBILITY_CHOICES,
                            default=ResultVisibility.network.value, validators=[InputRequired(CHOOSE_ONE)])


class FileVisibilityForm(PodiumForm):
    """The button that makes a file public, or network only."""

    visibility = HiddenField(validators=[AnyOf([v.value for v in ResultVisibility])])
