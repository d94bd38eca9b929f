"""What every request and every answer gets for safety: ids that fit the database, paths without
control characters, a bounded body, and the headers (a strict Content-Security-Policy, HSTS in
production, no caching of pages that show a person's data, no Referer from personal links)."""
from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from .database import MAX_ID

# Pages that show a person's data, or whose URL is the key to it, and everything staff and
# devices see: no browser or proxy may keep a copy.
PRIVATE_PATHS = ("/t/", "/r/", "/i/", "/u/", "/staff", "/api/")
# Personal links (the key is in the URL): no other site may learn them from a Referer.
KEYED_PATHS = ("/t/", "/r/", "/i/", "/u/")

# No inline script or style anywhere; the door's QR decoder runs in a worker made from a blob.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob:",
    "worker-src 'self' blob:", "connect-src 'self'", "media-src 'self' blob:", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


class BoundedInt(IntegerConverter):
    """<int:...> in a URL, at most the largest id the database holds: a larger number is a 404
    like any other unknown id, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class BoundedJSON(DefaultJSONProvider):
    """JSON that is nested deeper than Python's recursion limit is malformed input, not a crash:
    request.get_json() then fails as for any other broken body (400, or None when silent)."""

    def loads(self, s, **kwargs):
        """Parse JSON; nesting too deep to parse is a ValueError like any other broken JSON."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def register_input_limits(app: Flask) -> None:
    """Bounded ids in every route and bounded JSON (call before the blueprints are registered)."""
    app.url_map.converters["int"] = BoundedInt
    app.json = BoundedJSON(app)


def register_request_guards(app: Flask) -> None:
    """Refuse what no page of Podium can mean: a control character in the path."""

    @app.before_request
    def refuse_control_characters():
        if any(ord(character) < 32 or character == "\x7f" for character in request.path):
            abort(404)


def register_security_headers(app: Flask) -> None:
    """Headers every answer carries, unless a view set its own (the mail previews do)."""
    production = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        path = request.path
        if path.startswith(PRIVATE_PATHS) or response.mimetype == "text/csv":
            headers.setdefault("Cache-Control", "private, no-store")
        headers.setdefault("Referrer-Policy", "no-referrer" if path.startswith(KEYED_PATHS) else "same-origin")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Same origin only: the outbox shows a mail's HTML in a frame of its own page.
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if production:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
