"""The contact pages as staff use them: list, search and filters, add, edit, delete,
resubscribe, the import with its preview, and who may open them."""
import io
import re

import pytest
from flask import url_for

from app.campaigns.audience import make_audience, resolve_audience
from app.contacts import services
from app.contacts.services import ContactFilter, DuplicateEmail
from app.formatting import day
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH

from .conftest import address_book, institutions, organisation_of, sample, snapshot
from .pages import field_error, field_value, page, row_texts


@pytest.fixture
def book(add_contact):
    return {
        "juergen": add_contact("Jürgen Weiß", "juergen@example.org", institution_name="Handwerkskammer Trier",
                               institution_kind="chamber", tags="Ausbildung"),
        "anna": add_contact("Anna Schmidt", "anna@ihk.example.net", institution_name="IHK Trier",
                            institution_kind="chamber", tags="Forum"),
        "carla": add_contact("Carla Neu", "carla@example.org", institution_name="Caritas Trier",
                             institution_kind="charity", tags="Forum, Newsletter", unsubscribed=True),
        "dieter": add_contact("Dieter 100% Sicher", "dieter@example.org", institution_name="Sicher GmbH",
                              institution_kind="company"),
    }


def names(criteria: ContactFilter) -> list[str]:
    return [c.name for c in services.find_contacts(criteria).items]


# --- who may open the pages --------------------------------------------------

PAGES = [("GET", "contacts_staff.index", {}), ("GET", "contacts_staff.new", {}), ("POST", "contacts_staff.new", {}),
         ("GET", "contacts_staff.edit", {"contact_id": 1}), ("POST", "contacts_staff.edit", {"contact_id": 1}),
         ("GET", "contacts_staff.delete", {"contact_id": 1}), ("POST", "contacts_staff.delete", {"contact_id": 1}),
         ("POST", "contacts_staff.resubscribe", {"contact_id": 1}), ("GET", "contacts_staff.import_upload", {}),
         ("POST", "contacts_staff.import_upload", {}), ("POST", "contacts_staff.import_confirm", {}),
         ("GET", "contacts_staff.export", {})]


@pytest.mark.parametrize("method, endpoint, args", PAGES)
def test_the_door_role_may_not_open_contact_pages(login, method, endpoint, args):
    client = login("door")

    response = client.open(url_for(endpoint, **args), method=method)

    assert response.status_code == 403


@pytest.mark.parametrize("method, endpoint, args", PAGES)
def test_without_login_contact_pages_send_to_the_login(client, method, endpoint, args):
    response = client.open(url_for(endpoint, **args), method=method)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("auth.login"))


def test_an_admin_may_open_the_contacts(login, book):
    assert login("admin").get(url_for("contacts_staff.index")).status_code == 200


def test_the_staff_dashboard_links_to_the_contacts(staff):
    response = staff.get(url_for("events_staff.dashboard"), headers=ENGLISH)

    assert page(response).one("a", href=url_for("contacts_staff.index")).text == "Contacts"


# --- list, search, filters, counts -------------------------------------------

@pytest.mark.parametrize("criteria, expected", [
    (ContactFilter(), ["Anna Schmidt", "Carla Neu", "Dieter 100% Sicher", "Jürgen Weiß"]),
    (ContactFilter(query="weiß"), ["Jürgen Weiß"]),
    (ContactFilter(query="JÜRGEN"), ["Jürgen Weiß"]),
    (ContactFilter(query="caritas"), ["Carla Neu"]),
    (ContactFilter(query="example.net"), ["Anna Schmidt"]),
    (ContactFilter(query="trier kammer"), ["Jürgen Weiß"]),
    (ContactFilter(query="100%"), ["Dieter 100% Sicher"]),
    (ContactFilter(query="%"), ["Dieter 100% Sicher"]),
    (ContactFilter(tag="Forum"), ["Anna Schmidt", "Carla Neu"]),
    (ContactFilter(kind="chamber"), ["Anna Schmidt", "Jürgen Weiß"]),
    (ContactFilter(unsubscribed=True), ["Carla Neu"]),
    (ContactFilter(unsubscribed=False), ["Anna Schmidt", "Dieter 100% Sicher", "Jürgen Weiß"]),
    (ContactFilter(tag="Forum", unsubscribed=False), ["Anna Schmidt"]),
    (ContactFilter(query="trier", kind="charity"), ["Carla Neu"]),
    (ContactFilter(tag="Nobody"), []),
])
def test_search_and_filters(book, criteria, expected):
    assert names(criteria) == expected


