"""The JSON bodies of the check-in API, parsed into typed values in one place.

Each parser takes what request.get_json() gave (anything: a dict, a list, a number,
None for no JSON at all) and returns a frozen dataclass, or raises MalformedBody
with a reason a programmer can act on; the API answers it with 400. Bounds are part
of the types: an id fits the database's integer, a nonce is at most 100 printable
characters, text fields are strings (null counts as left out).
"""
from dataclasses import dataclass

from ..database import MAX_ID, is_valid_id
from ..errors import DomainError
from ..text import CONTROL

NONCE_MAX = 100
# A scanned code may be the whole ticket URL.
CODE_MAX = 2000
TEXT_MAX = 1000


class MalformedBody(DomainError):
    """The request's JSON is not what the endpoint takes; the message says why (in English:
    programs read it)."""

    status_code = 400
    code = "malformed_body"


@dataclass(frozen=True)
class ScanBody:
    """A scan: a ticket (its code or URL) or a registration found by name, and the scan's nonce."""

    code: str | None
    registration_id: int | None
    nonce: str | None

    @classmethod
    def parse(cls, body) -> "ScanBody":
        """:raises MalformedBody:"""
        body = _object(body)
        nonce = _nonce(body.get("nonce"))
        registration_id = body.get("registration_id")
        if registration_id is not None:
            if not is_valid_id(registration_id):
                raise MalformedBody(f"registration_id must be a whole number from 1 to {MAX_ID}")
            return cls(None, registration_id, nonce)
        code = body.get("code")
        if not isinstance(code, str) or not code.strip():
            raise MalformedBody('give the ticket as "code" (a string) or a "registration_id"')
        if len(code) > CODE_MAX:
            raise MalformedBody(f"code must be at most {CODE_MAX} characters")
        return cls(code, None, nonce)


@dataclass(frozen=True)
class WalkInBody:
    """A walk-in: who they are (the door page's form checks the values), and whether staff
    let them in over capacity."""

    name: str
    organisation: str
    email: str
    over_capacity: bool

    @classmethod
    def parse(cls, body) -> "WalkInBody":
        """:raises MalformedBody:"""
        body = _object(body)
        fields = {}
        for name in ("name", "organisation", "email"):
            value = body.get(name)
            if value is not None and not isinstance(value, str):
                raise MalformedBody("name, organisation and email must be strings")
            if value is not None and len(value) > TEXT_MAX:
                raise MalformedBody(f"{name} must be at most {TEXT_MAX} characters")
            fields[name] = value or ""
        over_capacity = body.get("over_capacity") or False
        if not isinstance(over_capacity, bool):
            raise MalformedBody("over_capacity must be true or false")
        return cls(over_capacity=over_capacity, **fields)

    @property
    def form_fields(self) -> dict:
        """The values as the walk-in form reads them."""
        return {"name": self.name, "organisation": self.organisation, "email": self.email}


def form_nonce(value) -> str | None:
    """The nonce the door page's form sent, or None when it sent none or not one (a nonce only
    makes a retried scan safe; without it the scan still counts once)."""
    try:
        return _nonce(value or None)
    except MalformedBody:
        return None


def _object(body) -> dict:
    if not isinstance(body, dict):
        raise MalformedBody("the body must be a JSON object")
    return body


def _nonce(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > NONCE_MAX or CONTROL.search(value):
        raise MalformedBody(f"nonce must be a string of at most {NONCE_MAX} printable characters")
    return value or None

