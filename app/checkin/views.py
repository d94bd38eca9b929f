"""The door: the check-in page with its scanner, search and walk-ins, and check-in from a ticket page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..auth.access import role_required
from ..errors import OverCapacity
from ..events.services import door_events, get_event
from ..forms import show_refusal
from ..registrations.services import get_by_ticket_code
from . import answers, services
from .access import DOOR_ROLES, session_actor
from .forms import ScanForm, WalkInForm
from .models import CheckInMethod
from .payloads import form_nonce

bp = Blueprint("checkin", __name__)

door_required = role_required(*DOOR_ROLES)


@bp.get("/staff/checkin/")
@door_required
def events():
    """Events whose door can be worked now: today's and the coming ones."""
    return render_template("checkin/events.html", events=door_events())


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
                                                nonce=form_nonce(request.form.get("nonce")))
        return _page(event, result=result)
    form = ScanForm()
    if not form.validate_on_submit():
        return _page(event, scan_form=form, status=422)
    result = services.check_in(event.id, form.code.data, session_actor(), nonce=form_nonce(form.nonce.data))
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
        show_refusal(form, exc)
        return _page(event, walk_in_form=form, status=409)
    return _page(event, result=result)


@bp.post("/t/<code>/checkin")
@door_required
def ticket_check_in(code):
    """One tap on a ticket page opened with any phone camera."""
    registration = get_by_ticket_code(code)
    event = registration.event
    result = services.check_in(event.id, code, session_actor(), method=CheckInMethod.ticket_page)
    flash(answers.message(result, event), category=answers.COLOURS[result.status])
    return redirect(url_for("registrations.ticket", code=code))
