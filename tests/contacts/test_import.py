"""Importing contacts from CSV: the preview says line by line what would happen, and confirming
does exactly that, all or nothing."""
import codecs

import pytest

from app.contacts import csv_reading, imports
from app.contacts.csv_reading import ImportFileRefused
from app.contacts.imports import ImportAction, ImportExpired, ImportOutdated
from app.database import utcnow
from app.extensions import db
from tests.conftest import TEST_ACTOR

from .conftest import address_book, institutions, organisation_of, sample, snapshot


@pytest.fixture
def network(add_contact):
    """The address book before the import of network.csv."""
    return {
        "anna": add_contact("Anna Schmidt", "anna.schmidt@example.org", institution_name="IHK Trier",
                            institution_kind="chamber", tags="Forum"),
        "bernd": add_contact("Bernd Weg", "bernd@example.org", unsubscribed=True),
        "zora": add_contact("Zora Still", "zora@example.org", institution_name="Stadt Trier",
                            institution_kind="city"),
    }


def summary(preview) -> list[tuple]:
    """(line, action, what changes or why not) for every line of the preview."""
    rows = []
    for line in preview.lines:
        if line.action == ImportAction.error:
            detail = [p.code for p in line.problems]
        else:
            detail = {c.field: (c.old, c.new) for c in line.changes}
        rows.append((line.line, line.action, detail))
    return rows


def test_the_preview_lists_every_line_with_its_number_and_what_it_would_do(network):
    before = snapshot()

    preview = imports.preview_import(sample("network.csv"), "network.csv")

    assert summary(preview) == [
        (2, ImportAction.new, {}),
        (3, ImportAction.update, {"tags": (["Forum"], ["Forum", "Ausbildung"])}),
        (4, ImportAction.error, ["bad_email"]),
        (6, ImportAction.error, ["missing_name"]),
        # An unknown kind is no reason to leave a person out: "other", with a warning.
        (7, ImportAction.new, {}),
        # The quoted organisation spans two physical lines (8 and 9).
        (8, ImportAction.update, {"tags": (["Forum", "Newsletter"], ["Forum", "Newsletter", "Ehrenamt"]),
                     "locale": ("de", "en")}),
        (10, ImportAction.update, {"institution": ("", "Jobcenter Trier")}),
        (11, ImportAction.new, {}),
        (12, ImportAction.unchanged, {}),
        (13, ImportAction.error, ["organisation_too_long"]),
        (14, ImportAction.error, ["unknown_language"]),
        (15, ImportAction.error, ["too_many_cells"]),
    ]
    lines = {line.line: line for line in preview.lines}
    assert lines[3].contact_id == network["anna"].id and lines[3].same_as_line is None
    assert lines[8].same_as_line == 2 and lines[8].contact_id is None
    assert lines[12].same_as_line == 11
    assert lines[10].unsubscribed is True and lines[10].contact_id == network["bernd"].id
    assert [preview.count(action) for action in (ImportAction.new, ImportAction.update, ImportAction.unchanged, ImportAction.error)] == [3, 3, 1, 5]
    assert [(line.line, [w.code for w in line.warnings]) for line in preview.lines if line.warnings] == [
        (7, ["unknown_kind"])]
    # Contacts, not lines: line 8 adds to the new contact of line 2.
    assert (preview.new_contacts, preview.updated_contacts, preview.rejected) == (3, 2, 5)
    # IHK Trier is an institution already; Caritas Trier is named twice (once across two lines), added once.
    assert preview.new_institutions == (("Caritas Trier", "charity"), ("Firma X", "other"),
                                        ("Jobcenter Trier", "employment-agency"), ("HWK Trier", "chamber"))
    assert snapshot() == before, "a preview writes nothing"


