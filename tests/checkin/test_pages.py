"""The door's pages as a person uses them: roles, the no-JavaScript forms, the ticket page,
attendance, the CSV export and the token commands."""
import csv
import io
import re
from datetime import UTC, datetime

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import Actor
from app.auth.models import ApiToken
from app.auth.services import authenticate_token, create_user, hash_token
from app.checkin import services
from app.events.models import Event
from app.extensions import db
from app.outbox import OutgoingMail
from app.registrations.services import cancel_registration
from tests.conftest import STAFF_PASSWORD
from tests.pages import ENGLISH
from tests.rows import fresh_reads, reload

from .conftest import bearer, records_of
from .pages import banner, banner_colour, banner_headline, button_form, form_values, page

EIGHTEEN_O_TWO = datetime(2030, 12, 3, 17, 2, tzinfo=UTC)  # 18:02 in Trier


def clock_en(moment: datetime, event) -> str:
    """The time of day as every page shows it: the 24-hour clock, in the event's zone ("18:02")."""
    return moment.astimezone(event.zone).strftime("%H:%M")


def counter(response, name: str) -> int:
    return int(page(response).one(id=f"count-{name}").text)


@pytest.fixture
def event(make_event):
    return make_event(title="Forum Arbeit und Migration", capacity=3, waitlist_enabled=True)


@pytest.fixture
def door(log_in_as):
    return log_in_as("door", name="Anna Door")


# --- roles -----------------------------------------------------------------

