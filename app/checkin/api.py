"""The check-in API (JSON) for the door page and for scanner devices.

Authentication comes first (401), then whether it covers the event (403), then
the body (400). Bearer-token requests carry no cookie and need no CSRF token;
session requests send it in X-CSRFToken.
"""
from flask import Blueprint, g, jsonify, request
from werkzeug.datastructures import MultiDict

from ..errors import DomainError, OverCapacity
from ..events.services import get_event
from ..extensions import csrf, db
from . import answers, services
from .access import Unauthenticated, api_credentials
from .forms import WalkInForm

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in authenticate() for session requests only


def api_error(status: int, reason: str):
    return jsonify(error=reason), status


@bp.before_request
def authenticate():
    try:
        g.credentials = api_credentials()
    except Unauthenticated as exc:
        response = api_error(401, str(exc))
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="podium"'
        return response
    event_id = (request.view_args or {}).get("event_id")
    if event_id is not None and not g.credentials.covers(event_id):
        return api_error(403, "these credentials do not cover this event")


def _json_body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.post("/events/<int:event_id>/checkins")
def check_in(event_id):
    """Check in a ticket (its code or URL), or a registration by id."""
    event = get_event(event_id)
    body = _json_body()
    if body is None:
        return api_error(400, "the body must be a JSON object")
    nonce = body.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or len(nonce) > 100):
        return api_error(400, "nonce must be a string of at most 100 characters")
    code, registration_id = body.get("code"), body.get("registration_id")
    if isinstance(registration_id, int) and not isinstance(registration_id, bool):
        result = services.check_in_registration(event.id, registration_id, g.credentials.actor,
                                                nonce=nonce, method="search")
    elif isinstance(code, str) and code.strip():
        result = services.check_in(event.id, code, g.credentials.actor, nonce=nonce)
    else:
        return api_error(400, "give the ticket as \"code\" (a string) or a \"registration_id\"")
    return jsonify(answers.answer(result, event))


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
    """Registrations whose name, organisation or email contains `q`."""
    event = get_event(event_id)
    results = services.search(event.id, request.args.get("q", ""))
    return jsonify(results=[answers.registration_json(r) for r in results])


@bp.post("/events/<int:event_id>/walk-ins")
def walk_in(event_id):
    """Register a walk-in and check them in; over capacity only with "over_capacity": true."""
    event = get_event(event_id)
    body = _json_body()
    if body is None:
        return api_error(400, "the body must be a JSON object")
    fields = ("name", "organisation", "email")
    if any(body.get(f) is not None and not isinstance(body[f], str) for f in fields):
        return api_error(400, "name, organisation and email must be strings")
    # Flask-WTF would read the JSON body itself (null as "None"): hand it the cleaned values.
    form = WalkInForm(formdata=MultiDict({f: body.get(f) or "" for f in fields}), meta={"csrf": False})
    if not form.validate():
        return api_error(400, " ".join(str(e) for errors in form.errors.values() for e in errors))
    try:
        result = services.register_walk_in(event.id, form.data, g.credentials.actor,
                                           over_capacity_ok=body.get("over_capacity") is True)
    except OverCapacity as exc:
        return jsonify(status="over_capacity", error=str(exc),
                       counts=answers.counts_json(services.door_counts(event.id))), 409
    except DomainError as exc:
        db.session.rollback()
        return api_error(exc.status_code, str(exc))
    return jsonify(answers.answer(result, event)), 201
