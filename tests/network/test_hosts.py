"""The institutions behind an event: staff name them in a role and an order on the event's
institutions page, and the event's public page shows them with links to their websites."""
import pytest
from flask import url_for
from flask_babel import force_locale
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.contacts.models import Institution
from app.database import write_transaction
from app.errors import InvalidInput, NotFound
from app.events.models import EventVisibility
from app.extensions import db
from app.network import hosts
from app.network.models import EventInstitution, InstitutionRole
from app.text import name_key
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH, field_error, page
from tests.rows import fresh_reads


def make_institution(name: str, website: str = "") -> Institution:
    with write_transaction():
        institution = Institution(name=name, name_key=name_key(name), website=website)
        db.session.add(institution)
    return institution


@pytest.fixture
def ihk():
    return make_institution("IHK Trier", "https://www.ihk-trier.de")


@pytest.fixture
def caritas():
    return make_institution("Caritasverband Trier", "https://www.caritas-trier.de")


@pytest.fixture
def initiative():
    return make_institution("Deutsch für alle e. V.")  # no website


def named(event) -> list[tuple[str, str]]:
    """The event's list as it is stored: (institution, role) in their order."""
    fresh_reads()
    return [(link.institution.name, link.role.value) for link in hosts.event_institutions(event.id)]


def listed(response) -> list[tuple[str, str]]:
    """The staff page's list as a person reads it: each institution with the role its select shows."""
    rows = page(response).one("table", class_="event-institutions").one("tbody").find_all("tr")
    return [(row.find("strong").text, row.find("option", selected="").get("value")) for row in rows]


def add(client, event, institution, role):
    return client.post(url_for("event_network_staff.add", event_id=event.id),
                       data={"institution_id": str(institution.id), "role": role})


def test_staff_name_institutions_in_roles_and_see_them_in_that_order(office, make_event, ihk, caritas, initiative):
    event = make_event(title="Forum Ausbildung")

    for institution, role in ((ihk, "host"), (caritas, "co-host"), (initiative, "partner")):
        added = add(office, event, institution, role)
        assert added.status_code == 302
    response = office.get(added.location)

    assert response.status_code == 200
    assert page(response).find_all("p", class_="flash")[-1].text == "Deutsch für alle e. V. is named on the event (Partner)."
    assert listed(response) == [("IHK Trier", "host"), ("Caritasverband Trier", "co-host"),
                                ("Deutsch für alle e. V.", "partner")]
    entries = db.session.execute(select(AuditEntry).where(AuditEntry.event_id == event.id,
                                                          AuditEntry.action == AuditAction.event_institution_added)
                                 ).scalars().all()
    assert [(e.changes["institution"], e.changes["role"], e.actor) for e in entries] == [
        ("IHK Trier", [None, "host"], "staff@podium.test"), ("Caritasverband Trier", [None, "co-host"],
                                                              "staff@podium.test"),
        ("Deutsch für alle e. V.", [None, "partner"], "staff@podium.test")]


def test_naming_an_institution_twice_is_refused_next_to_the_field(office, make_event, ihk):
    event = make_event()
    add(office, event, ihk, "host")

    response = add(office, event, ihk, "partner")

    assert response.status_code == 422
    assert "IHK Trier is already named on this event (Host)" in field_error(response, "institution_id")
    assert named(event) == [("IHK Trier", "host")]


@pytest.mark.parametrize("data, field", [
    ({"institution_id": "", "role": "host"}, "institution_id"),
    ({"institution_id": "999999", "role": "host"}, "institution_id"),
    ({"institution_id": "abc", "role": "host"}, "institution_id"),
    ({"role": "boss"}, "role"),
    ({"role": "present"}, "role"),  # only a recorded meeting has institutions present
])
def test_a_bad_choice_is_refused_with_a_message_and_nothing_named(office, make_event, ihk, data, field):
    event = make_event()
    data = {"institution_id": str(ihk.id), **data}

    response = office.post(url_for("event_network_staff.add", event_id=event.id), data=data)

    assert response.status_code == 422
    assert field_error(response, field)
    assert named(event) == []


def test_staff_change_a_role_move_up_and_down_and_remove(office, make_event, ihk, caritas, initiative):
    event = make_event()
    for institution, role in ((ihk, "host"), (caritas, "partner"), (initiative, "partner")):
        add(office, event, institution, role)
    base = {"event_id": event.id}

    office.post(url_for("event_network_staff.change_role", institution_id=caritas.id, **base), data={"role": "co-host"})
    assert named(event) == [("IHK Trier", "host"), ("Caritasverband Trier", "co-host"),
                            ("Deutsch für alle e. V.", "partner")]

    office.post(url_for("event_network_staff.move", institution_id=initiative.id, **base), data={"direction": "up"})
    assert [name for name, _ in named(event)] == ["IHK Trier", "Deutsch für alle e. V.", "Caritasverband Trier"]

    office.post(url_for("event_network_staff.move", institution_id=ihk.id, **base), data={"direction": "down"})
    assert [name for name, _ in named(event)] == ["Deutsch für alle e. V.", "IHK Trier", "Caritasverband Trier"]

    office.post(url_for("event_network_staff.move", institution_id=caritas.id, **base), data={"direction": "down"})
    assert [name for name, _ in named(event)] == ["Deutsch für alle e. V.", "IHK Trier", "Caritasverband Trier"]

    response = office.post(url_for("event_network_staff.remove", institution_id=ihk.id, **base))
    assert response.status_code == 302
    assert named(event) == [("Deutsch für alle e. V.", "partner"), ("Caritasverband Trier", "co-host")]
    positions = db.session.execute(select(EventInstitution.position).where(EventInstitution.event_id == event.id)
                                   .order_by(EventInstitution.position)).scalars().all()
    assert positions == [0, 1]

    history = page(office.get(url_for("event_network_staff.institutions", **base))).one(
        "section", class_="history").text
    assert "institution removed" in history and "institution changed" in history