def test_the_list_shows_counts_and_the_matching_contacts(staff, book):
    response = staff.get(url_for("contacts_staff.index", tag="Forum"), headers=ENGLISH)

    assert response.status_code == 200
    root = page(response)
    assert root.one(id="counts").text == "4 contacts · 1 of them unsubscribed"
    assert root.one(id="matches").text.startswith("2 contacts match.")
    rows = row_texts(response, "contacts")
    assert [row[0] for row in rows] == ["Anna Schmidt", "Carla Neu"]
    # Name, email, institution with its kind, tags, language, added, invitations, actions.
    # Typed in without ticking the consent box: marked, as every contact without a consent on record.
    assert rows[0][1:6] == ["anna@ihk.example.net", "IHK Trier Chamber (IHK, HWK)", "Forum", "Deutsch",
                            f"typed in {day(book['anna'].source_at)} no consent recorded"]
    assert rows[1][3] == "Forum, Newsletter"
    assert rows[1][6] == f"unsubscribed on {day(book['carla'].unsubscribed_at)}"
    assert page(response).one("tr", id=f"contact-{book['carla'].id}").one(
        "span", class_="badge--unsubscribed").text == "unsubscribed"
    assert rows[0][6] == "yes"
    assert rows[0][7] == "Edit Anna Schmidt Delete … Anna Schmidt"
    assert "Forum (2)" in [o.text for o in root.one("select", name="tag").find_all("option")]


def test_the_list_searches_from_its_form(staff, book):
    response = staff.get(url_for("contacts_staff.index", q="handwerk", status="subscribed"), headers=ENGLISH)

    assert [row[0] for row in row_texts(response, "contacts")] == ["Jürgen Weiß"]
    assert field_value(response, "q") == "handwerk"


def test_a_long_list_comes_in_pages(staff, add_contact, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    for n in range(5):
        add_contact(f"Person {n}", f"p{n}@example.org")

    first = staff.get(url_for("contacts_staff.index"), headers=ENGLISH)
    last = staff.get(url_for("contacts_staff.index", page=3), headers=ENGLISH)

    assert [row[0] for row in row_texts(first, "contacts")] == ["Person 0", "Person 1"]
    assert [row[0] for row in row_texts(last, "contacts")] == ["Person 4"]


def test_the_list_sorts_by_a_column_and_keeps_filters_and_order_from_page_to_page(staff, book, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 2)

    by_email = staff.get(url_for("contacts_staff.index", sort="-email", status="subscribed"), headers=ENGLISH)
    root = page(by_email)

    assert [row[1] for row in row_texts(by_email, "contacts")] == ["juergen@example.org", "dieter@example.org"]
    assert root.one("th", **{"aria-sort": "descending"}).text.startswith("Email")
    assert root.one("nav", class_="pagination").find("a", rel="next").get("href") == url_for(
        "contacts_staff.index", status="subscribed", sort="-email", page=2)
    second = staff.get(url_for("contacts_staff.index", status="subscribed", sort="-email", page=2), headers=ENGLISH)
    assert [row[1] for row in row_texts(second, "contacts")] == ["anna@ihk.example.net"]
    by_institution = staff.get(url_for("contacts_staff.index", sort="institution"), headers=ENGLISH)
    assert [row[0] for row in row_texts(by_institution, "contacts")] == ["Carla Neu", "Jürgen Weiß"]
    unknown = staff.get(url_for("contacts_staff.index", sort="password"), headers=ENGLISH)
    assert [row[0] for row in row_texts(unknown, "contacts")] == ["Anna Schmidt", "Carla Neu"]


def test_the_list_offers_both_downloads_by_their_purpose_with_the_filters(staff, book):
    response = staff.get(url_for("contacts_staff.index", tag="Forum"), headers=ENGLISH)

    links = page(response).one(id="downloads").find_all("a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("CSV for Excel (German, semicolons)", url_for("contacts_staff.export", format="excel", tag="Forum")),
        ("CSV for other programs (commas)", url_for("contacts_staff.export", tag="Forum")),
    ]


# --- add and edit ---------------------------------------------------------------

def test_staff_add_a_contact(staff):
    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH, data={
        "name": " Renée Größer ", "email": "renee@example.org", "institution_name": "Grundschule Olewig",
        "institution_kind": "school", "tags": "Bildung; Forum, bildung", "locale": "en"})

    assert response.status_code == 302
    renee = address_book()["renee@example.org"]
    assert (renee.name, organisation_of(renee), renee.tags, renee.locale) == (
        "Renée Größer", ("Grundschule Olewig", "school"), ["Bildung", "Forum"], "en")
    assert renee.source == "typed in" and renee.unsubscribed_at is None
    listing = staff.get(response.headers["Location"], headers=ENGLISH)
    assert "Renée Größer was added to the contacts." in page(listing).one("p", class_="flash").text


