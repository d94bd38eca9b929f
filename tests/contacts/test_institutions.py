"""Institutions as records: staff list, add, change and delete them, and a contact belongs to one,
chosen from the list or typed by name (found however it is spelt, or added)."""
import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.contacts import institutions as records
from app.contacts.institutions import DuplicateInstitution
from app.contacts.models import Institution
from app.extensions import db
from app.network.models import EventInstitution, InstitutionRole
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH
from tests.rows import copy_audit_entry, fresh_reads

from .conftest import address_book, institutions, organisation_of, snapshot
from .pages import field_error, field_value, page, row_texts


def add_institution(name, kind="other", **fields) -> Institution:
    return records.create_institution({"name": name, "kind": kind, **fields}, by=TEST_ACTOR)


def institution_named(name) -> Institution | None:
    fresh_reads()
    return db.session.execute(select(Institution).where(Institution.name == name)).scalar_one_or_none()


def trail(action) -> list[AuditEntry]:
    fresh_reads()
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)).scalars())


PAGES = [("GET", "institutions_staff.index", {}), ("GET", "institutions_staff.new", {}),
         ("POST", "institutions_staff.new", {}), ("GET", "institutions_staff.show", {"institution_id": 1}),
         ("POST", "institutions_staff.edit", {"institution_id": 1}),
         ("POST", "institutions_staff.delete", {"institution_id": 1}),
         ("GET", "institutions_staff.organisations", {}), ("POST", "institutions_staff.match", {}),
         ("GET", "institutions_staff.unlinked", {}),
         ("POST", "institutions_staff.make_contact", {"registration_id": 1})]


@pytest.mark.parametrize("method, endpoint, args", PAGES)
def test_the_door_role_may_not_open_institution_pages_and_changes_nothing(login, app, method, endpoint, args):
    add_institution("IHK Trier", "chamber")
    before = institutions()

    response = login("door").open(url_for(endpoint, **args), method=method, data={"name": "Neu"})

    assert response.status_code == 403
    assert institutions() == before


def test_staff_add_an_institution_and_see_it_listed_with_its_counts(staff, add_contact):
    response = staff.post(url_for("institutions_staff.new"), headers=ENGLISH, data={
        "name": " Handwerkskammer  Trier ", "kind": "chamber", "place": "Trier", "website": "www.hwk-trier.de",
        "notes": "Ansprechpartnerin: Frau Weber"})

    hwk = institution_named("Handwerkskammer Trier")
    assert response.status_code == 302
    assert response.location == url_for("institutions_staff.show", institution_id=hwk.id)
    assert (hwk.kind, hwk.place, hwk.website) == ("chamber", "Trier", "https://www.hwk-trier.de")
    add_contact("Jürgen Weiß", "juergen@example.org", institution_id=hwk.id)
    add_institution("Caritas Trier", "charity")

    listing = staff.get(url_for("institutions_staff.index"), headers=ENGLISH)

    assert row_texts(listing, "institutions") == [
        ["Caritas Trier", "Charity", "", "0", "0", "0"],
        ["Handwerkskammer Trier", "Chamber (IHK, HWK)", "Trier", "1", "0", "0"]]
    created = trail(AuditAction.institution_created)[0]
    assert (created.institution_id, created.changes["name"]) == (
        hwk.id, [None, "Handwerkskammer Trier"])


def test_the_list_searches_and_filters_by_kind(staff, app):
    add_institution("IHK Trier", "chamber", place="Trier")
    add_institution("Handwerkskammer Koblenz", "chamber", place="Koblenz")
    add_institution("Caritas Trier", "charity", place="Trier")

    by_place = staff.get(url_for("institutions_staff.index", q="trier", kind="chamber"), headers=ENGLISH)
    unknown_kind = staff.get(url_for("institutions_staff.index", kind="spaceship"), headers=ENGLISH)

    assert [row[0] for row in row_texts(by_place, "institutions")] == ["IHK Trier"]
    assert len(row_texts(unknown_kind, "institutions")) == 3


