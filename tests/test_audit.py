"""The audit trail: every change staff make to an event, a registration or a contact is recorded
(who, when, what changed) and shown on the event's and the contact's page.

Each test makes the change as staff do, through the page, then reads the trail twice:
as rows (what was stored) and as the page a colleague opens later (what a person sees).
"""
import io
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import Actor, AuditAction, AuditEntry
from app.checkin.services import register_walk_in
from app.contacts.models import Contact
from app.database import utcnow
from app.extensions import db
from app.formatting import shown as shown_value
from tests.events.staff_forms import berlin, event_form, local_input, shown_form
from tests.pages import ENGLISH, page
from tests.rows import fresh_reads, registrations_of, reload

STAFF_NAME = "staff@podium.test"  # what the `staff` fixture's user is called (no name given)


def trail(**where) -> list[AuditEntry]:
    """The stored entries that match (column=value), oldest first."""
    fresh_reads()
    query = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
    return list(db.session.execute(query).scalars())


def history_rows(response) -> list[list[str]]:
    """The history table of a staff page, row by row, as a person reads its cells."""
    section = page(response).one("section", class_="history")
    return [[cell.text for cell in row.find_all("td")] for row in section.one("tbody").find_all("tr")]


# --- events ---------------------------------------------------------------------------------

def test_changing_an_event_records_who_changed_which_field_from_what_to_what(office, make_event):
    event = make_event(title="Forum Ausbildung", capacity=70)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    office.post(url_for("events_staff.update", event_id=event.id),
                data={**form, "title": "Forum Ausbildung und Arbeit", "capacity": "90"})

    [entry] = trail(event_id=event.id, action=AuditAction.event_updated)
    assert entry.actor == STAFF_NAME and entry.user_id is not None
    assert entry.changes == {"title": ["Forum Ausbildung", "Forum Ausbildung und Arbeit"], "capacity": [70, 90]}
    [row] = [r for r in history_rows(office.get(url_for("events_staff.edit", event_id=event.id)))
             if "changed" in r[2]]
    assert row[1] == STAFF_NAME
    assert "Title: Forum Ausbildung → Forum Ausbildung und Arbeit" in row[3]
    assert "Capacity: 70 → 90" in row[3]


def test_a_new_time_is_shown_in_the_events_zone_and_the_guests_told_are_counted(office, make_event, sign_up):
    event = make_event(starts_at=berlin(5, 6, 18), ends_at=berlin(5, 6, 20))
    sign_up(event)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    office.post(url_for("events_staff.update", event_id=event.id),
                data={**form, "starts_at": local_input(berlin(5, 6, 19)), "ends_at": local_input(berlin(5, 6, 21)),
                      "tell_guests": "yes"})  # the answer "Save and tell them" to the page's question

    [entry] = trail(event_id=event.id, action=AuditAction.event_updated)
    assert entry.changes["guests_told"] == 1
    details = history_rows(office.get(url_for("events_staff.edit", event_id=event.id)))[0][3]
    # Berlin's wall-clock times, as the form showed them (UTC would say 16:00 and 17:00).
    assert "Starts: 5/6/" in details and "18:00" in details and "19:00" in details and "16:00" not in details
    assert "Guests told by mail: 1" in details


def test_saving_an_unchanged_form_records_nothing(office, make_event):
    event = make_event()
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    office.post(url_for("events_staff.update", event_id=event.id), data=form)

    assert trail(event_id=event.id, action=AuditAction.event_updated) == []


def test_a_refused_change_leaves_no_entry(office, make_event, sign_up):
    event = make_event(capacity=2)
    sign_up(event), sign_up(event)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    response = office.post(url_for("events_staff.update", event_id=event.id), data={**form, "capacity": "1"})

    assert response.status_code == 422
    assert reload(event).capacity == 2
    assert trail(event_id=event.id, action=AuditAction.event_updated) == []


def test_creating_publishing_and_cancelling_are_each_recorded_in_order(office):
    office.post(url_for("events_staff.create"), data=event_form())
    event_id = trail(action=AuditAction.event_created)[0].event_id
    office.post(url_for("events_staff.publish", event_id=event_id))
    office.post(url_for("events_staff.cancel", event_id=event_id), data={"message": "Der Saal ist gesperrt.",
                                                                         "confirm": "y"})

    actions = [entry.action for entry in trail(event_id=event_id)]
    assert actions == [AuditAction.event_created, AuditAction.event_published, AuditAction.event_cancelled]
    assert trail(event_id=event_id)[-1].changes == {"guests_told": 0, "message": "Der Saal ist gesperrt."}
    shown = [row[2] for row in history_rows(office.get(url_for("events_staff.edit", event_id=event_id)))]
    assert shown == ["event cancelled", "published", "created"]  # newest first


