"""Whole public pages kept per process and language, checked by one cheap query per request.

A page is stored with the version of the data it shows (e.g. the newest updated_at of the
events on it) and the moment its content changes by itself (an event ends, sign-up opens).
A request asks the database only for the current version; if it matches, the stored page
is sent, with the visitor's own CSRF token and a fresh form stamp (formtrap.py) filled in.
Data changes invalidate, not time.
Pages for logged-in users and pages with flashed messages are never stored, nor a page that only
the holder of a secret in its address may see (an invitation-only event's sign-up link): stored, it
would be one guessed address away from anyone, and every wrong guess would take a place in the cache.
"""
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .database import utcnow
from .formtrap import STAMP_MARKER, new_stamp

# Stands for the visitor's CSRF token in a stored page; replaced on every request.
CSRF_MARKER = "csrf-token-of-this-visitor-7f3c1e"
# What a stored page holds in place of each per-request value, by the name templates call it by.
PER_REQUEST = {"csrf_token": (CSRF_MARKER, generate_csrf), "form_stamp": (STAMP_MARKER, new_stamp)}


class PageCache:
    def __init__(self, size: int = 2048):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, now: datetime) -> str | None:
        """The stored body if it is still at `version` and has not gone stale by `now`; else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_version, valid_until, body = entry
            if stored_version != version or (valid_until is not None and now >= valid_until):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, version: Hashable, valid_until: datetime | None, body: str) -> None:
        """Store a body at `version`, stale from `valid_until` on (None: only by a new version)."""
        with self._lock:
            self._entries[key] = (version, valid_until, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every stored page."""
        with self._lock:
            self._entries.clear()


def pages() -> PageCache:
    """This app's page cache (one per app and process; a process holds one app in production)."""
    return current_app.extensions.setdefault("podium_pages", PageCache())


def is_cacheable() -> bool:
    """Anonymous GETs without flashed messages: the same page for every visitor of a language."""
    return request.method == "GET" and "_flashes" not in session and not current_user.is_authenticated


def cached_page(name: str, version: Hashable, render: Callable[..., tuple[str, datetime | None]], *,
                private: bool = False) -> str:
    """The page `name` at `version`: stored, or rendered by `render(csrf_token=..., form_stamp=...)`
    and stored; with `private` (the address holds a secret), rendered and never stored.

    `render` returns the HTML and the moment it goes stale by itself (or None).
    """
    if private or not is_cacheable():
        return render(**{var: make for var, (_marker, make) in PER_REQUEST.items()})[0]
    key = (name, request.full_path, str(get_locale()))
    now = utcnow()
    cache = pages()
    body = cache.get(key, version, now)
    if body is None:
        body, valid_until = render(**{var: (lambda marker=marker: Markup(marker))
                                      for var, (marker, _make) in PER_REQUEST.items()})
        cache.put(key, version, valid_until, body)
    for marker, make in PER_REQUEST.values():
        if marker in body:
            body = body.replace(marker, make())
    return body


def next_change(now: datetime, *moments: datetime | None) -> datetime | None:
    """The first of `moments` after now: when a page showing them changes by itself."""
    future = [m for m in moments if m is not None and m > now]
    return min(future, default=None)
