"""Series of events: the public page and feed of a series, and the staff pages that make one
(recurring dates included)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..auth.access import current_actor, staff_required
from ..database import utcnow
from ..errors import DomainError, NotFound, StateConflict
from ..formatting import day_and_time_range
from ..forms import ButtonForm, show_refusal
from ..links import absolute_url
from ..pagecache import cached_page, next_change
from . import ical, services
from . import series as series_service
from .models import Series
from .recurrence import MAX_DATES
from .series_forms import RecurringDatesForm, SeriesEventForm, SeriesForm, event_choices
from .views import calendar_description

bp = Blueprint("series", __name__, url_prefix="/series")
staff_bp = Blueprint("series_staff", __name__, url_prefix="/staff/series")


# --- public -------------------------------------------------------------------------------------

@bp.get("/<slug>/")
def show(slug):
    """A series: what it is about, and its public dates, coming and past."""
    def version():
        of_series = series_service.series_version(slug)
        return of_series and (of_series, services.public_version())

    def render(**context):
        series = series_service.get_public_series(slug)
        upcoming, past = series_service.upcoming_and_past(series_service.public_series_events(series.id))
        html = render_template("series/show.html", series=series, upcoming=upcoming, past=past, **context)
        return html, next_change(utcnow(), *(event.ends_at for event in upcoming))

    return cached_page(version, render, not_found=Series.not_found)


@bp.get("/<slug>.ics")
def feed(slug):
    """A subscribable feed of the series' public dates, cancelled ones marked as such."""
    series = series_service.get_public_series(slug)
    entries = [(event, calendar_description(event), absolute_url("registrations.event_page", slug=event.slug))
               for event in series_service.public_series_events(series.id)]
    data = ical.feed(entries, name=series.title, locale=str(get_locale()))
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{series.slug}.ics"'
    return response


# --- staff --------------------------------------------------------------------------------------

# How the series' history names the facts of its entries.
HISTORY_LABELS = {"title": _l("Title"), "description": _l("Description"),
                  "event_added": _l("Event added"), "event_removed": _l("Event removed"),
                  "dates_added": _l("Dates created"), "template": _l("Template event"),
                  "rule": _l("Rule (RRULE)")}


@staff_bp.get("/")
@staff_required
def index():
    """Every series, with its number of events and its next date."""
    return render_template("series/staff/list.html", summaries=series_service.series_overview())


@staff_bp.get("/new")
@staff_required
def new():
    """An empty form for a new series."""
    return _form_page(SeriesForm())


@staff_bp.post("/new")
@staff_required
def create():
    """Save a new series; its address is made from the title."""
    form = SeriesForm()
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        series = series_service.create_series(title=form.title.data, description=form.description.data or "",
                                              by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, status=exc.status_code)
    flash(_("The series has been saved. Add its events here."))
    return redirect(url_for("series_staff.page", series_id=series.id))


@staff_bp.get("/<int:series_id>/edit")
@staff_required
def edit(series_id):
    """The form of a series, filled in."""
    series = series_service.get_series(series_id)
    return _form_page(SeriesForm(obj=series), series=series)


@staff_bp.post("/<int:series_id>/edit")
@staff_required
def update(series_id):
    """Save a series' new title or description (its address stays)."""
    series = series_service.get_series(series_id)
    form = SeriesForm()
    if not form.validate_on_submit():
        return _form_page(form, series=series, status=422)
    try:
        series_service.update_series(series.id, title=form.title.data,
                                     description=form.description.data or "", by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, series=series_service.get_series(series_id), status=exc.status_code)
    flash(_("Saved."))
    return redirect(url_for("series_staff.page", series_id=series_id))


def _form_page(form: SeriesForm, *, series=None, status: int = 200):
    return render_template("series/staff/form.html", form=form, series=series), status


@staff_bp.get("/<int:series_id>/")
@staff_required
def page(series_id):
    """A series for staff: every event of it with its state, adding and removing events, its history."""
    return _series_page(series_service.get_series(series_id))


def _series_page(series, add_form: SeriesEventForm | None = None, *, problem: str | None = None,
                 status: int = 200):
    add_form = add_form or SeriesEventForm(formdata=None)
    add_form.event_id.choices = event_choices(series_service.addable_events(series.id))
    return render_template("series/staff/page.html", series=series, add_form=add_form, problem=problem,
                           events=series_service.staff_series_events(series.id), button=ButtonForm(),
                           history=series_service.entries_for_series(series.id),
                           history_labels=HISTORY_LABELS), status