def test_the_preview_explains_errors_in_words(network):
    preview = imports.preview_import(sample("network.csv"), "network.csv")

    reasons = {line.line: [problem.message for problem in line.problems]
               for line in preview.lines if line.action == ImportAction.error}
    assert reasons == {
        4: ["This does not look like an email address (example: name@example.org)."],
        6: ["The name is missing."],
        13: ["The organisation is too long (at most 200 characters)."],
        14: ["Unknown language “fr”; use one of de, en, ar, fa, uk."],
        15: [("This line has more cells than the header line (7 instead of 6); check its quotes and "
              "separators.")],
    }
    warnings = {line.line: [w.message for w in line.warnings] for line in preview.lines if line.warnings}
    assert warnings == {7: [(
        "Unknown kind of organisation “spaceship”: imported as “Other”. Known kinds: Chamber (IHK, HWK), "
        "Authority (state, federal), "
        "Employment agency / job centre, City, District, Charity, School, Company, Volunteer initiative, Other.")]}


def test_an_unknown_kind_makes_a_new_institution_other_and_leaves_a_known_one_its_kind(add_contact):
    add_contact("Anna Schmidt", "anna@example.org", institution_name="IHK Trier", institution_kind="chamber")
    data = (b"name,email,organisation,kind\n"
            b"Fritz Falsch,fritz@example.org,Firma X,Raumschiff\n"
            b"Anna Schmidt,anna@example.org,ihk trier,Raumschiff\n")

    preview = imports.preview_import(data, "x.csv")
    result = imports.apply_import(preview.token, by=TEST_ACTOR)

    fritz, anna = preview.lines
    assert (fritz.action, anna.action) == (ImportAction.new, ImportAction.unchanged)
    assert fritz.warnings[0].message.startswith("Unknown kind of organisation “Raumschiff”: imported as “Other”.")
    assert anna.warnings[0].message.startswith(
        "Unknown kind of organisation “Raumschiff”: the institution keeps “Chamber (IHK, HWK)”.")
    book = address_book()
    assert (result.created, result.updated, result.errors, result.institutions) == (1, 0, 0, 1)
    assert organisation_of(book["fritz@example.org"]) == ("Firma X", "other")
    assert organisation_of(book["anna@example.org"]) == ("IHK Trier", "chamber")


def test_confirming_imports_exactly_what_the_preview_showed(network):
    preview = imports.preview_import(sample("network.csv"), "network.csv")
    before = utcnow()

    result = imports.apply_import(preview.token, by=TEST_ACTOR)

    assert (result.created, result.updated, result.errors) == (3, 2, 5)
    assert (result.created, result.updated, result.errors) == (
        preview.new_contacts, preview.updated_contacts, preview.rejected), "the preview said so"
    book = address_book()
    assert sorted(book) == ["anna.schmidt@example.org", "bernd@example.org", "carla@example.org",
                            "fritz@example.org", "gina@example.org", "zora@example.org"]
    assert organisation_of(book["fritz@example.org"]) == ("Firma X", "other")
    carla = book["carla@example.org"]
    assert (carla.name, carla.email, organisation_of(carla)) == (
        "Carla Neu", "carla@example.org", ("Caritas Trier", "charity"))
    assert (carla.tags, carla.locale) == (["Forum", "Newsletter", "Ehrenamt"], "en")
    assert carla.source == "CSV import network.csv" and carla.source_at >= before
    assert carla.unsubscribed_at is None
    gina = book["gina@example.org"]
    assert (organisation_of(gina), gina.tags, gina.locale) == (("HWK Trier", "chamber"), [], "en")

    anna = book["anna.schmidt@example.org"]
    assert anna.tags == ["Forum", "Ausbildung"], "tags are added, in the spelling already in use"
    assert anna.email == "anna.schmidt@example.org", "the address keeps the spelling it had"
    assert anna.source == "typed in", "an updated contact keeps its origin"

    bernd = book["bernd@example.org"]
    assert organisation_of(bernd) == ("Jobcenter Trier", "employment-agency")
    assert bernd.unsubscribed_at == network["bernd"].unsubscribed_at, "unsubscribed stays unsubscribed"

    zora = book["zora@example.org"]
    assert (organisation_of(zora), zora.updated_at) == (("Stadt Trier", "city"), network["zora"].updated_at)
    # Each institution once, however often and in whatever spelling the file names it.
    assert institutions() == {"IHK Trier": "chamber", "Stadt Trier": "city", "Caritas Trier": "charity",
                              "Firma X": "other", "Jobcenter Trier": "employment-agency", "HWK Trier": "chamber"}