def test_a_duplicate_names_the_event_it_was_copied_from(office, make_event):
    source = make_event(title="Forum Ausbildung")

    office.post(url_for("events_staff.duplicate", event_id=source.id),
                data=event_form(title="Forum Ausbildung (Herbst)"))

    [entry] = [e for e in trail(action=AuditAction.event_created) if e.event_id != source.id]
    assert entry.changes == {"copied_from": source.id}


# --- registrations --------------------------------------------------------------------------

def test_staff_changes_to_registrations_are_recorded_on_the_events_page(office, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    anna, ben = sign_up(event, name="Anna Schmidt"), sign_up(event, name="Ben Weber")
    office.post(url_for("registrations_staff.create", event_id=event.id),
                data={"name": "Clara Neu", "email": "clara@example.org", "affiliation": "volunteer",
                      "locale": "de", "send_mail": "y"})
    [clara] = [r for r in registrations_of(event) if r.name == "Clara Neu"]

    office.post(url_for("registrations_staff.cancel", event_id=event.id, registration_id=anna.id))

    entries = [entry for entry in trail(event_id=event.id) if entry.registration_id is not None]
    assert [(e.action, e.registration_id) for e in entries] == [
        (AuditAction.registration_added, clara.id),
        (AuditAction.registration_cancelled, anna.id),
        (AuditAction.registration_promoted, ben.id),  # Anna's place went to Ben: also staff's doing
    ]
    assert entries[0].changes == {"status": [None, "waitlisted"], "mailed": True}
    rows = history_rows(office.get(url_for("events_staff.edit", event_id=event.id)))
    assert [row[2] for row in rows if ":" in row[2]] == ["Ben Weber: moved up from the waitlist",
                                                         "Anna Schmidt: registration cancelled by staff",
                                                         "Clara Neu: registered by staff"]
    assert {row[1] for row in rows if ":" in row[2]} == {STAFF_NAME}
    assert "Status: – → on the waitlist" in rows[-2][3]  # Clara's entry, with the status's name


def test_a_higher_capacity_records_who_moved_up(office, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    ben = sign_up(event, name="Ben Weber")
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    office.post(url_for("events_staff.update", event_id=event.id), data={**form, "capacity": "2"})

    [promotion] = trail(registration_id=ben.id)
    assert (promotion.action, promotion.actor) == (AuditAction.registration_promoted, STAFF_NAME)


def test_a_guest_on_the_waitlist_let_in_at_the_door_is_recorded(app, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    ben = sign_up(event, name="Ben Weber", email="ben@example.org")

    register_walk_in(event.id, {"name": "Ben Weber", "email": "ben@example.org"}, Actor(name="Tablet 1"),
                     over_capacity_ok=True)

    [entry] = trail(registration_id=ben.id)
    assert entry.actor == "Tablet 1"
    assert entry.changes == {"status": ["waitlisted", "confirmed"], "walk_in": True}


def test_confirming_from_the_waitlist_is_recorded_with_the_status_change(office, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    ben = sign_up(event, name="Ben Weber")

    office.post(url_for("registrations_staff.confirm", event_id=event.id, registration_id=ben.id),
                data={"over_capacity": "y"})

    [entry] = trail(registration_id=ben.id)
    assert entry.action == AuditAction.registration_confirmed
    assert entry.changes == {"status": ["waitlisted", "confirmed"]}


def test_a_guests_own_cancellation_is_not_a_staff_change(client, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)

    client.post(url_for("registrations.cancel", token=anna.manage_token))

    assert reload(anna).is_cancelled
    assert trail(event_id=event.id, action=AuditAction.registration_cancelled) == []


# --- contacts -------------------------------------------------------------------------------

def contact_named(name: str) -> Contact:
    fresh_reads()
    return db.session.execute(select(Contact).where(Contact.name == name)).scalar_one()


def add_contact_as_staff(staff, name: str, email: str) -> Contact:
    staff.post(url_for("contacts_staff.new"), data={"name": name, "email": email, "locale": "de"})
    return contact_named(name)


def test_adding_and_editing_a_contact_is_recorded_and_shown_on_its_page(staff):
    staff.post(url_for("contacts_staff.new"), data={"name": "Jürgen Weiß", "email": "juergen@example.org",
                                                    "affiliation": "volunteer", "locale": "de"})
    juergen = contact_named("Jürgen Weiß")
    staff.post(url_for("contacts_staff.edit", contact_id=juergen.id),
               data={"name": "Jürgen Weiß", "email": "juergen@example.org", "institution_name": "HWK Trier",
                     "institution_kind": "chamber", "affiliation": "volunteer", "tags": "Forum", "locale": "de"})

    created, updated = trail(contact_id=juergen.id)
    assert created.action == AuditAction.contact_created and created.changes["email"] == [None, "juergen@example.org"]
    assert updated.action == AuditAction.contact_updated
    assert updated.changes == {"institution": ["", "HWK Trier"], "tags": [[], ["Forum"]]}
    rows = history_rows(staff.get(url_for("contacts_staff.edit", contact_id=juergen.id), headers=ENGLISH))
    assert [row[2] for row in rows] == ["changed", "added"]
    assert "Institution: – → HWK Trier" in rows[0][3]
    # A new contact's empty fields are no change; how the person takes part and the language read as
    # on the form.
    assert "Tags" not in rows[1][3] and "Institution:" not in rows[1][3]
    assert "Takes part: – → Volunteer" in rows[1][3]
    assert "Language of invitations: – → Deutsch" in rows[1][3]


def test_an_import_records_each_contact_it_adds_or_changes(staff):
    anna = add_contact_as_staff(staff, "Anna Schmidt", "anna@example.org")
    upload = "name,email,organisation\nAnna Schmidt,anna@example.org,IHK Trier\nCarla Neu,carla@example.org,\n"
    preview = staff.post(url_for("contacts_staff.import_upload"),
                         data={"file": (io.BytesIO(upload.encode()), "netzwerk.csv")},
                         content_type="multipart/form-data")
    token = page(preview).one("input", name="token").get("value")

    staff.post(url_for("contacts_staff.import_confirm"), data={"token": token})

    [anna_entry] = trail(contact_id=anna.id, action=AuditAction.contact_imported)
    assert anna_entry.changes == {"file": "netzwerk.csv", "institution": ["", "IHK Trier"]}
    [carla_entry] = trail(contact_id=contact_named("Carla Neu").id)
    assert carla_entry.action == AuditAction.contact_imported and carla_entry.changes["file"] == "netzwerk.csv"


def test_resubscribing_is_recorded(staff):
    carla = add_contact_as_staff(staff, "Carla Neu", "carla@example.org")
    carla.unsubscribed_at = utcnow() - timedelta(days=3)  # what her unsubscribe link did
    db.session.commit()

    staff.post(url_for("contacts_staff.resubscribe", contact_id=carla.id), data={"confirm": "y"})

    [entry] = trail(contact_id=carla.id, action=AuditAction.contact_resubscribed)
    assert entry.changes["unsubscribed_at"][1] is None


def test_deleting_a_contact_takes_its_entries_along_and_keeps_only_that_someone_deleted_one(staff):
    dieter = add_contact_as_staff(staff, "Dieter Sicher", "dieter@example.org")
    contact_id = dieter.id
    assert trail(contact_id=contact_id)  # "added"

    staff.post(url_for("contacts_staff.delete", contact_id=contact_id))

    assert trail(contact_id=contact_id) == []
    [deletion] = trail(action=AuditAction.contact_deleted)
    assert deletion.actor == STAFF_NAME and deletion.changes == {"contact_id": contact_id}
    assert "Dieter" not in str(deletion.changes) and "dieter@" not in str(deletion.changes)
    listing = page(staff.get(url_for("contacts_staff.index"), headers=ENGLISH))
    assert f"Contact no. {contact_id}, deleted by {STAFF_NAME}" in listing.one("section", class_="history").text


# --- the command line -----------------------------------------------------------------------

def test_an_event_made_on_the_command_line_names_the_command_line(app):
    result = app.test_cli_runner().invoke(args=["events", "create", "--title", "Forum", "--kind", "forum",
                                                "--starts", "2030-05-06 18:00"])

    assert result.exit_code == 0, result.output
    [entry] = trail(action=AuditAction.event_created)
    assert entry.actor == "command line" and entry.user_id is None


@pytest.mark.parametrize("value, shown", [
    (None, "–"), ([], "–"), (True, "yes"), (["Forum", "Presse"], "Forum, Presse"), ("HWK", "HWK"),
    ("2027-05-06T16:00:00+00:00", "5/6/27, 18:00"),  # stored in UTC, read in Berlin, on the 24-hour clock
    ("2027-05-06 is not a time", "2027-05-06 is not a time"),
])
def test_stored_values_read_as_a_person_writes_them(app, value, shown):
    with app.test_request_context(headers=ENGLISH):
        assert shown_value(value) == shown


def test_an_entry_is_dated_when_the_change_was_made(office, make_event):
    event = make_event()
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    before = utcnow()

    office.post(url_for("events_staff.update", event_id=event.id), data={**form, "title": "Neu"})

    [entry] = trail(event_id=event.id, action=AuditAction.event_updated)
    assert before - timedelta(seconds=1) <= entry.at <= before + timedelta(minutes=1)
