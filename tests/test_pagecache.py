"""Public pages come from the per-process store until their data changes, in this process or in
any other; a guest gets no cookie, and a browser that asks again gets a 304."""
import sqlite3
import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import event, text, update
from sqlalchemy.engine import make_url

from app.database import utcnow
from app.events.models import Event
from app.extensions import db
from app.formtrap import STAMP_MARKER, WINDOW_SECONDS, stamp_age
from app.generation import CHANNEL, QUIET_TABLES, Notifications
from app.pagecache import StoredPage

EN = {"Accept-Language": "en"}


def test_a_changed_event_is_shown_at_once(client, make_event, sign_up):
    event = make_event(title="Forum Sprache", capacity=3)
    assert "3 places left" in client.get("/events/", headers=EN).text
    sign_up(event)
    assert "2 places left" in client.get("/events/", headers=EN).text


def test_the_cache_really_serves_a_stored_copy(client, make_event):
    event = make_event(title="Forum Sprache")
    client.get(f"/events/{event.slug}/")
    # A change that bypasses the ORM keeps the version: the stored page is served.
    db.session.execute(update(Event).where(Event.id == event.id).values(title="Changed behind its back",
                                                                        updated_at=event.updated_at))
    db.session.commit()
    assert "Forum Sprache" in client.get(f"/events/{event.slug}/").text
    # The same change with a new version shows at once.
    db.session.execute(update(Event).where(Event.id == event.id).values(updated_at=utcnow()))
    db.session.commit()
    assert "Changed behind its back" in client.get(f"/events/{event.slug}/").text


def statements_of(app, request) -> list[str]:
    """The SQL statements the app runs while `request()` is answered."""
    seen = []

    def count(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert request().status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen


def served_without_a_query_soon(app, request) -> None:
    """`request()` is answered without a query within a second. On PostgreSQL the notification of a
    commit may come after the page was stored and cost one more look at its version (never a page
    rendered again) until it has."""
    deadline = time.monotonic() + 1
    while (sent := statements_of(app, request)) and time.monotonic() < deadline:
        assert len([s for s in sent if s.startswith("SELECT") and s != "SELECT 1"]) == 1, sent
        time.sleep(0.01)
    assert sent == []


@pytest.mark.parametrize("path", ["/events/", "/events/{slug}/", "/t/{code}"])
def test_a_stored_page_is_served_without_a_query(app, client, make_event, sign_up, path):
    event = make_event(title="Forum Sprache")
    registration = sign_up(event)
    url = path.format(slug=event.slug, code=registration.ticket_code)
    first = client.get(url)
    assert first.status_code == 200 and "Forum Sprache" in first.text
    served_without_a_query_soon(app, lambda: client.get(url))
    # A write to the database that leaves the page's version: one look at the version, and the page is kept.
    db.session.execute(text("UPDATE events SET summary = summary || ' '"))  # the version (updated_at) stays
    db.session.commit()
    again = [s for s in statements_of(app, lambda: client.get(url)) if s.startswith("SELECT") and s != "SELECT 1"]
    assert len(again) == 1, again  # not rendered again
    served_without_a_query_soon(app, lambda: client.get(url))


def test_each_language_has_its_own_copy(client, make_event):
    event = make_event()
    english = client.get(f"/events/{event.slug}/", headers=EN).text
    german = client.get(f"/events/{event.slug}/").text
    assert 'lang="en"' in english and 'lang="de"' in german
    assert 'lang="en"' in client.get(f"/events/{event.slug}/", headers=EN).text  # stored, per language


def test_a_guest_gets_no_cookie_from_any_public_page(app, make_event, sign_up):
    event = make_event()
    registration = sign_up(event)
    guest = app.test_client()
    for url in ("/events/", f"/events/{event.slug}/", "/events/past/", f"/t/{registration.ticket_code}",
                "/results/", "/events.ics"):
        for _ in range(2):  # rendered, then stored
            response = guest.get(url, headers=EN)
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers, url
    page = guest.get(f"/events/{event.slug}/").text
    assert 'name="form_time"' in page and "csrf_token" not in page


def test_a_chosen_language_is_remembered_in_a_cookie(app, make_event):
    event = make_event()
    guest = app.test_client()
    response = guest.get(f"/events/{event.slug}/?lang=uk")
    assert "Set-Cookie" in response.headers and 'lang="uk"' in response.text
    assert 'lang="uk"' in guest.get("/events/").text


def test_every_visitor_of_one_window_gets_the_same_stamp_and_it_is_never_too_old(app, make_event):
    event = make_event()

    def stamp():
        page = app.test_client().get(f"/events/{event.slug}/").text
        assert STAMP_MARKER not in page
        return page.split('name="form_time" value="')[1].split('"')[0]

    stamp()  # stored
    for _ in range(20):  # two visitors, most often within one window
        before = time.time()
        first, second = stamp(), stamp()
        after = time.time()
        if int(after / WINDOW_SECONDS) == int(before / WINDOW_SECONDS):
            break
    assert first == second
    # The stamp names the end of the window: the page is never older than the stamp says
    # (measured from the moments around the requests: the window may end before this line).
    assert stamp_age(first, now=before) <= 0
    assert stamp_age(first, now=after) >= -WINDOW_SECONDS
    time.sleep(WINDOW_SECONDS)
    assert stamp() != first


def test_a_browser_that_has_the_page_gets_a_304(client, make_event):
    event = make_event(title="Forum Sprache")
    url = f"/events/{event.slug}/"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    again = client.get(url, headers={"If-None-Match": etag})  # from the layer before Flask, too
    assert again.status_code == 304 and again.headers["ETag"] == etag

    db.session.execute(update(Event).where(Event.id == event.id).values(title="Forum Arbeit", updated_at=utcnow()))
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Forum Arbeit" in changed.text and changed.headers["ETag"] != etag


def test_the_layer_answers_with_the_headers_flask_gave(client, make_event):
    event = make_event()
    url = f"/events/{event.slug}/"
    from_flask, from_store = client.get(url), client.get(url)
    assert from_flask.text.split('name="form_time"')[0] == from_store.text.split('name="form_time"')[0]
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "ETag",
                 "Cache-Control", "Vary"):
        assert from_store.headers.get(name) == from_flask.headers.get(name), name
    assert int(from_store.headers["Content-Length"]) == len(from_store.data)
    assert client.head(url).data == b""


