"""The contact network: the address book, its CSV import with a preview, and its export.

Importing takes two steps. `preview_import` reads the upload and plans every line
against the address book: new, update (with the fields that change), unchanged, or
error (with the reason). The cleaned rows and a digest of that plan travel to the
confirm form in a token signed with the app's secret key (compressed, at most
MAX_TOKEN_CHARS). A signed token rather than the upload kept in instance/, because
production runs several hosts without a shared disk, and because then no copy of
the file's personal data is left lying on the server. `apply_import` plans the same
rows again under the write lock and writes only if the plan is still exactly the one
the preview showed, all in one transaction; otherwise it writes nothing and offers a
fresh preview.
"""
import codecs
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError

from ..csvexport import csv_cell
from ..database import begin_write, lock_row, rolled_back_on_error, utcnow
from ..errors import DomainError, InvalidInput, NotFound
from ..extensions import db
from ..registrations.services import email_key
from ..text import clean_line
from .models import ORGANISATION_KIND_LABELS, CampaignRecipient, Contact, OrganisationKind

NAME_MAX = 200
EMAIL_MAX = 254
ORGANISATION_MAX = 200
TAG_MAX = 50
TAGS_MAX = 30
PAGE_SIZE = 100

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_LINES = 5_000
# The token is one form field; Werkzeug refuses fields above 500 kB.
MAX_TOKEN_CHARS = 400_000
TOKEN_MAX_AGE_SECONDS = 12 * 3600
TOKEN_SALT = "podium.contacts.import"

SOURCE_TYPED_IN = "typed in"
SOURCE_IMPORT_PREFIX = "CSV import "

KIND_VALUES = tuple(kind.value for kind in OrganisationKind)
TAG_SEPARATORS = re.compile(r"[,;]")

NEW = "new"
UPDATE = "update"
UNCHANGED = "unchanged"
ERROR = "error"

# What an import may change on a contact. The email stays as the address book has it.
MERGED_FIELDS = ("name", "organisation", "organisation_kind", "tags", "locale")

# The export's header line; the import reads it back (the last three columns are not imported).
EXPORT_COLUMNS = ("name", "email", "organisation", "kind", "tags", "language", "source", "source_at",
                  "unsubscribed_at")


# --- errors ----------------------------------------------------------------

class ContactRefused(InvalidInput):
    """A contact cannot be saved as given; `field` names the form field the message belongs to."""

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message)
        self.field = field


class DuplicateEmail(ContactRefused):
    message = _l("Another contact already has this email address.")

    def __init__(self, name: str | None = None):
        message = _l("Another contact already has this email address: %(name)s.", name=name) if name else None
        super().__init__(message, field="email")


class ImportFileRefused(InvalidInput):
    """The upload cannot be read as a list of contacts at all."""


class ImportExpired(DomainError):
    status_code = 400
    message = _l("This preview has expired or is not valid. Please upload the file again.")


class ImportOutdated(DomainError):
    """The address book changed between preview and confirmation; `preview` is the current one."""

    status_code = 409
    message = _l("The contacts have changed since the preview was made. Nothing was imported; "
                 "please check the updated preview.")

    def __init__(self, preview: "ImportPreview"):
        super().__init__()
        self.preview = preview


# --- what a line can be wrong about -----------------------------------------

_PROBLEM_TEXTS = {
    "missing_name": lambda p: _("The name is missing."),
    "name_too_long": lambda p: _("The name is too long (at most %(max)s characters).", **p),
    "missing_email": lambda p: _("The email address is missing."),
    "email_too_long": lambda p: _("The email address is too long (at most %(max)s characters).", **p),
    "bad_email": lambda p: _("This does not look like an email address (example: name@example.org)."),
    "organisation_too_long": lambda p: _("The organisation is too long (at most %(max)s characters).", **p),
    "tag_too_long": lambda p: _("The tag “%(tag)s” is too long (at most %(max)s characters).", **p),
    "too_many_tags": lambda p: _("At most %(max)s tags per contact.", **p),
    "unknown_kind": lambda p: _("Unknown kind of organisation “%(value)s”; known kinds: %(kinds)s.", **p),
    "unknown_language": lambda p: _("Unknown language “%(value)s”; use de or en.", **p),
    "too_many_cells": lambda p: _("This line has more cells than the header line (%(cells)s instead of "
                                  "%(columns)s); check its quotes and separators.", **p),
}


