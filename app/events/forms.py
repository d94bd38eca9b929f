"""The staff forms for an event: its fields (its languages and its words in other languages too),
and the confirmation to cancel it."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask import current_app
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import CheckboxesField, PodiumForm
from ..i18n import EVENT_LANGUAGES, direction_of, language_name
from ..text import clean_line, clean_text
from .models import TEXT_LOCALES, Event, EventKind, EventVisibility
from .services import EVENT_YEARS, RETENTION_MONTHS, known_timezones, year_out_of_range
from .texts import INTERPRETING_OWN_LANGUAGE, TEXT_FIELDS, TITLE_NEEDED, summary_field, title_field

# What <input type="datetime-local"> sends (with or without seconds), and what the form shows.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# The zones offered: where the network's events take place (Trier and its neighbours), then UTC.
# Any other known zone is still accepted, and kept in the list for an event that has one.
REGION_TIMEZONES = ("Europe/Berlin", "Europe/Luxembourg", "Europe/Brussels", "Europe/Paris", "Europe/Amsterdam",
                    "Europe/Vienna", "Europe/Zurich", "Europe/London", "UTC")


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock time in the event's own zone (naive here; the form attaches the zone)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=LOCAL_FORMATS,
                         invalid_value_message=_l("Enter a date and time, for example 2026-05-04 18:30."),
                         **kwargs)

    def pre_validate(self, form):
        """A year far off (1, 20266) is a typo: refused here, before any time-zone arithmetic."""
        if self.data is not None and self.data.year not in EVENT_YEARS:
            raise ValidationError(year_out_of_range())

    def _value(self):
        # Seconds only when there are any: an event stored with seconds must not
        # move by a few seconds (and mail its guests) because it was saved unchanged.
        if self.raw_data or self.data is None:
            return super()._value()
        return self.data.strftime(LOCAL_FORMATS[0] if self.data.second == 0 else LOCAL_FORMATS[1])


# Who learns of an event and who may sign up: the choice's name, and one line on what it means.
VISIBILITY_CHOICES = (
    (EventVisibility.public, _l("Public"),
     _l("Listed on the website and in the calendar feed; anyone may sign up.")),
    (EventVisibility.invitation, _l("Invitation only"),
     _l("Not listed; only people with a personal invitation or the event's secret link may sign up.")),
    (EventVisibility.record, _l("Record only"),
     _l("A meeting, talk or visit the network writes down: no public page, no sign-up, no mail.")),
)


def visibility_hint(value: str) -> str:
    """The one line that says what a visibility means (for the form's choices)."""
    return next(str(hint) for choice, _label, hint in VISIBILITY_CHOICES if choice == value)


def lines(text: str | None) -> list[str]:
    """One entry per non-empty line, each cleaned."""
    return [line for line in (clean_line(raw) for raw in (text or "").splitlines()) if line]


def timezone_label(zone: str) -> str:
    """A zone as people find it: its city in the reader's language, and its exact name
    ("Luxemburg (Europe/Luxembourg)")."""
    city = get_timezone_location(zone, locale=get_locale(), return_city=True)
    return zone if city == zone else f"{city} ({zone})"


def timezone_choices(keep: str | None = None) -> list[SelectChoice]:
    """The region's zones, Europe/Berlin first; plus `keep` (an event's own zone) if it is another known one."""
    zones = [zone for zone in REGION_TIMEZONES if zone in known_timezones()]
    if keep and keep not in zones and keep in known_timezones():
        zones.append(keep)
    return [SelectChoice(zone, timezone_label(zone)) for zone in zones]


def language_choices() -> list[SelectChoice]:
    """Every language an event may be held or interpreted in, named in the reader's language."""
    return [SelectChoice(code, language_name(code)) for code in EVENT_LANGUAGES]


def title_with_summary(form, field):
    """A summary in another language comes with a title in it (texts.check_texts keeps the rule)."""
    if form[field.name.replace("title_", "summary_", 1)].data and not field.data:
        raise ValidationError(TITLE_NEEDED)


class EventForm(PodiumForm):
    """An event as staff create and edit it, times in the event's own zone."""

    title = StringField(_l("Title"), filters=[clean_line],
                        validators=[DataRequired(_l("Please give the event a title.")), Length(max=200)])
    kind = SelectField(_l("Kind of event"), choices=[SelectChoice(kind, kind.label) for kind in EventKind],
                       default=EventKind.forum,
                       validators=[InputRequired(_l("Please choose the kind of event."))])
    visibility = RadioField(_l("Who may know of it and sign up"),
                            choices=[SelectChoice(value, label) for value, label, _hint in VISIBILITY_CHOICES],
                            default=EventVisibility.public,
                            validators=[InputRequired(_l("Please choose who may sign up."))])
    summary = TextAreaField(_l("Summary (one or two sentences for the event list)"), filters=[clean_line],
                            validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    description = TextAreaField(_l("Description"), filters=[clean_text],
                                validators=[Optional(), Length(max=20_000)], render_kw={"rows": 10})
    # Left out (an older form, a script): German, as every event before languages were chosen.
    language = SelectField(_l("Language of the event"), default="de")
    interpreting = CheckboxesField(_l("Interpreting offered into (optional)"))
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(_l("When does the event start?"))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired(_l("When does the event end?"))])
    timezone = SelectField(_l("Time zone"), default="Europe/Berlin", validate_choice=False,
                           validators=[InputRequired(_l("Please choose a time zone."))])
    venue = StringField(_l("Venue"), filters=[clean_line], validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), filters=[clean_line], validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Capacity"), invalid_value_message=_l(
        "Enter a whole number of places, or leave it empty for no limit."), validators=[
        Optional(), NumberRange(min=0, max=100_000, message=_l("Enter a number of places from 0 to 100,000."))])
    waitlist_enabled = BooleanField(_l("Waitlist when the event is full"), default=True)
    registration_opens_at = LocalDateTimeField(_l("Registration opens (optional)"), validators=[Optional()])
    registration_closes_at = LocalDateTimeField(_l("Registration closes (optional)"), validators=[Optional()])
    speakers = TextAreaField(_l("Speakers (one per line, e.g. “Name, role”)"), filters=[clean_text],
                             validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})
    # Empty: a new event takes RETENTION_MONTHS, an event being edited keeps its period.
    retention_months = IntegerField(
        _l("Delete the guests' details after (months)"),
        default=lambda: current_app.config["RETENTION_MONTHS"],
        invalid_value_message=_l("Enter a whole number of months."),
        validators=[Optional(), NumberRange(min=RETENTION_MONTHS[0], max=RETENTION_MONTHS[-1], message=_l(
            "Enter a number of months from %(min)s to %(max)s."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(keep=self.timezone.data)
        self.language.choices = self.interpreting.choices = language_choices()

    @classmethod
    def for_event(cls, event: Event) -> "EventForm":
        """The form filled with an event as it stands, times in its own zone."""
        zone = event.zone

        def local(moment: datetime | None) -> datetime | None:
            return moment.astimezone(zone).replace(tzinfo=None) if moment else None

        return cls(data={
            "title": event.title, "kind": event.kind, "visibility": event.visibility, "summary": event.summary,
            "description": event.description, "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at), "timezone": event.timezone, "venue": event.venue,
            "address": event.address, "capacity": event.capacity, "waitlist_enabled": event.waitlist_enabled,
            "registration_opens_at": local(event.registration_opens_at),
            "registration_closes_at": local(event.registration_closes_at),
            "speakers": "\n".join(event.speakers or []),
            "retention_months": event.retention_months,
            "language": event.language, "interpreting": event.interpreting_languages,
        } | {name: getattr(event, name) for name in TEXT_FIELDS})

    def validate_timezone(self, field):
        """Only a zone of the list (the form's choices are not checked by WTForms)."""
        if field.data not in known_timezones():
            raise ValidationError(_l("Unknown time zone. Choose one from the list, e.g. Europe/Berlin."))

    def validate_interpreting(self, field):
        """Interpreting is into other languages than the event's own."""
        if self.language.data in (field.data or ()):  # no form sent at all: nothing chosen
            raise ValidationError(INTERPRETING_OWN_LANGUAGE)

    def validate_ends_at(self, field):
        """An event ends after it starts."""
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The event must end after it starts."))

    def validate_registration_closes_at(self, field):
        """Sign-up closes after it opens."""
        opens = self.registration_opens_at.data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))

    def event_fields(self) -> dict:
        """The validated input as Event fields: times timezone-aware, a list of speakers."""
        zone = ZoneInfo(self.timezone.data)

        def aware(moment: datetime | None) -> datetime | None:
            return moment.replace(tzinfo=zone) if moment else None

        retention = {"retention_months": self.retention_months.data} if self.retention_months.data else {}
        interpreting = [code for code in EVENT_LANGUAGES if code in (self.interpreting.data or [])]
        return retention | {
            "title": self.title.data, "kind": self.kind.data, "visibility": self.visibility.data,
            "summary": self.summary.data or "",
            "description": self.description.data or "", "starts_at": aware(self.starts_at.data),
            "ends_at": aware(self.ends_at.data), "timezone": self.timezone.data,
            "venue": self.venue.data or "", "address": self.address.data or "",
            "capacity": self.capacity.data, "waitlist_enabled": self.waitlist_enabled.data,
            "registration_opens_at": aware(self.registration_opens_at.data),
            "registration_closes_at": aware(self.registration_closes_at.data),
            "speakers": lines(self.speakers.data),
            "language": self.language.data,
            "interpreting": " ".join(interpreting),
        } | {name: self[name].data or "" for name in TEXT_FIELDS}


def _add_text_fields(form_class: type[EventForm]) -> None:
    """A title and a summary field per language of TEXT_LOCALES ("title_ar"), typed in its own
    direction; the labels name the language (they also name the change in the event's history)."""
    for locale in TEXT_LOCALES:
        language = LazyString(language_name, locale)
        typed_in = {"lang": locale, "dir": direction_of(locale)}
        setattr(form_class, title_field(locale), StringField(
            _l("Title (%(language)s)", language=language), filters=[clean_line],
            validators=[title_with_summary, Length(max=200)], render_kw=typed_in))
        setattr(form_class, summary_field(locale), TextAreaField(
            _l("Summary (%(language)s)", language=language), filters=[clean_line],
            validators=[Length(max=500)], render_kw={"rows": 2, **typed_in}))


_add_text_fields(EventForm)


class CancelEventForm(PodiumForm):
    """Cancelling an event, with a word to its guests."""

    message = TextAreaField(_l("A word to the guests (optional), e.g. the reason or a new date"),
                            filters=[clean_text], validators=[Optional(), Length(max=2000)], render_kw={"rows": 4})
    confirm = BooleanField(_l("Yes, cancel this event and tell everyone registered."),
                           validators=[DataRequired(_l("Please confirm that the event is to be cancelled."))])
