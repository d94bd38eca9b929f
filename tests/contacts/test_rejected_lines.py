"""The lines an import leaves out, as a file to fix in a German Excel and import again."""
import csv
import io

from flask import url_for

from tests.pages import ENGLISH

from .conftest import address_book
from .pages import page
from .test_pages import upload

FILE = (b"name,email,organisation\r\n"
        b"Anna Schmidt,anna@example.org,IHK Trier\r\n"
        b"=HYPERLINK(\"http://evil.example\";\"Klick\"),kaputt,-Minus GmbH\r\n"
        b",ben@example.org,\"Caritas\r\nTrier\"\r\n"
        b"Jan Zuviel,jan@example.org,Stadt,extra\r\n")


def download(staff, preview) -> tuple:
    """Press the preview's download button; the response and the file's rows."""
    form = page(preview).one("form", id="rejected-form")
    response = staff.post(url_for("contacts_staff.import_rejected"), headers=ENGLISH,
                          data={"token": form.one("input", name="token").attrs["value"]})
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "a BOM, so that Excel reads UTF-8"
    return response, list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_the_lines_left_out_download_with_their_cells_and_the_reason(staff):
    preview = upload(staff, FILE, "netz.csv")

    response, rows = download(staff, preview)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="netz-not-imported.csv"'
    assert rows == [
        ["Why not imported", "name", "email", "organisation"],
        ["Line 3: This does not look like an email address (example: name@example.org).",
         "'=HYPERLINK(\"http://evil.example\";\"Klick\")", "kaputt", "'-Minus GmbH"],
        ["Line 4: The name is missing.", "", "ben@example.org", "Caritas\r\nTrier"],
        [("Line 6: This line has more cells than the header line (4 instead of 3); check its quotes and "
          "separators."), "Jan Zuviel", "jan@example.org", "Stadt", "extra"],
    ]
    assert address_book() == {}, "downloading imports nothing"


def test_the_fixed_file_imports_and_its_reason_column_is_left_alone(staff):
    _response, rows = download(staff, upload(staff, FILE, "netz.csv"))
    rows[1][1:3] = ["Fritz Formel", "fritz@example.org"]
    rows[2][1] = "Ben Neu"
    rows[3] = rows[3][:4]
    fixed = io.StringIO(newline="")
    csv.writer(fixed, delimiter=";").writerows(rows)

    preview = page(upload(staff, ("\ufeff" + fixed.getvalue()).encode(), "netz-not-imported.csv"))
    form = preview.one("form", id="import-form")
    staff.post(url_for("contacts_staff.import_confirm"), headers=ENGLISH,
               data={"token": form.one("input", name="token").attrs["value"]})

    assert preview.one(id="ignored").text == "These columns are not imported: Why not imported"
    assert preview.find("form", id="rejected-form") is None
    book = address_book()
    assert sorted(book) == ["ben@example.org", "fritz@example.org", "jan@example.org"]
    assert book["fritz@example.org"].institution.name == "-Minus GmbH", "the quote against formulas is taken off"
    assert book["ben@example.org"].institution.name == "Caritas Trier"


def test_a_header_cell_that_looks_like_a_formula_is_escaped_too(staff):
    preview = upload(staff, b"name,email,=cmd|' /C calc'!A0\nOhne,kaputt,x\n", "x.csv")

    _response, rows = download(staff, preview)

    assert rows[0] == ["Why not imported", "name", "email", "'=cmd|' /C calc'!A0"]


def test_a_file_without_errors_offers_no_download(staff):
    preview = page(upload(staff, b"name,email\nAnna,anna@example.org\n", "x.csv"))

    assert preview.find("form", id="rejected-form") is None


def test_a_forged_token_downloads_nothing_and_asks_for_the_file_again(staff):
    response = staff.post(url_for("contacts_staff.import_rejected"), headers=ENGLISH, data={"token": "forged"})

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Please upload the file again." in page(response).one(role="alert").text
