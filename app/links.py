"""Links that leave Podium in mails, QR codes and calendar files: their address and their key."""
import secrets

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL joined with the path of `endpoint`; works in the mail worker too."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def new_link_token() -> str:
    """192 random bits, URL-safe: the key of a personal link (a guest's own page, an
    invitation, an unsubscribe link). Each link has its own; none is derived from another."""
    return secrets.token_urlsafe(24)