@pytest.mark.parametrize("typed", ["IHK Trier", "ihk  trier", "IHK-Trier."])
def test_a_second_institution_of_the_same_name_is_refused_beside_the_field(staff, app, typed):
    add_institution("IHK Trier", "chamber")
    before = snapshot()

    response = staff.post(url_for("institutions_staff.new"), headers=ENGLISH,
                          data={"name": typed, "kind": "other"})

    assert response.status_code == 422
    assert field_error(response, "name") == "There is already an institution of this name: IHK Trier."
    assert field_value(response, "name") == typed
    assert snapshot() == before


def test_renaming_onto_another_institutions_name_is_refused(staff, app):
    ihk = add_institution("IHK Trier", "chamber")
    add_institution("HWK Trier", "chamber")

    response = staff.post(url_for("institutions_staff.edit", institution_id=ihk.id), headers=ENGLISH,
                          data={"name": "hwk trier", "kind": "chamber"})

    assert response.status_code == 422
    assert field_error(response, "name") == "There is already an institution of this name: HWK Trier."
    assert institution_named("IHK Trier") is not None
    with pytest.raises(DuplicateInstitution):
        records.create_institution({"name": "HWK  TRIER"}, by=TEST_ACTOR)


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "kind": "other"}, "name", "Please enter the institution's name."),
    ({"name": "X", "kind": "spaceship"}, "kind", "Not a valid choice."),
    ({"name": "X", "kind": "other", "website": "not a website"}, "website",
     "This does not look like a web address (example: www.example.org)."),
])
def test_invalid_details_are_refused_beside_the_field(staff, app, data, field, message):
    response = staff.post(url_for("institutions_staff.new"), headers=ENGLISH, data=data)

    assert response.status_code == 422
    assert field_error(response, field) == message
    assert institutions() == {}


def test_editing_changes_the_institution_and_the_page_shows_the_history(staff, app):
    ihk = add_institution("IHK Trier", "other")

    response = staff.post(url_for("institutions_staff.edit", institution_id=ihk.id), headers=ENGLISH,
                          data={"name": "IHK Trier", "kind": "chamber", "place": "Trier"})

    assert response.status_code == 302
    assert institutions() == {"IHK Trier": "chamber"}
    shown = staff.get(url_for("institutions_staff.show", institution_id=ihk.id), headers=ENGLISH)
    history = page(shown).one("section", class_="history").text
    assert "institution changed" in history and "Kind of organisation: Other → Chamber (IHK, HWK)" in history


def test_a_long_history_of_other_institutions_does_not_hide_the_first_entry_of_this_one(staff, app):
    ihk = add_institution("IHK Trier", "other")
    add_institution("Handwerkskammer Trier", "chamber")
    copy_audit_entry(trail(AuditAction.institution_created)[-1], 2100)
    records.update_institution(ihk.id, {"name": "IHK Trier", "kind": "chamber"}, by=TEST_ACTOR)

    shown = staff.get(url_for("institutions_staff.show", institution_id=ihk.id), headers=ENGLISH)

    rows = page(shown).one("section", class_="history").one("tbody").find_all("tr")
    assert [row.find_all("td")[2].text for row in rows] == ["institution changed", "institution created"]


def test_the_institution_page_shows_its_people_and_its_events_by_role(staff, add_contact, make_event):
    ihk = add_institution("IHK Trier", "chamber")
    add_contact("Anna Schmidt", "anna@example.org", institution_name="ihk trier")
    forum, talk = make_event(title="Forum Fachkräfte"), make_event(title="Fachgespräch Ausbildung")
    db.session.add_all([EventInstitution(event_id=forum.id, institution_id=ihk.id, role=InstitutionRole.host),
                        EventInstitution(event_id=talk.id, institution_id=ihk.id, role=InstitutionRole.partner)])
    db.session.commit()

    response = staff.get(url_for("institutions_staff.show", institution_id=ihk.id), headers=ENGLISH)

    root = page(response)
    assert response.status_code == 200
    assert root.one(id="people").one("ul").text == "Anna Schmidt anna@example.org"
    assert root.one("h3", id="role-host").text == "Host (1)"
    assert "Forum Fachkräfte" in root.one(id="events").text
    assert root.one("h3", id="role-partner").text == "Partner (1)"


