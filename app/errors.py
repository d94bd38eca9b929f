"""The DomainError family and the handlers that turn errors into pages or JSON.

Every error carries a message fit to show a person and a `code` for programs
(the JSON answer has both). A refusal that concerns one form field names it in
`field`, so that a view can put the message next to that field (forms.show_refusal).
"""
from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain said no. The message is fit to show a person."""

    status_code = 400
    code = "refused"
    message = _l("This request cannot be carried out.")
    field: str | None = None

    def __init__(self, message=None, *, field: str | None = None):
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    message = _l("This link is not valid (any more). Please check the link in your mail.")


class RegistrationRefused(DomainError):
    """The event does not take sign-ups now (draft, cancelled, past, not open, closed)."""

    status_code = 409
    code = "registration_closed"


class EventFull(DomainError):
    status_code = 409
    code = "event_full"
    message = _l("This event is fully booked.")


class OverCapacity(DomainError):
    """Going beyond the event's capacity needs staff to say so explicitly."""

    status_code = 409
    code = "over_capacity"
    message = _l("The event is full. Confirm this guest over capacity?")


class AlreadyCancelled(DomainError):
    status_code = 409
    code = "already_cancelled"
    message = _l("This registration has already been cancelled.")


class StateConflict(DomainError):
    """The thing's state does not allow this step (e.g. publishing a cancelled event)."""

    status_code = 409
    code = "state_conflict"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"


def wants_json() -> bool:
    """Whether the caller reads JSON (the API, or an Accept header that asks for it)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app):
    """Turn DomainErrors and HTTP errors into pages, or JSON for programs."""
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        if wants_json():
            return jsonify(error=str(exc), code=exc.code), exc.status_code
        return render_template("errors/error.html", code=exc.status_code, message=str(exc)), exc.status_code

    # Unhandled exceptions arrive here as InternalServerError (Flask logs them first);
    # under TESTING they propagate instead, so a test sees the traceback.
    app.register_error_handler(HTTPException, http_error_page)


def http_error_page(exc: HTTPException):
    """The answer to an HTTP error: the error page, or JSON for programs. Also what a blueprint's
    own handler falls back to."""
    if wants_json():
        return jsonify(error=exc.description), exc.code
    return render_template("errors/error.html", code=exc.code, message=None), exc.code
