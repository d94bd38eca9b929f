"""A partner account: it sees the events its institution hosts or co-hosts, their registrations
and attendance, and exports them; every other event, registration and export is 403, and so is
every staff page and the door. Refusals are checked over the URL map, and nothing may change."""
import csv
import io
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import Actor
from app.auth.models import User
from app.auth.services import create_user
from app.checkin import services as checkin
from app.contacts.models import Institution
from app.database import utcnow, write_transaction
from app.extensions import db
from app.network import hosts
from app.privacy.anonymise import anonymise_registrations
from app.registrations.models import Registration
from app.registrations.services import cancel_registration
from app.text import name_key
from tests.conftest import STAFF_PASSWORD, TEST_ACTOR
from tests.pages import ENGLISH, page
from tests.routes import ARGUMENTS, small_podium
from tests.rows import fresh_reads

PARTNER = "glockauer@ihk.example"
DOOR = Actor(name="Tablet Eingang")


def make_institution(name: str) -> Institution:
    with write_transaction():
        institution = Institution(name=name, name_key=name_key(name))
        db.session.add(institution)
    return institution


def log_in(client, email: str):
    response = client.post("/staff/login", data={"email": email, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.text
    return response


@pytest.fixture
def ihk():
    return make_institution("IHK Trier")


@pytest.fixture
def hwk():
    return make_institution("HWK Trier")


@pytest.fixture
def partner(client, ihk):
    """The browser of someone at the IHK, logged in with the IHK's partner account, in English."""
    create_user(PARTNER, role="partner", institution_id=ihk.id, password=STAFF_PASSWORD, name="Jan Glockauer")
    log_in(client, PARTNER)
    client.get("/lang/en")
    return client


@pytest.fixture
def network(make_event, sign_up, set_event, ihk, hwk):
    """The IHK hosts a forum and co-hosted a past talk; it is only a partner of a fair; the HWK hosts
    a workshop. Each has guests, some checked in, one anonymised."""
    forum = make_event(title="Forum Ausbildung", capacity=2)
    anna = sign_up(forum, name="Anna Schmidt", organisation="Bäckerei Schmidt", email="anna@example.org")
    sign_up(forum, name="Ben Weber", organisation="", email="ben@example.org")
    sign_up(forum, name="Cem Yilmaz", email="cem@example.org")  # waitlisted
    checkin.check_in(forum.id, anna.ticket_code, DOOR)

    talk = make_event(title="Fachvortrag Anerkennung")
    dora = sign_up(talk, name="Dora Neumann", organisation="Pflegedienst Neumann")
    gone = sign_up(talk, name="Emil Gone")
    cancel_registration(gone.id)
    with write_transaction() as tx:
        anonymise_registrations(Registration.id == gone.id, tx.now)
    checkin.check_in(talk.id, dora.ticket_code, DOOR)
    set_event(talk, starts_at=utcnow() - timedelta(days=30), ends_at=utcnow() - timedelta(days=30, hours=-2))

    fair = make_event(title="Ausbildungsmesse")
    fair_guest = sign_up(fair, name="Fritz Messe")
    workshop = make_event(title="Werkstatt Handwerk")
    workshop_guest = sign_up(workshop, name="Greta Handwerk")

    hosts.add_institution(forum.id, ihk.id, "host", by=TEST_ACTOR)
    hosts.add_institution(talk.id, hwk.id, "host", by=TEST_ACTOR)
    hosts.add_institution(talk.id, ihk.id, "co-host", by=TEST_ACTOR)
    hosts.add_institution(fair.id, ihk.id, "partner", by=TEST_ACTOR)
    hosts.add_institution(fair.id, hwk.id, "host", by=TEST_ACTOR)
    hosts.add_institution(workshop.id, hwk.id, "host", by=TEST_ACTOR)
    hosts.add_institution(workshop.id, ihk.id, "speaker", by=TEST_ACTOR)
    return dict(forum=forum, talk=talk, fair=fair, workshop=workshop, anna=anna, fair_guest=fair_guest,
                workshop_guest=workshop_guest)


def rows_of(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def everything() -> dict:
    """Every row of every table, as the database holds them now."""
    fresh_reads()
    return {table.name: sorted(map(repr, db.session.execute(table.select()).all()))
            for table in db.metadata.sorted_tables}


def test_a_partner_lands_on_the_events_of_its_institution(client, network, ihk):
    create_user(PARTNER, role="partner", institution_id=ihk.id, password=STAFF_PASSWORD)

    response = log_in(client, PARTNER)
    home = client.get(response.location, headers=ENGLISH)

    assert response.location == url_for("partner.home")
    assert home.status_code == 200
    upcoming = page(home).one("section", aria_labelledby="upcoming-heading")
    past = page(home).one("section", aria_labelledby="past-heading")
    assert [h.text for h in upcoming.find_all("h3")] == ["Forum Ausbildung"]
    assert [h.text for h in past.find_all("h3")] == ["Fachvortrag Anerkennung"]
    assert "Ausbildungsmesse" not in home.text and "Werkstatt Handwerk" not in home.text
    assert "IHK Trier" in page(home).one("header", class_="page-header").text
    assert home.headers["Cache-Control"] == "private, no-store"


def test_a_partner_sees_who_signed_up_and_who_came(partner, network):
    response = partner.get(url_for("partner.event_page", event_id=network["forum"].id))

    assert response.status_code == 200
    stats = [p.text for p in page(response).one(id="figures").find_all("p")]
    assert stats == ["2 / 2 Confirmed", "1 Waitlist", "0 Cancelled", "1 Came"]
    rows = page(response).one("table", class_="registrations").one("tbody").find_all("tr")
    cells = [{cell.get("data-label"): cell.text for cell in row.find_all("td")} for row in rows]
    assert [(c["Name"], c["Status"]) for c in cells] == [
        ("Anna Schmidt", "confirmed"), ("Ben Weber", "confirmed"), ("Cem Yilmaz", "on the waitlist")]
    assert cells[0]["Organisation"].startswith("Bäckerei Schmidt")
    assert cells[0]["Checked in"].startswith("checked in") and cells[1]["Checked in"] == "–"
    assert "anna@example.org" not in response.text  # a partner sees who came, not their addresses


def test_an_anonymised_registration_shows_as_such(partner, network):
    response = partner.get(url_for("partner.event_page", event_id=network["talk"].id))

    rows = page(response).one("table", class_="registrations").one("tbody").find_all("tr")
    assert [row.find("td").text for row in rows] == ["Dora Neumann", "anonymised"]
    assert "Emil Gone" not in response.text


def test_a_partner_exports_the_registrations_and_attendance_of_its_event(partner, network):
    response = partner.get(url_for("partner.export", event_id=network["talk"].id))

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="registrations-{network["talk"].slug}.csv"'
    rows = rows_of(response)
    assert [(r["name"], r["organisation"], r["status"], r["attended"], r["anonymised"]) for r in rows] == [
        ("Dora Neumann", "Pflegedienst Neumann", "confirmed", "yes", "no"),
        ("", "", "cancelled", "no", "yes")]
    assert rows[0]["checked_in_at"] and not rows[1]["checked_in_at"]
    assert "email" not in rows[0]

    excel = partner.get(url_for("partner.export", event_id=network["talk"].id, format="excel"))
    lines = excel.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Name;Organisation;")
    assert lines[2].startswith("(anonymised);")


def test_a_partner_opens_one_registration_of_its_event(partner, network):
    response = partner.get(url_for("partner.registration", registration_id=network["anna"].id))

    assert response.status_code == 200
    assert page(response).one("h1").text == "Anna Schmidt"
    assert "Bäckerei Schmidt" in page(response).one("dl").text


@pytest.mark.parametrize("which", ["fair", "workshop"])
def test_another_event_its_registrations_and_export_are_403(partner, network, which):
    """The fair names the IHK as a partner only, the workshop as a speaker's institution: not theirs."""
    event = network[which]
    guest = network[f"{which}_guest"]
    before = everything()

    answers = {url: partner.get(url) for url in (
        url_for("partner.event_page", event_id=event.id),
        url_for("partner.export", event_id=event.id),
        url_for("partner.export", event_id=event.id, format="excel"),
        url_for("partner.registration", registration_id=guest.id),
    )}

    assert {url: r.status_code for url, r in answers.items() if r.status_code != 403} == {}
    assert all(guest.name not in r.text and event.title not in r.text for r in answers.values())
    assert everything() == before


def test_an_id_that_names_nothing_is_403_too(partner, network):
    """A partner cannot tell which ids exist elsewhere."""
    for url in (url_for("partner.event_page", event_id=10**6), url_for("partner.export", event_id=10**6),
                url_for("partner.registration", registration_id=10**6)):
        assert partner.get(url).status_code == 403, url


def test_a_partner_of_an_event_that_was_taken_from_its_institution_is_refused(partner, network, ihk):
    forum = network["forum"]
    assert partner.get(url_for("partner.event_page", event_id=forum.id)).status_code == 200

    hosts.change_role(forum.id, ihk.id, "partner", by=TEST_ACTOR)

    assert partner.get(url_for("partner.event_page", event_id=forum.id)).status_code == 403
    assert partner.get(url_for("partner.export", event_id=forum.id)).status_code == 403


# --- every staff page, the door and its API ------------------------------------------------------

# At least these are walked (the network's newer staff blueprints join them as they get pages).
WALKED = {"events_staff", "registrations_staff", "contacts_staff", "campaigns_staff", "mailing_staff",
          "privacy_staff", "checkin_staff", "event_network_staff", "team", "checkin", "checkin_api"}


# The blueprints a partner has no business in: every staff area, the team, the door and its API.
def is_off_limits(blueprint: str) -> bool:
    return blueprint.endswith("_staff") or blueprint in ("team", "checkin", "checkin_api")


def off_limits_requests(app, podium, extra: dict) -> list[tuple[str, str]]:
    """(method, url) of every rule of those blueprints, each argument a real row's id or key where
    tests/routes.py or `extra` knows one (an id that names nothing otherwise: refused all the same)."""
    found = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if not is_off_limits(blueprint):
            continue
        values = {}
        for name in rule.arguments:
            value = next((ARGUMENTS[key] for key in ((rule.endpoint, name), (blueprint, name), (None, name))
                          if key in ARGUMENTS), None)
            values[name] = value(podium) if value is not None else extra.get(name, 1)
        url = url_for(rule.endpoint, **values)
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_staff_page_the_door_and_its_api_refuse_a_partner(app, partner, ihk):
    podium = small_podium()
    assert podium.institution_id == ihk.id  # the small Podium's event is IHK's: even its own event's staff pages
    colleague, _ = create_user("office@podium.test", role="staff", password=STAFF_PASSWORD)
    partner_id = db.session.execute(select(User.id).where(User.email == PARTNER)).scalar_one()
    requests = off_limits_requests(app, podium, {"institution_id": ihk.id, "user_id": colleague.id})
    walked = {rule.endpoint.rpartition(".")[0] for rule in app.url_map.iter_rules()}
    assert WALKED <= walked and len(requests) >= 60, "fewer staff pages than there were: what is walked?"
    before = everything()

    answers = {f"{method} {url}": partner.open(url, method=method, json={"code": podium.ticket_code},
                                               headers={"Accept": "text/html"})
               for method, url in requests}

    assert {request: r.status_code for request, r in answers.items() if r.status_code != 403} == {}
    assert all(podium.guest_name not in r.text for r in answers.values())
    assert everything() == before
    assert db.session.get(User, partner_id).active  # and the partner is still who it was


def test_the_walk_sees_a_page_that_lets_a_partner_in(app, partner, ihk):
    """The negative control: a staff page guarded by the wrong role would be seen by the walk."""
    podium = small_podium()
    requests = off_limits_requests(app, podium, {"institution_id": ihk.id})
    assert ("GET", url_for("events_staff.dashboard")) in requests
    assert ("GET", url_for("team.index")) in requests
    assert ("GET", url_for("checkin.events")) in requests
    assert any(method == "POST" and url.startswith("/api/") for method, url in requests)
    # The partner's own pages are not in the walk, and they do answer 200: the walk tells them apart.
    assert not any(url.startswith("/partner") for _, url in requests)
    assert partner.get(url_for("partner.home")).status_code == 200


def test_staff_and_admins_have_their_own_pages_not_the_partners(login, network):
    staff = login("staff")
    assert staff.get(url_for("partner.home")).status_code == 403
    assert staff.get(url_for("partner.event_page", event_id=network["forum"].id)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(client, network):
    response = client.get(url_for("partner.event_page", event_id=network["forum"].id))

    assert response.status_code == 302 and response.location.startswith("/staff/login")
