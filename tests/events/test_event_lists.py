"""The public lists: /events/ (upcoming, soonest first) and /events/past/."""
from datetime import timedelta

import pytest
from flask import url_for

from app.registrations.services import cancel_registration
from tests.conftest import days_from_now
from tests.pages import ENGLISH, page

from .conftest import next_year_at


def cards(response) -> dict:
    """Each event card on a list page, by the title it shows."""
    return {card.find("h2").text: card for card in page(response).find_all("li", class_="event-card")}


def titles(response) -> list[str]:
    return list(cards(response))


def test_upcoming_lists_published_events_soonest_first(client, make_event):
    make_event(title="In ten days", starts_at=days_from_now(10))
    make_event(title="In three days", starts_at=days_from_now(3))
    make_event(title="In twenty days", starts_at=days_from_now(20))

    response = client.get(url_for("events.upcoming"), headers=ENGLISH)

    assert response.status_code == 200
    assert titles(response) == ["In three days", "In ten days", "In twenty days"]


def test_front_page_leads_to_the_event_list(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.location.endswith(url_for("events.upcoming"))


def test_drafts_are_not_listed(client, make_event):
    make_event(title="Published forum")
    make_event(title="Draft forum", publish=False)

    response = client.get(url_for("events.upcoming"), headers=ENGLISH)

    assert titles(response) == ["Published forum"]
    assert "Draft forum" not in response.text


def test_past_events_are_on_the_past_page_only(client, make_event):
    make_event(title="Last week's forum", starts_at=days_from_now(-7))
    make_event(title="Next week's forum", starts_at=days_from_now(7))
    make_event(title="Past draft", starts_at=days_from_now(-3), publish=False)

    upcoming = client.get(url_for("events.upcoming"), headers=ENGLISH)
    past = client.get(url_for("events.past"), headers=ENGLISH)

    assert titles(upcoming) == ["Next week's forum"]
    assert past.status_code == 200
    assert titles(past) == ["Last week's forum"]


def test_past_events_are_newest_first(client, make_event):
    make_event(title="A month ago", starts_at=days_from_now(-30))
    make_event(title="Yesterday", starts_at=days_from_now(-1))

    assert titles(client.get(url_for("events.past"), headers=ENGLISH)) == ["Yesterday", "A month ago"]


def test_a_card_shows_the_kind_of_event(client, make_event):
    make_event(title="Fachkräfte sichern", kind="podium")

    card = cards(client.get(url_for("events.upcoming"), headers=ENGLISH))["Fachkräfte sichern"]

    assert card.find("p", class_="kind").text == "Podium discussion"


@pytest.mark.parametrize(("starts_utc", "shown_de", "shown_en"), [
    ((1, 15, 16), "17:00", "17:00"),  # winter: CET, UTC+1
    ((7, 15, 16), "18:00", "18:00"),  # summer: CEST, UTC+2
])
def test_times_are_shown_in_the_events_own_zone(client, make_event, starts_utc, shown_de, shown_en):
    event = make_event(title="Forum Arbeit", starts_at=next_year_at(*starts_utc), timezone="Europe/Berlin")

    german = cards(client.get(url_for("events.upcoming")))["Forum Arbeit"].find("p", class_="when").text
    english = cards(client.get(url_for("events.upcoming"), headers=ENGLISH))["Forum Arbeit"]

    assert german.split(", ")[-1].startswith(shown_de)
    # The 24-hour clock in English too, as people here read times.
    assert shown_en in english.find("p", class_="when").text and "PM" not in english.text
    assert str(event.starts_at.year) in german


@pytest.mark.parametrize(("capacity", "waitlist", "taken", "label"), [
    (5, True, 2, "3 places left"),
    (3, True, 2, "1 place left"),
    (1, True, 1, "full – waitlist open"),
    (1, False, 1, "full"),
])
def test_a_card_shows_how_many_places_are_left(client, make_event, sign_up, capacity, waitlist, taken,
                                               label):
    event = make_event(title="Forum Pflege", capacity=capacity, waitlist_enabled=waitlist)
    for _ in range(taken):
        sign_up(event)

    card = cards(client.get(url_for("events.upcoming"), headers=ENGLISH))["Forum Pflege"]

    assert card.find("p", class_="places").text == label


def test_a_cancelled_event_stays_listed_and_says_so(client, make_event, set_event):
    set_event(make_event(title="Forum Wohnen"), status="cancelled")

    card = cards(client.get(url_for("events.upcoming"), headers=ENGLISH))["Forum Wohnen"]

    assert "cancelled" in card.classes
    assert card.find("p", class_="places").text == "cancelled"


@pytest.mark.parametrize(("headers", "lang"), [
    ({}, "de"),
    (ENGLISH, "en"),
    ({"Accept-Language": "fr"}, "de"),
])
def test_the_list_speaks_german_unless_the_browser_asks_for_english(client, headers, lang):
    response = client.get(url_for("events.upcoming"), headers=headers)

    assert page(response).one("html").get("lang") == lang


def test_the_language_switch_is_remembered(client):
    client.get(url_for("i18n.switch", code="en", next=url_for("events.upcoming")))

    response = client.get(url_for("events.upcoming"), headers={"Accept-Language": "de"})

    assert page(response).one("html").get("lang") == "en"


def test_the_list_follows_every_sign_up_and_cancellation(client, make_event, sign_up):
    """Whatever the list caches, a change in places shows on the next visit."""
    event = make_event(title="Forum Pflege", capacity=3)
    sign_up(event)

    def places():
        card = cards(client.get(url_for("events.upcoming"), headers=ENGLISH))["Forum Pflege"]
        return card.find("p", class_="places").text

    assert places() == "2 places left"
    anna = sign_up(event)
    assert places() == "1 place left"
    cancel_registration(anna.id)
    assert places() == "2 places left"


def test_each_language_gets_its_own_page(client, make_event):
    make_event(title="Forum Pflege")

    langs = [page(client.get(url_for("events.upcoming"), headers=headers)).one("html").get("lang")
             for headers in ({}, ENGLISH, {}, ENGLISH)]

    assert langs == ["de", "en", "de", "en"]


GERMAN_WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def test_the_date_is_spelt_out_and_the_clock_has_24_hours_in_german(client, make_event):
    starts = next_year_at(12, 3, 17)  # 18:00 in Berlin
    make_event(title="Forum Arbeit", starts_at=starts, ends_at=starts + timedelta(hours=2, minutes=30),
               timezone="Europe/Berlin")

    when = cards(client.get(url_for("events.upcoming")))["Forum Arbeit"].find("p", class_="when")

    weekday = GERMAN_WEEKDAYS[starts.date().weekday()]
    assert when.find("span", class_="date").text == f"{weekday}, 3. Dezember {starts.year}"
    assert when.find("span", class_="time-range").text == "18:00 – 20:30 Uhr"


def test_an_address_is_shown_whole(client, make_event):
    make_event(title="Forum Wohnen", venue="Tuchfabrik Trier", address="Wechselstraße 4, 54290 Trier")

    where = cards(client.get(url_for("events.upcoming")))["Forum Wohnen"].find("p", class_="where")

    assert where.find("span", class_="address").text == "Tuchfabrik Trier, Wechselstraße 4, 54290 Trier"
