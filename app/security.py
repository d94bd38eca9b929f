"""What every request and every answer gets for safety: ids that fit the database, paths without
control characters, a bounded body, and the headers (a strict Content-Security-Policy, HSTS in
production, no caching of pages that show a person's data, no Referer from personal links)."""
from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from .database import MAX_ID

# Answers that show a person's data, or whose URL is the key to it, and everything staff and
# devices see: no browser or proxy may keep a copy. So is every answer to a form (it shows what
# was typed) and every CSV export.
PRIVATE_PATHS = ("/t/", "/r/", "/i/", "/u/", "/s/", "/groups/", "/staff", "/partner", "/api/")
NO_STORE = "private, no-store"
# Personal links (the key is in the URL): no other site may learn them from a Referer.
KEYED_PATHS = ("/t/", "/r/", "/i/", "/u/", "/s/", "/groups/")

# No inline script or style anywhere, nothing from another host; the door's QR decoder
# (qr-scanner) runs in a worker that it makes from a blob: URL.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
    "worker-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
])
# A view sets a policy of its own only for a mail as it was sent (its HTML keeps its inline
# styles, runs nothing, loads only our images), which a staff page shows in a frame, and for an
# uploaded file (which runs and loads nothing, framed by nobody). These directives complete a
# policy that leaves them out: only our own pages may frame it, and no <base> may redirect its links.
FRAMED_MAIL_DIRECTIVES = {"frame-ancestors": "frame-ancestors 'self'", "base-uri": "base-uri 'none'"}
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
    """Headers every answer carries, error pages included. They are Podium's, not a view's: the only
    choice a view has is a narrower Content-Security-Policy for a mail it shows in a frame or a file."""
    production = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        path = request.path
        answers_a_form = request.method not in ("GET", "HEAD")
        if answers_a_form or path.startswith(PRIVATE_PATHS) or response.mimetype == "text/csv":
            headers["Cache-Control"] = NO_STORE
        headers["Referrer-Policy"] = "no-referrer" if path.startswith(KEYED_PATHS) else "same-origin"
        if "Content-Security-Policy" in headers:
            headers["Content-Security-Policy"] = policy = framed_mail_policy(headers["Content-Security-Policy"])
            headers["X-Frame-Options"] = "DENY" if "frame-ancestors 'none'" in policy else "SAMEORIGIN"
        else:
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            headers["X-Frame-Options"] = "DENY"  # for browsers that do not know frame-ancestors
        headers["X-Content-Type-Options"] = "nosniff"
        if production:
            headers["Strict-Transport-Security"] = HSTS
        return response


def framed_mail_policy(policy: str) -> str:
    """A view's own policy for a mail, with what it leaves out of FRAMED_MAIL_DIRECTIVES added."""
    named = {part.split()[0].lower() for part in policy.split(";") if part.strip()}
    missing = [directive for name, directive in FRAMED_MAIL_DIRECTIVES.items() if name not in named]
    return "; ".join([policy.strip().rstrip(";"), *missing])
