"""CSV downloads for spreadsheets: UTF-8 with BOM, and no cell a spreadsheet would run.

Every export comes in two formats. The plain one is for programs: commas, the column keys
in English, stored values as they are. The Excel one is for people with a German Excel,
which opens a CSV file by double click only if it is separated by semicolons: semicolons,
the column titles and the values in the reader's language (labels, local times).
"""
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets (CSV injection); a leading apostrophe makes it plain text again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits on another separator than the file's own (a German Excel
# opening a comma file splits on semicolons) starts a new cell after it: "Org;=1+1"
# would run "=1+1". An apostrophe goes there too.
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t]\s*)(?=[=+\-@])")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text that starts like a formula, at its start or
    after a separator, gets an apostrophe there."""
    text = "" if value is None else str(value)
    text = ("'" + text if text.startswith(FORMULA_START) else text)
    return FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)


def csv_cell_text(cell: str) -> str:
    """The text csv_cell made this cell of (its apostrophes taken off), for reading our own
    exports back; any other cell as it is."""
    if "'" not in cell:
        return cell
    text = re.sub(r"([,;\t]\s*)'(?=[=+\-@])", r"\1", cell)
    text = text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text
    return text if csv_cell(text) == cell else cell


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


@dataclass(frozen=True)
class Column:
    """One column of an export."""

    key: str  # its header in the plain format: stable and English, for programs
    title: Any  # its header in the Excel format, in the reader's language (a lazy string)
    value: Callable[[Any], Any]  # the stored value of an item
    shown: Callable[[Any], Any] | None = None  # the value as people read it, if not the stored one


def table_download(columns: list[Column], items: Iterable, filename: str, *, excel: bool) -> Response:
    """The items as a CSV attachment: plain (commas, keys, stored values) or, with `excel`, for a
    German Excel (semicolons, titles and readable values). `filename` ends in ".csv"."""
    if excel:
        header = [str(column.title) for column in columns]
        rows = ([(column.shown or column.value)(item) for column in columns] for item in items)
        return csv_download(header, rows, filename.removesuffix(".csv") + "-excel.csv", delimiter=";")
    return csv_download([column.key for column in columns], ([column.value(item) for column in columns]
                                                            for item in items), filename)
