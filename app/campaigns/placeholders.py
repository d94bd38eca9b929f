"""The placeholders of a campaign's text: {name}, {event}, {date} and {link}.

Anything in single braces is meant as a placeholder, so an unknown one is refused
when the campaign is saved: a typo must not reach 2,000 inboxes.
"""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import InvalidInput

PLACEHOLDERS = ("name", "event", "date", "link")
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


def default_subject() -> str:
    """The subject a new campaign starts with, in the page's language."""
    # Translators: keep {event} as it is; it becomes the event's title.
    return _("Invitation: {event}")


def default_body() -> str:
    """The text a new campaign starts with, in the page's language: every placeholder in use."""
    # Translators: keep {name}, {event}, {date} and {link} as they are; they become the contact's
    # name, the event's title, its date and time, and the personal sign-up link.
    return _("Hello {name},\n\nwe warmly invite you to {event} on {date}.\n\nYou can sign up here: {link}\n\n"
             "We look forward to seeing you.")


def stand_ins() -> dict:
    """What a page shows for the placeholders that differ from one recipient to the next."""
    return {"name": _("‹Name›"), "link": _("‹personal link›")}


def unknown_placeholders(text: str) -> list[str]:
    """The {names} in `text` that are not placeholders, each once, in order."""
    unknown = []
    for name in PLACEHOLDER.findall(text or ""):
        if name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown


def fill_placeholders(text: str, values: dict, *, escape=str) -> str:
    """`text` with each {placeholder} replaced by its value; everything else passes `escape`."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(escape(text[last:match.start()]))
        name = match.group(1)
        parts.append(values[name] if name in values else escape(match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def check_placeholders(subject: str, body: str, *, fields: tuple[str, str] = ("subject", "body")) -> None:
    """:raises InvalidInput: naming the unknown placeholders and the field they are in (of `fields`: the
        subject's and the body's, which differ per language)."""
    for field, text in zip(fields, (subject, body), strict=True):
        unknown = unknown_placeholders(text)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise InvalidInput(_l("Unknown placeholder: %(names)s. Possible are %(known)s.",
                                  names=names, known=known), field=field)
