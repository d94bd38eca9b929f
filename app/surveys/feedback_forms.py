"""The form of an event's feedback settings: when the request goes out, its reminder, anonymity."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, StopValidation

from ..forms import PodiumForm
from .feedback import MAX_REMIND_AFTER_DAYS, MAX_SEND_AFTER_HOURS, MIN_REMIND_AFTER_DAYS, FeedbackSettings
from .models import Survey

ANONYMOUS, NAMED = "anonymous", "named"


def whole_number(form, field) -> None:
    """Stop at the field's own message for text that is no whole number ("4.5", "two"), so that the
    range's message does not follow it."""
    if field.process_errors:
        raise StopValidation()


class FeedbackSettingsForm(PodiumForm):
    """Switching the form on, or changing it before it goes out."""

    send_after_hours = IntegerField(
        _l("Hours after the end of the event"), default=2,
        invalid_value_message=_l("Enter a whole number of hours, for example 2."),
        validators=[whole_number, InputRequired(_l("Enter a whole number of hours, for example 2.")),
                    NumberRange(min=0, max=MAX_SEND_AFTER_HOURS,
                                message=_l("Enter a number of hours from 0 to %(max)s (two weeks).",
                                           max=MAX_SEND_AFTER_HOURS))])
    remind_after_days = IntegerField(
        _l("Days until the reminder"), default=4,
        invalid_value_message=_l("Enter a whole number of days, for example 4."),
        validators=[whole_number, InputRequired(_l("Enter a whole number of days, for example 4.")),
                    NumberRange(min=MIN_REMIND_AFTER_DAYS, max=MAX_REMIND_AFTER_DAYS,
                                message=_l("Enter a number of days from %(min)s to %(max)s.",
                                           min=MIN_REMIND_AFTER_DAYS, max=MAX_REMIND_AFTER_DAYS))])
    anonymity = RadioField(
        _l("Whose answers"), default=ANONYMOUS,
        choices=[SelectChoice(ANONYMOUS, _l("Anonymous: answers are stored without the guest's name")),
                 SelectChoice(NAMED, _l("With names: you see who gave which answer"))],
        validators=[InputRequired(_l("Please choose whether the answers are anonymous."))])

    @classmethod
    def for_survey(cls, survey: Survey | None) -> "FeedbackSettingsForm":
        """The form filled with the saved settings, or the defaults for a form not yet switched on."""
        if survey is None:
            return cls(formdata=None)
        return cls(formdata=None, data={"send_after_hours": survey.send_after_hours,
                                        "remind_after_days": survey.remind_after_days,
                                        "anonymity": ANONYMOUS if survey.anonymous else NAMED})

    def settings(self) -> FeedbackSettings:
        """The validated input, as the feedback service takes it."""
        return FeedbackSettings(send_after_hours=self.send_after_hours.data,
                                remind_after_days=self.remind_after_days.data,
                                anonymous=self.anonymity.data == ANONYMOUS)