def test_adding_an_address_that_exists_in_another_case_is_refused_beside_the_field(staff, book):
    before = snapshot()

    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH, data={
        "name": "Jürgen Zwei", "email": "JUERGEN@Example.org", "institution_name": "Zweite Firma",
        "institution_kind": "company", "tags": "Neu", "locale": "de"})

    assert response.status_code == 422
    assert field_error(response, "email") == "Another contact already has this email address: Jürgen Weiß."
    assert field_value(response, "name") == "Jürgen Zwei"
    assert field_value(response, "email") == "JUERGEN@Example.org"
    assert field_value(response, "institution_name") == "Zweite Firma"
    assert field_value(response, "tags") == "Neu"
    assert snapshot() == before


def test_the_service_refuses_a_duplicate_in_another_case(book):
    with pytest.raises(DuplicateEmail):
        services.create_contact({"name": "X", "email": "Carla@EXAMPLE.org"}, by=TEST_ACTOR)


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "x@example.org"}, "name", "Please enter the name."),
    ({"name": "X", "email": "not-an-email"}, "email",
     "This does not look like an email address (example: name@example.org)."),
    ({"name": "X" * 201, "email": "x@example.org"}, "name", "Field cannot be longer than 200 characters."),
    ({"name": "X", "email": "x@example.org", "tags": "T" * 51}, "tags",
     "The tag “" + "T" * 51 + "” is too long (at most 50 characters)."),
])
def test_invalid_details_are_refused_beside_the_field(staff, data, field, message):
    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH,
                          data={"institution_kind": "other", "locale": "de", **data})

    assert response.status_code == 422
    assert field_error(response, field) == message
    assert address_book() == {}


def test_staff_edit_a_contact(staff, book):
    anna = book["anna"]

    response = staff.post(url_for("contacts_staff.edit", contact_id=anna.id), headers=ENGLISH, data={
        "name": "Dr. Anna Schmidt", "email": "Anna.Schmidt@ihk.example.net", "institution_name": "IHK Trier",
        "institution_kind": "chamber", "tags": "Forum, Vorstand", "locale": "de"})

    assert response.status_code == 302
    book_now = address_book()
    assert "anna@ihk.example.net" not in book_now
    anna = book_now["anna.schmidt@ihk.example.net"]
    assert (anna.name, anna.email, anna.tags) == ("Dr. Anna Schmidt", "Anna.Schmidt@ihk.example.net",
                                                  ["Forum", "Vorstand"])


def test_the_edit_page_shows_the_details_and_where_the_contact_came_from(staff, book):
    response = staff.get(url_for("contacts_staff.edit", contact_id=book["carla"].id), headers=ENGLISH)

    assert response.status_code == 200
    assert field_value(response, "name") == "Carla Neu"
    assert field_value(response, "tags") == "Forum, Newsletter"
    root = page(response)
    assert root.one(id="subscription").text.startswith("Unsubscribed on")
    assert "typed in" in root.one("dl").text


