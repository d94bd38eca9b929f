"""Staff pages for one event's registrations: list, search, status changes, add by hand, export."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.access import current_actor, staff_required
from ..csvexport import Column, local_time, table_download
from ..errors import AlreadyCancelled, DomainError, OverCapacity
from ..events.services import get_event
from ..forms import show_refusal
from ..i18n import LANGUAGE_NAMES
from ..paging import read_sort
from . import services, staff_services
from .forms import StaffRegistrationForm
from .models import RegistrationStatus

bp = Blueprint("registrations_staff", __name__, url_prefix="/staff/events")


def _columns(zone) -> list[Column]:
    """The registrations export: one row per registration, whatever its state."""
    def local(name):
        return lambda r: local_time(getattr(r, name), zone)

    return [
        Column("name", _l("Name"), lambda r: r.name),
        Column("email", _l("Email"), lambda r: r.email),
        Column("organisation", _l("Organisation"), lambda r: r.organisation),
        Column("affiliation", _l("Takes part as"), lambda r: r.affiliation, lambda r: r.affiliation.label),
        Column("status", _l("Status"), lambda r: r.status, lambda r: r.status.label),
        Column("source", _l("Came through"), lambda r: r.source, lambda r: r.source.label),
        Column("registered_at", _l("Registered on"), local("created_at")),
        Column("waitlisted_at", _l("On the waitlist since"), local("waitlisted_at")),
        Column("cancelled_at", _l("Cancelled on"), local("cancelled_at")),
        Column("checked_in_at", _l("Checked in at"), local("checked_in_at")),
        Column("note", _l("Note"), lambda r: r.note),
        Column("language", _l("Language"), lambda r: r.locale, lambda r: LANGUAGE_NAMES.get(r.locale, r.locale)),
        Column("consent_version", _l("Consent"), lambda r: r.consent_version),
    ]


def _filters(values) -> dict:
    """The search and status filter of the list, from the query string or a posted form."""
    status = values.get("status")
    return {"q": (values.get("q") or "").strip(),
            "status": RegistrationStatus(status) if status in RegistrationStatus.__members__.values() else None}


def _list_args(values) -> dict:
    """Where in the list a person was (search, filter, sort, page): kept by every link and button
    that leads back to it. Empty values are left out."""
    args = _filters(values) | {"sort": values.get("sort"), "page": values.get("page", type=int)}
    return {name: value for name, value in args.items() if value}


def _back_to_list(event_id: int):
    return redirect(url_for("registrations_staff.index", event_id=event_id, **_list_args(request.form)))


@bp.get("/<int:event_id>/registrations")
@staff_required
def index(event_id):
    """Who signed up for one event: search, filter by status, sort, page, act on each."""
    event = get_event(event_id)
    filters = _filters(request.args)
    sort = read_sort(request.args.get("sort"), staff_services.LIST_SORTS, "registered")
    found = staff_services.list_registrations(event.id, sort=sort, page=request.args.get("page", type=int),
                                              query=filters["q"], status=filters["status"])
    return render_template("registrations/staff/list.html", event=event, statuses=list(RegistrationStatus),
                           registrations=found, sort=sort, counts=staff_services.count_by_status(event.id),
                           list_args=_list_args(request.args), **filters)


@bp.get("/<int:event_id>/registrations.csv")
@staff_required
def export(event_id):
    """Every registration of the event, whatever its status, as CSV; `format=excel` for a German Excel."""
    event = get_event(event_id)
    return table_download(_columns(event.zone), services.find_registrations(event.id),
                          f"registrations-{event.slug}.csv", excel=request.args.get("format") == "excel")


def _new_page(event, form, status=200):
    # A record-only event takes nobody: the page says so instead of offering the form.
    refusal = staff_services.record_only_refusal() if event.is_record_only else None
    return render_template("registrations/staff/new.html", event=event, form=form, refusal=refusal), status


@bp.get("/<int:event_id>/registrations/new")
@staff_required
def new(event_id):
    """The form to register a guest by hand."""
    return _new_page(get_event(event_id), StaffRegistrationForm())


@bp.post("/<int:event_id>/registrations/new")
@staff_required
def create(event_id):
    """Register a guest by hand, with or without the confirmation mail."""
    event = get_event(event_id)
    form = StaffRegistrationForm()
    if not form.validate_on_submit():
        return _new_page(event, form, 422)
    try:
        registration = staff_services.add_registration(event.id, form.data, locale=form.locale.data,
                                                 send_mail=form.send_mail.data, by=current_actor(),
                                                 over_capacity_ok=form.over_capacity.data)
    except DomainError as exc:
        show_refusal(form, exc)
        return _new_page(get_event(event_id), form, exc.status_code)
    message = _("%(name)s has been added (%(status)s).", name=registration.name,
                status=registration.status.label)
    mailed = _("A mail to the guest is on its way.") if form.send_mail.data else _("No mail was sent.")
    flash(f"{message} {mailed}")
    return redirect(url_for("registrations_staff.index", event_id=event.id))


@bp.post("/<int:event_id>/registrations/<int:registration_id>/confirm")
@staff_required
def confirm(event_id, registration_id):
    """Give a waitlisted or cancelled guest a place; beyond capacity only when confirmed so."""
    try:
        registration = staff_services.confirm_registration(event_id, registration_id, by=current_actor(),
                                                     over_capacity_ok=bool(request.form.get("over_capacity")))
    except OverCapacity:
        return render_template("registrations/staff/over_capacity.html", event=get_event(event_id),
                               registration=staff_services.get_registration(event_id, registration_id),
                               list_args=_list_args(request.form)), 409
    flash(_("%(name)s is confirmed; the ticket is on its way by mail.", name=registration.name))
    return _back_to_list(event_id)


@bp.get("/<int:event_id>/registrations/<int:registration_id>/cancel")
@staff_required
def cancel_confirm(event_id, registration_id):
    """Ask before cancelling a guest's registration."""
    registration = staff_services.get_registration(event_id, registration_id)
    return render_template("registrations/staff/cancel.html", event=registration.event,
                           registration=registration, moves_up=staff_services.promoted_by_cancelling(registration),
                           list_args=_list_args(request.args))


@bp.post("/<int:event_id>/registrations/<int:registration_id>/cancel")
@staff_required
def cancel(event_id, registration_id):
    """Cancel a guest's registration; they are mailed and the first in line moves up."""
    try:
        registration = staff_services.cancel_registration_by_staff(event_id, registration_id, by=current_actor())
    except AlreadyCancelled as exc:  # a second click, or a colleague was quicker
        flash(str(exc))
        return _back_to_list(event_id)
    flash(_("The registration of %(name)s has been cancelled; the guest is informed by mail.",
            name=registration.name))
    return _back_to_list(event_id)
