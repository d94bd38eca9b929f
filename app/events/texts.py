"""An event's words in more languages than German, and the languages it is held and interpreted in.

An event's own title and summary are German: staff always write them, and every guest can be
given them. Its EventText rows hold the same in other guest languages (models.TEXT_LOCALES), each
optional. A reader gets the words of their language where the event has them, German otherwise;
each part (title, summary) comes with the language it is in, so that a page can mark German words
inside an Arabic page (events.display) and a calendar file can name the language (ical).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..errors import InvalidInput
from ..i18n import EVENT_LANGUAGES, GERMAN
from .models import TEXT_LOCALES, Event

TITLE_NEEDED = _l("A summary needs a title in the same language.")
INTERPRETING_OWN_LANGUAGE = _l("The event is held in this language; it needs no interpreting into it.")


@dataclass(frozen=True)
class Wording:
    """Words of an event, and the language they are in."""

    text: str
    language: str


def title_in(event: Event, locale: str) -> Wording:
    """The event's title in `locale` where it has one, else its German title."""
    text = event.text_in(locale) if locale != GERMAN else None
    return Wording(text.title, locale) if text is not None else Wording(event.title, GERMAN)


def summary_in(event: Event, locale: str) -> Wording:
    """The event's summary in `locale` where it has one, else its German summary (maybe empty)."""
    text = event.text_in(locale) if locale != GERMAN else None
    if text is not None and text.summary:
        return Wording(text.summary, locale)
    return Wording(event.summary, GERMAN)


def title_field(locale: str) -> str:
    """The field that holds the title in `locale` ("title_ar"; models.TextIn)."""
    return f"title_{locale}"


def summary_field(locale: str) -> str:
    """The field that holds the summary in `locale` ("summary_ar")."""
    return f"summary_{locale}"


TEXT_FIELDS = tuple(name for locale in TEXT_LOCALES for name in (title_field(locale), summary_field(locale)))


def interpreting_for(event: Event, reader: str) -> list[str]:
    """The languages the event is interpreted into, the reader's own first (they look for it)."""
    offered = event.interpreting_languages
    return sorted(offered, key=lambda code: code != reader)


def check_languages(language: str, interpreting: str) -> None:
    """The event is held in one known language and interpreted into other known ones.

    :raises InvalidInput:
    """
    if language not in EVENT_LANGUAGES:
        raise InvalidInput(_l("Unknown language: %(code)s", code=language), field="language")
    for code in interpreting.split():
        if code not in EVENT_LANGUAGES:
            raise InvalidInput(_l("Unknown language: %(code)s", code=code), field="interpreting")
        if code == language:
            raise InvalidInput(INTERPRETING_OWN_LANGUAGE, field="interpreting")


def check_texts(fields: dict) -> None:
    """Every summary in another language comes with a title in it (a list shows the title).

    :raises InvalidInput:
    """
    for locale in TEXT_LOCALES:
        if fields.get(summary_field(locale)) and not fields.get(title_field(locale)):
            raise InvalidInput(TITLE_NEEDED, field=title_field(locale))