def test_editing_to_an_address_another_contact_has_is_refused_beside_the_field(staff, book):
    before = snapshot()

    response = staff.post(url_for("contacts_staff.edit", contact_id=book["anna"].id), headers=ENGLISH, data={
        "name": "Anna Schmidt", "email": "Carla@Example.ORG", "institution_name": "IHK Trier",
        "institution_kind": "chamber", "tags": "Forum", "locale": "de"})

    assert response.status_code == 422
    assert field_error(response, "email") == "Another contact already has this email address: Carla Neu."
    assert field_value(response, "email") == "Carla@Example.ORG"
    assert snapshot() == before


def test_editing_an_unsubscribed_contact_does_not_resubscribe_them(staff, book):
    carla = book["carla"]
    unsubscribed_at = carla.unsubscribed_at

    response = staff.post(url_for("contacts_staff.edit", contact_id=carla.id), headers=ENGLISH, data={
        "name": "Carla Neu-Meyer", "email": "carla@example.org", "institution_name": "Caritas Trier",
        "institution_kind": "charity", "tags": "Forum", "locale": "de"})

    assert response.status_code == 302
    carla = address_book()["carla@example.org"]
    assert carla.name == "Carla Neu-Meyer" and carla.unsubscribed_at == unsubscribed_at


def test_resubscribing_needs_an_explicit_confirmation(staff, book):
    carla = book["carla"]

    refused = staff.post(url_for("contacts_staff.resubscribe", contact_id=carla.id), headers=ENGLISH, data={})

    assert refused.status_code == 422
    assert field_error(refused, "confirm").startswith("Only resubscribe someone who asked for it")
    assert address_book()["carla@example.org"].unsubscribed_at is not None

    done = staff.post(url_for("contacts_staff.resubscribe", contact_id=carla.id), headers=ENGLISH,
                      data={"confirm": "y"})

    assert done.status_code == 302
    assert address_book()["carla@example.org"].unsubscribed_at is None


def test_an_unknown_contact_is_404(staff):
    assert staff.get(url_for("contacts_staff.edit", contact_id=999), headers=ENGLISH).status_code == 404


# --- delete ---------------------------------------------------------------------

def test_deleting_asks_first_then_deletes(staff, book):
    anna = book["anna"]

    question = staff.get(url_for("contacts_staff.delete", contact_id=anna.id), headers=ENGLISH)

    assert question.status_code == 200
    assert page(question).one("h1").text == "Delete Anna Schmidt?"
    assert "anna@ihk.example.net" in address_book(), "asking deletes nothing"

    response = staff.post(url_for("contacts_staff.delete", contact_id=anna.id), headers=ENGLISH)

    assert response.status_code == 302
    assert "anna@ihk.example.net" not in address_book()
    assert len(address_book()) == 3


# --- import through the pages -----------------------------------------------------

def upload(client, data: bytes, filename: str = "network.csv"):
    return client.post(url_for("contacts_staff.import_upload"), headers=ENGLISH, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename)})