def test_a_door_user_lands_on_the_check_in_list_after_login(client, event):
    create_user("tuer@podium.test", role="door", password=STAFF_PASSWORD)

    response = client.post(url_for("auth.login"),
                           data={"email": "tuer@podium.test", "password": STAFF_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == url_for("checkin.events")
    listing = client.get(response.headers["Location"], headers=ENGLISH)
    assert listing.status_code == 200
    link = page(listing).one("a", href=url_for("checkin.page", event_id=event.id))
    assert link.text == "Forum Arbeit und Migration"


def test_a_door_user_can_open_the_check_in_page(door, event):
    response = door.get(url_for("checkin.page", event_id=event.id))

    assert response.status_code == 200
    assert page(response).one("h1").text == "Forum Arbeit und Migration"
    assert banner_colour(response) == "idle"


def test_the_door_nav_does_not_offer_staff_pages(door, event):
    nav_links = {a.get("href") for a in page(door.get(url_for("checkin.events"))).find_all("a")}

    assert url_for("events_staff.dashboard") not in nav_links
    assert url_for("checkin.events") in nav_links


def staff_routes(app):
    """Every rule under /staff/ that belongs to staff work, not to the door or to logging in."""
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/staff/")
            and not rule.endpoint.startswith(("checkin.", "auth."))]


def test_a_door_user_is_refused_on_every_staff_route(app, door, event, sign_up):
    anna = sign_up(event)
    fresh_reads()
    mail = db.session.execute(select(OutgoingMail).order_by(OutgoingMail.id)).scalars().first()
    # Real rows, so that a 404 could not hide a missing role check; anything else gets 1.
    ids = {"event_id": event.id, "registration_id": anna.id, "mail_id": mail.id, "index": 0}
    routes = staff_routes(app)
    assert {"events_staff.dashboard", "registrations_staff.index", "mailing_staff.index", "mailing_staff.show"} <= \
        {rule.endpoint for rule in routes}

    answered = {}
    for rule in routes:
        values = {name: ids.get(name, 1) for name in rule.arguments}
        path = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answered[f"{method} {path}"] = door.open(path, method=method).status_code

    assert answered and set(answered.values()) == {403}, answered


def test_door_users_cannot_see_attendance_or_download_it(door, event, sign_up):
    sign_up(event, name="Anna Schmidt")

    assert door.get(url_for("checkin_staff.attendance", event_id=event.id)).status_code == 403
    csv_response = door.get(url_for("checkin_staff.attendance_csv", event_id=event.id))
    assert csv_response.status_code == 403
    assert "Anna Schmidt" not in csv_response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_work_the_door_too(log_in_as, event, sign_up, role):
    http = log_in_as(role, name="Office")
    anna = sign_up(event, name="Anna Schmidt")

    response = http.post(url_for("checkin.scan", event_id=event.id), data={"code": anna.ticket_code})

    assert banner_colour(response) == "green"
    assert http.get(url_for("checkin_staff.attendance", event_id=event.id)).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login(client, event):
    response = client.get(url_for("checkin.page", event_id=event.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("auth.login"))


# --- the page without JavaScript -------------------------------------------

def post_scan(door, event, code):
    scan_form = page(door.get(url_for("checkin.page", event_id=event.id))).one("form", id="scan-form")
    return door.post(scan_form.get("action"), data={**form_values(scan_form), "code": code})


def test_a_scanned_code_shows_green_with_the_guests_name(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")

    response = post_scan(door, event, anna.ticket_code)

    assert response.status_code == 200
    assert banner_colour(response) == "green"
    assert banner_headline(response) == "Checked in"
    shown = banner(response)
    assert shown.one(class_="banner-name").text == "Anna Schmidt"
    assert shown.one(class_="banner-org").text == "IHK Trier"
    assert counter(response, "checked-in") == 1
    assert reload(anna).checked_in_by == "Anna Door"


def test_the_same_code_again_shows_amber_with_time_and_who(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"), now=EIGHTEEN_O_TWO)

    response = post_scan(door, event, anna.ticket_code)

    assert banner_colour(response) == "amber"
    assert banner_headline(response) == "Already in"
    detail = banner(response).one(class_="banner-detail").text
    assert detail == f"Already checked in at {clock_en(EIGHTEEN_O_TWO, event)} by Ben Door"
    assert banner(response).one(class_="banner-name").text == "Anna Schmidt"


def test_the_german_door_shows_the_time_as_18_02(log_in_as, event, sign_up):
    door = log_in_as("door", name="Anna Door")
    door.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"), now=EIGHTEEN_O_TWO)

    response = post_scan(door, event, anna.ticket_code)

    assert "18:02" in banner(response).text and "Ben Door" in banner(response).text


def test_the_german_door_speaks_german(log_in_as, event, sign_up):
    """German is the default language: the sentences at the door are German, not English."""
    door = log_in_as("door", name="Anna Door")
    door.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    anna = sign_up(event, name="Anna Schmidt")

    response = post_scan(door, event, anna.ticket_code)

    assert banner_colour(response) == "green"
    assert banner_headline(response) != "Checked in"
    button = page(response).one("button", id="camera-start")
    assert button.text != "Scan with the camera"


@pytest.mark.parametrize("kind, colour", [
    ("unknown", "red"), ("other event", "red"), ("cancelled", "red"), ("waitlisted", "red")])
def test_tickets_that_do_not_let_in_show_red(door, event, make_event, sign_up, kind, colour):
    if kind == "unknown":
        code, expected = "AAAAAAAAAAAAAAAAAAAAAA", "Unknown ticket."
    elif kind == "other event":
        code, expected = sign_up(make_event(title="Fachvortrag Pflege")).ticket_code, "Fachvortrag Pflege"
    elif kind == "cancelled":
        guest = sign_up(event)
        cancel_registration(guest.id)
        code, expected = guest.ticket_code, "cancelled"
    else:
        for _ in range(3):
            sign_up(event)
        code, expected = sign_up(event).ticket_code, "waitlist"

    response = post_scan(door, event, code)

    assert banner_colour(response) == colour
    assert expected in banner(response).text
    assert counter(response, "checked-in") == 0


def test_an_empty_code_asks_for_one(door, event):
    response = post_scan(door, event, "   ")

    assert response.status_code == 422
    assert "Scan or type a ticket code." in page(response).one("form", id="scan-form").text


def test_search_shows_the_guest_with_a_check_in_button_that_works(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")
    sign_up(event, name="Ben Weber")

    found = door.get(url_for("checkin.page", event_id=event.id, q="ihk"))

    results = page(found).one("ul", id="search-results")
    assert [li.one("strong").text for li in results.find_all("li")] == ["Anna Schmidt"]
    form = button_form(results, "Check in")
    checked_in = door.post(form.get("action"), data=form_values(form))
    assert banner_colour(checked_in) == "green"
    assert banner(checked_in).one(class_="banner-name").text == "Anna Schmidt"
    assert reload(anna).checked_in_at is not None
    [record] = records_of(anna)
    assert record.method == "search"


def test_search_offers_no_check_in_to_guests_already_in_or_without_a_place(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"))
    ben = sign_up(event, name="Ben Schmidt")
    cancel_registration(ben.id)

    found = door.get(url_for("checkin.page", event_id=event.id, q="schmidt"))

    results = page(found).one("ul", id="search-results")
    assert len(results.find_all("li")) == 2
    assert [b.text for b in results.find_all("button") if b.text == "Check in"] == []


def test_search_finds_names_with_umlauts_typed_in_lower_case(door, event, sign_up):
    sign_up(event, name="Özlem Öztürk", organisation="Ärztekammer Trier")

    by_name = door.get(url_for("checkin.page", event_id=event.id, q="öztürk"))
    by_organisation = door.get(url_for("checkin.page", event_id=event.id, q="ärztekammer"))

    for response in (by_name, by_organisation):
        assert "Özlem Öztürk" in page(response).one("ul", id="search-results").text


def test_search_finds_an_email_address_with_an_underscore(door, event, sign_up):
    sign_up(event, name="Max Mustermann", email="m_mustermann@web.example")

    response = door.get(url_for("checkin.page", event_id=event.id, q="m_muster"))

    assert "Max Mustermann" in page(response).one("ul", id="search-results").text


def post_walk_in(door, event, **fields):
    walk_in_form = page(door.get(url_for("checkin.page", event_id=event.id))).one("form", id="walk-in-form")
    return door.post(walk_in_form.get("action"), data={**form_values(walk_in_form), **fields})


def test_a_walk_in_without_email_is_checked_in_and_counted(door, event, sign_up):
    sign_up(event)

    response = post_walk_in(door, event, name="Eva Neu", organisation="Stadt Trier", email="")

    assert response.status_code == 200
    assert banner_colour(response) == "green"
    assert banner(response).one(class_="banner-name").text == "Eva Neu"
    assert counter(response, "checked-in") == 1
    assert counter(response, "confirmed") == 2
    fresh_reads()
    assert db.session.get(Event, event.id).confirmed_count == 2


def test_a_walk_in_needs_a_name(door, event):
    response = post_walk_in(door, event, name="", organisation="Stadt Trier")

    assert response.status_code == 422
    form = page(response).one("form", id="walk-in-form")
    assert "Please enter the guest's name." in form.text
    assert form.one("input", name="organisation").get("value") == "Stadt Trier"  # nothing typed is lost


def test_a_walk_in_over_capacity_asks_first_then_lets_in(door, event, sign_up):
    for _ in range(3):
        sign_up(event)

    asked = post_walk_in(door, event, name="Eva Neu", organisation="Stadt Trier")

    assert asked.status_code == 409
    form = page(asked).one("form", id="walk-in-form")
    assert "The event is full. Let this guest in anyway?" in form.text
    assert form.one("input", name="over_capacity").get("type") == "checkbox"
    assert form.one("input", name="name").get("value") == "Eva Neu"
    assert counter(asked, "checked-in") == 0

    let_in = door.post(form.get("action"), data={**form_values(form), "over_capacity": "y"})

    assert let_in.status_code == 200
    assert banner_colour(let_in) == "green"
    assert banner(let_in).one(class_="banner-name").text == "Eva Neu"
    assert counter(let_in, "checked-in") == 1
    assert counter(let_in, "confirmed") == 4


def test_the_undo_button_takes_the_check_in_back(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    checked_in = post_scan(door, event, anna.ticket_code)

    undo_form = button_form(banner(checked_in), "Undo")
    undone = door.post(undo_form.get("action"), data=form_values(undo_form))

    assert undone.status_code == 200
    assert banner_headline(undone) == "Check-in undone"
    assert banner_colour(undone) == "neutral"  # not the green of letting someone in
    assert banner(undone).one(class_="banner-name").text == "Anna Schmidt"
    assert counter(undone, "checked-in") == 0
    assert reload(anna).checked_in_at is None
    assert [r.action for r in records_of(anna)] == ["check_in", "undo"]
    # And the guest can come in again.
    assert banner_colour(post_scan(door, event, anna.ticket_code)) == "green"


# --- the ticket page -------------------------------------------------------

def test_an_anonymous_visitor_sees_no_check_in_button_on_a_ticket(client, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")

    response = client.get(url_for("registrations.ticket", code=anna.ticket_code), headers=ENGLISH)

    assert response.status_code == 200
    root = page(response)
    assert [f for f in root.find_all("form") if "checkin" in (f.get("action") or "")] == []
    assert client.post(url_for("checkin.ticket_check_in", code=anna.ticket_code)).status_code == 302
    assert reload(anna).checked_in_at is None


def test_a_door_user_checks_a_ticket_in_with_one_tap(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    ticket_url = url_for("registrations.ticket", code=anna.ticket_code)

    form = button_form(page(door.get(ticket_url)), "Check in")
    tapped = door.post(form.get("action"), data=form_values(form))

    assert tapped.status_code == 302
    assert tapped.headers["Location"] == ticket_url
    after = door.get(ticket_url)
    stored = reload(anna)
    text = page(after).one("article").text
    assert f"Checked in at {clock_en(stored.checked_in_at, event)} by Anna Door" in text
    assert [b.text for b in page(after).find_all("button") if b.text == "Check in"] == []
    [record] = records_of(anna)
    assert record.method == "ticket page"


def test_a_second_tap_on_a_ticket_says_already_checked_in(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    services.check_in(event.id, anna.ticket_code, Actor(name="Ben Door"), now=EIGHTEEN_O_TWO)

    tapped = door.post(url_for("checkin.ticket_check_in", code=anna.ticket_code), follow_redirects=True)

    shown = page(tapped).one("p", class_="banner")
    assert "banner-amber" in shown.classes
    assert "by Ben Door" in shown.text
    assert reload(anna).checked_in_by == "Ben Door"


def test_a_cancelled_ticket_offers_no_check_in(door, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")
    cancel_registration(anna.id)

    response = door.get(url_for("registrations.ticket", code=anna.ticket_code))

    assert [b for b in page(response).find_all("button") if b.text == "Check in"] == []


# --- attendance ------------------------------------------------------------

def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.find_all("td")] for row in table.one("tbody").find_all("tr")]


def test_attendance_lists_who_came_when_and_by_whom_and_who_did_not(log_in_as, event, sign_up):
    office = log_in_as("staff", name="Office")
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")
    sign_up(event, name="Ben Weber", organisation="Caritas")
    for _ in range(2):
        sign_up(event, name="Wait Listed")  # one confirmed, one waitlisted
    services.check_in(event.id, anna.ticket_code, Actor(name="Tablet 1"), now=EIGHTEEN_O_TWO)

    response = office.get(url_for("checkin_staff.attendance", event_id=event.id))

    assert response.status_code == 200
    came, missing, log = page(response).find_all("table")
    assert table_rows(came) == [["Anna Schmidt", "IHK Trier", clock_en(EIGHTEEN_O_TWO, event), "Tablet 1"]]
    assert sorted(row[0] for row in table_rows(missing)) == ["Ben Weber", "Wait Listed"]
    assert "1 of 3 confirmed guests came." in page(response).one("main").text
    assert "Anna Schmidt" in log.text and "Tablet 1" in log.text


HOSTILE = ['=HYPERLINK("http://x")', "+49 123", "@SUM(1)", "-1+1"]


def test_the_csv_has_one_line_per_confirmed_guest(log_in_as, event, make_event, sign_up):
    office = log_in_as("staff", name="Office")
    anna = sign_up(event, name="Anna Schmidt", organisation="IHK Trier")
    sign_up(event, name="Ben Weber")
    cancelled = sign_up(event, name="Cem Storniert")
    cancel_registration(cancelled.id)
    sign_up(event, name="Dora Dabei")
    sign_up(event, name="Ella Warteliste")  # waitlisted: capacity 3
    sign_up(make_event(), name="Fritz Anderswo")
    services.check_in(event.id, anna.ticket_code, Actor(name="Tablet 1"), now=EIGHTEEN_O_TWO)

    response = office.get(url_for("checkin_staff.attendance_csv", event_id=event.id))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r["name"] for r in rows) == ["Anna Schmidt", "Ben Weber", "Dora Dabei"]
    came = next(r for r in rows if r["name"] == "Anna Schmidt")
    assert (came["attended"], came["checked_in_by"]) == ("yes", "Tablet 1")
    assert came["checked_in_at"].endswith("18:02")
    assert all(r["attended"] == "no" for r in rows if r["name"] != "Anna Schmidt")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_csv_cells_that_start_like_a_formula_are_defused(log_in_as, event, sign_up, hostile):
    office = log_in_as("staff", name="Office")
    guest = sign_up(event, name=hostile, organisation=hostile)
    services.check_in(event.id, guest.ticket_code, Actor(name=hostile))  # a device named so

    response = office.get(url_for("checkin_staff.attendance_csv", event_id=event.id))

    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["name"] == "'" + hostile
    assert row["organisation"] == "'" + hostile
    assert row["checked_in_by"] == "'" + hostile


# --- device tokens on the command line -------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_tokens_create_prints_id_and_token_once_and_the_token_works(app, client, event, sign_up):
    anna = sign_up(event, name="Anna Schmidt")

    result = run(app, "tokens", "create", "--role", "door", "--name", "Tablet 1")

    assert result.exit_code == 0, result.output
    token_id = int(re.search(r"^id: (\d+)$", result.output, re.MULTILINE).group(1))
    token = re.search(r"^token: (\S+)$", result.output, re.MULTILINE).group(1)
    assert "will not be shown again" in result.output
    assert authenticate_token(token).id == token_id
    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           json={"code": anna.ticket_code}, headers=bearer(token))
    assert response.json["status"] == "checked_in"
    assert response.json["checked_in_by"] == "Tablet 1"


def test_tokens_revoke_shuts_the_device_out(app, client, event, sign_up):
    created = run(app, "tokens", "create", "--role", "door", "--name", "Tablet 1").output
    token_id = re.search(r"^id: (\d+)$", created, re.MULTILINE).group(1)
    token = re.search(r"^token: (\S+)$", created, re.MULTILINE).group(1)

    result = run(app, "tokens", "revoke", token_id)

    assert result.exit_code == 0, result.output
    response = client.post(url_for("checkin_api.check_in", event_id=event.id),
                           json={"code": sign_up(event).ticket_code}, headers=bearer(token))
    assert response.status_code == 401


def test_tokens_list_shows_names_and_state_but_never_the_token(app):
    first = run(app, "tokens", "create", "--name", "Tablet 1").output
    second = run(app, "tokens", "create", "--name", "Scanner Eingang").output
    secrets_printed = [re.search(r"^token: (\S+)$", out, re.MULTILINE).group(1) for out in (first, second)]
    run(app, "tokens", "revoke", re.search(r"^id: (\d+)$", first, re.MULTILINE).group(1))

    listing = run(app, "tokens", "list")

    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert len(lines) == 2
    assert "Tablet 1" in lines[0] and "revoked" in lines[0]
    assert "Scanner Eingang" in lines[1] and "active" in lines[1]
    for token in secrets_printed:
        assert token not in listing.output
        assert hash_token(token) not in listing.output


def test_a_token_made_for_one_event_is_refused_elsewhere(app, client, event, make_event, sign_up):
    other = make_event(title="Fachvortrag Pflege")
    created = run(app, "tokens", "create", "--name", "Tablet Pflege", "--event", str(other.id)).output
    token = re.search(r"^token: (\S+)$", created, re.MULTILINE).group(1)

    here = client.post(url_for("checkin_api.check_in", event_id=event.id),
                       json={"code": sign_up(event).ticket_code}, headers=bearer(token))
    there = client.post(url_for("checkin_api.check_in", event_id=other.id),
                        json={"code": sign_up(other).ticket_code}, headers=bearer(token))

    assert here.status_code == 403
    assert there.json["status"] == "checked_in"


def test_tokens_are_stored_hashed(app):
    created = run(app, "tokens", "create", "--name", "Tablet 1").output
    token = re.search(r"^token: (\S+)$", created, re.MULTILINE).group(1)

    fresh_reads()
    [row] = db.session.execute(select(ApiToken)).scalars().all()
    assert row.token_hash == hash_token(token)
    assert token not in {str(getattr(row, column.key)) for column in ApiToken.__table__.columns}
