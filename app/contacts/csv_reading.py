"""Reading a contacts file: its encoding, separator and columns, and each line checked.

Spreadsheets write CSV in many ways (Excel's "CSV UTF-8" with a BOM, "CSV (semicolon
separated)" in Windows-1252, LibreOffice in UTF-8 with commas, UTF-16 from some
exports); the header may be English or German. Everything here is about turning
such a file into clean rows; what importing them would do is imports.py's.
"""
import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..csvexport import csv_cell_text
from ..errors import InvalidInput
from ..i18n import LANGUAGE_NAMES
from ..text import clean_line, email_key
from .models import OrganisationKind
from .rules import Problem, field_problems, parse_tags

MAX_IMPORT_LINES = 5_000


class ImportFileRefused(InvalidInput):
    """The upload cannot be read as a list of contacts at all."""

    code = "import_file_refused"
    field = "file"


def _normalise(title: str) -> str:
    """A header or a word as the import compares it: case, spaces, hyphens and the like ignored."""
    return re.sub(r"[\W_]+", "", title.casefold())


COLUMN_NAMES = {
    "name": ("name", "full name", "vollständiger name", "voller name", "vor- und nachname", "ansprechpartner",
             "ansprechpartnerin", "ansprechperson", "kontakt"),
    "first_name": ("first name", "given name", "vorname"),
    "last_name": ("last name", "surname", "family name", "nachname", "familienname"),
    "email": ("email", "e-mail", "mail", "email address", "e-mail-adresse", "mailadresse"),
    "organisation": ("organisation", "organization", "org", "institution", "einrichtung", "firma",
                     "unternehmen", "organisation name"),
    "organisation_kind": ("kind", "art", "type", "typ", "kind of organisation", "kind of organization",
                          "organisation kind", "organisation type", "organization type", "organisationsart",
                          "organisationstyp", "art der organisation", "kategorie", "category"),
    "tags": ("tags", "tag", "schlagworte", "schlagwörter", "stichworte", "stichwörter", "labels"),
    "locale": ("language", "sprache", "lang", "locale"),
    "consent": ("consent", "consent given", "consent date", "consent on", "einwilligung", "einwilligung am",
                "einwilligung erteilt", "einverständnis", "zustimmung"),
}
COLUMN_BY_TITLE = {_normalise(title): column for column, titles in COLUMN_NAMES.items() for title in titles}

KIND_WORDS = {
    "kammer": "chamber", "ihk": "chamber", "hwk": "chamber", "handwerkskammer": "chamber",
    "industrie- und handelskammer": "chamber", "arbeitsagentur": "employment-agency",
    "agentur für arbeit": "employment-agency", "jobcenter": "employment-agency",
    "job centre": "employment-agency", "job center": "employment-agency", "stadt": "city",
    "stadtverwaltung": "city", "kommune": "city", "landkreis": "district", "kreis": "district",
    "kreisverwaltung": "district", "wohlfahrtsverband": "charity", "schule": "school",
    "unternehmen": "company",
    "firma": "company", "betrieb": "company", "ehrenamt": "volunteer", "ehrenamtlich": "volunteer",
    "sonstige": "other", "sonstiges": "other", "andere": "other",
}
# What a consent cell may say besides a date: given (the import's day is recorded), or not.
CONSENT_YES = {"yes", "y", "ja", "j", "x", "1", "true", "wahr"}
CONSENT_NO = {"no", "n", "nein", "0", "false", "falsch", "-"}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")
# A consent day before this year is a typing mistake (and year 1 would not even fit the database).
FIRST_CONSENT_YEAR = 1990
# Every way a file may name a language: its code, ISO 639-2 codes, its English and German names,
# its name in itself (as the export writes it, LANGUAGE_NAMES) and its usual other spellings.
LANGUAGE_WORDS = {
    "de": "de", "deu": "de", "ger": "de", "german": "de", "deutsch": "de",
    "en": "en", "eng": "en", "english": "en", "englisch": "en",
    "ar": "ar", "ara": "ar", "arabic": "ar", "arabisch": "ar", "عربي": "ar",
    "fa": "fa", "fas": "fa", "per": "fa", "persian": "fa", "persisch": "fa", "farsi": "fa",
    # Dari (prs) is the Persian of Afghanistan: its speakers read the Persian mails.
    "prs": "fa", "dari": "fa", "فارسي": "fa", "دری": "fa",
    "uk": "uk", "ukr": "uk", "ukrainian": "uk", "ukrainisch": "uk",
} | {name: code for code, name in LANGUAGE_NAMES.items()}