@staff_bp.post("/<int:series_id>/events")
@staff_required
def add_event(series_id):
    """Add an existing event to the series."""
    series = series_service.get_series(series_id)
    form = SeriesEventForm()
    form.event_id.choices = event_choices(series_service.addable_events(series.id))
    if not form.validate_on_submit():
        return _series_page(series, form, status=422)
    try:
        event = series_service.add_event(series.id, form.event_id.data, by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _series_page(series_service.get_series(series_id), form, status=exc.status_code)
    flash(_("“%(title)s” is now part of the series.", title=event.title))
    return redirect(url_for("series_staff.page", series_id=series_id))


@staff_bp.post("/<int:series_id>/events/<int:event_id>/remove")
@staff_required
def remove_event(series_id, event_id):
    """Take an event out of the series; the event itself stays as it is."""
    series = series_service.get_series(series_id)
    if not ButtonForm().validate_on_submit():
        return _series_page(series, problem=_("Please try again."), status=400)
    try:
        event = series_service.remove_event(series.id, event_id, by=current_actor())
    except DomainError as exc:
        return _series_page(series_service.get_series(series_id), problem=str(exc), status=exc.status_code)
    flash(_("“%(title)s” is no longer part of the series. The event itself is unchanged.", title=event.title))
    return redirect(url_for("series_staff.page", series_id=series_id))


# --- recurring dates ----------------------------------------------------------------------------

CONFIRM = "confirm"


def _recurring_form(series, form: RecurringDatesForm | None = None) -> RecurringDatesForm:
    """The form of the rule, offering the series' own events first as its template."""
    form = form or RecurringDatesForm()
    own = series_service.staff_series_events(series.id)
    form.template_id.choices = event_choices(own + series_service.addable_events(series.id))
    return form


def _recurring_page(series, form: RecurringDatesForm, *, plan=None, problem: str | None = None,
                    status: int = 200):
    dates = [(planned, day_and_time_range(planned.starts_at, planned.ends_at, plan.template.zone))
             for planned in plan.dates] if plan else []
    return render_template("series/staff/recurring.html", series=series, form=form, plan=plan, dates=dates,
                           problem=problem, max_dates=MAX_DATES), status


@staff_bp.get("/<int:series_id>/recurring")
@staff_required
def recurring_form(series_id):
    """The rule of recurring dates, starting from a template event (?template=<id>)."""
    series = series_service.get_series(series_id)
    template_id = request.args.get("template", type=int)
    template = None
    if template_id is not None:
        try:
            template = services.get_event(template_id)
        except NotFound:
            template = None
    return _recurring_page(series, _recurring_form(series, RecurringDatesForm.for_template(template)))


@staff_bp.post("/<int:series_id>/recurring")
@staff_required
def recurring(series_id):
    """Preview the dates of a rule; on confirming, create them all as drafts of the series."""
    series = series_service.get_series(series_id)
    form = _recurring_form(series)
    if not form.validate_on_submit():
        return _recurring_page(series, form, status=422)
    if CONFIRM not in request.form:
        return _preview(series, form)
    try:
        created = series_service.create_recurring_dates(series.id, form.template_id.data, form.recurrence(),
                                                        expected=form.expected.data or "", by=current_actor())
    except StateConflict as exc:
        return _preview(series_service.get_series(series_id), form, problem=str(exc), status=exc.status_code)
    except DomainError as exc:
        show_refusal(form, exc)
        return _recurring_page(series_service.get_series(series_id), form, status=exc.status_code)
    flash(ngettext("%(num)s date was created as a draft of the series. Publish each when it is ready.",
                   "%(num)s dates were created as drafts of the series. Publish each when it is ready.",
                   len(created)))
    return redirect(url_for("series_staff.page", series_id=series_id))


def _preview(series, form: RecurringDatesForm, *, problem: str | None = None, status: int = 200):
    """The dates the rule gives, nothing created yet; the form carries what the preview showed."""
    try:
        plan = series_service.plan_recurring_dates(series.id, form.template_id.data, form.recurrence())
    except DomainError as exc:
        show_refusal(form, exc)
        return _recurring_page(series, form, status=exc.status_code)
    form.expected.data = plan.fingerprint
    return _recurring_page(series, form, plan=plan, problem=problem, status=status)
