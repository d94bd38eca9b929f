"""Whole public pages kept per process and language, served without a query while nothing changed.

A page is stored with the version of the data it shows (e.g. the newest updated_at of the events
on it), the moment its content changes by itself (an event ends, sign-up opens), and the
*generation* of the database it was read at (app/generation.py: a number that moves whenever
anything is written, by any process on any host; unknown while a PostgreSQL process's listener is
not connected, and then every request checks its page's version).

`StoredPages`, a WSGI layer in front of Flask, answers a guest's GET from the store when the
generation has not moved: a dictionary look-up and the second's form stamp filled in, before any
of the request machinery. Otherwise the request goes through Flask, where `cached_page` asks the
database for the page's version (one cheap query) and either keeps the stored page, now at the new
generation, or renders it afresh. Data changes invalidate, not time.

Guests carry no cookie, so a stored page may only hold what every visitor of its language sees:
- never a page for logged-in users or one with flashed messages, nor a page that only the holder
  of a secret in its address may see (an invitation-only event's sign-up link): stored, it would
  be one guessed address away from anyone, and every wrong guess would take a place in the store;
- no per-visitor CSRF token (the sign-up form has none; formtrap.py says what protects it);
- the form stamp is the same for everyone within a second (formtrap.window_stamp).
Stored pages carry an ETag, and a browser that asks again gets a 304 while nothing changed.
"""
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .errors import NotFound
from .extensions import db
from .formtrap import STAMP_MARKER, window_stamp
from .generation import watcher_of

_STAMP = STAMP_MARKER.encode()
# The headers a stored page's 304 repeats (RFC 9110, 15.4.5), besides Podium's own.
_NOT_IN_304 = ("content-type", "content-length", "content-language")


@dataclass
class StoredPage:
    version: Hashable
    generation: Hashable
    stale_at: float | None  # seconds since the epoch; None: only a new version makes it stale
    body: bytes  # with STAMP_MARKER where the form stamp goes
    etag: str = field(init=False)
    # What Flask answered with when a guest without a cookie first got it (the layer repeats them).
    headers: list[tuple[str, str]] | None = None

    def __post_init__(self):
        self.etag = hashlib.blake2b(self.body, digest_size=12).hexdigest()

    def stale(self, now: float) -> bool:
        """Whether its content has changed by itself by `now` (an event ended, sign-up opened)."""
        return self.stale_at is not None and now >= self.stale_at

    def fresh(self, generation: Hashable, now: float) -> bool:
        """Whether it may be served as it is: read at this generation and not stale by `now`."""
        return generation is not None and generation == self.generation and not self.stale(now)


class PageCache:
    """The stored pages of one app in one process, by (address, language); the oldest go first."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> StoredPage | None:
        """The page stored under `key`, fresh or not (a plain look-up: no lock on the way in)."""
        return self._entries.get(key)

    def put(self, key: Hashable, page: StoredPage) -> None:
        """Store `page` under `key`; the least recently stored go when the store is full."""
        with self._lock:
            self._entries[key] = page
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every stored page."""
        with self._lock:
            self._entries.clear()


def _clock() -> float:
    """Now, in seconds since the epoch (tests move it)."""
    return time.time()


class PageStore:
    """An app's stored pages and the generation of its database."""

    def __init__(self, engine: Engine):
        self.cache = PageCache()
        self.engine = engine
        self._pid = None
        self._watcher = None

    def generation(self) -> Hashable:
        """The database's generation now, or None when it cannot be known."""
        if self._pid != os.getpid():  # a new process (gunicorn forks): a watcher of its own
            self._watcher = watcher_of(self.engine)
            self._pid = os.getpid()
        return self._watcher.current() if self._watcher is not None else None

    def moved(self) -> None:
        """This process committed: its own next request must not get a page from before."""
        if self._watcher is not None and self._pid == os.getpid():
            self._watcher.moved()


def pages() -> PageStore:
    """This app's stored pages (one store per app and process)."""
    return current_app.extensions["podium_pages"]


# --- in Flask -------------------------------------------------------------------------------------

def page_key(environ: dict, locale: str) -> tuple:
    """A stored page's key: its address as the request names it, and the language."""
    return environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), locale


def is_cacheable() -> bool:
    """Anonymous GETs without flashed messages: the same page for every visitor of a language."""
    return request.method in ("GET", "HEAD") and "_flashes" not in session and not current_user.is_authenticated


def _no_token():
    raise RuntimeError("a stored page is the same for every visitor: it cannot hold a CSRF token")