def test_the_import_shows_a_preview_and_imports_only_when_confirmed(staff, add_contact):
    add_contact("Anna Schmidt", "anna.schmidt@example.org", institution_name="IHK Trier",
                institution_kind="chamber", tags="Forum")
    add_contact("Bernd Weg", "bernd@example.org", unsubscribed=True)
    before = snapshot()

    preview = upload(staff, sample("network.csv"))

    assert preview.status_code == 200
    assert snapshot() == before, "the preview writes nothing"
    root = page(preview)
    rows = {int(row[0]): row for row in row_texts(preview, "lines")}
    assert sorted(rows) == [2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15]
    assert rows[2][1] == "new"
    assert rows[3][1] == "update" and "Tags: + Ausbildung" in rows[3][4]
    assert rows[4][1] == "error" and "does not look like an email address" in rows[4][4]
    assert rows[6][4] == "The name is missing."
    assert rows[7][1] == "new" and rows[7][4] == (
        "Unknown kind of organisation “spaceship”: imported as “Other”. Known kinds: Chamber (IHK, HWK), "
        "Authority (state, federal), "
        "Employment agency / job centre, City, District, Charity, School, Company, Volunteer initiative, Other.")
    assert rows[8][1] == "update" and "Same address as line 2" in rows[8][4]
    assert "Language: Deutsch → English" in rows[8][4]
    assert "Institution: – → Jobcenter Trier" in rows[10][4]
    assert "stays unsubscribed" in rows[10][4]
    assert rows[12][1] == "no change"
    # Contacts, as the import will count them: line 8 adds to line 2's new contact.
    assert root.one(id="summary").text == ("3 new contacts 2 contacts updated 1 line changes nothing "
                                           "5 lines with errors are left out 1 line with a warning is imported")
    # The institutions the file names that Podium does not have yet, each once, with its kind.
    assert root.one(id="new-institutions-heading").text == "4 institutions will be added"
    assert [item.text for item in root.one(id="new-institutions").one("ul").find_all("li")] == [
        "Caritas Trier Charity", "Firma X Other", "Jobcenter Trier Employment agency / job centre",
        "HWK Trier Chamber (IHK, HWK)"]
    form = root.one("form", id="import-form")
    assert form.one("button").text == "Import now: 3 new contacts, 2 contacts updated"

    token = form.one("input", name="token").attrs["value"]
    response = staff.post(url_for("contacts_staff.import_confirm"), headers=ENGLISH, data={"token": token})

    assert response.status_code == 302
    assert sorted(address_book()) == ["anna.schmidt@example.org", "bernd@example.org", "carla@example.org",
                                      "fritz@example.org", "gina@example.org"]
    listing = staff.get(response.headers["Location"], headers=ENGLISH)
    assert page(listing).one("p", class_="flash").text == (
        "Imported from network.csv: 3 new contacts, 2 contacts updated. 4 institutions were added. "
        "5 lines with errors were left out.")
    assert institutions()["Caritas Trier"] == "charity"


def test_one_of_each_is_said_in_the_singular_in_the_preview_on_the_button_and_afterwards(staff, add_contact):
    add_contact("Anna Schmidt", "anna@example.org")
    data = b"name,email,tags\nBen Neu,ben@example.org,\nAnna Schmidt,anna@example.org,Forum\nOhne,kaputt,\n"

    preview = page(upload(staff, data, "eins.csv"))
    form = preview.one("form", id="import-form")
    response = staff.post(url_for("contacts_staff.import_confirm"), headers=ENGLISH,
                          data={"token": form.one("input", name="token").attrs["value"]})
    flash = page(staff.get(response.headers["Location"], headers=ENGLISH)).one("p", class_="flash").text

    assert preview.one(id="summary").text == ("1 new contact 1 contact updated 0 lines change nothing "
                                              "1 line with errors is left out")
    assert form.one("button").text == "Import now: 1 new contact, 1 contact updated"
    assert preview.one("form", id="rejected-form").one("button").text == (
        "Download the 1 line left out (CSV for Excel)")
    assert flash == "Imported from eins.csv: 1 new contact, 1 contact updated. 1 line with errors was left out."


def test_only_updates_are_counted_as_such_and_a_clean_file_mentions_no_errors(staff, add_contact):
    add_contact("Anna Schmidt", "anna@example.org")
    add_contact("Ben Alt", "ben@example.org")
    data = b"name,email,tags\nAnna Schmidt,anna@example.org,Forum\nBen Alt,ben@example.org,Forum\n"

    form = page(upload(staff, data, "zwei.csv")).one("form", id="import-form")
    response = staff.post(url_for("contacts_staff.import_confirm"), headers=ENGLISH,
                          data={"token": form.one("input", name="token").attrs["value"]})
    flash = page(staff.get(response.headers["Location"], headers=ENGLISH)).one("p", class_="flash").text

    assert form.one("button").text == "Import now: 2 contacts updated"
    assert flash == "Imported from zwei.csv: 2 contacts updated."


