"""The door: the check-in page, check-in from a ticket page, attendance lists."""
import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..auth.access import role_required, staff_required
from ..csvexport import csv_cell
from ..database import utcnow
from ..errors import OverCapacity
from ..events.models import Event, EventStatus
from ..events.services import get_event
from ..extensions import db
from ..registrations.services import get_by_ticket_code
from . import answers, services
from .access import DOOR_ROLES, session_actor
from .forms import ScanForm, WalkInForm

bp = Blueprint("checkin", __name__)

door_required = role_required(*DOOR_ROLES)


@bp.get("/staff/checkin/")
@door_required
def events():
    """Events whose door can be worked now: today's and the coming ones."""
    since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = db.session.execute(
        select(Event).where(Event.status == EventStatus.published.value, Event.ends_at >= since)
        .order_by(Event.starts_at)
    ).scalars()
    return render_template("checkin/events.html", events=list(rows))


def _page(event, *, result=None, scan_form=None, walk_in_form=None, status=200):
    query = request.args.get("q", "")
    return render_template(
        "checkin/page.html", event=event, result=result,
        answer=answers.answer(result, event) if result else None,
        scan_form=scan_form or ScanForm(formdata=None), walk_in_form=walk_in_form or WalkInForm(formdata=None),
        query=query, found=services.search(event.id, query), counts=services.door_counts(event.id),
    ), status


@bp.get("/staff/events/<int:event_id>/checkin")
@door_required
def page(event_id):
    """The check-in page: camera, scanner input, search, walk-ins, live counts."""
    return _page(get_event(event_id))


@bp.post("/staff/events/<int:event_id>/checkin")
@door_required
def scan(event_id):
    """Check in a typed or scanned code, or a registration from the search (no-JS path)."""
    event = get_event(event_id)
    registration_id = request.form.get("registration_id", type=int)
    if registration_id:
        result = services.check_in_registration(event.id, registration_id, session_actor(),
                                                nonce=request.form.get("nonce") or None)
        return _page(event, result=result)
    form = ScanForm()
    if not form.validate_on_submit():
        return _page(event, scan_form=form, status=422)
    result = services.check_in(event.id, form.code.data, session_actor(), nonce=form.nonce.data or None)
    return _page(event, result=result)


@bp.post("/staff/events/<int:event_id>/checkin/<int:registration_id>/undo")
@door_required
def undo(event_id, registration_id):
    """Undo a check-in (no-JS path)."""
    event = get_event(event_id)
    return _page(event, result=services.undo_check_in(event.id, registration_id, session_actor()))


@bp.post("/staff/events/<int:event_id>/walk-ins")
@door_required
def walk_in(event_id):
    """Register and check in a guest who did not sign up (no-JS path)."""
    event = get_event(event_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _page(event, walk_in_form=form, status=422)
    try:
        result = services.register_walk_in(event.id, form.data, session_actor(),
                                           over_capacity_ok=form.over_capacity.data)
    except OverCapacity as exc:
        form.form_errors.append(str(exc))
        return _page(event, walk_in_form=form, status=409)
    return _page(event, result=result)


@bp.post("/t/<code>/checkin")
@door_required
def ticket_check_in(code):
    """One tap on a ticket page opened with any phone camera."""
    registration = get_by_ticket_code(code)
    event = registration.event
    result = services.check_in(event.id, code, session_actor(), method="ticket page")
    flash(answers.message(result, event), category=answers.COLOURS[result.status])
    return redirect(url_for("registrations.ticket", code=code))


@bp.get("/staff/events/<int:event_id>/attendance")
@staff_required
def attendance(event_id):
    """Who came, when, let in by whom; and who did not come."""
    event = get_event(event_id)
    came, missing = services.attendance(event.id)
    return render_template("checkin/attendance.html", event=event, came=came, missing=missing,
                           history=services.history(event.id))


@bp.get("/staff/events/<int:event_id>/attendance.csv")
@staff_required
def attendance_csv(event_id):
    """The attendance list as CSV (UTF-8 with BOM, for spreadsheets)."""
    event = get_event(event_id)
    came, missing = services.attendance(event.id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "organisation", "email", "affiliation", "attended", "checked_in_at", "checked_in_by",
                     "source"])
    for registration in came + missing:
        checked_in = registration.checked_in_at.astimezone(event.zone).strftime("%Y-%m-%d %H:%M") \
            if registration.checked_in_at else ""
        writer.writerow([csv_cell(v) for v in (
            registration.name, registration.organisation, registration.email, registration.affiliation,
            "yes" if registration.checked_in_at else "no", checked_in, registration.checked_in_by,
            registration.source)])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="attendance-{event.slug}.csv"'
    return response