@dataclass(frozen=True)
class Problem:
    field: str  # the contact field at fault, "" for the line as a whole
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return _PROBLEM_TEXTS[self.code](self.params)


def _field_problems(name: str, email: str, organisation: str, tags: list[str]) -> list[Problem]:
    problems = []
    if not name:
        problems.append(Problem("name", "missing_name"))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", "name_too_long", {"max": NAME_MAX}))
    if not email:
        problems.append(Problem("email", "missing_email"))
    elif len(email) > EMAIL_MAX:
        problems.append(Problem("email", "email_too_long", {"max": EMAIL_MAX}))
    elif not _is_email(email):
        problems.append(Problem("email", "bad_email"))
    if len(organisation) > ORGANISATION_MAX:
        problems.append(Problem("organisation", "organisation_too_long", {"max": ORGANISATION_MAX}))
    problems += [Problem("tags", "tag_too_long", {"tag": tag, "max": TAG_MAX})
                 for tag in tags if len(tag) > TAG_MAX]
    if len(tags) > TAGS_MAX:
        problems.append(Problem("tags", "too_many_tags", {"max": TAGS_MAX}))
    return problems


def _is_email(email: str) -> bool:
    # The same check as the form's Email() validator, so a file and the form agree.
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# --- the address book --------------------------------------------------------

@dataclass(frozen=True)
class ContactFilter:
    """Which contacts a list or an export shows: words to search, a tag, a kind, subscription."""

    query: str = ""
    tag: str = ""
    kind: str = ""
    # True: only unsubscribed ones; False: only those who still receive invitations.
    unsubscribed: bool | None = None


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact]
    total: int  # how many match the filter
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class ContactCounts:
    total: int
    unsubscribed: int
    kinds: dict[str, int]  # kind value -> contacts
    tags: dict[str, int]  # tag -> contacts, alphabetical


