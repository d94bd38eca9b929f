"""CSV downloads for spreadsheets: UTF-8 with BOM, and no cell a spreadsheet would run."""
import csv
import io

from flask import Response

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets (CSV injection); a leading apostrophe makes it plain text again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text that starts like a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_download(header: list[str], rows, filename: str) -> Response:
    """A CSV attachment; the BOM makes Excel read it as UTF-8 (umlauts intact)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
