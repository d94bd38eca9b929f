"""What protects the public forms (the sign-up form, a survey's answers): the honeypot and the
time trap, two things a program that fills in and posts forms does and a person does not, and the
same-origin check, which no other site's page can pass.

- The honeypot is a text field no person sees: the stylesheet hides it (`.form-trap`), it is out
  of the tab order and hidden from screen readers, its label asks to leave it empty (for a
  browser that shows it anyway), and its name is no word a browser's autofill or a password
  manager knows (Chromium's heuristics look for name, mail, phone, address, company...).
  Whoever fills it is a program.
- The time trap: each rendering of a form carries the moment it was made, signed with the
  app's SECRET_KEY (itsdangerous, salted for this use alone). A form sent back sooner than
  FORM_MIN_SECONDS after that, or without a valid stamp, was not filled in by a person.
  There is no upper bound: a guest may leave the page open for days, and a bound would stop
  no program (it fetches a fresh page as cheaply as it posts one).

A refused form is shown again with everything typed kept and an empty honeypot, and a message
that asks the person to send it again; the view stores nothing and mails nobody. It carries the
stamp it was sent with when that one is valid (a person who fixes a mistake within a second is
not taken for a program: they began filling the form when it was first made), a fresh one
otherwise.
The page does not say which trap it was; the log does, without the form's content or the URL
(invitation links hold a token).

- The same-origin check: a browser says where a form it posts comes from (`Sec-Fetch-Site`, and
  `Origin`), and no page can make it lie. A form posted from another site's page is refused.
  This, not a per-visitor CSRF token, is what keeps other sites from posting the sign-up form
  through their visitors' browsers (README, "Why the sign-up form has no CSRF token").

Every visitor gets the same stamp within a quarter of a second (`window_stamp`): a stored page
(pagecache.py) holds STAMP_MARKER and the layer that serves it fills in the window's stamp, the
same for every visitor, so that a stored page needs no per-visitor work. The stamp names the *end*
of its window, so it never makes a page older than it is: a program that posts at once is still
refused. A person waits at most a quarter of a second longer than FORM_MIN_SECONDS, which nobody
notices (nobody fills in a form that fast).
"""
import logging
import time
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData
from wtforms import HiddenField, StringField

from .links import signer

log = logging.getLogger(__name__)

# Stands for a fresh stamp in a stored page; replaced on every request.
STAMP_MARKER = "form-stamp-of-this-visitor-5d1b7e"
# Every form made within one such window carries the same stamp (window_stamp).
WINDOW_SECONDS = 0.25
# Longer than any stamp this module makes: anything longer is not worth checking.
MAX_STAMP_LENGTH = 200
_SALT = "podium.form-trap"

REFUSED = _l("Please send the form again: we could not accept it this time, and nothing has been saved "
             "yet. What you entered is still here.")


def new_stamp(now: float | None = None) -> str:
    """The signed moment (milliseconds since the epoch) a form is made: its time trap's value."""
    moment = time.time() if now is None else now
    return signer(_SALT).dumps(int(moment * 1000))


def window_stamp(config=None, now: float | None = None) -> str:
    """The stamp of every form made within the current window of WINDOW_SECONDS: signed with the
    end of the window, and made once per window and process (signing costs more than serving a
    stored page)."""
    moment = time.time() if now is None else now
    config = current_app.config if config is None else config
    end_ms = (int(moment / WINDOW_SECONDS) + 1) * int(WINDOW_SECONDS * 1000)
    made = _latest_window
    if made[0] == end_ms and made[1] == config["SECRET_KEY"]:
        return made[2]
    stamp = signer(_SALT, config).dumps(end_ms)
    globals()["_latest_window"] = (end_ms, config["SECRET_KEY"], stamp)
    return stamp


# (end of the window in ms, the key it was signed with, the stamp): window_stamp's last answer.
_latest_window: tuple = (0, None, "")


def stamp_age(stamp: str | None, now: float | None = None) -> float | None:
    """Seconds since `stamp` was made (negative if made later, by a clock ahead); None when it is
    missing, forged or not one of ours."""
    if not stamp or len(stamp) > MAX_STAMP_LENGTH:
        return None
    try:
        made = signer(_SALT).loads(stamp)
    except (BadData, UnicodeError, ValueError):
        return None
    if type(made) is not int:
        return None
    return (time.time() if now is None else now) - made / 1000


def kept_stamp(stamp: str | None) -> str | None:
    """The stamp a form came back with, for the form shown again, when it is ours and its window
    has begun; else None (the form gets a fresh one)."""
    age = stamp_age(stamp)
    return stamp if age is not None and age >= -WINDOW_SECONDS else None


def sent_from_elsewhere() -> str | None:
    """Why this POST came from another site's page (for the log), or None.

    `Sec-Fetch-Site` (every current browser) decides where it is sent; otherwise `Origin` must be
    ours. A request with neither (an older browser, a program) or with `Origin: null` (which
    browsers send from a page with `Referrer-Policy: no-referrer`, as personal links have) passes:
    no browser of today lets another site's page send it, and the time trap and the rate limits
    still apply."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return None if site in ("same-origin", "none") else f"Sec-Fetch-Site: {site[:20]}"
    origin = request.headers.get("Origin")
    if origin is None or origin == "null" or origin.rstrip("/") in _own_origins():
        return None
    return "Origin of another site"


def _own_origins() -> set[str]:
    """Where our own pages are: the address the request came to (behind PROXY_COUNT proxies, the
    one the proxy was asked for) and BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    return {request.host_url.rstrip("/"), f"{base.scheme}://{base.netloc}"}


def trap_sprung(honeypot: str | None, stamp: str | None, now: float | None = None) -> str | None:
    """Why a form sent with this honeypot and stamp was not sent by a person (for the log), or
    None. With FORM_MIN_SECONDS 0 only the honeypot counts."""
    if honeypot:
        return "honeypot filled"
    minimum = current_app.config["FORM_MIN_SECONDS"]
    if minimum <= 0:
        return None
    age = stamp_age(stamp, now)
    if age is None:
        return "no valid stamp"
    if age < minimum:
        return "sent too fast"
    return None


class FormTrap:
    """Mixin for a public form (put it first among the bases, before app.forms.PodiumForm): the honeypot and
    the time trap. Templates place them with `form_trap(form)` from `_formtrap.html`, inside the form."""

    # Neither field is the guest's: no validators, no messages next to them; `validate` decides.
    remarks = StringField(_l("Please leave this field empty."))
    form_time = HiddenField()

    def validate(self, extra_validators=None):
        """The fields' own checks, then the traps. A sprung trap refuses the form; its message
        shows only when nothing else is wrong (a person corrects and sends again anyway)."""
        valid = super().validate(extra_validators=extra_validators)
        reason = sent_from_elsewhere() or trap_sprung(self.remarks.data, self.form_time.data)
        if reason is None:
            return valid
        log.info("form refused by the trap (%s) at %s", reason, request.endpoint)
        if valid:
            self.form_errors.append(str(REFUSED))
        return False


def register(app) -> None:
    """Templates make the current second's stamp with `form_stamp()`, and keep a valid one with
    `kept_stamp`."""
    app.jinja_env.globals["form_stamp"] = window_stamp
    app.jinja_env.globals["kept_stamp"] = kept_stamp
