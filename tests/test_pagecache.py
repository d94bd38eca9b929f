"""Public pages come from the per-process cache until their data changes."""
from datetime import timedelta

from sqlalchemy import update

from app.database import utcnow
from app.events.models import Event
from app.extensions import db
from app.pagecache import CSRF_MARKER, PageCache


def test_a_changed_event_is_shown_at_once(client, make_event, sign_up):
    event = make_event(title="Forum Sprache", capacity=3)
    assert "3 places left" in client.get("/events/", headers={"Accept-Language": "en"}).text
    sign_up(event)
    assert "2 places left" in client.get("/events/", headers={"Accept-Language": "en"}).text


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


def test_each_language_has_its_own_copy(client, make_event):
    event = make_event()
    english = client.get(f"/events/{event.slug}/", headers={"Accept-Language": "en"}).text
    german = client.get(f"/events/{event.slug}/").text
    assert 'lang="en"' in english and 'lang="de"' in german


def test_every_visitor_gets_their_own_csrf_token(app, make_event):
    event = make_event()
    first, second = app.test_client(), app.test_client()

    def token(client):
        page = client.get(f"/events/{event.slug}/").text
        assert CSRF_MARKER not in page
        return page.split('name="csrf_token" value="')[1].split('"')[0]

    assert token(first) != token(second)


def test_a_page_goes_stale_when_sign_up_opens(client, make_event, monkeypatch):
    opens = utcnow() + timedelta(hours=1)
    event = make_event(registration_opens_at=opens)
    assert 'name="name"' not in client.get(f"/events/{event.slug}/").text  # stored without the form

    later = opens + timedelta(seconds=1)
    monkeypatch.setattr("app.pagecache.utcnow", lambda: later)
    monkeypatch.setattr("app.events.services.utcnow", lambda: later)
    assert 'name="name"' in client.get(f"/events/{event.slug}/").text


def test_a_stored_page_expires_at_its_own_moment():
    moment = utcnow()
    cache = PageCache()
    cache.put("k", 1, moment, "before")
    assert cache.get("k", 1, moment - timedelta(microseconds=1)) == "before"
    assert cache.get("k", 1, moment) is None


def test_logged_in_staff_never_get_a_stored_page(app, staff, make_event):
    """A guest's visit stores the page; staff must still get their own (with "Log out"), and
    the guest after them must not get the staff's."""
    event = make_event()
    guest = app.test_client()
    url = f"/events/{event.slug}/"
    assert "Ausloggen" not in guest.get(url).text  # now stored

    assert "Ausloggen" in staff.get(url).text
    assert "Ausloggen" not in guest.get(url).text
