"""The door: the check-in page with its scanner, search and walk-ins, and check-in from a ticket page.

Every action works as a plain form post (the page comes back with the answer in the
banner, at #banner, in the mode it came from: `mode` and `q` ride along in the form's
URL); checkin.js sends the same actions to the API and keeps the page.
"""
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

# The door's ways of finding a guest, one shown at a time (?mode=); the camera needs JavaScript.
MODES = ("camera", "code", "search", "walk-in")


@bp.get("/staff/checkin/")
@door_required
def events():
    """Events whose door can be worked now: today's and the coming ones."""
    events = door_events()
    return render_template("checkin/events.html", events=events,
                           door_days={event.id: services.is_door_day(event) for event in events})


def _mode(default: str) -> str:
    mode = request.args.get("mode")
    return mode if mode in MODES else default


def _page(event, *, mode, result=None, answer=None, scan_form=None, walk_in_form=None, status=200):
    query = request.args.get("q", "")
    return render_template(
        "checkin/page.html", event=event, mode=mode, result=result,
        answer=answers.answer(result, event) if result else answer,
        scan_form=scan_form or ScanForm(formdata=None), walk_in_form=walk_in_form or WalkInForm(formdata=None),
        query=query, found=services.search(event.id, query), counts=services.door_counts(event.id),
        door_day=services.is_door_day(event),
    ), status


@bp.get("/staff/events/<int:event_id>/checkin")
@door_required
def page(event_id):
    """The check-in page: camera, scanner input, search, walk-ins, live counts."""
    return _page(get_event(event_id), mode=_mode("search" if request.args.get("q") else "code"))


@bp.get("/staff/events/<int:event_id>/checkin/found")
@door_required
def found(event_id):
    """The search list alone, as the page shows it (checkin.js refreshes the list with it)."""
    event = get_event(event_id)
    query = request.args.get("q", "")
    return render_template("checkin/found.html", event=event, query=query,
                           found=services.search(event.id, query))


@bp.post("/staff/events/<int:event_id>/checkin")
@door_required
def scan(event_id):
    """Check in a typed or scanned code, or a registration from the search (no-JS path)."""
    event = get_event(event_id)
    registration_id = request.form.get("registration_id", type=int)
    if registration_id:
        result = services.check_in_registration(event.id, registration_id, session_actor(),
                                                nonce=form_nonce(request.form.get("nonce")))
        return _page(event, mode=_mode("search"), result=result)
    form = ScanForm()
    if not form.validate_on_submit():
        return _page(event, mode="code", scan_form=form, status=422)
    result = services.check_in(event.id, form.code.data, session_actor(), nonce=form_nonce(form.nonce.data))
    return _page(event, mode=_mode("code"), result=result)


@bp.post("/staff/events/<int:event_id>/checkin/<int:registration_id>/undo")
@door_required
def undo(event_id, registration_id):
    """Undo a check-in (no-JS path)."""
    event = get_event(event_id)
    result = services.undo_check_in(event.id, registration_id, session_actor())
    return _page(event, mode=_mode("code"), result=result)


@bp.post("/staff/events/<int:event_id>/walk-ins")
@door_required
def walk_in(event_id):
    """Register and check in a guest who did not sign up, or give a place to one who is on
    the waitlist or had cancelled (no-JS path)."""
    event = get_event(event_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _page(event, mode="walk-in", walk_in_form=form, status=422)
    try:
        result = services.register_walk_in(event.id, form.data, session_actor(),
                                           over_capacity_ok=form.over_capacity.data)
    except OverCapacity as exc:
        show_refusal(form, exc)
        return _page(event, mode="walk-in", walk_in_form=form, status=409,
                     answer=answers.over_capacity(form.name.data, form.organisation.data))
    return _page(event, mode=_mode("walk-in"), result=result)


@bp.post("/t/<code>/checkin")
@door_required
def ticket_check_in(code):
    """One tap on a ticket page opened with any phone camera."""
    registration = get_by_ticket_code(code)
    event = registration.event
    result = services.check_in(event.id, code, session_actor(), method=CheckInMethod.ticket_page)
    flash(answers.message(result, event), category=answers.COLOURS[result.status])
    return redirect(url_for("registrations.ticket", code=code))