def test_a_failure_half_way_leaves_the_contacts_as_they_were(network, monkeypatch):
    preview = imports.preview_import(sample("network.csv"), "network.csv")
    before = snapshot()
    real_save = imports._save_draft
    saved = []

    def save_then_fail(key, draft, **kwargs):
        # Carla (new) and Anna (update) reach the database before the third write fails.
        if len(saved) == 2:
            raise RuntimeError("disk full")
        saved.append(key)
        return real_save(key, draft, **kwargs)

    monkeypatch.setattr(imports, "_save_draft", save_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        imports.apply_import(preview.token, by=TEST_ACTOR)

    assert saved == ["carla@example.org", "anna.schmidt@example.org"]
    assert not db.session().in_transaction(), "the import rolled its transaction back"
    assert snapshot() == before
    monkeypatch.undo()
    assert imports.apply_import(preview.token, by=TEST_ACTOR).created == 3, "the same preview can be confirmed afterwards"


def test_a_change_since_the_preview_refuses_the_import_and_offers_a_fresh_preview(network, add_contact):
    preview = imports.preview_import(sample("network.csv"), "network.csv")
    add_contact("Gina Gleich", "Gina@example.org", institution_name="HWK Trier", institution_kind="chamber")
    before = snapshot()

    with pytest.raises(ImportOutdated) as refused:
        imports.apply_import(preview.token, by=TEST_ACTOR)

    assert snapshot() == before
    fresh = refused.value.preview
    assert [(line.line, line.action) for line in fresh.lines if line.line in (11, 12)] == [
        (11, ImportAction.update), (12, ImportAction.unchanged)]
    assert imports.apply_import(fresh.token, by=TEST_ACTOR).created == 2


def test_confirming_twice_imports_once(network):
    preview = imports.preview_import(sample("network.csv"), "network.csv")
    imports.apply_import(preview.token, by=TEST_ACTOR)
    after_first = snapshot()

    with pytest.raises(ImportOutdated) as refused:
        imports.apply_import(preview.token, by=TEST_ACTOR)

    assert snapshot() == after_first
    assert refused.value.preview.count(ImportAction.new) == 0


def test_a_forged_or_old_preview_is_refused(network, monkeypatch):
    token = imports.preview_import(sample("network.csv"), "network.csv").token
    before = snapshot()

    with pytest.raises(ImportExpired):
        imports.apply_import(token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), by=TEST_ACTOR)
    monkeypatch.setattr(imports, "TOKEN_MAX_AGE_SECONDS", -1)
    with pytest.raises(ImportExpired):
        imports.apply_import(token, by=TEST_ACTOR)
    assert snapshot() == before


def test_an_excel_file_with_semicolons_windows_1252_and_german_headers(app):
    preview = imports.preview_import(sample("excel_de.csv"), "Netzwerk.csv")
    assert [line.action for line in preview.lines] == [ImportAction.new, ImportAction.new, ImportAction.new]

    imports.apply_import(preview.token, by=TEST_ACTOR)

    book = address_book()
    juergen, renee = book["juergen.weiss@example.org"], book["renee@example.org"]
    zoe = book["zoe@example.org"]
    assert (juergen.name, organisation_of(juergen), juergen.tags, juergen.locale) == (
        "Jürgen Weiß", ("Handwerkskammer Trier", "chamber"), ["Ausbildung", "Forum"], "de")
    assert (renee.name, organisation_of(renee)[1], renee.tags, renee.locale) == (
        "Renée Größer", "school", ["Bildung"], "en")
    assert (zoe.name, organisation_of(zoe)) == ("Zoë Çelik", ("Euro-Hilfe € e.V.", "charity"))
    assert juergen.source == "CSV import Netzwerk.csv"