LANGUAGE_CODES = {_normalise(word): code for word, code in LANGUAGE_WORDS.items()}


@dataclass(frozen=True)
class ImportRow:
    """One good line of an import file, cleaned. Kind and language are "" where the file left them
    empty, or named a kind it does not know (with a warning: the person is imported all the same)."""

    line: int
    name: str
    email: str
    organisation: str
    organisation_kind: str
    tags: tuple[str, ...]
    locale: str
    warnings: tuple[Problem, ...] = ()
    # The consent the file states: "" (none), "yes" (given, day unknown) or the day ("2026-03-01").
    consent: str = ""

    @property
    def key(self) -> str:
        """The address as the address book matches it."""
        return email_key(self.email)


@dataclass(frozen=True)
class RejectedLine:
    line: int
    name: str
    email: str
    problems: tuple[Problem, ...]
    cells: tuple[str, ...] = ()  # as the file has them, to be fixed and imported again


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ImportRow]
    rejected: list[RejectedLine]
    ignored_columns: list[str]
    header: list[str]  # the header line's cells, as the file has them


def read_csv(data: bytes) -> ParsedFile:
    """The file's lines, each cleaned and checked, or set aside with its problems.

    :raises ImportFileRefused: the file as a whole cannot be read (encoding, header, size).
    """
    text = _decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ImportFileRefused(_l("The file is empty."))
        columns, ignored = _columns(header)
        kinds = _kind_aliases()
        rows, rejected = [], []
        end_of_previous = reader.line_num
        for cells in reader:
            # A quoted cell may hold line breaks: a record starts after the previous one ended.
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(rejected) >= MAX_IMPORT_LINES:
                raise ImportFileRefused(_l("The file has more than %(max)s lines; please split it.",
                                           max=MAX_IMPORT_LINES))
            parsed = _parse_line(line, cells, columns, width=len(header), kinds=kinds)
            (rejected if isinstance(parsed, RejectedLine) else rows).append(parsed)
    except csv.Error as exc:
        raise ImportFileRefused(_l("Line %(line)s cannot be read as CSV (%(reason)s).",
                                   line=reader.line_num, reason=str(exc))) from None
    return ParsedFile(rows, rejected, ignored, list(header))


def _decode(data: bytes) -> str:
    not_csv = _l("This is not a CSV file. In Excel, use “Save as” with “CSV UTF-8” or “CSV (semicolon "
                 "separated)”.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileRefused(not_csv) from None
    else:
        data = data.removeprefix(codecs.BOM_UTF8)
        if b"\x00" in data:
            raise ImportFileRefused(not_csv)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel's "CSV (semicolon separated)" on Windows writes Windows-1252; latin-1 takes any byte.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    if "\x00" in text:
        raise ImportFileRefused(not_csv)
    return text


def _delimiter(text: str) -> str:
    """The separator under which the header line names the most known columns."""
    def recognised(delimiter: str) -> int:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        return sum(_normalise(csv_cell_text(title)) in COLUMN_BY_TITLE for title in header)

    try:
        return max((",", ";", "\t"), key=recognised)
    except csv.Error:
        return ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(header):
        title = clean_line(csv_cell_text(title))
        column = COLUMN_BY_TITLE.get(_normalise(title))
        if column is None:
            if title:
                ignored.append(title)
        elif column in columns:
            raise ImportFileRefused(_l("The header line names the column “%(title)s” twice.", title=title))
        else:
            columns[column] = index
    if "email" not in columns:
        raise ImportFileRefused(_l("The file has no email column. Its first line must name the columns, "
                                   "e.g. name, email, organisation, kind, tags, language (German names work "
                                   "too: Name, E-Mail, Organisation, Art, Tags, Sprache)."))
    if "name" not in columns and "first_name" not in columns and "last_name" not in columns:
        raise ImportFileRefused(_l("The file has no name column. Its first line must name the columns, "
                                   "e.g. name, email, organisation, kind, tags, language (German names work "
                                   "too: Name, E-Mail, Organisation, Art, Tags, Sprache)."))
    return columns, ignored



def _parse_line(line: int, cells: list[str], columns: dict[str, int], *, width: int,
                kinds: dict[str, str]) -> ImportRow | RejectedLine:
    def cell(column: str) -> str:
        # A spreadsheet cell may hold line breaks; here every run of blanks becomes one space.
        index = columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return " ".join(clean_line(csv_cell_text(cells[index])).split())

    name = cell("name") or " ".join(part for part in (cell("first_name"), cell("last_name")) if part)
    email = cell("email")
    organisation = cell("organisation")
    tags = parse_tags(cell("tags"))
    problems = []
    if any(extra.strip() for extra in cells[width:]):
        problems.append(Problem("", "too_many_cells", {"cells": len(cells), "columns": width}))
    problems += field_problems(name, email, organisation, tags)
    warnings = []
    kind = cell("organisation_kind")
    if kind:
        kind = kinds.get(_normalise(kind), kind)
        if kind not in OrganisationKind.__members__.values():
            # A kind is a detail: the person is imported, and the line says what became of it.
            warnings.append(Problem("organisation_kind", "unknown_kind", {"value": cell("organisation_kind")}))
            kind = ""
    locale = cell("locale")
    if locale:
        locale = LANGUAGE_CODES.get(_normalise(re.split(r"[-_]", locale)[0]), "")
        if locale not in current_app.config["LANGUAGES"]:
            problems.append(Problem("locale", "unknown_language", {"value": cell("locale")}))
    consent = _consent(cell("consent"))
    if consent is None:
        # Like a kind: the person is imported all the same, without a consent on record.
        warnings.append(Problem("consent", "unknown_consent", {"value": cell("consent")}))
    if problems:
        return RejectedLine(line, name, email, tuple(problems), tuple(cells))
    return ImportRow(line, name, email, organisation, kind, tuple(tags), locale, tuple(warnings), consent or "")


def _consent(value: str) -> str | None:
    """What a consent cell states: "" for none, "yes", or the day as ISO text; None if not understood
    (a day to come cannot be the day someone agreed, nor one before the first such record)."""
    word = value.strip().casefold()
    if not word or word in CONSENT_NO:
        return ""
    if word in CONSENT_YES:
        return "yes"
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(word, pattern).date()
        except ValueError:
            continue
        return day.isoformat() if FIRST_CONSENT_YEAR <= day.year and day <= date.today() else None
    return None


def _kind_aliases() -> dict[str, str]:
    """Every way a file may name a kind: its value, its labels in both languages and their parts."""
    aliases = {_normalise(word): value for word, value in KIND_WORDS.items()}
    for value in OrganisationKind:
        for language in ("en", "de"):
            with force_locale(language):
                text = str(value.label)
            outside = re.sub(r"\(.*?\)", " ", text)
            inside = [part for group in re.findall(r"\((.*?)\)", text) for part in group.split(",")]
            for part in (text, outside, *outside.split("/"), *inside):
                aliases.setdefault(_normalise(part), value)
        aliases[_normalise(value)] = str(value)
    aliases.pop("", None)
    return aliases

