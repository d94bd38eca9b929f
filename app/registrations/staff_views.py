"""Staff pages for events and their registrations: list, search, status changes, add, export."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import staff_required
from ..csvexport import csv_download
from ..errors import AlreadyCancelled, DomainError, OverCapacity
from ..events.models import Event
from ..events.services import get_event
from ..extensions import db
from . import services
from .forms import StaffRegistrationForm
from .models import STATUS_LABELS

bp = Blueprint("staff", __name__, url_prefix="/staff")

CSV_HEADER = ["name", "email", "organisation", "affiliation", "status", "source", "registered_at",
              "waitlisted_at", "cancelled_at", "checked_in_at", "note", "language", "consent_version"]


@bp.get("/")
@staff_required
def dashboard():
    """All events with their sign-up figures, newest first."""
    events = db.session.execute(select(Event).order_by(Event.starts_at.desc())).scalars()
    return render_template("staff/dashboard.html", events=list(events))


def _filters(values) -> dict:
    """The search and status filter of the list, from the query string or a posted form."""
    status = values.get("status")
    return {"q": (values.get("q") or "").strip(), "status": status if status in STATUS_LABELS else None}


def _back_to_list(event_id: int):
    filters = {k: v for k, v in _filters(request.form).items() if v}
    return redirect(url_for("staff.registrations", event_id=event_id, **filters))


@bp.get("/events/<int:event_id>/registrations")
@staff_required
def registrations(event_id):
    """Who signed up for one event: search, filter by status, act on each."""
    event = get_event(event_id)
    filters = _filters(request.args)
    found = services.find_registrations(event.id, query=filters["q"], status=filters["status"])
    return render_template("staff/registrations.html", event=event, statuses=STATUS_LABELS,
                           registrations=found, **filters)


@bp.get("/events/<int:event_id>/registrations.csv")
@staff_required
def registrations_csv(event_id):
    """Every registration of the event, whatever its status, as CSV for spreadsheets."""
    event = get_event(event_id)

    def local(moment):
        return moment.astimezone(event.zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = ([r.name, r.email, r.organisation, r.affiliation, r.status, r.source, local(r.created_at),
             local(r.waitlisted_at), local(r.cancelled_at), local(r.checked_in_at), r.note, r.locale,
             r.consent_version]
            for r in services.find_registrations(event.id))
    return csv_download(CSV_HEADER, rows, f"registrations-{event.slug}.csv")


def _new_page(event, form, status=200):
    return render_template("staff/registration_new.html", event=event, form=form), status


@bp.get("/events/<int:event_id>/registrations/new")
@staff_required
def new_registration(event_id):
    """The form to register a guest by hand."""
    return _new_page(get_event(event_id), StaffRegistrationForm())


@bp.post("/events/<int:event_id>/registrations/new")
@staff_required
def add_registration(event_id):
    """Register a guest by hand, with or without the confirmation mail."""
    event = get_event(event_id)
    form = StaffRegistrationForm()
    if not form.validate_on_submit():
        return _new_page(event, form, 422)
    try:
        registration = services.add_registration(event.id, form.data, locale=form.locale.data,
                                                 send_mail=form.send_mail.data,
                                                 over_capacity_ok=form.over_capacity.data)
    except services.AlreadyRegistered as exc:
        form.email.errors.append(str(exc))
        return _new_page(get_event(event_id), form, exc.status_code)
    except DomainError as exc:
        form.form_errors.append(str(exc))
        return _new_page(get_event(event_id), form, exc.status_code)
    message = _("%(name)s has been added (%(status)s).", name=registration.name,
                status=registration.status_label)
    mailed = _("A mail to the guest is on its way.") if form.send_mail.data else _("No mail was sent.")
    flash(f"{message} {mailed}")
    return redirect(url_for("staff.registrations", event_id=event.id))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/confirm")
@staff_required
def confirm_registration(event_id, registration_id):
    """Give a waitlisted or cancelled guest a place; beyond capacity only when confirmed so."""
    try:
        registration = services.confirm_registration(event_id, registration_id,
                                                     over_capacity_ok=bool(request.form.get("over_capacity")))
    except OverCapacity:
        return render_template("staff/registration_over_capacity.html", event=get_event(event_id),
                               registration=services.get_registration(event_id, registration_id),
                               **_filters(request.form)), 409
    flash(_("%(name)s is confirmed; the ticket is on its way by mail.", name=registration.name))
    return _back_to_list(event_id)


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>/cancel")
@staff_required
def cancel_confirm(event_id, registration_id):
    """Ask before cancelling a guest's registration."""
    registration = services.get_registration(event_id, registration_id)
    return render_template("staff/registration_cancel.html", event=registration.event,
                           registration=registration,
                           moves_up=services.promoted_by_cancelling(registration),
                           **_filters(request.args))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/cancel")
@staff_required
def cancel_registration(event_id, registration_id):
    """Cancel a guest's registration; they are mailed and the first in line moves up."""
    try:
        registration = services.cancel_registration_by_staff(event_id, registration_id)
    except AlreadyCancelled as exc:  # a second click, or a colleague was quicker
        flash(str(exc))
        return _back_to_list(event_id)
    flash(_("The registration of %(name)s has been cancelled; the guest is informed by mail.",
            name=registration.name))
    return _back_to_list(event_id)
