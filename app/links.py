"""Links: those that leave Podium in mails, QR codes and calendar files (their address and their
key), and where a page may send the browser next."""
import secrets
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import get_locale
from itsdangerous import URLSafeSerializer

# What browsers drop from a URL before following it (WHATWG URL parser): a tab or a line break in
# "/\t/evil.example" makes it "//evil.example", another host.
_DROPPED = str.maketrans("", "", "\t\n\r")


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL joined with the path of `endpoint`; works in the mail worker too."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def mail_link(endpoint: str, **values) -> str:
    """A link in a guest's mail: absolute, and carrying the mail's language (`?lang=`), so the
    page it opens speaks the language the mail was written in (app.i18n.select_locale)."""
    return absolute_url(endpoint, lang=str(get_locale()), **values)


def new_link_token() -> str:
    """192 random bits, URL-safe: the key of a personal link (a guest's own page, an
    invitation, an unsubscribe link). Each link has its own; none is derived from another."""
    return secrets.token_urlsafe(24)


def signer(salt: str, config=None) -> URLSafeSerializer:
    """Signs and reads what a link or a form carries, with the app's SECRET_KEY and a salt for this
    one use. It signs with the current key and reads with any of SECRET_KEY_FALLBACKS too, so
    links mailed before a key rotation still open. `config`: the app's, where there is no app
    context (the stored pages' layer, pagecache.py)."""
    config = current_app.config if config is None else config
    return URLSafeSerializer([*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]], salt=salt)


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/events/x/?a=1"), else None: a redirect to it can
    never lead to another host, however the browser reads it (tabs, backslashes, "//host")."""
    if not target:
        return None
    cleaned = target.translate(_DROPPED).replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    if any(ord(c) < 32 or c == "\x7f" for c in cleaned):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned
