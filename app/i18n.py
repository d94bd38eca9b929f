"""Which language a page speaks: the guest's choice, else the browser's, else German."""
from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for

bp = Blueprint("i18n", __name__)


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
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("events.upcoming")
    return redirect(target)
