"""The staff forms of a series: its title and description, an event to add, and the rule of
recurring dates."""
from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import PodiumForm
from ..text import clean_line, clean_text
from .display import event_short_date
from .models import Event
from .recurrence import MAX_DATES, MAX_INTERVAL, ORDINALS, Frequency, MonthlyBy, Recurrence
from .services import EVENT_YEARS, year_out_of_range


class SeriesForm(PodiumForm):
    """A series as staff name and describe it."""

    title = StringField(_l("Title"), filters=[clean_line],
                        validators=[DataRequired(_l("Please give the series a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), filters=[clean_text],
                                validators=[Optional(), Length(max=20_000)], render_kw={"rows": 8})


def event_choices(events: list[Event]) -> list[SelectChoice]:
    """Events as a list names them ("03.12.2026 · Forum Ausbildung (draft)"), after an empty choice:
    nothing is chosen until staff choose."""
    return [SelectChoice("", _l("Choose an event …")),
            *(SelectChoice(event.id, f"{event_short_date(event)} · {event.title} ({event.status.label})")
              for event in events)]


def _event_id(value) -> int | None:
    """The chosen event's id; None for the empty choice (InputRequired refuses it)."""
    return None if value in ("", None) else int(value)


def _event_field(label, message):
    return SelectField(label, coerce=_event_id, validators=[InputRequired(message)],
                       invalid_value_message=message, invalid_choice_message=message)


class SeriesEventForm(PodiumForm):
    """An existing event to add to the series (its choices: series.addable_events)."""

    event_id = _event_field(_l("Event"), _l("Please choose an event from the list."))


class DateInYearsField(DateField):
    """A day, refused outside EVENT_YEARS (a typo such as 20266)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, invalid_value_message=_l(
            "Enter a date, for example 2026-10-06."), **kwargs)

    def pre_validate(self, form):
        """A year far off is refused before any rule runs on it."""
        if self.data is not None and self.data.year not in EVENT_YEARS:
            raise ValidationError(year_out_of_range())


class RecurringDatesForm(PodiumForm):
    """A rule of recurring dates, and the template event each date copies."""

    template_id = _event_field(_l("Template event"), _l("Please choose the event each date copies."))
    first_day = DateInYearsField(_l("First day"), validators=[InputRequired(_l("From which day on?"))])
    frequency = RadioField(_l("Repeats"), choices=[SelectChoice(f, f.label) for f in Frequency],
                           default=Frequency.monthly,
                           invalid_choice_message=_l("Please choose weekly or monthly."))
    interval = IntegerField(_l("Every … weeks or months"), default=1,
                            invalid_value_message=_l("Enter a whole number."),
                            validators=[InputRequired(_l("Enter a whole number.")),
                                        NumberRange(min=1, max=MAX_INTERVAL,
                                                    message=_l("Enter a number from %(min)s to %(max)s."))])
    monthly_by = RadioField(_l("Monthly"), choices=[SelectChoice(m, m.label) for m in MonthlyBy],
                            default=MonthlyBy.weekday,
                            invalid_choice_message=_l("Please choose one of the two."))
    ordinal = SelectField(_l("Which one"), coerce=int, default=1,
                          choices=[SelectChoice(n, label) for n, label in ORDINALS.items()],
                          invalid_value_message=_l("Please choose from the list."),
                          invalid_choice_message=_l("Please choose from the list."))
    weekday = SelectField(_l("Weekday"), coerce=int, default=1,
                          invalid_value_message=_l("Please choose a weekday."),
                          invalid_choice_message=_l("Please choose a weekday."))
    until = DateInYearsField(_l("Last day"), validators=[Optional()])
    count = IntegerField(_l("Number of dates"), invalid_value_message=_l("Enter a whole number."),
                         validators=[Optional(), NumberRange(min=1, max=MAX_DATES, message=_l(
                             "Enter a number from %(min)s to %(max)s."))])
    # The dates the preview showed (series.RecurringPlan.fingerprint), checked when they are created.
    expected = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = get_day_names("wide", locale=get_locale())
        self.weekday.choices = [SelectChoice(day, names[day]) for day in range(7)]

    def validate(self, extra_validators=None):
        """Each field, then the end of the rule: the last day after the first, and either a last day
        or a number of dates (an empty optional field skips its own validators, so this is here)."""
        valid = super().validate(extra_validators)
        until, count = self.until, self.count
        if until.data and self.first_day.data and until.data < self.first_day.data:
            until.errors.append(_l("The last day cannot come before the first day."))
        elif until.data is None and count.data is None and not (until.errors or count.errors):
            until.errors.append(_l("Give the last day or the number of dates."))
        elif until.data is not None and count.data is not None:
            count.errors.append(_l("Give either the last day or the number of dates, not both."))
        else:
            return valid
        return False

    def recurrence(self) -> Recurrence:
        """The validated rule."""
        return Recurrence(frequency=Frequency(self.frequency.data), first_day=self.first_day.data,
                          weekday=self.weekday.data, interval=self.interval.data,
                          monthly_by=MonthlyBy(self.monthly_by.data), ordinal=self.ordinal.data,
                          until=self.until.data, count=self.count.data)

    @classmethod
    def for_template(cls, template: Event | None) -> "RecurringDatesForm":
        """An empty rule that starts on the template's day, on its weekday and its place in the month."""
        if template is None:
            return cls(formdata=None)
        day = template.local_starts_at.date()
        ordinal = (day.day - 1) // 7 + 1
        return cls(formdata=None, data={"template_id": template.id, "first_day": day,
                                        "weekday": day.weekday(), "ordinal": ordinal if ordinal <= 4 else -1})
