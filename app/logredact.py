"""Keep the keys of personal links out of access logs: ticket codes (/t/), a guest's own page
(/r/), invitation links (/i/), unsubscribe links (/u/), survey links (/s/) and a working group's
feed (/groups/) each open someone's data."""
import re

from gunicorn.glogging import Logger

# The first segment of every path that carries a key of someone's link.
SECRET_PATH = re.compile(r"^/(t|r|i|u|s|groups)/[^/?]+")


def redact_path(path: str) -> str:
    """The path without the secret part of /t/<code>, /r/<token>, /i/<token>, /u/<token>,
    /s/<token> and /groups/<token>.ics."""
    return SECRET_PATH.sub(lambda m: f"/{m.group(1)}/…", path or "")


class RedactingLogger(Logger):
    """gunicorn's logger, with the secret part of personal links left out (see SECRET_PATH)."""

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's log atoms, with the secret part of the path and the referer left out."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"])
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        atoms["q"] = "-"
        atoms["f"] = "-"  # a referer may be a ticket or manage link
        return atoms
