"""Door answers that wrote nothing, given again before Flask while nothing has changed.

A scanner repeats itself: it retries a scan whose answer it missed (same ticket, same nonce), and a
camera reads the same code again while it is still in view. Every such scan is answered without a
write (services.py: a retry, "already checked in", an unknown, cancelled or other event's ticket),
so its answer is the same as long as nothing in the database has changed: the token (revoked?),
the guest's registration, the event. This layer keeps such answers per process, like the stored
pages (app/pagecache.py), and gives one again while the database's generation has not moved: a
look-up, before Flask and the scan's query (which reads the token too).

The generation is the stored pages' own: on SQLite `PRAGMA data_version` (any commit of any
connection), on PostgreSQL the notifications of every write to a table the answer depends on
(api_tokens, registrations, events; a door log line is written only with its registration's change)
and this process's own commits. While it cannot be known, every scan goes to Flask.

Only bearer-token scans without a cookie of ours or a `lang=` (whose language Flask could take from
the session or the address) are stored, keyed by the path, the token's hash, the Accept-Language
header and the exact body: another token, another nonce or another code is another answer. A first
scan that lets the guest in is never stored; its retry, answered without a write, is.
"""
import hashlib
import io
import re
from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask, request

from ..pagecache import OurCookies, PageCache, PageStore

SCAN_PATH = re.compile(r"^/api/v1/events/\d+/checkins$")
# A scan's body is a ticket code or URL and a nonce: what is larger goes to Flask, which judges it.
BODY_MAX = 4096
_STORABLE = "podium.storable_answer"


@dataclass(frozen=True)
class StoredAnswer:
    generation: Hashable  # the database's, read before the answer was
    headers: list[tuple[str, str]]  # as Flask gave them, but Content-Length
    body: bytes


def store_this_answer() -> None:
    """Tell the layer that the answer to this request wrote nothing and may be given again."""
    request.environ[_STORABLE] = True


class StoredAnswers:
    """The WSGI layer that gives a stored door answer before Flask does anything."""

    def __init__(self, app: Flask, wsgi_app, size: int = 1024):
        self.wsgi_app = wsgi_app
        self.store: PageStore = app.extensions["podium_pages"]
        self.answers = PageCache(size)
        self.carries_our_cookie = OurCookies(app.config)

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        generation = self.store.generation()  # before Flask reads anything: a later write moves it
        answer = self.answers.get(key)
        if answer is not None and generation is not None and answer.generation == generation:
            start_response("200 OK", [*answer.headers, ("Content-Length", str(len(answer.body)))])
            return [answer.body]
        return self._through_flask(key, generation, environ, start_response)

    def _key(self, environ) -> tuple | None:
        """The stored answer's key, for a scan this layer may answer; None for any other request
        (whose body is then left unread)."""
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if (environ["REQUEST_METHOD"] != "POST" or authorization[:7].lower() != "bearer "
                or not SCAN_PATH.match(environ.get("PATH_INFO", "")) or "lang=" in environ.get("QUERY_STRING", "")):
            return None
        if self.carries_our_cookie(environ):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= BODY_MAX:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # Flask reads it again if the answer is not stored
        environ["CONTENT_LENGTH"] = str(len(body))
        token = hashlib.blake2b(authorization.encode(errors="replace"), digest_size=16).digest()
        return environ.get("SCRIPT_NAME", ""), environ["PATH_INFO"], token, environ.get("HTTP_ACCEPT_LANGUAGE"), body

    def _through_flask(self, key: tuple, generation, environ, start_response):
        """Flask answers; an answer that wrote nothing is stored, at the generation read before."""
        answer = {}

        def keep_headers(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, keep_headers)
        if not environ.get(_STORABLE) or generation is None or not answer.get("status", "").startswith("200"):
            return chunks
        headers = [(name, value) for name, value in answer["headers"] if name.lower() != "content-length"]
        if any(name.lower() == "set-cookie" for name, _value in headers):
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        self.answers.put(key, StoredAnswer(generation, headers, body))
        return [body]


def register(app: Flask) -> None:
    """The layer in front of Flask (after app/pagecache.py made the store whose generation it reads)."""
    app.wsgi_app = StoredAnswers(app, app.wsgi_app)
