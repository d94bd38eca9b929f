"""How often the public forms that mail someone may be sent: per client address, and per email
address.

Per client address (SIGNUP_RATE_LIMIT), each form on its own: one machine cannot sign up a
crowd. Per email address (SIGNUP_EMAIL_RATE_LIMIT), from whatever client address: many
machines cannot fill one stranger's mailbox. The email limit is one count for every form
that mails the address typed into it: the sign-up on the event page and behind an invitation
link count every post; a correction on the guest's own page counts only when it mailed a
confirmation link to a new address (a guest who corrects a typo in their name is no threat).

The count is kept under a keyed hash of the address as Podium matches it (case aside), without
a "+tag" (name+1@ and name+2@ reach one mailbox), so the limiter's storage (Redis in production)
holds no addresses. Over a limit the views show the form again with what was typed, 429, and
Retry-After (Flask-Limiter's header).
"""
import hmac
import time

from flask import current_app, g, request
from flask_babel import ngettext

from ..extensions import limiter
from ..text import email_key

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


def limited_per_email(view):
    """Count every post of `view` against the address in its email field."""
    return limiter.shared_limit(per_email, scope=EMAIL_SCOPE, key_func=_posted_mailbox,
                                exempt_when=_no_email_posted)(view)


def limited_per_email_mailed(view):
    """Refuse `view` when its email field's address is over the limit; count only posts that
    mailed it (the view calls `mailed_typed_address`)."""
    return limiter.shared_limit(per_email, scope=EMAIL_SCOPE, key_func=_posted_mailbox,
                                exempt_when=_no_email_posted,
                                deduct_when=lambda _response: g.get("mailed_typed_address", False))(view)


def mailed_typed_address() -> None:
    """Note that this request mailed the address typed into the form (it counts)."""
    g.mailed_typed_address = True


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
