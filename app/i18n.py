"""Which language a page speaks: the guest's choice, else the browser's, else German; and
which way it is written."""
from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale

from .links import local_path

bp = Blueprint("i18n", __name__)

# Each language named in itself: that is how people find their own.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی", "uk": "Українська"}
RIGHT_TO_LEFT = {"ar", "fa"}


def language_names() -> list[tuple[str, str]]:
    """(code, name in itself) of every language the site speaks, in the configured order."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


def text_direction() -> str:
    """"rtl" for a page in a language written right to left, else "ltr"."""
    return "rtl" if str(get_locale().language) in RIGHT_TO_LEFT else "ltr"


def select_locale() -> str:
    """The language of this request: the guest's choice, else the browser's, else German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line and the mail worker
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/lang/<code>")
def switch(code):
    """Remember the chosen language and go back to the page the guest came from."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(local_path(request.args.get("next")) or url_for("events.upcoming"))
