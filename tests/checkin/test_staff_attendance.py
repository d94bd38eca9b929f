"""The staff's attendance page: who came, who did not, the door log a page at a time with
translated actions, methods and the device's name, and the downloads for Excel and for programs."""
import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from flask_babel import force_locale

from app.audit import Actor
from app.checkin import services
from app.checkin.door_log import LOG_PAGE_SIZE
from app.checkin.models import CheckInAction, CheckInMethod
from tests.pages import ENGLISH, page

DOORS_OPEN = datetime(2030, 12, 3, 17, 0, tzinfo=UTC)  # 18:00 in Trier


@pytest.fixture
def office(login):
    return login("staff", name="Office")


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=80)


def door_log(response) -> list[dict]:
    """The door log's rows, each cell by its column's title."""
    table = page(response).one("table", class_="door-log")
    return [{cell.get("data-label"): cell.text for cell in row.find_all("td")}
            for row in table.one("tbody").find_all("tr")]


def let_in(event, guests, *, device="Tablet Eingang"):
    """Check each guest in, a minute apart from 18:00, on `device`."""
    for minute, guest in enumerate(guests):
        services.check_in(event.id, guest.ticket_code, Actor(name="Anna Door", device=device),
                          now=DOORS_OPEN + timedelta(minutes=minute))


def test_the_door_log_comes_a_page_at_a_time_newest_first(office, forum, sign_up):
    guests = [sign_up(forum, name=f"Guest {n:02}") for n in range(1, 56)]
    let_in(forum, guests)

    first = door_log(office.get(url_for("checkin_staff.attendance", event_id=forum.id), headers=ENGLISH))
    second = door_log(office.get(url_for("checkin_staff.attendance", event_id=forum.id, page=2), headers=ENGLISH))

    assert len(first) == LOG_PAGE_SIZE
    assert [row["Guest"] for row in first][:2] == ["Guest 55", "Guest 54"]
    assert [row["Guest"] for row in second] == ["Guest 05", "Guest 04", "Guest 03", "Guest 02", "Guest 01"]


def test_the_door_log_sorts_by_time_or_guest_and_its_pages_keep_the_sort(office, forum, sign_up):
    guests = [sign_up(forum, name=name) for name in ("Cem Yilmaz", "Anna Schmidt", "Ben Weber")]
    let_in(forum, guests)
    url = url_for("checkin_staff.attendance", event_id=forum.id)

    oldest_first = office.get(url, query_string={"sort": "time"}, headers=ENGLISH)
    by_name = office.get(url, query_string={"sort": "guest"}, headers=ENGLISH)

    assert [row["Guest"] for row in door_log(oldest_first)] == ["Cem Yilmaz", "Anna Schmidt", "Ben Weber"]
    assert [row["Guest"] for row in door_log(by_name)] == ["Anna Schmidt", "Ben Weber", "Cem Yilmaz"]
    header = page(oldest_first).one("th", aria_sort="ascending").one("a").get("href")
    assert parse_qs(urlsplit(header).query)["sort"] == ["-time"] and header.endswith("#door-log")


def test_the_door_log_speaks_german_and_names_the_device(staff, forum, sign_up):
    anna = sign_up(forum, name="Anna Schmidt")
    let_in(forum, [anna], device="Browser auf Android")
    services.undo_check_in(forum.id, anna.id, Actor(name="Anna Door", device="Browser auf Android"))

    response = staff.get(url_for("checkin_staff.attendance", event_id=forum.id))
    undone, checked_in = door_log(response)
    methods = [cell.text for cell in page(response).one("table", class_="door-log").find_all("td", class_="method")]

    with force_locale("de"):
        labels = {str(CheckInAction.check_in.label), str(CheckInAction.undo.label),
                  str(CheckInMethod.scan.label), str(CheckInMethod.undo.label)}
    assert {checked_in["Aktion"], undone["Aktion"], *methods} == labels
    assert not labels & {"check_in", "undo", "scan"}  # no stored codes
    assert checked_in["Gerät"] == "Browser auf Android"
    assert checked_in["Gast"] == "Anna Schmidt"


def test_the_attendance_page_offers_both_downloads(office, forum):
    response = office.get(url_for("checkin_staff.attendance", event_id=forum.id), headers=ENGLISH)

    links = {a.text: a.get("href") for a in page(response).one(class_="downloads").find_all("a")}

    assert links == {"Download for Excel": url_for("checkin_staff.attendance_csv", event_id=forum.id, format="excel"),
                     "CSV for other programs": url_for("checkin_staff.attendance_csv", event_id=forum.id)}


def test_the_excel_attendance_list_is_german_and_keeps_formulas_out(staff, forum, sign_up):
    anna = sign_up(forum, name="Anna Schmidt", organisation="=HYPERLINK(\"http://x\")")
    sign_up(forum, name="Ben Weber")
    let_in(forum, [anna])

    response = staff.get(url_for("checkin_staff.attendance_csv", event_id=forum.id, format="excel"))

    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert [(r["Name"], r["Teilgenommen"]) for r in rows] == [("Anna Schmidt", "ja"), ("Ben Weber", "nein")]
    assert rows[0]["Organisation"] == "'=HYPERLINK(\"http://x\")"
