"""Which language a page speaks, and which way it is written.

Guests read the public pages and their mails in every language of LANGUAGES; staff pages, the
door and the partners' pages speak STAFF_LANGUAGES only. A page's language is, in this order:
the one a link carries (`?lang=uk`, as every link in a guest's mail does), the one the visitor
chose with the switch (both remembered in the session; staff pages remember theirs apart), the
browser's Accept-Language, German.
"""
from functools import cache

from babel import Locale
from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from .links import local_path

bp = Blueprint("i18n", __name__)

# Each language named in itself: that is how people find their own.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی", "uk": "Українська"}
RIGHT_TO_LEFT = {"ar", "fa"}
# What staff write is German (an event's title, a campaign's text); the other languages are those
# they may add the same words in, for guests who read them.
GERMAN = "de"
OTHER_TEXT_LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != GERMAN)
# Languages an event may be held in or interpreted into: the guest languages and those most
# spoken by the network's guests besides (named to the reader by Babel, in the reader's language).
EVENT_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ps", "ku", "tr", "ru", "ti", "so", "fr")
# The blueprints whose pages guests read: they speak every language of LANGUAGES. Pages of no
# blueprint (a 404 for an unknown address) do too, unless the address is a staff one.
GUEST_BLUEPRINTS = frozenset({"events", "series", "registrations", "campaigns", "surveys", "privacy", "results",
                              "i18n"})
# Guest pages that also serve the door: read by someone logged in (a door device scanning a ticket
# opens it with its check-in button), they speak the staff languages like the rest of the door.
DOOR_ENDPOINTS = frozenset({"registrations.ticket"})


def page_languages() -> tuple[str, ...]:
    """The languages this request's page can be read in."""
    config = current_app.config
    if not has_request_context():
        return config["LANGUAGES"]
    return config["LANGUAGES"] if is_guest_page() else config["STAFF_LANGUAGES"]


def is_guest_page() -> bool:
    """Whether this request's page is one guests read (in every language of LANGUAGES)."""
    blueprint = request.blueprint
    if request.endpoint in DOOR_ENDPOINTS and current_user.is_authenticated:
        return False
    return blueprint in GUEST_BLUEPRINTS or (blueprint is None and not request.path.startswith("/staff"))


def language_names() -> list[tuple[str, str]]:
    """(code, name in itself) of every language this page can be read in, in the configured order."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in page_languages()]


def language_name(code: str) -> str:
    """A language (any of EVENT_LANGUAGES) named in the reader's language: "Arabisch", "Arabic"."""
    return Locale.parse(code).get_display_name(get_locale()) or code


def direction_of(code: str) -> str:
    """"rtl" for a language written right to left, else "ltr"."""
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"


def text_direction() -> str:
    """"rtl" for a page in a language written right to left, else "ltr"."""
    return direction_of(str(get_locale().language))


def select_locale() -> Locale:
    """The language of this request: a link's, the visitor's choice, the browser's, German."""
    return locale_of(_selected_language())


@cache
def locale_of(code: str) -> Locale:
    """Babel's Locale of a language, made once: parsing looks for its data file on disk, and every
    request that says a word asks."""
    return Locale.parse(code)


def _selected_language() -> str:
    config = current_app.config
    if not has_request_context():  # the command line and the mail worker (which force a locale)
        return config["BABEL_DEFAULT_LOCALE"]
    guest_page = is_guest_page()
    languages = config["LANGUAGES"] if guest_page else config["STAFF_LANGUAGES"]  # page_languages()
    choice = session.get("lang" if guest_page else "staff_lang")
    for chosen in (request.args.get("lang"), choice):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def remember_linked_language() -> None:
    """A link that carries a language (a guest's mail) chooses it for the pages that follow."""
    chosen = request.args.get("lang")
    if is_guest_page() and chosen in current_app.config["LANGUAGES"] and session.get("lang") != chosen:
        session["lang"] = chosen


@bp.get("/lang/<code>")
def switch(code):
    """Remember the chosen language and go back to the page the guest came from. A staff language
    is remembered for the staff pages too, apart: a guest link's ?lang= does not change those."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    if code in current_app.config["STAFF_LANGUAGES"]:
        session["staff_lang"] = code
    return redirect(local_path(request.args.get("next")) or url_for("events.upcoming"))
