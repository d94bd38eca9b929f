"""The report's choice as staff make it: a period (a year, a half-year or two dates) and what the
report is narrowed to. A GET form, so that a report has an address to bookmark and send on; no
CSRF token, since it changes nothing."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import DateInput, NumberInput

from ..forms import CheckboxesField
from ..contacts.institutions import institution_choices
from ..events.models import EventKind
from ..events.series import series_overview
from ..network.meetings import group_choices
from ..text import clean_line
from .figures import Scope
from .periods import FIRST_YEAR, LAST_YEAR, Period, period_from_args

SPANS = [SelectChoice("year", _l("A year")), SelectChoice("half", _l("A half-year")),
         SelectChoice("custom", _l("From one day to another"))]
HALVES = [SelectChoice("1", _l("January to June")), SelectChoice("2", _l("July to December"))]
# Which query arguments name the period, for each kind of span (periods.period_from_args reads them).
SPAN_ARGS = {"year": ("year",), "half": ("year", "half"), "custom": ("start", "end")}
EVERYTHING = ""


class ReportForm(Form):
    """The period and the narrowing of a report, read from the query string. The period's own
    rules are periods.period_from_args's; `period` puts its refusal next to the field."""

    span = RadioField(_l("Period"), choices=SPANS, default="year", validate_choice=False)
    year = StringField(_l("Year"), filters=[clean_line], widget=NumberInput(min=FIRST_YEAR, max=LAST_YEAR),
                       render_kw={"class": "input--short"})
    half = SelectField(_l("Half-year"), choices=HALVES, default="1", validate_choice=False)
    start = StringField(_l("From"), filters=[clean_line], widget=DateInput())
    end = StringField(_l("To (included)"), filters=[clean_line], widget=DateInput())
    kind = CheckboxesField(_l("Kinds of event"), choices=[SelectChoice(k.value, k.label) for k in EventKind],
                           validate_choice=False)
    # Choices ("" for everything, then the ids) are filled in by `offering`.
    series = SelectField(_l("Series"), choices=[], default=EVERYTHING, validate_choice=False)
    group = SelectField(_l("Working group"), choices=[], default=EVERYTHING, validate_choice=False)
    institution = SelectField(_l("Institution"), choices=[], default=EVERYTHING, validate_choice=False)

    @classmethod
    def from_args(cls, args) -> "ReportForm":
        """The form as the query string fills it, with every series, group and institution to choose."""
        return cls(args).offering(series=[(s.series.id, s.series.title) for s in series_overview()],
                                  groups=group_choices(), institutions=institution_choices())

    def offering(self, *, series, groups, institutions) -> "ReportForm":
        """The form with these (id, name) pairs to choose from, each list after "all"."""
        for field, pairs, everything in ((self.series, series, _l("All series")),
                                         (self.group, groups, _l("All working groups")),
                                         (self.institution, institutions, _l("All institutions"))):
            field.choices = [SelectChoice(EVERYTHING, everything)] + [
                SelectChoice(str(id_), name) for id_, name in pairs]
        return self

    def validate_span(self, field):
        """One of the kinds of period (the choices are not checked by WTForms)."""
        if field.data not in SPAN_ARGS:
            raise ValidationError(_l("Please choose a year, a half-year or two days."))

    def validate_kind(self, field):
        """Only kinds of event Podium knows."""
        if any(value not in {kind.value for kind in EventKind} for value in field.data or ()):
            raise ValidationError(_l("Please choose kinds of event from the list."))

    def validate_series(self, field):
        """A series of the list, or all."""
        _check_choice(field, _l("There is no such series. Please choose one from the list."))

    def validate_group(self, field):
        """A working group of the list, or all."""
        _check_choice(field, _l("There is no such working group. Please choose one from the list."))

    def validate_institution(self, field):
        """An institution of the list, or all."""
        _check_choice(field, _l("There is no such institution. Please choose one from the list."))

    # --- what the valid form stands for --------------------------------------------------------

    def period(self, now=None) -> Period:
        """The period the form names (the current year when it names none), its fields filled in
        as it reads. :raises InvalidPeriod: with the field at fault."""
        names = SPAN_ARGS.get(self.span.data, SPAN_ARGS["year"])
        period = period_from_args({name: getattr(self, name).data or "" for name in names}, now)
        if not self.year.data:
            self.year.data = str(period.start.year)
        return period

    def scope(self, **fixed) -> Scope:
        """What the (valid) form narrows the report to; `fixed` (a group, an event) comes on top."""
        narrowed = fixed or {"series_id": _chosen(self.series), "group_id": _chosen(self.group),
                             "institution_id": _chosen(self.institution)}
        return Scope(kinds=tuple(EventKind(value) for value in self.kind.data or ()), **narrowed)

    def query(self, period: Period) -> dict:
        """The choice as query arguments, for the links to the CSV and PDF of the same report."""
        named = period.args()
        args = {"span": "custom" if "start" in named else "half" if "half" in named else "year"} | named
        args |= {"kind": list(self.kind.data)} if self.kind.data else {}
        return args | {name: getattr(self, name).data for name in ("series", "group", "institution")
                       if getattr(self, name).data}

    def narrowing(self) -> list[tuple[str, str]]:
        """What the report is narrowed to, as (what, which) pairs for people ([] for everything)."""
        chosen = []
        if self.kind.data:
            labels = dict((choice.value, choice.label) for choice in self.kind.choices)
            kinds = ", ".join(str(labels.get(value, value)) for value in self.kind.data)
            chosen.append((str(self.kind.label.text), kinds))
        for field in (self.series, self.group, self.institution):
            if field.data:
                name = next((str(choice.label) for choice in field.choices if choice.value == field.data),
                            field.data)
                chosen.append((str(field.label.text), name))
        return chosen


def _check_choice(field, message) -> None:
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(message)


def _chosen(field) -> int | None:
    return int(field.data) if field.data else None
