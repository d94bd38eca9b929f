"""The staff list of an event's registrations: who is there, search, filter, who may see it."""
import pytest
from flask import url_for

from app.registrations.services import cancel_registration
from tests.pages import ENGLISH, page


def names_listed(response) -> list[str]:
    """The names in the list's table, top to bottom."""
    rows = page(response).one("table").find("tbody").find_all("tr")
    return [row.one(class_="guest-name").text for row in rows if row.get("id", "").startswith("registration-")]


@pytest.fixture
def forum(make_event, sign_up):
    """A forum with two places: two confirmed, one on the waitlist, one cancelled."""
    event = make_event(title="Forum Arbeitsmarkt", capacity=2)
    sign_up(event, name="Özlem Öztürk", organisation="Caritas Trier", email="oezlem@example.org")
    sign_up(event, name="Ben Weber", organisation="IHK Trier", email="ben.weber@ihk.example")
    sign_up(event, name="Cem Yilmaz", organisation="Ärztekammer", email="cem@example.org")
    gone = sign_up(event, name="Dora Storniert", email="dora@example.org")
    cancel_registration(gone.id)
    return event


def listing(client, event, **args):
    return client.get(url_for("registrations_staff.index", event_id=event.id, **args), headers=ENGLISH)


def test_the_list_shows_every_registration_with_its_status(staff, forum):
    response = listing(staff, forum)

    assert response.status_code == 200
    assert names_listed(response) == ["Özlem Öztürk", "Ben Weber", "Cem Yilmaz", "Dora Storniert"]
    text = page(response).one("main").text
    assert "2 confirmed, 1 on the waitlist" in text
    assert "capacity 2" in text


@pytest.mark.parametrize("query, found", [
    ("özlem", ["Özlem Öztürk"]),  # lower case finds the capital umlaut
    ("ÖZTÜRK", ["Özlem Öztürk"]),
    ("ärztekammer", ["Cem Yilmaz"]),  # the organisation
    ("IHK", ["Ben Weber"]),  # organisation and email domain, one row
    ("Ben.Weber@", ["Ben Weber"]),  # the email, any case
    ("trier", ["Özlem Öztürk", "Ben Weber"]),
    ("storniert", ["Dora Storniert"]),  # cancelled ones are found too
    ("nobody-like-this", []),
])
def test_search_by_name_organisation_or_email_ignoring_case(staff, forum, query, found):
    response = listing(staff, forum, q=query)

    assert response.status_code == 200
    assert names_listed(response) == found
    assert page(response).one("input", id="search-q").get("value") == query


def test_search_treats_percent_and_underscore_as_text(staff, make_event, sign_up):
    event = make_event()
    sign_up(event, name="Anna 100% Schmidt")
    sign_up(event, name="Ben Weber")

    assert names_listed(listing(staff, event, q="100%")) == ["Anna 100% Schmidt"]
    assert names_listed(listing(staff, event, q="_")) == []


@pytest.mark.parametrize("status, found", [
    ("confirmed", ["Özlem Öztürk", "Ben Weber"]),
    ("waitlisted", ["Cem Yilmaz"]),
    ("cancelled", ["Dora Storniert"]),
    ("no-such-status", ["Özlem Öztürk", "Ben Weber", "Cem Yilmaz", "Dora Storniert"]),
])
def test_filter_by_status(staff, forum, status, found):
    assert names_listed(listing(staff, forum, status=status)) == found


def test_search_and_filter_together_and_the_filter_links_keep_the_search(staff, forum):
    response = listing(staff, forum, q="trier", status="confirmed")

    assert names_listed(response) == ["Özlem Öztürk", "Ben Weber"]
    assert names_listed(listing(staff, forum, q="trier", status="waitlisted")) == []
    links = [a.get("href") for a in page(response).one("nav", class_="filters").find_all("a")]
    assert all("q=trier" in link for link in links), links


def test_only_registrations_of_this_event_are_listed(staff, forum, make_event, sign_up):
    sign_up(make_event(), name="Fritz Anderswo")

    assert "Fritz Anderswo" not in names_listed(listing(staff, forum))
    assert names_listed(listing(staff, forum, q="fritz")) == []


def test_admins_see_the_list_too(login, forum):
    assert listing(login("admin"), forum).status_code == 200


def test_door_accounts_are_refused_on_every_registration_page(login, forum):
    door = login("door")
    any_id = forum.id  # the role is checked before anything is looked up
    paths = [
        ("GET", url_for("registrations_staff.index", event_id=forum.id)),
        ("GET", url_for("registrations_staff.export", event_id=forum.id)),
        ("GET", url_for("registrations_staff.new", event_id=forum.id)),
        ("POST", url_for("registrations_staff.create", event_id=forum.id)),
        ("POST", url_for("registrations_staff.confirm", event_id=forum.id, registration_id=any_id)),
        ("GET", url_for("registrations_staff.cancel_confirm", event_id=forum.id, registration_id=any_id)),
        ("POST", url_for("registrations_staff.cancel", event_id=forum.id, registration_id=any_id)),
    ]

    answered = {f"{method} {path}": door.open(path, method=method).status_code for method, path in paths}

    assert set(answered.values()) == {403}, answered


def test_the_door_gets_no_csv(login, forum):
    response = login("door").get(url_for("registrations_staff.export", event_id=forum.id))

    assert response.status_code == 403
    assert "Özlem" not in response.get_data(as_text=True)


def test_without_login_the_pages_send_to_the_login(client, forum):
    response = client.get(url_for("registrations_staff.index", event_id=forum.id))

    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_an_unknown_event_is_404(staff):
    assert staff.get(url_for("registrations_staff.index", event_id=99999)).status_code == 404