def test_a_write_by_another_process_shows_at_once(app, client, make_event, database_url):
    """Another process (a connection of its own, outside this app's engine): SQLite's
    data_version, or PostgreSQL's notification to this process's listener, tells the store."""
    event = make_event(title="Forum Sprache")
    url = f"/events/{event.slug}/"
    assert "Forum Sprache" in client.get(url).text
    assert "Forum Sprache" in client.get(url).text  # stored
    change = "UPDATE events SET title = 'Forum Arbeit', updated_at = updated_at + interval '1 second' WHERE id = %s"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(make_url(database_url).database) as other:
            other.execute("UPDATE events SET title = 'Forum Arbeit', updated_at = datetime(updated_at, '+1 second') "
                          "WHERE id = ?", (event.id,))
    else:
        with psycopg.connect(make_url(database_url).set(drivername="postgresql")
                             .render_as_string(hide_password=False), autocommit=True) as other:
            other.execute(change, (event.id,))
    written = time.monotonic()
    db.session.rollback()  # the test's session outlives requests (a server's does not): a new snapshot
    while "Forum Arbeit" not in client.get(url).text:
        assert time.monotonic() - written < 1.0, "the change did not show within a second"
        time.sleep(0.005)
    print(f"shown after {1000 * (time.monotonic() - written):.1f} ms")


@pytest.fixture
def listener(database_url):
    """A PostgreSQL listener of this test's own (generation.Notifications), listening; and a function
    that sends SQL from another connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no notifications: data_version tells every change")
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    notifications = Notifications(dsn)
    wait_until(lambda: notifications.current() is not None, "the listener connected")
    with psycopg.connect(dsn, autocommit=True) as other:
        yield notifications, other.execute
    notifications.close()


def wait_until(condition, what: str, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.001)


def test_a_burst_of_notifications_wakes_the_listener_once(listener):
    """A busy door commits hundreds of times a second: the listener takes what came together at once
    (every process woke for each, at about 0.3 ms of CPU per check-in)."""
    notifications, send = listener
    before = notifications.current()

    send(f"SELECT pg_notify('{CHANNEL}', n::text) FROM generate_series(1, 50) AS n")

    wait_until(lambda: notifications.current() != before, "the generation moved")
    time.sleep(3 * Notifications.GATHER_SECONDS)
    assert 1 <= notifications.current() - before <= 3


def test_a_notification_that_comes_while_the_listener_gathers_is_not_lost(listener):
    notifications, send = listener
    before = notifications.current()
    send(f"NOTIFY {CHANNEL}")
    wait_until(lambda: notifications.current() != before, "the first notification moved the generation")
    first = notifications.current()

    send(f"NOTIFY {CHANNEL}, 'second'")  # the listener is still letting the next ones gather

    wait_until(lambda: notifications.current() != first, "the second one moved it again", seconds=0.5)


def test_every_table_pages_show_notifies_its_changes(app, database_url):
    if not database_url.startswith("postgresql"):
        assert db.engine.dialect.name == "sqlite"  # data_version covers every table there
        return
    tables = set(db.session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                 .scalars())
    notifying = set(db.session.execute(text(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'podium_changes'")).scalars())
    assert notifying == tables - QUIET_TABLES
    assert db.metadata.tables.keys() - QUIET_TABLES <= notifying


def test_a_page_goes_stale_when_sign_up_opens(client, make_event, monkeypatch):
    opens = utcnow() + timedelta(hours=1)
    event = make_event(registration_opens_at=opens)
    assert 'name="name"' not in client.get(f"/events/{event.slug}/").text  # stored without the form
    assert 'name="name"' not in client.get(f"/events/{event.slug}/").text

    later = opens + timedelta(seconds=1)
    monkeypatch.setattr("app.pagecache._clock", lambda: time.time() + 3601)
    monkeypatch.setattr("app.events.services.utcnow", lambda: later)
    assert 'name="name"' in client.get(f"/events/{event.slug}/").text


def test_a_stored_page_expires_at_its_own_moment():
    moment = time.time()
    page = StoredPage(version=1, generation=7, stale_at=moment, body=b"before")
    assert page.fresh(7, moment - 0.001)
    assert not page.fresh(7, moment)
    assert not page.fresh(8, moment - 0.001)
    assert not page.fresh(None, moment - 0.001)  # nobody knows the generation: check the version


def test_logged_in_staff_never_get_a_stored_page(app, staff, make_event):
    """A guest's visit stores the page; staff must still get their own (with "Log out"), and
    the guest after them must not get the staff's."""
    event = make_event()
    guest = app.test_client()
    url = f"/events/{event.slug}/"
    assert "Ausloggen" not in guest.get(url).text  # now stored
    assert "Ausloggen" not in guest.get(url).text  # from the store

    assert "Ausloggen" in staff.get(url).text
    assert "Ausloggen" not in guest.get(url).text