def cached_page(version_of: Callable[[], Hashable | None], render: Callable[..., tuple[str, datetime | None]], *,
                private: bool = False, not_found=None):
    """The page at `version_of()` (None: there is no such page, a 404 saying `not_found`): stored, or rendered by
    `render(form_stamp=...)` and stored; with `private` (the address holds a secret), rendered and
    never stored. `render` returns the HTML and the moment it goes stale by itself (or None).
    The answer carries the page's ETag, and is a 304 to a browser that has it already."""
    if private or not is_cacheable():
        if version_of() is None:
            raise NotFound(not_found)
        return render(form_stamp=window_stamp)[0]
    store = pages()
    key = page_key(request.environ, str(get_locale()))
    generation = store.generation()  # before anything is read: a later write moves it
    page = store.cache.get(key)
    now = _clock()
    if page is None or not page.fresh(generation, now):
        version = version_of()
        if version is None:
            raise NotFound(not_found)
        if page is not None and page.version == version and not page.stale(now):
            page.generation = generation
        else:
            html, stale_at = render(form_stamp=lambda: STAMP_MARKER, csrf_token=_no_token)
            page = StoredPage(version, generation, stale_at and stale_at.replace(tzinfo=timezone.utc).timestamp(),
                              html.encode())
            store.cache.put(key, page)
    request.environ["podium.stored_page"] = page
    response = current_app.response_class(page.body.replace(_STAMP, window_stamp().encode()),
                                          mimetype="text/html")
    response.set_etag(page.etag)
    response.headers["Cache-Control"] = "no-cache"  # ask each time; a 304 while nothing changed
    response.vary.update(("Accept-Language", "Cookie"))  # the language, and whoever is logged in
    return response.make_conditional(request)


def next_change(now: datetime, *moments: datetime | None) -> datetime | None:
    """The first of `moments` after now: when a page showing them changes by itself."""
    future = [m for m in moments if m is not None and m > now]
    return min(future, default=None)


# --- before Flask ---------------------------------------------------------------------------------

class OurCookies:
    """Whether a request carries a cookie of Podium's (the session, the login's remember-me): Flask
    may then answer it otherwise than a guest who has none."""

    def __init__(self, config):
        self.names = tuple(f"{name}=" for name in (config["SESSION_COOKIE_NAME"],
                                                   config.get("REMEMBER_COOKIE_NAME", "remember_token")))

    def __call__(self, environ) -> bool:
        cookie = environ.get("HTTP_COOKIE")
        return bool(cookie) and any(name in cookie for name in self.names)


class StoredPages:
    """The WSGI layer that answers a guest's GET for a stored page before Flask does anything.

    Only for a request Flask would answer with the same page: no cookie of ours (no session, so
    no login, no flashed message, no chosen language), no `lang=` in the address (Flask remembers
    that choice in a cookie), the language from Accept-Language as `app.i18n.select_locale` picks
    it for a guest. Everything else, and every page not stored or not fresh, goes to Flask.
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.store: PageStore = app.extensions["podium_pages"]
        self.carries_our_cookie = OurCookies(app.config)
        self.languages = tuple(app.config["LANGUAGES"])
        self.default = app.config["BABEL_DEFAULT_LOCALE"]
        self._locales: dict = {}

    def __call__(self, environ, start_response):
        if not self._may_serve(environ):
            return self.wsgi_app(environ, start_response)
        key = page_key(environ, self._locale(environ.get("HTTP_ACCEPT_LANGUAGE", "")))
        page = self.store.cache.get(key)
        if page is not None and page.headers is not None and page.fresh(self.store.generation(), _clock()):
            return self._serve(page, environ, start_response)
        return self._through_flask(environ, start_response)

    def _may_serve(self, environ) -> bool:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or "lang=" in environ.get("QUERY_STRING", ""):
            return False
        return not self.carries_our_cookie(environ)

    def _locale(self, header: str) -> str:
        """The guest's language from Accept-Language (remembered per header: browsers send few)."""
        locale = self._locales.get(header)
        if locale is None:
            locale = parse_accept_header(header, LanguageAccept).best_match(self.languages) or self.default
            if len(self._locales) > 1000:
                self._locales.clear()
            self._locales[header] = locale
        return locale

    def _serve(self, page: StoredPage, environ, start_response):
        if page.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", [(name, value) for name, value in page.headers
                                                if name.lower() not in _NOT_IN_304])
            return []
        body = page.body.replace(_STAMP, window_stamp(self.app.config).encode())
        start_response("200 OK", [*page.headers, ("Content-Length", str(len(body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _through_flask(self, environ, start_response):
        """Flask answers; a stored page it answered with keeps the headers, for the next guest."""
        answer = {}

        def keep_headers(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep_headers)
        page = environ.get("podium.stored_page")
        if page is not None and answer.get("status", "").startswith("200") and not any(
                name.lower() == "set-cookie" for name, _value in answer["headers"]):
            page.headers = [(name, value) for name, value in answer["headers"] if name.lower() != "content-length"]
        return body


def register(app: Flask) -> None:
    """The store, the layer in front of Flask, and this process's own commits moving the generation."""
    with app.app_context():
        engine = db.engine
    store = app.extensions["podium_pages"] = PageStore(engine)
    app.wsgi_app = StoredPages(app, app.wsgi_app)
    event.listen(engine, "commit", lambda _connection: store.moved())