TEXT = ("Name{d}E-Mail-Adresse{d}Firma{d}Typ{d}Schlagworte{d}Sprache\r\n"
        "Jürgen Weiß{d}juergen@example.org{d}Müller & Söhne{d}Unternehmen{d}\"Forum; Ausbildung\"{d}"
        "de-DE\r\n")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252", "latin-1", "utf-16"])
def test_encodings_and_separators_excel_writes_read_the_same(app, encoding, delimiter):
    data = TEXT.format(d=delimiter).encode(encoding)

    preview = imports.preview_import(data, "export.csv")
    imports.apply_import(preview.token, by=TEST_ACTOR)

    contact = address_book()["juergen@example.org"]
    assert (contact.name, organisation_of(contact), contact.tags, contact.locale) == (
        "Jürgen Weiß", ("Müller & Söhne", "company"), ["Forum", "Ausbildung"], "de")


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_read_as_latin1(app):
    preview = imports.preview_import(b"name,email\nJ\xfcrgen\x81 M,j@example.org\n", "old.csv")

    assert [(line.action, line.name) for line in preview.lines] == [(ImportAction.new, "Jürgen M")]


def test_first_and_last_name_columns_make_the_name(app):
    data = b"Vorname;Nachname;E-Mail\nAnna;Schmidt;anna@example.org\n"

    preview = imports.preview_import(data, "x.csv")

    assert [line.name for line in preview.lines] == ["Anna Schmidt"]


def test_unknown_columns_are_named_in_the_preview_and_left_alone(app):
    data = codecs.BOM_UTF8 + b"name,email,Telefon\nAnna,anna@example.org,0651 123\n"

    preview = imports.preview_import(data, "x.csv")

    assert preview.ignored_columns == ("Telefon",)
    assert preview.count(ImportAction.new) == 1


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"name,organisation\nAnna,IHK\n", "The file has no email column."),
    (b"email,organisation\nanna@example.org,IHK\n", "The file has no name column."),
    (b"name,email,E-Mail\nAnna,a@example.org,b@example.org\n",
     "The header line names the column “E-Mail” twice."),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "This is not a CSV file."),
])
def test_a_file_that_cannot_be_read_as_a_contact_list_is_refused_as_a_whole(app, data, message):
    with pytest.raises(ImportFileRefused) as refused:
        imports.preview_import(data, "x.csv")

    assert str(refused.value).startswith(message)


def test_files_too_large_are_refused(app, monkeypatch):
    monkeypatch.setattr(csv_reading, "MAX_IMPORT_LINES", 2)
    data = b"name,email\n" + b"".join(b"P%d,p%d@example.org\n" % (n, n) for n in range(3))

    with pytest.raises(ImportFileRefused, match="more than 2 lines"):
        imports.preview_import(data, "x.csv")
    with pytest.raises(ImportFileRefused, match="larger than 1 MB"):
        imports.preview_import(b"name,email\n" + b"x" * imports.MAX_IMPORT_BYTES, "x.csv")


def test_the_source_names_the_file_without_its_folders(app):
    preview = imports.preview_import(b"name,email\nAnna,anna@example.org\n", "C:\\Users\\office\\netz.csv")

    imports.apply_import(preview.token, by=TEST_ACTOR)

    assert address_book()["anna@example.org"].source == "CSV import netz.csv"


def test_two_lines_naming_a_new_institution_in_two_spellings_add_it_once(app):
    data = (b"name,email,organisation,kind\n"
            b"Anna Schmidt,anna@example.org,Handwerkskammer Trier,chamber\n"
            b"Ben Weber,ben@example.org,handwerkskammer  trier,\n")

    preview = imports.preview_import(data, "x.csv")
    result = imports.apply_import(preview.token, by=TEST_ACTOR)

    assert preview.new_institutions == (("Handwerkskammer Trier", "chamber"),)
    assert result.institutions == 1
    assert institutions() == {"Handwerkskammer Trier": "chamber"}
    book = address_book()
    assert book["anna@example.org"].institution_id == book["ben@example.org"].institution_id is not None
