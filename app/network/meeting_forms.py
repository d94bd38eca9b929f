"""The staff forms for meetings: when a meeting is (a day, from, until, in a zone), and recording
one afterwards with the institutions and people present."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..errors import DomainError
from ..events.forms import timezone_choices
from ..events.models import Event
from ..events.services import EVENT_YEARS, known_timezones, year_out_of_range
from ..forms import PodiumForm, show_refusal
from ..text import clean_line, clean_text
from .meetings import MEETING_KINDS

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
# The event's fields a service's refusal may name, and the field of these forms they are asked in.
REFUSAL_FIELDS = {"starts_at": "day", "ends_at": "ends"}


class DayField(DateField):
    """A calendar day; a year far off (1, 20266) is a typo and refused."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d.%m.%Y"],
                         invalid_value_message=_l("Enter a date, for example 2026-05-04."), **kwargs)

    def pre_validate(self, form):
        """Refuse a year outside EVENT_YEARS before anything is computed from it."""
        if self.data is not None and self.data.year not in EVENT_YEARS:
            raise ValidationError(year_out_of_range())


class ClockField(TimeField):
    """A wall-clock time ("18:30") in the meeting's own zone."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=TIME_FORMATS,
                         invalid_value_message=_l("Enter a time, for example 18:30."), **kwargs)


class MeetingTimeForm(PodiumForm):
    """When a meeting is: a day, from and until, in a time zone."""

    day = DayField(_l("Date"), validators=[InputRequired(_l("On which day is the meeting?"))])
    starts = ClockField(_l("From"), validators=[InputRequired(_l("When does the meeting start?"))])
    ends = ClockField(_l("Until"), validators=[InputRequired(_l("When does the meeting end?"))])
    timezone = SelectField(_l("Time zone"), default="Europe/Berlin", validate_choice=False,
                           validators=[InputRequired(_l("Please choose a time zone."))])
    venue = StringField(_l("Venue"), filters=[clean_line], validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), filters=[clean_line], validators=[Optional(), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(keep=self.timezone.data)

    def validate_timezone(self, field):
        """Only a known zone (the choices are not checked by WTForms)."""
        if field.data not in known_timezones():
            raise ValidationError(_l("Unknown time zone. Choose one from the list, e.g. Europe/Berlin."))

    def validate_ends(self, field):
        """A meeting ends after it starts, on the same day."""
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The meeting must end after it starts."))

    def place_refusal(self, exc: DomainError) -> None:
        """Put a service's refusal next to its field; the services' start and end are this form's
        day and end time."""
        field = getattr(self, REFUSAL_FIELDS.get(exc.field) or "", None)
        if field is None:
            show_refusal(self, exc)
        else:
            field.errors = [*field.errors, str(exc)]

    def times(self) -> tuple[datetime, datetime]:
        """The validated start and end, timezone-aware."""
        zone = ZoneInfo(self.timezone.data)
        return (datetime.combine(self.day.data, self.starts.data, tzinfo=zone),
                datetime.combine(self.day.data, self.ends.data, tzinfo=zone))

    def place_and_time(self) -> dict:
        """The validated input as Event fields of time and place."""
        starts_at, ends_at = self.times()
        return {"starts_at": starts_at, "ends_at": ends_at, "timezone": self.timezone.data,
                "venue": self.venue.data or "", "address": self.address.data or ""}

    def fill_times(self, event: Event) -> None:
        """Show an event's day, times and zone (its own zone's wall clock)."""
        starts, ends = event.local_starts_at, event.local_ends_at
        self.day.data, self.starts.data, self.ends.data = starts.date(), starts.time(), ends.time()
        self.timezone.data = event.timezone
        self.timezone.choices = timezone_choices(keep=event.timezone)
        self.venue.data, self.address.data = event.venue, event.address


class MeetingForm(MeetingTimeForm):
    """A meeting staff record afterwards."""

    kind = SelectField(_l("Kind of meeting"), default=MEETING_KINDS[0],
                       choices=[SelectChoice(kind, kind.label) for kind in MEETING_KINDS],
                       validators=[InputRequired(_l("Please choose the kind of meeting."))])
    title = StringField(_l("Title"), filters=[clean_line],
                        validators=[DataRequired(_l("Please give the meeting a title.")), Length(max=200)])
    # Choices: 0 (none) and the groups; the view fills them in.
    working_group_id = SelectField(_l("Working group (optional)"), coerce=int, default=0)
    institution_ids = SelectMultipleField(_l("Institutions present"), coerce=int, render_kw={"size": 8})
    contact_ids = SelectMultipleField(_l("People present"), coerce=int, render_kw={"size": 10})
    description = TextAreaField(_l("Notes"), filters=[clean_text], render_kw={"rows": 8},
                                validators=[Optional(), Length(max=20_000)])

    @classmethod
    def for_meeting(cls, event: Event, *, institution_ids: list[int],
                    contact_ids: list[int]) -> "MeetingForm":
        """The form filled with a recorded meeting as it stands."""
        form = cls(data={"kind": event.kind, "title": event.title, "description": event.description,
                         "working_group_id": event.working_group_id or 0, "institution_ids": institution_ids,
                         "contact_ids": contact_ids})
        form.fill_times(event)
        return form

    def meeting_fields(self) -> dict:
        """The validated input as the fields meetings.record_meeting takes."""
        return self.place_and_time() | {
            "title": self.title.data, "kind": self.kind.data, "description": self.description.data or "",
            "working_group_id": self.working_group_id.data or None,
        }