def test_a_bad_move_or_an_institution_not_named_changes_nothing(office, make_event, ihk, caritas):
    event = make_event()
    add(office, event, ihk, "host")
    base = {"event_id": event.id}

    bad_direction = office.post(url_for("event_network_staff.move", institution_id=ihk.id, **base),
                                data={"direction": "sideways"})
    not_named = office.post(url_for("event_network_staff.remove", institution_id=caritas.id, **base))
    bad_role = office.post(url_for("event_network_staff.change_role", institution_id=ihk.id, **base),
                           data={"role": "king"})

    assert bad_direction.status_code == 400
    assert not_named.status_code == bad_role.status_code == 302
    assert "not named on this event" in office.get(not_named.location).text
    assert named(event) == [("IHK Trier", "host")]


def test_a_recorded_meeting_takes_institutions_present(make_event, ihk):
    meeting = make_event(visibility=EventVisibility.record)
    forum = make_event()

    hosts.add_institution(meeting.id, ihk.id, "present", by=TEST_ACTOR)

    assert named(meeting) == [("IHK Trier", "present")]
    with force_locale("en"), pytest.raises(InvalidInput, match="roles offered"):
        hosts.add_institution(forum.id, ihk.id, "present", by=TEST_ACTOR)
    with pytest.raises(NotFound):
        hosts.add_institution(forum.id, 10**6, "host", by=TEST_ACTOR)


def test_set_institutions_replaces_the_list_of_its_roles_only(make_event, ihk, caritas, initiative):
    meeting = make_event(visibility=EventVisibility.record)
    hosts.add_institution(meeting.id, ihk.id, "host", by=TEST_ACTOR)
    hosts.add_institution(meeting.id, caritas.id, "present", by=TEST_ACTOR)

    hosts.set_institutions(meeting.id, [(initiative.id, "present"), (caritas.id, "present")], by=TEST_ACTOR,
                           roles=(InstitutionRole.present,))

    assert named(meeting) == [("IHK Trier", "host"), ("Deutsch für alle e. V.", "present"),
                              ("Caritasverband Trier", "present")]
    with pytest.raises(InvalidInput):
        hosts.set_institutions(meeting.id, [(ihk.id, "present")], by=TEST_ACTOR, roles=(InstitutionRole.present,))
    assert len(named(meeting)) == 3


def test_the_public_page_names_hosts_and_partners_with_links(client, office, make_event, ihk, caritas, initiative):
    event = make_event(title="Forum Sprache und Arbeit")
    speakers_institution = make_institution("Hochschule Trier", "https://www.hochschule-trier.de")
    meeting_guest = make_institution("Jobcenter Trier")
    before = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)  # now cached
    assert page(before).find("section", class_="event-institutions") is None
    for institution, role in ((caritas, "co-host"), (ihk, "host"), (initiative, "partner"),
                              (speakers_institution, "speaker")):
        add(office, event, institution, role)
    with write_transaction():  # staff cannot name one "present" on a public event; the data may hold one
        db.session.add(EventInstitution(event_id=event.id, institution_id=meeting_guest.id,
                                        role=InstitutionRole.present, position=9))

    response = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)

    section = page(response).one("section", class_="event-institutions")
    assert [h.text for h in section.find_all("h2")] == ["Hosted by", "In partnership with", "Speakers' institutions"]
    lists = section.find_all("ul")
    hosted = lists[0].find_all("li")
    assert [li.text for li in hosted] == ["Caritasverband Trier (Co-host)", "IHK Trier"]
    link = hosted[1].one("a")
    assert (link.get("href"), link.get("rel"), link.text) == ("https://www.ihk-trier.de", "noopener", "IHK Trier")
    partner = lists[1].one("li")
    assert partner.text == "Deutsch für alle e. V." and partner.find("a") is None
    assert lists[2].one("a").get("href") == "https://www.hochschule-trier.de"
    assert "Jobcenter Trier" not in response.text


def test_the_public_page_names_only_what_there_is(client, make_event, ihk):
    bare = make_event()
    event = make_event()
    hosts.add_institution(event.id, ihk.id, "host", by=TEST_ACTOR)

    response = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)

    assert [h.text for h in page(response).one("section", class_="event-institutions").find_all("h2")] == [
        "Hosted by"]
    assert page(client.get(url_for("registrations.event_page", slug=bare.slug))).find(
        "section", class_="event-institutions") is None


def test_the_public_list_is_one_query(app, make_event, ihk, caritas, initiative):
    event = make_event()
    for institution, role in ((ihk, "host"), (caritas, "partner"), (initiative, "speaker")):
        hosts.add_institution(event.id, institution.id, role, by=TEST_ACTOR)
    event_id = event.id
    fresh_reads()
    statements = []

    def count(connection, cursor, statement, *args):
        if statement.startswith("SELECT"):
            statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
    try:
        shown = hosts.public_institutions(event_id)
        names = [link.institution.name for link in shown.hosts + shown.partners + shown.speakers]
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)

    assert names == ["IHK Trier", "Caritasverband Trier", "Deutsch für alle e. V."]
    assert len(statements) == 1, statements
