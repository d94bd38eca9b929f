"""The placeholders of a campaign's text: {name}, {event}, {date} and {link}.

Anything in single braces is meant as a placeholder, so an unknown one is refused
when the campaign is saved: a typo must not reach 2,000 inboxes.
"""
import re

from flask_babel import lazy_gettext as _l

from ..errors import InvalidInput

PLACEHOLDERS = ("name", "event", "date", "link")
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


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


def check_placeholders(subject: str, body: str) -> None:
    """:raises InvalidInput: naming the unknown placeholders and the field they are in."""
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise InvalidInput(_l("Unknown placeholder: %(names)s. Possible are %(known)s.",
                                  names=names, known=known), field=field)
