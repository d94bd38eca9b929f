"""CSV downloads for spreadsheets: UTF-8 with BOM, and no cell a spreadsheet would run."""
import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets (CSV injection); a leading apostrophe makes it plain text again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A German Excel opens CSV files with semicolons; everything else takes commas.
DELIMITERS = {"comma": ",", "semicolon": ";"}


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text that starts like a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Iterable[str], rows: Iterable[Iterable], *, delimiter: str = ",") -> str:
    """The table as CSV text with a BOM, which makes Excel read it as UTF-8 (umlauts intact)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


def csv_download(header: Iterable[str], rows: Iterable[Iterable], filename: str, *,
                 delimiter: str = ",") -> Response:
    """The table as a CSV attachment named `filename`."""
    response = Response(csv_text(header, rows, delimiter=delimiter), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as a spreadsheet cell: "2026-12-03 18:00" in `zone`, empty when there is none."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""
