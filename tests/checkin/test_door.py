"""The door page as the organiser reads it: the answer to every action (with the name and a look
of its own), the search list that stays true, the modes, the warning on the wrong day, and the
names of the devices in the door log. Pages without JavaScript here; tests/browser/ has the rest."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from flask_babel import force_locale

from app.audit import Actor
from app.checkin import services
from app.checkin.models import CheckInAction, CheckInMethod
from app.database import utcnow
from app.registrations.services import cancel_registration
from tests.rows import registrations_of, reload

from .conftest import bearer, records_of
from .pages import banner, banner_colour, banner_headline, button_form, form_values, page

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/130.0.0.0 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def event(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=2, waitlist_enabled=True)


@pytest.fixture
def door(log_in_as):
    return log_in_as("door", name="Anna Door")


def door_page(door, event, **args):
    return door.get(url_for("checkin.page", event_id=event.id, **args))


def results(response):
    return page(response).one("ul", id="search-results")


def result_of(response, name):
    [item] = [li for li in results(response).find_all("li") if li.one(class_="result-name").text == name]
    return item


def post(door, form, **values):
    return door.post(form.get("action"), data={**form_values(form), **values})


# --- every action: the name, and the state in words and look --------------------------------

def act(door, event, guest, action):
    """Do `action` for `guest` as the page offers it, without JavaScript; the page answered."""
    if action == "code":
        scan_form = page(door_page(door, event)).one("form", id="scan-form")
        return post(door, scan_form, code=guest.ticket_code)
    if action == "search":
        return post(door, button_form(results(door_page(door, event, q=guest.name)), "Check in"))
    if action == "walk-in":
        walk_in = page(door_page(door, event, mode="walk-in")).one("form", id="walk-in-form")
        return post(door, walk_in, name="Eva Neu", organisation="Stadt Trier")
    services.check_in(event.id, guest.ticket_code, Actor(name="Ben Door"))
    return post(door, button_form(results(door_page(door, event, q=guest.name)), "Undo check-in"))


@pytest.mark.parametrize("action, name, colour, headline", [
    ("code", "Anna Schmidt", "green", "Checked in"),
    ("search", "Anna Schmidt", "green", "Checked in"),
    ("walk-in", "Eva Neu", "green", "Checked in"),
    ("undo", "Anna Schmidt", "neutral", "Check-in undone"),
])
def test_every_action_answers_in_the_banner_with_the_name_and_its_state(door, event, sign_up, action, name,
                                                                         colour, headline):
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")

    response = act(door, event, anna, action)

    assert response.status_code == 200
    assert banner_colour(response) == colour
    assert banner_headline(response) == headline
    assert banner(response).one(class_="banner-name").text == name
    # The page comes back at its answer, in the mode it was used in.
    assert page(response).one("a", id=f"tab-{'search' if action == 'undo' else action}").get("aria-current") == "page"


@pytest.mark.parametrize("action, status, colour, headline", [
    ("code", "checked_in", "green", "Checked in"),
    ("search", "checked_in", "green", "Checked in"),
    ("walk-in", "checked_in", "green", "Checked in"),
    ("undo", "undone", "neutral", "Check-in undone"),
])
def test_every_action_answers_the_api_with_the_name_and_its_state(client, event, sign_up, device_token,
                                                                  action, status, colour, headline):
    headers = {**bearer(device_token("Tablet 1")), "Accept-Language": "en"}
    anna = sign_up(event, name="Anna Schmidt")
    if action == "code":
        response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                               json={"code": anna.ticket_code}, headers=headers)
    elif action == "search":
        response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                               json={"registration_id": anna.id}, headers=headers)
    elif action == "walk-in":
        response = client.post(url_for("checkin_api.walk_in", event_id=event.id),
                               json={"name": "Anna Schmidt"}, headers=headers)
    else:
        services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"))
        response = client.post(url_for("checkin_api.undo", event_id=event.id, registration_id=anna.id),
                               headers=headers)

    answer = response.json
    assert (answer["status"], answer["colour"], answer["headline"]) == (status, colour, headline)
    assert answer["registration"]["name"] == "Anna Schmidt"


@pytest.mark.parametrize("case, colour, headline, detail", [
    ("already", "amber", "Already in", "Already checked in at"),
    ("other event", "red", "Wrong event", "This ticket is for another event: Fachvortrag Pflege"),
    ("waitlisted", "red", "Not confirmed", "On the waitlist: no confirmed place."),
    ("cancelled", "red", "Cancelled", "This registration has been cancelled."),
])
def test_a_guest_who_is_not_let_in_is_named_and_told_apart_from_green(door, event, make_event, sign_up,
                                                                       case, colour, headline, detail):
    if case == "already":
        guest = sign_up(event, name="Dora Dabei")
        services.check_in(event.id, guest.ticket_code, Actor(name="Ben Door"))
    elif case == "other event":
        guest = sign_up(make_event(title="Fachvortrag Pflege"), name="Dora Dabei")
    elif case == "waitlisted":
        sign_up(event), sign_up(event)
        guest = sign_up(event, name="Dora Dabei")
    else:
        guest = sign_up(event, name="Dora Dabei")
        cancel_registration(guest.id)

    response = act(door, event, guest, "code")

    assert banner_colour(response) == colour
    assert banner_headline(response) == headline  # words, not colour alone
    assert banner(response).one(class_="banner-name").text == "Dora Dabei"
    assert detail in banner(response).one(class_="banner-detail").text


# --- the search list: states, and what can be done ---------------------------------------

def test_the_list_shows_each_state_and_what_can_be_done(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    sign_up(event, name="Ben Schmidt")
    wait = sign_up(event, name="Cem Schmidt")  # the event holds two: waitlisted
    gone = sign_up(event, name="Dora Schmidt")
    cancel_registration(gone.id)
    services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"),
                      now=datetime(2030, 12, 3, 17, 2, tzinfo=UTC))

    response = door_page(door, event, q="schmidt")

    anna_item, ben, cem, dora = (result_of(response, name) for name in
                                 ("Anna Schmidt", "Ben Schmidt", "Cem Schmidt", "Dora Schmidt"))
    assert anna_item.one(class_="badge").text.startswith("checked in at ")
    assert "by Ben Door" in anna_item.text
    assert [b.text for b in anna_item.find_all("button")] == ["Undo check-in"]
    assert ben.one(class_="badge").text == "confirmed"
    assert [b.text for b in ben.find_all("button")] == ["Check in"]
    assert reload(wait).status == "waitlisted"
    assert cem.one(class_="badge").text == "on the waitlist"
    assert "not let in" in cem.one(class_="result-reason").text
    assert [b.text for b in cem.find_all("button")] == ["Give a place and check in"]
    assert dora.one(class_="badge").text == "cancelled"
    assert "not let in" in dora.one(class_="result-reason").text
    assert [b.text for b in dora.find_all("button")] == ["Give a place and check in"]


def test_after_a_check_in_from_the_list_the_list_says_checked_in_and_offers_undo(door, event, sign_up):
    sign_up(event, name="Anna Schmidt")

    checked_in = post(door, button_form(results(door_page(door, event, q="anna")), "Check in"))

    item = result_of(checked_in, "Anna Schmidt")
    assert item.one(class_="badge").text.startswith("checked in at")
    assert [b.text for b in item.find_all("button")] == ["Undo check-in"]


def test_after_an_undo_the_list_offers_check_in_again(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"))

    undone = post(door, button_form(results(door_page(door, event, q="anna")), "Undo check-in"))

    assert banner_headline(undone) == "Check-in undone"
    item = result_of(undone, "Anna Schmidt")
    assert item.one(class_="badge").text == "confirmed"
    assert [b.text for b in item.find_all("button")] == ["Check in"]
    assert reload(anna).checked_in_at is None
    again = post(door, button_form(results(undone), "Check in"))
    assert banner_colour(again) == "green"


def test_the_undo_in_the_banner_keeps_the_search(door, event, sign_up):
    sign_up(event, name="Anna Schmidt")
    checked_in = post(door, button_form(results(door_page(door, event, q="anna")), "Check in"))

    undone = post(door, button_form(banner(checked_in), "Undo"))

    assert [b.text for b in result_of(undone, "Anna Schmidt").find_all("button")] == ["Check in"]


def test_a_guest_who_had_cancelled_gets_their_place_back_from_the_list(door, event, sign_up):
    dora = sign_up(event, name="Dora Schmidt", organisation="Jobcenter")
    cancel_registration(dora.id)

    response = post(door, button_form(results(door_page(door, event, q="dora")), "Give a place and check in"))

    assert response.status_code == 200
    assert banner_colour(response) == "green"
    assert banner(response).one(class_="banner-name").text == "Dora Schmidt"
    assert [r.id for r in registrations_of(event)] == [dora.id]  # the same registration, no second one
    assert reload(dora).status == "confirmed" and reload(dora).checked_in_at is not None
    assert result_of(response, "Dora Schmidt").one(class_="badge").text.startswith("checked in at")


def test_a_waitlisted_guest_over_capacity_is_asked_about_first(door, event, sign_up):
    sign_up(event), sign_up(event)
    cem = sign_up(event, name="Cem Schmidt")

    asked = post(door, button_form(results(door_page(door, event, q="cem")), "Give a place and check in"))

    assert asked.status_code == 409
    assert banner_colour(asked) == "amber"
    assert banner(asked).one(class_="banner-name").text == "Cem Schmidt"
    form = page(asked).one("form", id="walk-in-form")
    assert not page(asked).one("section", id="mode-walk-in").get("hidden")  # the question is in view
    assert "The event is full. Let this guest in anyway?" in form.text
    assert reload(cem).status == "waitlisted"

    let_in = post(door, form, over_capacity="y")

    assert banner_colour(let_in) == "green"
    assert reload(cem).status == "confirmed" and reload(cem).checked_in_at is not None


def test_the_list_alone_is_what_the_page_shows(door, event, sign_up):
    sign_up(event, name="Anna Schmidt")
    sign_up(event, name="Ben Weber")

    found = door.get(url_for("checkin.found", event_id=event.id, q="anna"))

    assert found.status_code == 200
    items = page(found).find_all("li")
    assert [li.one(class_="result-name").text for li in items] == ["Anna Schmidt"]
    assert [b.text for b in items[0].find_all("button")] == ["Check in"]


def test_the_list_alone_needs_a_door_login(client, event, sign_up):
    sign_up(event, name="Anna Schmidt")

    response = client.get(url_for("checkin.found", event_id=event.id, q="anna"))

    assert response.status_code == 302
    assert "Anna Schmidt" not in response.get_data(as_text=True)


# --- modes --------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["code", "search", "walk-in", "camera"])
def test_one_mode_is_shown_at_a_time_and_each_is_a_link(door, event, mode):
    root = page(door_page(door, event, mode=mode))

    shown = [s.get("id") for s in root.find_all("section", class_="door-mode") if s.get("hidden") is None]
    assert shown == [f"mode-{mode}"]
    tabs = root.one("nav", class_="door-modes").find_all("a")
    assert [a.get("data-mode") for a in tabs] == ["camera", "code", "search", "walk-in"]
    assert [a.get("data-mode") for a in tabs if a.get("aria-current") == "page"] == [mode]
    for a in tabs:
        assert a.get("href") == url_for("checkin.page", event_id=event.id, mode=a.get("data-mode"))


def test_the_camera_tab_waits_for_javascript(door, event):
    """Without JavaScript the camera cannot work: its tab is hidden until checkin.js shows it."""
    root = page(door_page(door, event))

    assert root.one("a", id="tab-camera").get("hidden") is not None
    assert root.one("section", id="mode-code").get("hidden") is None


def test_every_form_lands_on_the_answer(door, event, sign_up):
    sign_up(event, name="Anna Schmidt")
    root = page(door_page(door, event, q="anna"))

    posting = [f for f in root.one(id="door").find_all("form") if f.get("method") == "post"]
    assert {f.get("id") for f in posting} >= {"scan-form", "walk-in-form"}
    assert all(f.get("action").endswith("#banner") for f in posting)


# --- the day ---------------------------------------------------------------------------------

def test_a_door_opened_on_another_day_is_warned(door, make_event):
    later = make_event(title="Forum Pflege", starts_at=datetime(2030, 12, 3, 17, 0, tzinfo=UTC))

    warning = page(door_page(door, later)).one(id="not-today")

    assert warning.text == "This event is on Tuesday, December 3, 2030, not today."


def test_a_door_opened_on_the_day_is_not_warned(door, make_event):
    now = utcnow()
    today = make_event(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))

    assert page(door_page(door, today)).find(id="not-today") is None


@pytest.mark.parametrize("now, expected", [
    (datetime(2030, 12, 3, 22, 30, tzinfo=UTC), False),  # 23:30 on the 3rd in Berlin, the UTC day of the start
    (datetime(2030, 12, 3, 23, 10, tzinfo=UTC), True),   # 00:10 on the 4th in Berlin
    (datetime(2030, 12, 5, 21, 0, tzinfo=UTC), True),    # the last evening of the event
    (datetime(2030, 12, 5, 23, 30, tzinfo=UTC), False),  # 00:30 on the 6th: it is over
])
def test_the_day_is_the_events_own(make_event, now, expected):
    berlin = ZoneInfo("Europe/Berlin")
    event = make_event(starts_at=datetime(2030, 12, 4, 0, 30, tzinfo=berlin),
                       ends_at=datetime(2030, 12, 5, 23, 0, tzinfo=berlin))

    assert services.is_door_day(event, now) is expected


# --- devices ---------------------------------------------------------------------------------

def test_a_device_token_is_named_by_its_name(client, event, sign_up, device_token):
    anna = sign_up(event)

    client.post(url_for("checkin_api.check_in", event_id=event.id), json={"code": anna.ticket_code},
                headers={**bearer(device_token("Tablet Eingang Nord")), "User-Agent": ANDROID_CHROME})

    [record] = records_of(anna)
    assert record.device == "Tablet Eingang Nord"


@pytest.mark.parametrize("user_agent, name", [
    (ANDROID_CHROME, "Chrome on Android"),
    (IPHONE_SAFARI, "Safari on iPhone"),
    (WINDOWS_FIREFOX, "Firefox on Windows"),
])
def test_a_browser_at_the_door_is_named_not_quoted(door, event, sign_up, user_agent, name):
    anna = sign_up(event)
    walk_in = page(door_page(door, event, mode="walk-in")).one("form", id="walk-in-form")

    door.post(url_for("checkin.scan", event_id=event.id), data={"registration_id": anna.id},
              headers={"User-Agent": user_agent})
    door.post(walk_in.get("action"), data={**form_values(walk_in), "name": "Eva Neu"},
              headers={"User-Agent": user_agent})

    devices = [r.device for r in records_of(event.id, event=True)]
    assert devices == [name, name]
    assert all("Mozilla" not in d for d in devices)


def test_the_german_door_writes_no_english_in_the_door_log_labels(app):
    """The door log reads "Einlass (ohne Anmeldung)", never "Einlass (walk-in)"."""
    with force_locale("de"):
        labels = {str(member.label) for member in (*CheckInMethod, *CheckInAction)}
    english = {member.value for member in (*CheckInMethod, *CheckInAction)} | {"Check-in", "Undo", "walk-in"}
    assert labels.isdisjoint(english), labels & english
