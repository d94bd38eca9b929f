"""The rules a contact keeps, whether staff type it in or a file brings it, and the words
for breaking them (a Problem names the field at fault and says what is wrong)."""
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from ..text import clean_line
from .models import OrganisationKind

NAME_MAX = 200
EMAIL_MAX = 254
ORGANISATION_MAX = 200
TAG_MAX = 50
TAGS_MAX = 30

_PROBLEM_TEXTS = {
    "missing_name": lambda p: _("The name is missing."),
    "name_too_long": lambda p: _("The name is too long (at most %(max)s characters).", **p),
    "missing_email": lambda p: _("The email address is missing."),
    "email_too_long": lambda p: _("The email address is too long (at most %(max)s characters).", **p),
    "bad_email": lambda p: _("This does not look like an email address (example: name@example.org)."),
    "organisation_too_long": lambda p: _("The organisation is too long (at most %(max)s characters).", **p),
    "tag_too_long": lambda p: _("The tag “%(tag)s” is too long (at most %(max)s characters).", **p),
    "too_many_tags": lambda p: _("At most %(max)s tags per contact.", **p),
    # Warnings: the line is imported all the same.
    "unknown_kind": lambda p: _("Unknown kind of organisation “%(value)s”: imported as “%(other)s”. Known kinds: "
                                "%(kinds)s.", value=p["value"], other=OrganisationKind.other.label,
                                kinds=known_kinds()),
    "unknown_kind_kept": lambda p: _("Unknown kind of organisation “%(value)s”: the institution keeps “%(kind)s”. "
                                     "Known kinds: %(kinds)s.", value=p["value"],
                                     kind=OrganisationKind(p["kind"]).label, kinds=known_kinds()),
    "unknown_language": lambda p: _("Unknown language “%(value)s”; use one of %(codes)s.", value=p["value"],
                                    codes=", ".join(current_app.config["LANGUAGES"])),
    "unknown_consent": lambda p: _("Consent “%(value)s” not understood (write the day it was given, e.g. "
                                   "2026-03-01, or yes): imported without a recorded consent.", **p),
    "too_many_cells": lambda p: _("This line has more cells than the header line (%(cells)s instead of "
                                  "%(columns)s); check its quotes and separators.", **p),
}

TAG_SEPARATORS = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class Problem:
    """What is wrong with a contact (or a line of a file): the field at fault and a message code."""

    field: str  # the contact field at fault, "" for the line as a whole
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The problem in the reader's language."""
        return _PROBLEM_TEXTS[self.code](self.params)


def known_kinds() -> str:
    """The kinds of organisation as people read them, in the reader's language."""
    return ", ".join(str(kind.label) for kind in OrganisationKind)


def field_problems(name: str, email: str, organisation: str, tags: list[str]) -> list[Problem]:
    """Everything wrong with a contact's name, address, organisation and tags, in that order."""
    problems = []
    if not name:
        problems.append(Problem("name", "missing_name"))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", "name_too_long", {"max": NAME_MAX}))
    if not email:
        problems.append(Problem("email", "missing_email"))
    elif len(email) > EMAIL_MAX:
        problems.append(Problem("email", "email_too_long", {"max": EMAIL_MAX}))
    elif not is_email(email):
        problems.append(Problem("email", "bad_email"))
    if len(organisation) > ORGANISATION_MAX:
        problems.append(Problem("organisation", "organisation_too_long", {"max": ORGANISATION_MAX}))
    problems += [Problem("tags", "tag_too_long", {"tag": tag, "max": TAG_MAX})
                 for tag in tags if len(tag) > TAG_MAX]
    if len(tags) > TAGS_MAX:
        problems.append(Problem("tags", "too_many_tags", {"max": TAGS_MAX}))
    return problems


def is_email(email: str) -> bool:
    """The same check as the form's Email() validator, so that a file and the form agree."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def parse_tags(value) -> list[str]:
    """Tags from a text ("a, b; c", one per line too) or a list: cleaned, each once, whatever its case."""
    parts = TAG_SEPARATORS.split(value) if isinstance(value, str) else list(value or [])
    tags, seen = [], set()
    for part in parts:
        tag = " ".join(clean_line(part or "").split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags
