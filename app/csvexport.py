"""CSV downloads for spreadsheets: UTF-8 with BOM, and no cell a spreadsheet would run.

Every export comes in two formats. The plain one is for programs: commas, the column keys
in English, stored values as they are. The Excel one is for people with a German Excel,
which opens a CSV file by double click only if it is separated by semicolons: semicolons,
the column titles and the values in the reader's language (labels, local times).
"""
import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets (CSV injection); a leading apostrophe makes it plain text again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
