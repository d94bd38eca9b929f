"""Recorded meetings: staff write down a meeting, a talk or a visit afterwards, with the institutions
and people present. A record takes no sign-up and mails nobody."""
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.database import utcnow
from app.errors import InvalidInput
from app.events.models import Event
from app.extensions import db
from app.network import groups, meetings
from app.network.models import EventInstitution, MeetingPresence
from tests.conftest import TEST_ACTOR
from tests.pages import field_error, main_text, page
from tests.rows import fresh_reads, outbox_rows

from .members import count_rows, make_institution, make_person


@pytest.fixture
def network(app):
    """Two institutions and three people of the network."""
    return {"ihk": make_institution("IHK Trier"), "jobcenter": make_institution("Jobcenter Trier"),
            "anna": make_person(name="Anna Schmidt"), "ben": make_person(name="Ben Weber"),
            "carla": make_person(name="Carla Nowak")}


def last_week(hour=10):
    return (utcnow() - timedelta(days=7)).replace(hour=hour, minute=0, second=0, microsecond=0)


def record(network, **changes):
    fields = {"title": "Koordinierungsrunde", "kind": "coordination", "starts_at": last_week(10),
              "ends_at": last_week(12), "timezone": "Europe/Berlin", "venue": "IHK", "address": "",
              "description": "Ausbildungsbörse vorbereitet", "working_group_id": None} | changes
    return meetings.record_meeting(fields=fields, by=TEST_ACTOR,
                                   institution_ids=[network["ihk"].id, network["jobcenter"].id],
                                   contact_ids=[network["anna"].id, network["ben"].id])


def typed(network, **changes) -> dict:
    day = utcnow() - timedelta(days=3)
    return {"kind": "visit", "title": "Besuch beim Jobcenter", "day": day.strftime("%Y-%m-%d"),
            "starts": "09:00", "ends": "10:30", "timezone": "Europe/Berlin", "venue": "Jobcenter Trier",
            "address": "", "working_group_id": "0", "institution_ids": [network["jobcenter"].id],
            "contact_ids": [network["anna"].id, network["carla"].id], "description": "Gespräch"} | changes


def selected(response, select_id: str) -> list[str]:
    return [option.text for option in page(response).one("select", id=select_id).find_all("option")
            if "selected" in option.attrs]


def test_recording_a_meeting_stores_who_was_there_and_mails_nobody(network, smtp, deliver):
    event = record(network)
    deliver()

    fresh_reads()
    event = db.session.get(Event, event.id)
    assert (event.visibility, event.status, event.kind) == ("record", "published", "coordination")
    assert event.description == "Ausbildungsbörse vorbereitet"
    assert [i.name for i in meetings.institutions_present(event.id)] == ["IHK Trier", "Jobcenter Trier"]
    assert {row.role for row in db.session.execute(select(EventInstitution)).scalars()} == {"present"}
    assert [c.name for c in meetings.people_present(event.id)] == ["Anna Schmidt", "Ben Weber"]
    presences = db.session.execute(select(MeetingPresence)).scalars()
    assert {presence.recorded_by for presence in presences} == {"Test Staff"}
    assert outbox_rows() == [] and smtp.received == []


def test_staff_record_a_meeting_on_the_page_and_find_it_in_the_list(office, network, smtp, deliver):
    choices = page(office.get(url_for("meetings_staff.new"))).one("select", id="institution_ids")
    assert "Jobcenter Trier" in choices.text

    response = office.post(url_for("meetings_staff.create"), data=typed(network))

    assert response.status_code == 302
    listing = office.get(url_for("meetings_staff.index"))
    event = db.session.execute(select(Event)).scalar_one()
    row = page(listing).one("tr", id=f"meeting-{event.id}")
    assert "Besuch beim Jobcenter" in row.text and "Visit to another organisation's event" in row.text
    assert row.one("td", data_label="Institutions present").text == "Jobcenter Trier"
    assert row.one("td", data_label="People present").text == "2"
    assert "1 meeting recorded" in main_text(listing)
    assert event.local_starts_at.strftime("%H:%M") == "09:00"
    assert event.local_ends_at.strftime("%H:%M") == "10:30"
    deliver()
    assert outbox_rows() == [] and smtp.received == []