def find_contacts(criteria: ContactFilter = ContactFilter(), *, page: int = 1,
                  per_page: int | None = None) -> ContactPage:
    """One page (PAGE_SIZE by default) of the contacts that match, by name."""
    per_page = per_page or PAGE_SIZE
    conditions = _conditions(criteria)
    total = db.session.execute(select(func.count(Contact.id)).where(*conditions)).scalar_one()
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = db.session.execute(
        select(Contact).where(*conditions).order_by(func.lower(Contact.name), Contact.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).scalars()
    return ContactPage(list(rows), total, page, per_page)


def count_contacts() -> ContactCounts:
    """The size of the address book: in all, unsubscribed, per kind and per tag."""
    total, unsubscribed = db.session.execute(
        select(func.count(Contact.id), func.count(Contact.unsubscribed_at))
    ).one()
    kinds = dict(db.session.execute(
        select(Contact.organisation_kind, func.count(Contact.id)).group_by(Contact.organisation_kind)
    ).all())
    tags: dict[str, int] = {}
    for (contact_tags,) in db.session.execute(select(Contact.tags)):
        for tag in contact_tags or []:
            tags[tag] = tags.get(tag, 0) + 1
    by_tag = dict(sorted(tags.items(), key=lambda item: item[0].casefold()))
    return ContactCounts(total, unsubscribed, kinds, by_tag)


def get_contact(contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(_l("There is no such contact."))
    return contact


def count_invitations(contact_id: int) -> int:
    """How many campaigns this contact is a recipient of (deleting the contact removes those records)."""
    return db.session.execute(
        select(func.count(CampaignRecipient.id)).where(CampaignRecipient.contact_id == contact_id)
    ).scalar_one()


def create_contact(data: dict, *, source: str = SOURCE_TYPED_IN, now: datetime | None = None) -> Contact:
    """Add a contact to the address book. Commits.

    :raises ContactRefused: a field breaks a rule (`field` says which).
    :raises DuplicateEmail: another contact has the address, in whatever case.
    """
    fields = _contact_fields(data)
    begin_write()
    try:
        _refuse_duplicate(fields["email"])
        fields["tags"] = _canonical_tags(fields["tags"], _tag_spellings())
        now = now or utcnow()
        contact = Contact(email_key=email_key(fields["email"]), source=source[:200], source_at=now, **fields)
        db.session.add(contact)
        db.session.commit()
    except IntegrityError:
        # On PostgreSQL another request may have added the address since our check.
        db.session.rollback()
        raise DuplicateEmail() from None
    except BaseException:
        db.session.rollback()
        raise
    return contact


def update_contact(contact_id: int, data: dict) -> Contact:
    """Change a contact's details. Subscription and origin stay as they are. Commits.

    :raises NotFound, ContactRefused, DuplicateEmail:
    """
    fields = _contact_fields(data)
    contact = lock_row(Contact, contact_id)
    try:
        if contact is None:
            raise NotFound(_l("There is no such contact."))
        key = email_key(fields["email"])
        if key != contact.email_key:
            _refuse_duplicate(fields["email"])
        fields["tags"] = _canonical_tags(fields["tags"], _tag_spellings())
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.email_key = key
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateEmail() from None
    except BaseException:
        db.session.rollback()
        raise
    return contact


def delete_contact(contact_id: int) -> str:
    """Remove a contact (and its campaign recipient records); returns the name it had. Commits."""
    contact = lock_row(Contact, contact_id)
    with rolled_back_on_error():
        if contact is None:
            raise NotFound(_l("There is no such contact."))
        name = contact.name
        db.session.delete(contact)
        db.session.commit()
    return name


def resubscribe_contact(contact_id: int) -> Contact:
    """Send invitations to an unsubscribed contact again: only when the person asked for it. Commits."""
    contact = lock_row(Contact, contact_id)
    with rolled_back_on_error():
        if contact is None:
            raise NotFound(_l("There is no such contact."))
        contact.unsubscribed_at = None
        db.session.commit()
    return contact


def parse_tags(value) -> list[str]:
    """Tags from a text ("a, b; c") or a list: cleaned, without repeats (whatever their case)."""
    parts = TAG_SEPARATORS.split(value) if isinstance(value, str) else list(value or [])
    tags, seen = [], set()
    for part in parts:
        tag = " ".join(clean_line(part or "").split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def source_label(source: str) -> str:
    """Where a contact came from, in the reader's language."""
    if source == SOURCE_TYPED_IN:
        return _("typed in")
    if source.startswith(SOURCE_IMPORT_PREFIX):
        return _("CSV import %(file)s", file=source[len(SOURCE_IMPORT_PREFIX):])
    return source


def _contact_fields(data: dict) -> dict:
    fields = {
        "name": clean_line(data.get("name") or ""),
        "email": clean_line(data.get("email") or ""),
        "organisation": clean_line(data.get("organisation") or ""),
        "organisation_kind": data.get("organisation_kind") or OrganisationKind.other.value,
        "tags": parse_tags(data.get("tags")),
        "locale": data.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"],
    }
    problems = _field_problems(fields["name"], fields["email"], fields["organisation"], fields["tags"])
    if problems:
        raise ContactRefused(problems[0].message, field=problems[0].field)
    if fields["organisation_kind"] not in KIND_VALUES:
        raise ContactRefused(_l("Please choose a kind of organisation from the list."),
                             field="organisation_kind")
    if fields["locale"] not in current_app.config["LANGUAGES"]:
        raise ContactRefused(_l("Please choose a language from the list."), field="locale")
    return fields


def _refuse_duplicate(email: str) -> None:
    query = select(Contact).where(Contact.email_key == email_key(email))
    other = db.session.execute(query).scalar_one_or_none()
    if other is not None:
        raise DuplicateEmail(other.name)


def _conditions(criteria: ContactFilter) -> list:
    conditions = []
    for word in clean_line(criteria.query or "").lower().split():
        conditions.append(or_(func.lower(Contact.name).contains(word, autoescape=True),
                              func.lower(Contact.organisation).contains(word, autoescape=True),
                              Contact.email_key.contains(word, autoescape=True)))
    if criteria.tag:
        conditions.append(_has_tag(criteria.tag))
    if criteria.kind:
        conditions.append(Contact.organisation_kind == criteria.kind)
    if criteria.unsubscribed is True:
        conditions.append(Contact.unsubscribed_at.is_not(None))
    elif criteria.unsubscribed is False:
        conditions.append(Contact.unsubscribed_at.is_(None))
    return conditions


def _has_tag(tag: str):
    # Tags are a JSON list; each database looks inside one in its own way.
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(Contact.tags, JSONB).contains([tag])
    each = func.json_each(Contact.tags).table_valued("value")
    return exists(select(each.c.value).where(each.c.value == tag))


def _tag_spellings() -> dict[str, str]:
    """The spelling the address book already uses for each tag, so "schule" joins "Schule"."""
    spellings: dict[str, str] = {}
    for (tags,) in db.session.execute(select(Contact.tags).order_by(Contact.id)):
        for tag in tags or []:
            spellings.setdefault(tag.casefold(), tag)
    return spellings


def _canonical_tags(tags, spellings: dict[str, str]) -> list[str]:
    result = []
    for tag in tags:
        spelling = spellings.setdefault(tag.casefold(), tag)
        if spelling not in result:
            result.append(spelling)
    return result


# --- reading an import file --------------------------------------------------

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
LANGUAGE_WORDS = {"de": "de", "deu": "de", "ger": "de", "german": "de", "deutsch": "de",
                  "en": "en", "eng": "en", "english": "en", "englisch": "en"}


@dataclass(frozen=True)
class ImportRow:
    """One good line of an import file, cleaned. Kind and language are "" where the file left them empty."""

    line: int
    name: str
    email: str
    organisation: str
    organisation_kind: str
    tags: tuple[str, ...]
    locale: str

    @property
    def key(self) -> str:
        return email_key(self.email)


@dataclass(frozen=True)
class RejectedLine:
    line: int
    name: str
    email: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _ParsedFile:
    rows: list[ImportRow]
    rejected: list[RejectedLine]
    ignored_columns: list[str]


def _read_csv(data: bytes) -> _ParsedFile:
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
    return _ParsedFile(rows, rejected, ignored)


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
        return sum(_normalise(_unescape(title)) in COLUMN_BY_TITLE for title in header)

    try:
        return max((",", ";", "\t"), key=recognised)
    except csv.Error:
        return ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(header):
        title = clean_line(_unescape(title))
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


def _unescape(cell: str) -> str:
    """A cell without the quote our export puts before text a spreadsheet would run as a formula."""
    return cell[1:] if cell.startswith("'") and csv_cell(cell[1:]) == cell else cell


def _parse_line(line: int, cells: list[str], columns: dict[str, int], *, width: int,
                kinds: dict[str, str]) -> ImportRow | RejectedLine:
    def cell(column: str) -> str:
        # A spreadsheet cell may hold line breaks; here every run of blanks becomes one space.
        index = columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return " ".join(clean_line(_unescape(cells[index])).split())

    name = cell("name") or " ".join(part for part in (cell("first_name"), cell("last_name")) if part)
    email = cell("email")
    organisation = cell("organisation")
    tags = parse_tags(cell("tags"))
    problems = []
    if any(extra.strip() for extra in cells[width:]):
        problems.append(Problem("", "too_many_cells", {"cells": len(cells), "columns": width}))
    problems += _field_problems(name, email, organisation, tags)
    kind = cell("organisation_kind")
    if kind:
        kind = kinds.get(_normalise(kind), kind)
        if kind not in KIND_VALUES:
            problems.append(Problem("organisation_kind", "unknown_kind",
                                    {"value": cell("organisation_kind"), "kinds": ", ".join(KIND_VALUES)}))
    locale = cell("locale")
    if locale:
        locale = LANGUAGE_WORDS.get(_normalise(re.split(r"[-_]", locale)[0]), "")
        if locale not in current_app.config["LANGUAGES"]:
            problems.append(Problem("locale", "unknown_language", {"value": cell("locale")}))
    if problems:
        return RejectedLine(line, name, email, tuple(problems))
    return ImportRow(line, name, email, organisation, kind, tuple(tags), locale)


def _kind_aliases() -> dict[str, str]:
    """Every way a file may name a kind: its value, its labels in both languages and their parts."""
    aliases = {_normalise(word): value for word, value in KIND_WORDS.items()}
    for value, label in ORGANISATION_KIND_LABELS.items():
        for language in ("en", "de"):
            with force_locale(language):
                text = str(label)
            outside = re.sub(r"\(.*?\)", " ", text)
            inside = [part for group in re.findall(r"\((.*?)\)", text) for part in group.split(",")]
            for part in (text, outside, *outside.split("/"), *inside):
                aliases.setdefault(_normalise(part), value)
        aliases[_normalise(value)] = value
    aliases.pop("", None)
    return aliases


# --- planning and applying an import -----------------------------------------

@dataclass(frozen=True)
class FieldChange:
    field: str  # one of MERGED_FIELDS
    old: str | list
    new: str | list

    @property
    def added_tags(self) -> list[str]:
        return [tag for tag in self.new if tag not in self.old] if self.field == "tags" else []


@dataclass(frozen=True)
class ImportLine:
    """What importing one line of the file does."""

    line: int
    action: str  # NEW, UPDATE, UNCHANGED or ERROR
    name: str
    email: str
    changes: tuple[FieldChange, ...] = ()
    problems: tuple[Problem, ...] = ()
    contact_id: int | None = None  # the contact of the address book this line updates
    same_as_line: int | None = None  # the earlier line of the file with the same address
    unsubscribed: bool = False  # the contact has unsubscribed, and stays so


@dataclass(frozen=True)
class ImportPreview:
    filename: str
    lines: tuple[ImportLine, ...]
    ignored_columns: tuple[str, ...]
    token: str

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)

    @property
    def has_changes(self) -> bool:
        return any(line.action in (NEW, UPDATE) for line in self.lines)


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    updated: int  # contacts of the address book that changed
    errors: int  # lines left out


@dataclass
class _Draft:
    """One address while planning: its values after the lines so far, and its contact, if any."""

    email: str
    values: dict
    contact: Contact | None
    first_line: int


def preview_import(data: bytes, filename: str) -> ImportPreview:
    """Read a CSV upload and say what importing it would do, line by line. Writes nothing.

    :raises ImportFileRefused: the file as a whole cannot be read (encoding, header, size).
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileRefused(_l("The file is larger than %(size)s MB; please split it.",
                                   size=MAX_IMPORT_BYTES // 1_000_000))
    parsed = _read_csv(data)
    return _preview(_import_filename(filename), parsed.rows, parsed.rejected, parsed.ignored_columns)


def apply_import(token: str, *, now: datetime | None = None) -> ImportResult:
    """Import what the preview behind `token` showed, in one transaction. Commits.

    New contacts get the source "CSV import <file>" and the import time; contacts already
    in the address book keep their origin, and stay unsubscribed if they are.

    :raises ImportExpired: the token is not one of ours, or too old.
    :raises ImportOutdated: the contacts changed since the preview; nothing was written.
    """
    filename, rows, rejected, ignored, digest = _load_token(token)
    begin_write()
    try:
        lines, drafts = _plan(rows, lock=True)
        current = _digest(lines) == digest
        if current:
            now = now or utcnow()
            source = (SOURCE_IMPORT_PREFIX + filename)[:200]
            created = updated = 0
            for key, draft in drafts.items():
                if _save_draft(key, draft, source=source, now=now):
                    created += draft.contact is None
                    updated += draft.contact is not None
            db.session.commit()
    except IntegrityError:
        # PostgreSQL: a contact with one of the new addresses was added meanwhile.
        db.session.rollback()
        current = False
    except BaseException:
        db.session.rollback()
        raise
    if not current:
        db.session.rollback()
        raise ImportOutdated(_preview(filename, rows, rejected, ignored))
    return ImportResult(filename, created, updated, len(rejected))


def _preview(filename: str, rows: list[ImportRow], rejected: list[RejectedLine],
             ignored: list[str]) -> ImportPreview:
    lines, _drafts = _plan(rows, lock=False)
    token = _serializer().dumps({
        "file": filename,
        "rows": [[r.line, r.name, r.email, r.organisation, r.organisation_kind, list(r.tags), r.locale]
                 for r in rows],
        "rejected": [[r.line, r.name, r.email, [[p.field, p.code, p.params] for p in r.problems]]
                     for r in rejected],
        "ignored": list(ignored),
        "plan": _digest(lines),
    })
    if len(token) > MAX_TOKEN_CHARS:
        raise ImportFileRefused(_l("The file is too large to import at once; please split it."))
    errors = [ImportLine(r.line, ERROR, r.name, r.email, problems=r.problems) for r in rejected]
    return ImportPreview(filename, tuple(sorted(lines + errors, key=lambda line: line.line)), tuple(ignored),
                         token)


def _load_token(token: str):
    try:
        payload = _serializer().loads(token, max_age=TOKEN_MAX_AGE_SECONDS)
        rows = [ImportRow(line, name, email, organisation, kind, tuple(tags), locale)
                for line, name, email, organisation, kind, tags, locale in payload["rows"]]
        rejected = [RejectedLine(line, name, email, tuple(Problem(*problem) for problem in problems))
                    for line, name, email, problems in payload["rejected"]]
        return payload["file"], rows, rejected, payload["ignored"], payload["plan"]
    except (BadData, KeyError, TypeError, ValueError):
        raise ImportExpired() from None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT)


def _plan(rows: list[ImportRow], *, lock: bool) -> tuple[list[ImportLine], dict[str, _Draft]]:
    """What each row does to the address book, and the resulting values per address (in file order)."""
    query = select(Contact).where(Contact.email_key.in_(sorted({row.key for row in rows})))
    if lock:
        query = query.with_for_update()  # PostgreSQL; on SQLite begin_write() holds the lock
    existing = {contact.email_key: contact for contact in db.session.execute(query).scalars()}
    spellings = _tag_spellings()
    drafts: dict[str, _Draft] = {}
    lines = []
    for row in rows:
        tags = _canonical_tags(row.tags, spellings)
        draft = drafts.get(row.key)
        if draft is None and row.key not in existing:
            values = {"name": row.name, "organisation": row.organisation,
                      "organisation_kind": row.organisation_kind or OrganisationKind.other.value,
                      "tags": tags, "locale": row.locale or current_app.config["BABEL_DEFAULT_LOCALE"]}
            drafts[row.key] = _Draft(row.email, values, None, row.line)
            lines.append(ImportLine(row.line, NEW, row.name, row.email))
            continue
        same_as_line = draft.first_line if draft is not None else None
        if draft is None:
            contact = existing[row.key]
            draft = drafts[row.key] = _Draft(contact.email, _values_of(contact), contact, row.line)
        merged = _merge(draft.values, row, tags)
        changes = tuple(FieldChange(name, draft.values[name], merged[name])
                        for name in MERGED_FIELDS if merged[name] != draft.values[name])
        contact = draft.contact
        lines.append(ImportLine(row.line, UPDATE if changes else UNCHANGED, row.name, row.email,
                                changes=changes, same_as_line=same_as_line,
                                contact_id=contact.id if contact else None,
                                unsubscribed=bool(contact and contact.is_unsubscribed)))
        draft.values = merged
    return lines, drafts


def _values_of(contact: Contact) -> dict:
    return {"name": contact.name, "organisation": contact.organisation,
            "organisation_kind": contact.organisation_kind, "tags": list(contact.tags or []),
            "locale": contact.locale}


def _merge(values: dict, row: ImportRow, tags: list[str]) -> dict:
    """A later line wins where it says something; tags are added, never taken away."""
    merged = dict(values)
    merged["name"] = row.name
    if row.organisation:
        merged["organisation"] = row.organisation
    if row.organisation_kind:
        merged["organisation_kind"] = row.organisation_kind
    if row.locale:
        merged["locale"] = row.locale
    known = {tag.casefold() for tag in values["tags"]}
    merged["tags"] = values["tags"] + [tag for tag in tags if tag.casefold() not in known]
    return merged


def _digest(lines: list[ImportLine]) -> str:
    plan = [[line.line, line.action, line.contact_id, line.same_as_line, line.unsubscribed,
             [[change.field, change.old, change.new] for change in line.changes]] for line in lines]
    return hashlib.sha256(json.dumps(plan, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _save_draft(key: str, draft: _Draft, *, source: str, now: datetime) -> bool:
    """Write one planned address; True when something changed. Unsubscribing is never undone here."""
    if draft.contact is None:
        db.session.add(Contact(email=draft.email, email_key=key, source=source, source_at=now,
                               **draft.values))
    elif draft.values != _values_of(draft.contact):
        for name, value in draft.values.items():
            setattr(draft.contact, name, value)
    else:
        return False
    db.session.flush()
    return True


def _import_filename(filename: str | None) -> str:
    # Some browsers send the whole path of the file.
    name = clean_line(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200 - len(SOURCE_IMPORT_PREFIX)] or "upload.csv"


# --- export -------------------------------------------------------------------

def export_contacts(criteria: ContactFilter = ContactFilter(), *, delimiter: str = ",") -> str:
    """The contacts as CSV text for spreadsheets: UTF-8 with BOM, formula-safe cells, re-importable."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(EXPORT_COLUMNS)
    contacts = db.session.execute(
        select(Contact).where(*_conditions(criteria)).order_by(func.lower(Contact.name), Contact.id)
    ).scalars()
    for contact in contacts:
        writer.writerow([csv_cell(value) for value in (
            contact.name, contact.email, contact.organisation, contact.organisation_kind,
            ", ".join(contact.tags or []), contact.locale, contact.source, local(contact.source_at),
            local(contact.unsubscribed_at))])
    return "\ufeff" + out.getvalue()
