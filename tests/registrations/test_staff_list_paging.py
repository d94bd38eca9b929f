"""The staff list of an event's registrations when it is long: pages, sorting by its main columns,
the search and status filter kept on every link, states as badges, and the row actions."""
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from app.registrations.services import cancel_registration
from app.registrations.staff_services import LIST_PAGE_SIZE
from tests.pages import ENGLISH, page
from tests.rows import reload


def names_listed(response) -> list[str]:
    """The names in the list's table, top to bottom."""
    return [name.text for name in page(response).one("table").find_all(class_="guest-name")]


def listing(client, event, headers=ENGLISH, **args):
    return client.get(url_for("registrations_staff.index", event_id=event.id, **args), headers=headers)


def query_of(link: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


@pytest.fixture
def big_forum(make_event, sign_up):
    """A forum with 55 registrations: "Guest 01" ... "Guest 55", in that order; 50 places."""
    event = make_event(title="Forum Arbeitsmarkt", capacity=50)
    for n in range(1, 56):
        sign_up(event, name=f"Guest {n:02}", organisation="IHK Trier" if n % 2 else "Caritas")
    return event


def test_a_long_list_comes_a_page_at_a_time_and_page_two_holds_the_rest(staff, big_forum):
    first = listing(staff, big_forum)
    second = listing(staff, big_forum, page=2)

    assert names_listed(first) == [f"Guest {n:02}" for n in range(1, LIST_PAGE_SIZE + 1)]
    assert names_listed(second) == [f"Guest {n:02}" for n in range(LIST_PAGE_SIZE + 1, 56)]
    assert "51–55 of 55" in page(second).one("nav", class_="pagination").text
    assert names_listed(listing(staff, big_forum, page=99)) == names_listed(second)  # past the end: the last


def test_sorting_by_name_descending(staff, make_event, sign_up):
    event = make_event()
    for name in ("Cem Yilmaz", "anna Schmidt", "Özlem Öztürk", "Ben Weber"):
        sign_up(event, name=name)

    response = listing(staff, event, sort="-name")

    assert names_listed(response) == ["Özlem Öztürk", "Cem Yilmaz", "Ben Weber", "anna Schmidt"]
    header = page(response).one("th", aria_sort="descending")
    assert header.text.startswith("Name")
    assert query_of(header.one("a").get("href"))["sort"] == "name"  # a second click turns it round
    assert names_listed(listing(staff, event, sort="name")) == [
        "anna Schmidt", "Ben Weber", "Cem Yilmaz", "Özlem Öztürk"]


def test_sorting_by_status_puts_places_first_then_the_waitlist_then_cancelled(staff, make_event, sign_up):
    event = make_event(capacity=1)
    gone = sign_up(event, name="Dora Storniert")
    sign_up(event, name="Ben Bestätigt")
    sign_up(event, name="Wanda Wartet")
    cancel_registration(gone.id)

    assert names_listed(listing(staff, event, sort="status")) == ["Ben Bestätigt", "Wanda Wartet", "Dora Storniert"]
    assert names_listed(listing(staff, event, sort="-registered")) == [
        "Wanda Wartet", "Ben Bestätigt", "Dora Storniert"]


def test_the_filters_and_the_sort_are_kept_across_pages(staff, big_forum):
    first = listing(staff, big_forum, q="ihk", status="confirmed", sort="-name")
    assert len(names_listed(first)) == 25  # the odd ones up to 49 have a place: 25 people

    links = [a.get("href") for a in page(listing(staff, big_forum, q="guest", sort="-name"))
             .one("nav", class_="pagination").find_all("a")]
    assert links and all(query_of(link) | {"page": "-"} == {"q": "guest", "sort": "-name", "page": "-"}
                         for link in links), links

    second = listing(staff, big_forum, q="guest", sort="-name", page=2)
    assert names_listed(second) == ["Guest 05", "Guest 04", "Guest 03", "Guest 02", "Guest 01"]
    for header in page(second).one("thead").find_all("a"):
        assert query_of(header.get("href"))["q"] == "guest" and "page" not in query_of(header.get("href"))
    for pill in page(second).one("nav", class_="filters").find_all("a"):
        assert query_of(pill.get("href"))["q"] == "guest" and query_of(pill.get("href"))["sort"] == "-name"


def test_a_row_action_leads_back_to_the_same_place_in_the_list(staff, big_forum, make_event, sign_up):
    waiting = sign_up(big_forum, name="Zora Wartet")  # the 56th: on the waitlist
    response = listing(staff, big_forum, sort="-name", status="waitlisted")
    form = page(response).one("tr", id=f"registration-{waiting.id}").one("form")

    done = staff.post(form.get("action"), data={i.get("name"): i.get("value") for i in form.find_all("input")},
                      headers=ENGLISH)

    assert done.status_code == 409  # the event is full: asked before going over capacity
    question = page(done).one("form", action=form.get("action"))
    answered = staff.post(question.get("action"), data={i.get("name"): i.get("value")
                                                        for i in question.find_all("input")})
    assert answered.status_code == 302
    assert query_of(answered.location) == {"sort": "-name", "status": "waitlisted"}
    assert reload(waiting).is_confirmed


def test_states_are_badges_with_their_translated_labels(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna Schmidt")
    sign_up(event, name="Ben Weber")

    german = page(listing(staff, event, headers={}))

    assert [b.text for b in german.find("tbody").find_all("span", class_="badge")] == [
        "bestätigt", "auf der Warteliste"]
    assert german.find("span", class_="badge--waitlisted") is not None
    assert "waitlisted" not in german.one("tbody").text


def test_every_row_action_sits_in_its_actions_cell(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna Schmidt")
    sign_up(event, name="Ben Weber")
    cancel_registration(sign_up(event, name="Cem Yilmaz", email="cem@example.org").id)

    rows = page(listing(staff, event)).one("tbody").find_all("tr")

    actions = [[e.text for e in row.one("td", class_="actions-cell").iter() if e.tag in ("a", "button")]
               for row in rows]
    assert actions == [["Cancel…"], ["Move from waitlist", "Cancel…"], ["Confirm again"]]


def test_both_downloads_are_offered_and_named_for_people(staff, make_event):
    event = make_event()

    links = {a.text: a.get("href") for a in page(listing(staff, event)).one(class_="downloads").find_all("a")}

    assert links == {"Download for Excel": url_for("registrations_staff.export", event_id=event.id, format="excel"),
                     "CSV for other programs": url_for("registrations_staff.export", event_id=event.id)}
