"""How often the public forms that mail someone may be sent: per client address, and per email
address.

Per client address (SIGNUP_RATE_LIMIT), each form on its own: one machine cannot sign up a
crowd. Per email address (SIGNUP_EMAIL_RATE_LIMIT), from whatever client address: many
machines cannot fill one stranger's mailbox. The email limit is one count for every form that
mails an address: a sign-up on the event page or behind an invitation link counts when it went
through (a form refused for a mistake or by a trap does not, so nobody locks a person out by
posting junk in their name); a correction on the guest's own page counts when it mailed a
confirmation link to a new address; asking for the link to one's data counts against the
registration's address. Over the limit, every such form is refused for that address.

The count is kept under a keyed hash of the address as Podium matches it (case aside), without
a "+tag" (name+1@ and name+2@ reach one mailbox), so the limiter's storage (Redis in production)
holds no addresses. Over a limit the views show the form again with what was typed, 429, and
Retry-After (Flask-Limiter's header).
"""
import hmac
import time

from flask import current_app, g, request
from flask_babel import ngettext

from ..database import get_by_link_key
from ..errors import NotFound
from ..extensions import limiter
from ..text import email_key
from .models import Registration

# One count for every form that mails the address typed into it.
EMAIL_SCOPE = "signup-email"


def per_client() -> str:
    """The limit per client address (SIGNUP_RATE_LIMIT)."""
    return current_app.config["SIGNUP_RATE_LIMIT"]


def per_email() -> str:
    """The limit per email address (SIGNUP_EMAIL_RATE_LIMIT)."""
    return current_app.config["SIGNUP_EMAIL_RATE_LIMIT"]


def mailbox_key(email: str) -> str:
    """A stand-in for the mailbox an address reaches: the same for Anna+x@Example.org and
    anna@example.org, and showing neither."""
    local, at, domain = email_key(email).rpartition("@")
    mailbox = f"{local.split('+', 1)[0]}@{domain}" if at else domain
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    return hmac.new(secret, mailbox.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:32]


def _posted_mailbox() -> str:
    return "mailbox:" + mailbox_key(request.form.get("email", ""))


def _no_email_posted() -> bool:
    return not request.form.get("email", "").strip()


def _registrations_mailbox() -> str:
    """The mailbox of the registration whose manage token is in the URL (an unknown token: none)."""
    try:
        email = get_by_link_key(Registration.manage_token, (request.view_args or {}).get("token", "")).email
    except NotFound:
        email = ""
    return "mailbox:" + mailbox_key(email)


def _counted(_response) -> bool:
    return g.get("counts_per_email", False)


def limited_per_email(view):
    """Refuse `view` when the address in its email field is over the limit; the post counts when
    the view calls `count_for_address`."""
    return limiter.shared_limit(per_email, scope=EMAIL_SCOPE, key_func=_posted_mailbox,
                                exempt_when=_no_email_posted, deduct_when=_counted)(view)


def limited_per_registrations_address(view):
    """Like `limited_per_email`, for a view that mails the address of the registration it is
    about (/r/<token>/...) rather than one typed into it."""
    return limiter.shared_limit(per_email, scope=EMAIL_SCOPE, key_func=_registrations_mailbox,
                                deduct_when=_counted)(view)


def count_for_address() -> None:
    """Count this request against the address (it signed the address up or mailed it)."""
    g.counts_per_email = True


def form_over_limit(form_class):
    """The form as it was posted, with what a person over a limit is told above it."""
    form = form_class()
    form.form_errors.append(try_again_later())
    return form


def try_again_later() -> str:
    """What a person over a limit is told: how long to wait, and that nothing typed is lost."""
    current = limiter.current_limit
    seconds = current.reset_at - time.time() if current is not None else 60
    # Rounded: the limiter's window ends a second or so after the full hour or day.
    minutes = max(1, round(seconds / 60))
    if minutes > 90:
        return ngettext("This form has been sent too often in a short time. Please send it again in %(num)d "
                        "hour; what you entered is still here.",
                        "This form has been sent too often in a short time. Please send it again in %(num)d "
                        "hours; what you entered is still here.", round(minutes / 60))
    return ngettext("This form has been sent too often in a short time. Please send it again in %(num)d "
                    "minute; what you entered is still here.",
                    "This form has been sent too often in a short time. Please send it again in %(num)d "
                    "minutes; what you entered is still here.", minutes)