def test_the_list_shows_the_newest_meeting_first(office, network):
    older = record(network, title="Ältere Runde", starts_at=last_week(10) - timedelta(days=30),
                   ends_at=last_week(11) - timedelta(days=30))
    newer = record(network, title="Neuere Runde")

    rows = page(office.get(url_for("meetings_staff.index"))).one("table", id="meetings").find_all("tr")

    assert [row.get("id") for row in rows if row.get("id")] == [f"meeting-{newer.id}", f"meeting-{older.id}"]


def test_editing_a_meeting_changes_who_was_there_and_the_history_says_so(office, network):
    event = record(network)
    edit = url_for("meetings_staff.edit", event_id=event.id)
    form = office.get(edit)
    assert selected(form, "contact_ids") == ["Anna Schmidt", "Ben Weber"]
    assert selected(form, "institution_ids") == ["IHK Trier", "Jobcenter Trier"]

    response = office.post(edit, data=typed(network, kind="coordination", title="Koordinierungsrunde",
                                             institution_ids=[network["ihk"].id]))

    assert response.status_code == 302
    assert [i.name for i in meetings.institutions_present(event.id)] == ["IHK Trier"]
    assert [c.name for c in meetings.people_present(event.id)] == ["Anna Schmidt", "Carla Nowak"]
    history = page(office.get(edit)).one("section", class_="history").text
    assert "People present: Anna Schmidt, Ben Weber → Anna Schmidt, Carla Nowak" in history
    assert "Institutions present: IHK Trier, Jobcenter Trier → IHK Trier" in history


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Please give the meeting a title."),
    ({"ends": "08:00"}, "ends", "The meeting must end after it starts."),
    ({"day": "gestern"}, "day", "Enter a date"),
    ({"kind": "forum"}, "kind", "Not a valid choice"),
    ({"institution_ids": ["999999"]}, "institution_ids", "not a valid choice"),
    ({"contact_ids": ["x"]}, "contact_ids", "could not be coerced"),
    ({"working_group_id": "999999"}, "working_group_id", "Not a valid choice"),
])
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_recorded(office, network, changes, field,
                                                                         message):
    response = office.post(url_for("meetings_staff.create"), data=typed(network, **changes))

    assert response.status_code == 422
    assert message.lower() in field_error(response, field).lower()
    assert page(response).one("input", id="venue").get("value") == "Jobcenter Trier"
    assert (count_rows(Event), count_rows(MeetingPresence), count_rows(EventInstitution)) == (0, 0, 0)


def test_an_event_that_is_not_a_recorded_meeting_has_no_meeting_form(office, make_event):
    event = make_event()

    assert office.get(url_for("meetings_staff.edit", event_id=event.id)).status_code == 404
    assert office.post(url_for("meetings_staff.edit", event_id=event.id), data={}).status_code == 404


def test_recording_from_a_groups_page_ticks_its_members(office, network):
    group = groups.create_group(name="AK Ausbildung", by=TEST_ACTOR)
    for person in ("anna", "carla"):
        groups.add_member(group.id, network[person].id, by=TEST_ACTOR)

    response = office.get(url_for("meetings_staff.new", group_id=group.id))

    assert selected(response, "contact_ids") == ["Anna Schmidt", "Carla Nowak"]
    assert selected(response, "working_group_id") == ["AK Ausbildung"]
    assert selected(response, "kind") == ["Working group"]


@pytest.mark.parametrize(("who", "field"), [
    ({"contact_ids": [10**6]}, "contact_ids"),
    ({"institution_ids": [2**40]}, "institution_ids"),
])
def test_recording_someone_who_is_not_in_the_network_is_refused_and_nothing_recorded(network, who, field):
    fields = {"title": "Runde", "kind": "talk", "starts_at": last_week(10), "ends_at": last_week(11),
              "timezone": "Europe/Berlin", "venue": "", "address": "", "description": "",
              "working_group_id": None}

    with pytest.raises(InvalidInput) as refused:
        meetings.record_meeting(fields=fields, by=TEST_ACTOR,
                                **({"institution_ids": [], "contact_ids": []} | who))

    assert refused.value.field == field
    assert (count_rows(Event), count_rows(MeetingPresence), count_rows(EventInstitution)) == (0, 0, 0)
