"""The CSV export of an event's registrations: every status, UTF-8 with BOM, no formulas."""
import csv
import io

import pytest
from flask import url_for

from app.registrations.services import cancel_registration


def download(client, event):
    return client.get(url_for("registrations_staff.export", event_id=event.id))


def rows_of(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so that Excel shows the umlauts"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_has_every_registration_whatever_its_status(staff, make_event, sign_up):
    event = make_event(title="Forum Arbeitsmarkt", capacity=1)
    sign_up(event, name="Özlem Öztürk", organisation="Caritas Trier", email="oezlem@example.org",
            note="Rollstuhl")
    sign_up(event, name="Ben Weber", email="ben@example.org")
    gone = sign_up(event, name="Cem Yilmaz", email="cem@example.org")
    cancel_registration(gone.id)
    sign_up(make_event(), name="Fritz Anderswo")

    response = download(staff, event)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="registrations-{event.slug}.csv"'
    rows = rows_of(response)
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Özlem Öztürk", "confirmed"), ("Ben Weber", "waitlisted"), ("Cem Yilmaz", "cancelled")]
    oezlem = rows[0]
    assert (oezlem["email"], oezlem["organisation"], oezlem["note"], oezlem["source"]) == (
        "oezlem@example.org", "Caritas Trier", "Rollstuhl", "online")
    assert oezlem["registered_at"]  # local time, "YYYY-MM-DD HH:MM"
    assert rows[1]["waitlisted_at"] and rows[2]["cancelled_at"]


def test_an_event_without_registrations_exports_the_header(staff, make_event):
    response = download(staff, make_event())

    assert rows_of(response) == []
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith("name,email,organisation,")


@pytest.mark.parametrize("hostile", ["=cmd()", '=HYPERLINK("http://x")', "+49 651 123", "@SUM(1)", "-1+1"])
def test_cells_that_start_like_a_formula_come_out_as_text(staff, make_event, sign_up, hostile):
    event = make_event()
    sign_up(event, name=hostile, organisation=hostile, note=hostile)

    [row] = rows_of(download(staff, event))

    assert row["name"] == row["organisation"] == row["note"] == "'" + hostile


@pytest.mark.parametrize("hostile", ["Org;=1+1", "Org,=1+1", "Org;  @SUM(1)", "Org\t-2+3"])
def test_a_formula_after_a_separator_cannot_start_a_cell_in_any_spreadsheet(staff, make_event, sign_up, hostile):
    event = make_event()
    sign_up(event, name="Anna Schmidt", organisation=hostile)

    for format_ in ("csv", "excel"):
        text = staff.get(url_for("registrations_staff.export", event_id=event.id, format=format_)).get_data(
            as_text=True).lstrip("\ufeff")
        # However a spreadsheet splits the line (a German Excel splits a comma file on semicolons),
        # no cell starts like a formula.
        for separator in ",;\t":
            for row in csv.reader(io.StringIO(text), delimiter=separator):
                starts = [cell.lstrip() for cell in row]
                assert not [cell for cell in starts if cell[:1] in ("=", "+", "-", "@")], (format_, separator, row)


def test_the_example_from_the_issue(staff, make_event, sign_up):
    event = make_event()
    sign_up(event, name="=cmd()")

    assert "'=cmd()" in download(staff, event).get_data(as_text=True)
    assert ",=cmd()" not in download(staff, event).get_data(as_text=True)


def test_a_note_with_line_breaks_and_commas_stays_one_cell(staff, make_event, sign_up):
    event = make_event()
    sign_up(event, name="Weber, Ben", note='Zeile 1\nZeile 2, mit "Zitat"')

    [row] = rows_of(download(staff, event))

    assert (row["name"], row["note"]) == ("Weber, Ben", 'Zeile 1\nZeile 2, mit "Zitat"')


# --- for a German Excel -------------------------------------------------------------

def excel_rows(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_excel_download_has_semicolons_german_titles_and_readable_values(staff, make_event, sign_up):
    event = make_event(title="Forum Arbeitsmarkt", capacity=1)
    sign_up(event, name="Özlem Öztürk", organisation="Caritas Trier", affiliation="volunteer")
    sign_up(event, name="Weber; Ben", affiliation="professional")

    response = staff.get(url_for("registrations_staff.export", event_id=event.id, format="excel"))

    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="registrations-{event.slug}-excel.csv"'
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith("Name;E-Mail;Organisation;")
    rows = excel_rows(response)
    assert [(r["Name"], r["Status"], r["Nimmt teil als"]) for r in rows] == [
        ("Özlem Öztürk", "bestätigt", "Ehrenamtlich"), ("Weber; Ben", "auf der Warteliste", "Beruflich")]


def test_the_excel_download_keeps_formulas_out_too(staff, make_event, sign_up):
    event = make_event()
    sign_up(event, name="=cmd()", note="@SUM(1)")

    [row] = excel_rows(staff.get(url_for("registrations_staff.export", event_id=event.id, format="excel")))

    assert (row["Name"], row["Hinweis"]) == ("'=cmd()", "'@SUM(1)")