def test_deleting_asks_first_and_the_people_stay_without_an_institution(staff, add_contact):
    ihk = add_institution("IHK Trier", "chamber")
    add_contact("Anna Schmidt", "anna@example.org", institution_id=ihk.id)

    question = staff.get(url_for("institutions_staff.delete", institution_id=ihk.id), headers=ENGLISH)

    assert page(question).one("h1").text == "Delete IHK Trier?"
    assert "1 contact stays in the contacts, without an institution." in page(question).one(id="effects").text
    assert institutions() == {"IHK Trier": "chamber"}, "asking deletes nothing"

    response = staff.post(url_for("institutions_staff.delete", institution_id=ihk.id), headers=ENGLISH)

    assert response.status_code == 302
    assert institutions() == {}
    assert organisation_of(address_book()["anna@example.org"]) == ("", "")
    [deleted] = trail(AuditAction.institution_deleted)
    assert (deleted.institution_id, deleted.changes) == (ihk.id, {"name": "IHK Trier"})


def test_an_unknown_institution_is_404(staff):
    assert staff.get(url_for("institutions_staff.show", institution_id=999), headers=ENGLISH).status_code == 404
    assert staff.get(url_for("institutions_staff.edit", institution_id=999), headers=ENGLISH).status_code == 404


def test_the_contacts_list_links_to_the_institutions(staff, app):
    response = staff.get(url_for("contacts_staff.index"), headers=ENGLISH)

    assert page(response).one("a", id="institutions-link").get("href") == url_for("institutions_staff.index")


# --- a contact's institution ----------------------------------------------------------------------

def contact_data(**fields) -> dict:
    return {"name": "Renée Größer", "email": "renee@example.org", "locale": "de", **fields}


def test_the_contact_form_offers_the_institutions_and_keeps_the_choice(staff, app):
    ihk = add_institution("IHK Trier", "chamber")
    add_institution("Caritas Trier", "charity")

    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH,
                          data=contact_data(institution_id=str(ihk.id)))

    assert response.status_code == 302
    assert organisation_of(address_book()["renee@example.org"]) == ("IHK Trier", "chamber")
    renee = address_book()["renee@example.org"]
    form = staff.get(url_for("contacts_staff.edit", contact_id=renee.id), headers=ENGLISH)
    options = page(form).one("select", name="institution_id").find_all("option")
    assert [o.text for o in options] == ["None", "Caritas Trier", "IHK Trier"]
    assert [o.text for o in options if "selected" in o.attrs] == ["IHK Trier"]


def test_a_typed_name_finds_the_institution_however_it_is_spelt(staff, app):
    add_institution("IHK Trier", "chamber")

    staff.post(url_for("contacts_staff.new"), headers=ENGLISH,
               data=contact_data(institution_name="ihk  TRIER", institution_kind="school"))

    assert organisation_of(address_book()["renee@example.org"]) == ("IHK Trier", "chamber")
    assert institutions() == {"IHK Trier": "chamber"}, "found, not added; its kind stays"


def test_a_typed_new_name_adds_the_institution_and_the_contacts_history_names_it(staff, add_contact):
    anna = add_contact("Anna Schmidt", "anna@example.org")

    response = staff.post(url_for("contacts_staff.edit", contact_id=anna.id), headers=ENGLISH, data={
        "name": "Anna Schmidt", "email": "anna@example.org", "locale": "de",
        "institution_name": "Grundschule Olewig", "institution_kind": "school"})

    assert response.status_code == 302
    assert response.location == url_for("contacts_staff.show", contact_id=anna.id)
    assert institutions() == {"Grundschule Olewig": "school"}
    edit = staff.get(url_for("contacts_staff.edit", contact_id=anna.id), headers=ENGLISH)
    assert "Institution: – → Grundschule Olewig" in page(edit).one("section", class_="history").text