def test_a_confirmation_after_a_change_shows_the_fresh_preview(staff, add_contact):
    preview = upload(staff, sample("network.csv"))
    token = page(preview).one("form", id="import-form").one("input", name="token").attrs["value"]
    add_contact("Gina Gleich", "gina@example.org")
    before = snapshot()

    response = staff.post(url_for("contacts_staff.import_confirm"), headers=ENGLISH, data={"token": token})

    assert response.status_code == 409
    notice = page(response).one("p", class_="alert").text
    assert notice.startswith("The contacts have changed since the preview")
    assert {int(row[0]): row[1] for row in row_texts(response, "lines")}[11] == "update"
    assert snapshot() == before


def test_a_broken_confirmation_asks_for_the_file_again(staff):
    response = staff.post(url_for("contacts_staff.import_confirm"), headers=ENGLISH, data={"token": "forged.token"})

    assert response.status_code == 400
    summary = page(response).one(role="alert")
    assert [item.text for item in summary.find_all("li")] == [
        "This preview has expired or is not valid. Please upload the file again."]


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04\x14\x00\x06\x00", "This is not a CSV file."),
    (b"Name;Telefon\nAnna;123\n", "The file has no email column."),
])
def test_an_unreadable_file_is_refused_beside_the_file_field(staff, data, message):
    response = upload(staff, data, "contacts_staff.xlsx")

    assert response.status_code == 422
    assert field_error(response, "file").startswith(message)


def test_the_import_needs_a_file(staff):
    response = staff.post(url_for("contacts_staff.import_upload"), headers=ENGLISH, data={})

    assert response.status_code == 422
    assert field_error(response, "file") == "Please choose a CSV file."


def test_a_file_that_changes_nothing_offers_no_import_button(staff, add_contact):
    add_contact("Anna Schmidt", "anna@example.org")

    response = upload(staff, b"name,email\nAnna Schmidt,ANNA@example.org\n")

    root = page(response)
    assert root.one(id="nothing").text == "There is nothing to import."
    assert root.find_all("input", name="token") == []
    assert re.search(r"1 line changes nothing", root.one(id="summary").text)


def test_the_preview_in_german_names_no_internal_codes_or_stored_values(staff, add_contact):
    from app.contacts.models import OrganisationKind
    from app.contacts.rules import _PROBLEM_TEXTS

    add_contact("Bernd Weg", "bernd@example.org", unsubscribed=True)
    response = staff.post(url_for("contacts_staff.import_upload"), content_type="multipart/form-data",
                          data={"file": (io.BytesIO(sample("network.csv")), "network.csv")})
    text = page(response).one("table", id="lines").text

    assert page(response).one("html").get("lang") == "de"
    assert "Sonstige" in text and "Agentur für Arbeit" in text, "kinds by their German names"
    for code in _PROBLEM_TEXTS:
        assert code not in text
    for kind in OrganisationKind:
        assert not re.search(rf"\b{re.escape(kind.value)}\b", text), kind.value



def test_other_takes_in_the_contacts_of_no_institution_as_the_campaign_audience_does(staff, add_contact):
    # One meaning of "other" for the list's filter, its counts and a campaign's audience by kinds.
    add_contact("Anna Schmidt", "anna@example.org", institution_name="IHK Trier", institution_kind="chamber")
    add_contact("Olga Ohne", "olga@example.org")
    add_contact("Otto Andere", "otto@example.org", institution_name="Firma X", institution_kind="other")

    response = staff.get(url_for("contacts_staff.index", kind="other"), headers=ENGLISH)
    invited = resolve_audience(make_audience("kinds", kinds=["other"])).contacts

    assert [row[0] for row in row_texts(response, "contacts")] == ["Olga Ohne", "Otto Andere"]
    assert sorted(contact.name for contact in invited) == ["Olga Ohne", "Otto Andere"]
    kinds = [o.text for o in page(response).one("select", name="kind").find_all("option")]
    assert "Other (2)" in kinds and "Chamber (IHK, HWK) (1)" in kinds
