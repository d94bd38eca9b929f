"""Exporting contacts to CSV: spreadsheet-safe, and the import reads it back unchanged."""
import csv
import io

import pytest
from flask import url_for

from app.contacts import imports, services
from app.contacts.imports import ImportAction
from app.contacts.services import ContactFilter
from app.csvexport import csv_text
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH

from .conftest import organisation_of, snapshot


@pytest.fixture
def book(add_contact):
    return [
        add_contact("Jürgen Weiß", "Juergen.Weiss@example.org", institution_name="Handwerkskammer Trier",
                    institution_kind="chamber", tags="Ausbildung, Forum"),
        add_contact("=HYPERLINK(\"http://evil.example\";\"Klick\")", "=cmd@example.org",
                    institution_name="+49 651 123", institution_kind="company", tags="-minus, @at", locale="en"),
        add_contact("@SUM(A1:A9)", "sum@example.org", institution_name="-Minus GmbH", institution_kind="other"),
        add_contact("Carla Neu", "carla@example.org", institution_name="Caritas, Trier",
                    institution_kind="charity", tags="Forum", unsubscribed=True),
    ]


def export(criteria: ContactFilter | None = None, delimiter: str = ",") -> str:
    """The plain export as the page sends it, with `delimiter` between the cells."""
    columns = services.EXPORT_COLUMNS
    rows = ([column.value(contact) for column in columns]
            for contact in services.export_contacts(criteria or ContactFilter()))
    return csv_text([column.key for column in columns], rows, delimiter=delimiter)


def read(text: str, delimiter: str = ",") -> list[dict]:
    assert text.startswith("\ufeff"), "a BOM, so that Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_cells_a_spreadsheet_would_run_as_formulas_are_escaped(book):
    rows = {row["email"]: row for row in read(export())}

    tricky = rows["'=cmd@example.org"]
    assert tricky["name"] == "'=HYPERLINK(\"http://evil.example\";\"Klick\")"
    assert tricky["institution"] == "'+49 651 123"
    assert tricky["tags"] == "'-minus, '@at"  # a spreadsheet splitting on the comma starts "@at" a cell
    assert rows["sum@example.org"]["name"] == "'@SUM(A1:A9)"
    assert rows["sum@example.org"]["institution"] == "'-Minus GmbH"
    assert rows["Juergen.Weiss@example.org"]["name"] == "Jürgen Weiß"


def test_the_export_has_the_headers_the_import_reads(book):
    text = export()

    assert text[1:].splitlines()[0] == (
        "name,email,institution,kind,tags,language,consent,source,source_at,unsubscribed_at")
    carla = next(row for row in read(text) if row["email"] == "carla@example.org")
    assert (carla["institution"], carla["kind"], carla["tags"], carla["language"]) == (
        "Caritas, Trier", "charity", "Forum", "de")
    assert carla["source"] == "typed in" and carla["source_at"] and carla["unsubscribed_at"]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_an_export_imported_again_changes_nothing(book, delimiter):
    before = snapshot()

    exported = export(delimiter=delimiter).encode("utf-8")

    preview = imports.preview_import(exported, "export.csv")

    assert [line.action for line in preview.lines] == [ImportAction.unchanged] * 4
    assert not preview.has_changes
    assert preview.ignored_columns == ("source", "source_at", "unsubscribed_at")
    assert snapshot() == before


def test_an_export_imported_into_an_empty_address_book_gives_the_same_contacts(book):
    exported = export().encode("utf-8")
    def details(contact):
        return (contact.name, contact.email, organisation_of(contact), contact.tags, contact.locale)

    fields = sorted(details(c) for c in book)
    for contact in book:
        services.delete_contact(contact.id, by=TEST_ACTOR)

    preview = imports.preview_import(exported, "export.csv")
    imports.apply_import(preview.token, by=TEST_ACTOR)

    assert preview.count(ImportAction.new) == 4 and preview.count(ImportAction.update) == 0
    found = services.find_contacts().items
    assert sorted(details(c) for c in found) == fields


def test_the_export_follows_the_filters(book):
    rows = read(export(ContactFilter(tag="Forum", unsubscribed=False)))

    assert [row["email"] for row in rows] == ["Juergen.Weiss@example.org"]


def test_the_export_page_downloads_a_csv_file(staff, book):
    response = staff.get(url_for("contacts_staff.export", tag="Forum"), headers=ENGLISH)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert [row["email"] for row in read(response.get_data(as_text=True))] == [
        "carla@example.org", "Juergen.Weiss@example.org"]


def test_the_export_for_german_excel_uses_semicolons_and_german_names(staff, book):
    response = staff.get(url_for("contacts_staff.export", format="excel"))

    text = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].endswith('-excel.csv"')
    header = text[1:].splitlines()[0].split(";")
    # The institution's column is named as the German catalogue has it; the import knows both words.
    assert header[:2] == ["Name", "E-Mail"] and header[3:6] == ["Art der Organisation", "Schlagwörter", "Sprache"]
    rows = {row["E-Mail"]: row for row in read(text, ";")}
    assert len(rows) == 4
    assert (rows["Juergen.Weiss@example.org"]["Art der Organisation"], rows["'=cmd@example.org"]["Sprache"]) == (
        "Kammer (IHK, HWK)", "English")
    assert rows["'=cmd@example.org"]["Name"].startswith("'=")  # still no formula


def test_the_excel_export_imported_again_changes_nothing(staff, book):
    before = snapshot()
    exported = staff.get(url_for("contacts_staff.export", format="excel")).get_data()

    preview = imports.preview_import(exported, "kontakte-excel.csv")

    assert [line.action for line in preview.lines] == [ImportAction.unchanged] * 4
    assert snapshot() == before
