"""The check-in API (JSON) for the door page and for scanner devices.

Authentication comes first (401), then whether it covers the event (403), then
the body (400, parsed in payloads.py). Bearer-token requests carry no cookie and
need no CSRF token; session requests send it in X-CSRFToken. A scanner's token is
read by the scan's own SELECT (scans.door_scan) and judged before the scan is
answered: one statement less on the door's busiest path. (On PostgreSQL that
statement also lets the guest in, but only for a token that may work this door.)
"""
from flask import Blueprint, g, jsonify, request
from werkzeug.datastructures import MultiDict

from ..auth.services import bearer_token_hash
from ..errors import DomainError, OverCapacity
from ..events.services import get_event
from ..extensions import csrf
from . import answers, services
from .access import Refused, api_credentials, bearer_token, covering, token_credentials
from .forms import WalkInForm
from .models import CheckInMethod
from .payloads import MalformedBody, ScanBody, WalkInBody
from .scans import Admission, door_scan
from .stored_answers import store_this_answer

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in authenticate() for session requests only


def api_error(status: int, reason: str):
    """A JSON error answer: {"error": reason}."""
    return jsonify(error=reason), status


@bp.before_request
def authenticate():
    """401 without valid credentials, 403 when they do not cover the event in the URL. A scan with a
    device's token is judged by check_in itself, which reads the token in the scan's own SELECT."""
    g.credentials, g.token_hash = None, None
    if request.endpoint == "checkin_api.check_in":
        g.token_hash = bearer_token_hash(bearer_token() or "")
        if g.token_hash is not None:
            return
    g.credentials = covering(api_credentials(), (request.view_args or {}).get("event_id"))


@bp.errorhandler(Refused)
def refused(exc: Refused):
    """401 or 403 with the reason."""
    response, status = api_error(exc.status, str(exc))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="podium"'
    return response, status


@bp.errorhandler(MalformedBody)
def malformed_body(exc: MalformedBody):
    """400 with the reason the body was refused."""
    return api_error(400, str(exc))


@bp.post("/events/<int:event_id>/checkins")
def check_in(event_id):
    """Check in a ticket (its code or URL), or a registration by id."""
    body = scan_body(event_id)
    method = CheckInMethod.scan if body.registration_id is None else CheckInMethod.search
    # The scan reads the event itself, and a device's token, in the statement that reads the guest
    # (and, on PostgreSQL, lets them in if the token may: scans.door_scan).
    admission = Admission(method, g.credentials.actor if g.credentials else None)
    with door_scan(event_id, scanned=body.code, registration_id=body.registration_id, nonce=body.nonce,
                   token_hash=g.token_hash, admission=admission) as scan:
        credentials = g.credentials or covering(token_credentials(scan.token), event_id)
        result = services.decide(scan, credentials.actor, method=method)
    if result.status == services.WRONG_EVENT and not credentials.sees_every_event:
        result = services.ScanResult(services.UNKNOWN, door=result.door)
    if not result.wrote:
        store_this_answer()
    return jsonify(answers.answer(result, result.door))


def scan_body(event_id: int) -> ScanBody:
    """The scan's body. A body refused (400) is judged after the credentials (401, 403) and after
    whether the event exists (404)."""
    try:
        return ScanBody.parse(request.get_json(silent=True))
    except MalformedBody:
        if g.credentials is None:
            g.credentials = covering(api_credentials(), event_id)
        get_event(event_id)
        raise


@bp.post("/events/<int:event_id>/checkins/<int:registration_id>/undo")
def undo(event_id, registration_id):
    """Undo a check-in."""
    event = get_event(event_id)
    result = services.undo_check_in(event.id, registration_id, g.credentials.actor)
    return jsonify(answers.answer(result, event))


@bp.get("/events/<int:event_id>/checkins/counts")
def counts(event_id):
    """Checked in / confirmed / capacity, for the live counters."""
    event = get_event(event_id)
    return jsonify(answers.counts_json(services.door_counts(event.id)))


@bp.get("/events/<int:event_id>/registrations")
def search(event_id):
    """Registrations whose name, organisation or email holds every word of `q`, by name."""
    event = get_event(event_id)
    results = services.search(event.id, request.args.get("q", ""))
    return jsonify(results=[answers.registration_json(services.Guest.of(r)) for r in results])


@bp.post("/events/<int:event_id>/walk-ins")
def walk_in(event_id):
    """Register a walk-in and check them in; over capacity only with "over_capacity": true."""
    event = get_event(event_id)
    body = WalkInBody.parse(request.get_json(silent=True))
    # Flask-WTF would read the JSON body itself (null as "None"): hand it the parsed values.
    form = WalkInForm(formdata=MultiDict(body.form_fields), meta={"csrf": False})
    if not form.validate():
        return api_error(400, " ".join(str(e) for errors in form.errors.values() for e in errors))
    try:
        result = services.register_walk_in(event.id, form.data, g.credentials.actor,
                                           over_capacity_ok=body.over_capacity)
    except OverCapacity as exc:
        return jsonify(status="over_capacity", error=str(exc),
                       counts=answers.counts_json(services.door_counts(event.id))), 409
    except DomainError as exc:
        return api_error(exc.status_code, str(exc))
    return jsonify(answers.answer(result, event)), 201
