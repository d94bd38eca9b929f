"""Keep ticket codes and manage tokens out of access logs: they are keys to a guest's data."""
import re

from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"^/(t|r)/[^/]+")


def redact_path(path: str) -> str:
    """The path without the secret part of /t/<code> and /r/<token>."""
    return SECRET_PATH.sub(lambda m: f"/{m.group(1)}/…", path or "")


class RedactingLogger(Logger):
    """gunicorn's logger, with the secret part of /t/<code> and /r/<token> paths left out."""

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's log atoms, with the secret part of the path and the referer left out."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"])
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        atoms["q"] = "-"
        atoms["f"] = "-"  # a referer may be a ticket or manage link
        return atoms
