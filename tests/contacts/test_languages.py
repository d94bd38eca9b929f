"""A contact's language is any of the five the mails are written in (de, en, ar, fa, uk): chosen on
the contact form, read from an import file however the file names it, and written by the export
so that the import reads it back unchanged."""
import pytest
from flask import url_for

from app.contacts import imports
from app.contacts.imports import ImportAction
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH

from .conftest import address_book, snapshot
from .pages import page
from .test_export import export


def test_the_contact_form_offers_the_five_languages_each_named_in_itself(staff):
    form = page(staff.get(url_for("contacts_staff.new"), headers=ENGLISH))

    choices = [radio for radio in form.find_all("input", type="radio") if radio.get("name") == "locale"]
    assert [radio.get("value") for radio in choices] == ["de", "en", "ar", "fa", "uk"]
    for name in ("Deutsch", "English", "العربية", "فارسی", "Українська"):
        assert name in form.text


@pytest.mark.parametrize("locale", ["ar", "fa", "uk"])
def test_staff_add_a_contact_who_reads_a_guest_language(staff, locale):
    response = staff.post(url_for("contacts_staff.new"), headers=ENGLISH, data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "institution_name": "", "tags": "",
        "locale": locale})

    assert response.status_code == 302
    assert address_book()["olena@example.org"].locale == locale


# Every way a file may name the languages: codes, codes with a region, English and German names,
# names in themselves (as the export writes them), and Dari for the Persian of Afghanistan.
NAMED = {
    "ar": ["ar", "ar-SY", "Arabic", "Arabisch", "العربية"],
    "fa": ["fa", "fa_AF", "Persian", "Farsi", "Dari", "فارسی"],
    "uk": ["uk", "uk-UA", "Ukrainian", "Ukrainisch", "Українська"],
}


def test_an_import_reads_each_language_however_the_file_names_it(app):
    lines = ["name,email,language"] + [f"Person {n},{code}{n}@example.org,{word}"
                                       for code, words in NAMED.items() for n, word in enumerate(words)]

    preview = imports.preview_import("\n".join(lines).encode("utf-8"), "languages.csv")
    imports.apply_import(preview.token, by=TEST_ACTOR)

    assert [line.action for line in preview.lines] == [ImportAction.new] * len(lines[1:])
    book = address_book()
    assert {email: contact.locale for email, contact in book.items()} == {
        f"{code}{n}@example.org": code for code, words in NAMED.items() for n in range(len(words))}


def test_an_unknown_language_names_the_ones_there_are(app):
    preview = imports.preview_import(b"name,email,language\nIda Sprache,ida@example.org,fr\n", "x.csv")

    [line] = preview.lines
    assert [problem.message for problem in line.problems] == [
        "Unknown language “fr”; use one of de, en, ar, fa, uk."]


@pytest.fixture
def readers(add_contact):
    return [add_contact(f"Reader {locale}", f"{locale}@example.org", locale=locale)
            for locale in ("ar", "fa", "uk")]


def test_the_export_names_the_languages_and_the_import_reads_them_back_unchanged(readers):
    before = snapshot()

    preview = imports.preview_import(export().encode("utf-8"), "export.csv")

    assert [line.action for line in preview.lines] == [ImportAction.unchanged] * 3
    assert snapshot() == before


def test_the_excel_export_names_each_language_in_itself_and_reads_back_unchanged(staff, readers):
    before = snapshot()
    exported = staff.get(url_for("contacts_staff.export", format="excel")).get_data()

    assert all(name.encode() in exported for name in ("العربية", "فارسی", "Українська"))
    preview = imports.preview_import(exported, "kontakte-excel.csv")
    assert [line.action for line in preview.lines] == [ImportAction.unchanged] * 3
    assert snapshot() == before