def test_choosing_none_takes_the_contact_out_of_its_institution(staff, add_contact):
    ihk = add_institution("IHK Trier", "chamber")
    anna = add_contact("Anna Schmidt", "anna@example.org", institution_id=ihk.id)

    staff.post(url_for("contacts_staff.edit", contact_id=anna.id), headers=ENGLISH,
               data={"name": "Anna Schmidt", "email": "anna@example.org", "locale": "de", "institution_id": ""})

    assert organisation_of(address_book()["anna@example.org"]) == ("", "")
    assert institutions() == {"IHK Trier": "chamber"}


def test_an_institution_that_is_gone_is_refused_beside_the_field(staff, app):
    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH, data=contact_data(institution_id="4711"))

    assert response.status_code == 422
    assert field_error(response, "institution_id") == "This institution is no longer there; please choose another."
    assert address_book() == {}


def test_the_contacts_list_shows_the_institution_and_filters_by_its_kind(staff, add_contact):
    add_contact("Anna Schmidt", "anna@example.org", institution_name="IHK Trier", institution_kind="chamber")
    add_contact("Carla Neu", "carla@example.org", institution_name="Caritas Trier", institution_kind="charity")
    add_contact("Fritz Frei", "fritz@example.org")

    response = staff.get(url_for("contacts_staff.index", kind="chamber"), headers=ENGLISH)

    assert [row[:3] for row in row_texts(response, "contacts")] == [
        ["Anna Schmidt", "anna@example.org", "IHK Trier Chamber (IHK, HWK)"]]
    kinds = [o.text for o in page(response).one("select", name="kind").find_all("option")]
    assert "Chamber (IHK, HWK) (1)" in kinds and "Charity (1)" in kinds


def test_an_id_of_thousands_of_digits_is_refused_beside_the_field(staff, app):
    # Python's int() refuses more than 4300 digits with a ValueError: that must not be a 500.
    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH,
                          data=contact_data(institution_id="9" * 5000))

    assert response.status_code == 422
    assert field_error(response, "institution_id") == "This institution is no longer there; please choose another."
    assert address_book() == {}


@pytest.mark.parametrize("form", ["new", "edit"])
def test_an_institution_someone_else_added_meanwhile_is_the_contacts(staff, add_contact, monkeypatch, form):
    # Two staff type the same new name at once. On PostgreSQL the other request commits its
    # institution after this one looked for it, and this one's insert breaks the unique name: as
    # if the look had found nothing, which is what the stand-in below makes it do, once.
    anna = add_contact("Anna Schmidt", "anna@example.org") if form == "edit" else None
    add_institution("IHK Trier", "chamber")
    real_find, looks = records.find_by_name, []

    def not_there_at_first(name):
        looks.append(name)
        return None if len(looks) == 1 else real_find(name)

    monkeypatch.setattr(records, "find_by_name", not_there_at_first)
    url = (url_for("contacts_staff.edit", contact_id=anna.id) if anna else url_for("contacts_staff.new"))
    data = {"name": "Anna Schmidt", "email": "anna@example.org", "locale": "de",
            "institution_name": "ihk  trier", "institution_kind": "school"}

    response = staff.post(url, headers=ENGLISH, data=data)

    assert response.status_code == 302, field_error(response, "email")
    assert looks, "the stand-in was asked"
    assert organisation_of(address_book()["anna@example.org"]) == ("IHK Trier", "chamber")
    assert institutions() == {"IHK Trier": "chamber"}
    assert len(trail(AuditAction.institution_created)) == 1
