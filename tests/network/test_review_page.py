"""The review of past events (Rückblick, /results/): every event that ended and has something public
to show, newest first, with its public summary, minutes and files; a link to the event's page only
where the public can open it."""
import pytest
from flask import url_for

from app.network import results
from tests.conftest import TEST_ACTOR, days_from_now
from tests.pages import page

from .test_uploads import PDF_BYTES, png_with_script


@pytest.fixture
def guest(app):
    """A visitor who is not logged in."""
    return app.test_client()


def write(event, *, summary="", summary_visibility="public", minutes="", minutes_visibility="network"):
    results.save_texts(event.id, summary=summary, summary_visibility=summary_visibility, minutes=minutes,
                       minutes_visibility=minutes_visibility, by=TEST_ACTOR)


def add_file(event, data=PDF_BYTES, name="slides.pdf", *, title="Slides", visibility="public"):
    return results.add_file(event.id, data, name, title=title, visibility=visibility, by=TEST_ACTOR)


def reviewed(response) -> list[str]:
    """The events the review shows, by their titles, in its order."""
    return [card.one("h2").text for card in page(response).find_all("li", class_="event-card")]


def card_of(response, title):
    return next(card for card in page(response).find_all("li", class_="event-card") if card.one("h2").text == title)


def test_the_review_lists_exactly_the_past_events_with_something_public_newest_first(guest, make_event):
    forum = make_event(title="Forum with a summary", starts_at=days_from_now(-30))
    write(forum, summary="Seventy guests came.")
    talk = make_event(title="Talk with public slides", starts_at=days_from_now(-10))
    add_file(talk)
    podium = make_event(title="Podium with public minutes", starts_at=days_from_now(-20))
    write(podium, minutes="1. Welcome", minutes_visibility="public")
    meeting = make_event(title="Recorded meeting", starts_at=days_from_now(-5), visibility="record", publish=False)
    add_file(meeting, png_with_script(), "photo.png", title="Group photo")
    circle = make_event(title="Working group meeting", starts_at=days_from_now(-3), visibility="invitation")
    write(circle, summary="We agreed on a plan.")
    # Not in the review: only network-only items, nothing at all, not ended, an unpublished draft.
    internal = make_event(title="Internal only", starts_at=days_from_now(-4))
    write(internal, summary="Internal", summary_visibility="network", minutes="Internal minutes")
    add_file(internal, visibility="network")
    make_event(title="Nothing came of it", starts_at=days_from_now(-6))
    coming = make_event(title="Still to come", starts_at=days_from_now(3))
    write(coming, summary="Not yet")
    draft = make_event(title="Draft", starts_at=days_from_now(-8), publish=False)
    write(draft, summary="Draft summary")

    response = guest.get(url_for("results.review"))

    assert response.status_code == 200
    assert reviewed(response) == ["Working group meeting", "Recorded meeting", "Talk with public slides",
                                  "Podium with public minutes", "Forum with a summary"]


def test_each_event_shows_its_public_items_and_nothing_else(guest, make_event):
    forum = make_event(title="Forum Ausbildung", starts_at=days_from_now(-2))
    write(forum, summary="Seventy **guests** came.", minutes="Network minutes")
    slides = add_file(forum, title="Slides")
    photo = add_file(forum, png_with_script(), "panel.png", title="The panel")
    add_file(forum, title="Internal list", visibility="network")

    card = card_of(guest.get(url_for("results.review")), "Forum Ausbildung")

    assert "Seventy guests came." in card.text and card.find("strong").text == "guests"
    assert "Network minutes" not in card.text and "Internal list" not in card.text
    assert card.one("a", download="").get("href") == url_for("results.file_download", file_id=slides.id,
                                                             filename=slides.filename)
    assert card.one("img").get("alt") == "The panel"
    assert card.one("img").get("src") == url_for("results.file_download", file_id=photo.id, filename=photo.filename)
    assert card.find("time") is not None and card.one("p", class_="kind").text


def test_only_an_event_the_public_may_open_is_linked(guest, make_event):
    forum = make_event(title="Public forum", starts_at=days_from_now(-2))
    meeting = make_event(title="Recorded meeting", starts_at=days_from_now(-3), visibility="record", publish=False)
    circle = make_event(title="Invited circle", starts_at=days_from_now(-4), visibility="invitation")
    for event in (forum, meeting, circle):
        write(event, summary="Something came of it.")

    response = guest.get(url_for("results.review"))

    assert card_of(response, "Public forum").one("h2").one("a").get("href") == url_for(
        "registrations.event_page", slug=forum.slug)
    assert card_of(response, "Recorded meeting").one("h2").find("a") is None
    assert card_of(response, "Invited circle").one("h2").find("a") is None


def test_a_stored_review_changes_as_soon_as_staff_make_something_public(guest, make_event):
    forum = make_event(title="Forum", starts_at=days_from_now(-2))
    write(forum, summary="Internal", summary_visibility="network")
    assert reviewed(guest.get(url_for("results.review"))) == []

    write(forum, summary="Now public", summary_visibility="public")

    assert reviewed(guest.get(url_for("results.review"))) == ["Forum"]


def test_an_empty_review_says_so(guest):
    response = guest.get(url_for("results.review"))

    assert response.status_code == 200
    assert page(response).one("p", class_="empty").text
