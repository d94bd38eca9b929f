"""Importing a contacts file, in two steps: a preview that writes nothing, then exactly that.

`preview_import` reads the upload (csv_reading) and plans every line against the
address book: new, update (with the fields that change), unchanged, or error (with
the reason). The cleaned rows and a digest of that plan travel to the confirm form
in a token signed with the app's secret key (compressed, at most MAX_TOKEN_CHARS).
A signed token rather than the upload kept in instance/, because production runs
several hosts without a shared disk, and because then no copy of the file's
personal data is left lying on the server. `apply_import` plans the same rows again
under the write lock and writes only if the plan is still exactly the one the
preview showed, all in one transaction; otherwise it writes nothing and offers a
fresh preview.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit import Actor, AuditAction, changed_fields, record
from ..database import LabelledEnum, write_transaction
from ..errors import DomainError
from ..extensions import db
from ..text import clean_line
from .csv_reading import ImportFileRefused, ImportRow, RejectedLine, read_csv
from .import_institutions import InstitutionPlan
from .models import ConsentSource, Contact
from .rules import Problem
from .services import SOURCE_IMPORT_PREFIX, canonical_tags, tag_spellings

MAX_IMPORT_BYTES = 1_000_000
# The token is one form field; Werkzeug refuses fields above 500 kB.
MAX_TOKEN_CHARS = 400_000
TOKEN_MAX_AGE_SECONDS = 12 * 3600
TOKEN_SALT = "podium.contacts.import"

# What an import may change on a contact. The email stays as the address book has it; a consent
# is added where none is on record, never changed or taken away. The institution is its name.
MERGED_FIELDS = ("name", "institution", "tags", "locale", "consent")


class ImportAction(LabelledEnum):
    """What importing one line does."""

    new = "new", _lp("import", "new")
    update = "update", _lp("import", "update")
    unchanged = "unchanged", _lp("import", "no change")
    error = "error", _lp("import", "error")


class ImportExpired(DomainError):
    status_code = 400
    code = "import_expired"
    message = _l("This preview has expired or is not valid. Please upload the file again.")


class ImportOutdated(DomainError):
    """The address book changed between preview and confirmation; `preview` is the current one."""

    status_code = 409
    code = "import_outdated"
    message = _l("The contacts have changed since the preview was made. Nothing was imported; "
                 "please check the updated preview.")

    def __init__(self, preview: "ImportPreview"):
        super().__init__()
        self.preview = preview


@dataclass(frozen=True)
class FieldChange:
    field: str  # one of MERGED_FIELDS
    old: str | list
    new: str | list

    @property
    def added_tags(self) -> list[str]:
        """For the tags: those the line adds (tags are never taken away)."""
        return [tag for tag in self.new if tag not in self.old] if self.field == "tags" else []


@dataclass(frozen=True)
class ImportLine:
    """What importing one line of the file does."""

    line: int
    action: ImportAction
    name: str
    email: str
    changes: tuple[FieldChange, ...] = ()
    problems: tuple[Problem, ...] = ()  # why the line is left out
    warnings: tuple[Problem, ...] = ()  # what the line could not say, though it is imported
    contact_id: int | None = None  # the contact of the address book this line updates
    same_as_line: int | None = None  # the earlier line of the file with the same address
    unsubscribed: bool = False  # the contact has unsubscribed, and stays so


@dataclass(frozen=True)
class ImportPreview:
    filename: str
    lines: tuple[ImportLine, ...]
    ignored_columns: tuple[str, ...]
    token: str
    # What importing would do to the address book, counted as ImportResult counts it (several
    # lines with one address make one contact).
    new_contacts: int = 0
    updated_contacts: int = 0
    # New contacts for whom the file states no consent: marked, and staff are warned before mailing them.
    without_consent: int = 0
    # (name, kind) of each institution importing would add.
    new_institutions: tuple[tuple[str, str], ...] = ()

    def count(self, action: ImportAction) -> int:
        """How many lines would do `action`."""
        return sum(1 for line in self.lines if line.action == action)

    @property
    def rejected(self) -> int:
        """How many lines are left out for their errors."""
        return self.count(ImportAction.error)

    @property
    def warned(self) -> int:
        """How many imported lines carry a warning."""
        return sum(1 for line in self.lines if line.warnings)

    @property
    def has_changes(self) -> bool:
        """Whether importing would add or change any contact."""
        return any(line.action in (ImportAction.new, ImportAction.update) for line in self.lines)


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    updated: int  # contacts of the address book that changed
    errors: int  # lines left out
    institutions: int = 0  # institutions added


@dataclass(frozen=True)
class RejectedFile:
    """The lines an import leaves out, to be fixed in a spreadsheet and imported again."""

    filename: str
    header: tuple[str, ...]
    lines: tuple[RejectedLine, ...]


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
    parsed = read_csv(data)
    return _preview(_import_filename(filename), parsed.rows, parsed.rejected, parsed.ignored_columns,
                    parsed.header)


def apply_import(token: str, *, by: Actor, now: datetime | None = None) -> ImportResult:
    """Import what the preview behind `token` showed, in one transaction. Commits.

    New contacts get the source "CSV import <file>" and the import time; contacts already
    in the address book keep their origin, and stay unsubscribed if they are. A consent the
    file states is recorded where none is (source "import"); without one a contact has none
    on record. Each contact it adds or changes gets an entry in the audit trail.

    :raises ImportExpired: the token is not one of ours, or too old.
    :raises ImportOutdated: the contacts changed since the preview; nothing was written.
    """
    filename, rows, rejected, ignored, header, digest = _load_token(token)
    try:
        with write_transaction(now=now) as tx:
            lines, drafts, institutions = _plan(rows, lock=True)
            if _digest(lines, institutions) != digest:
                raise _Outdated()
            source = (SOURCE_IMPORT_PREFIX + filename)[:200]
            created = updated = 0
            for key, draft in drafts.items():
                if _save_draft(key, draft, institutions=institutions, source=source, by=by, filename=filename,
                               now=tx.now):
                    created += draft.contact is None
                    updated += draft.contact is not None
    except (_Outdated, IntegrityError):
        # IntegrityError: on PostgreSQL a contact with one of the new addresses (or an institution of one
        # of the new names) was added meanwhile.
        raise ImportOutdated(_preview(filename, rows, rejected, ignored, header)) from None
    return ImportResult(filename, created, updated, len(rejected), len(institutions.new))


def rejected_lines(token: str) -> RejectedFile:
    """The lines of the previewed file that are left out, with their cells as the file has them.

    :raises ImportExpired: the token is not one of ours, or too old.
    """
    filename, _rows, rejected, _ignored, header, _digest = _load_token(token)
    return RejectedFile(filename, tuple(header), tuple(rejected))


class _Outdated(Exception):
    """The plan under the lock is not the one the preview showed."""


def _preview(filename: str, rows: list[ImportRow], rejected: list[RejectedLine],
             ignored: list[str], header: list[str]) -> ImportPreview:
    lines, drafts, institutions = _plan(rows, lock=False)
    token = _serializer().dumps({
        "file": filename,
        "rows": [[r.line, r.name, r.email, r.organisation, r.organisation_kind, list(r.tags), r.locale,
                  _problems_out(r.warnings), r.consent] for r in rows],
        "rejected": [[r.line, r.name, r.email, _problems_out(r.problems), list(r.cells)] for r in rejected],
        "ignored": list(ignored),
        "header": list(header),
        "plan": _digest(lines, institutions),
    })
    if len(token) > MAX_TOKEN_CHARS:
        raise ImportFileRefused(_l("The file is too large to import at once; please split it."))
    errors = [ImportLine(r.line, ImportAction.error, r.name, r.email, problems=r.problems) for r in rejected]
    return ImportPreview(filename, tuple(sorted(lines + errors, key=lambda line: line.line)), tuple(ignored),
                         token, new_contacts=sum(1 for draft in drafts.values() if draft.contact is None),
                         updated_contacts=sum(1 for draft in drafts.values() if _changes(draft)),
                         without_consent=sum(1 for draft in drafts.values()
                                             if draft.contact is None and not draft.values["consent"]),
                         new_institutions=institutions.new_institutions)


def _changes(draft: "_Draft") -> dict:
    """What saving `draft` would change on its contact of the address book (nothing for a new one)."""
    return changed_fields(_values_of(draft.contact), draft.values) if draft.contact is not None else {}


def _problems_out(problems) -> list:
    return [[p.field, p.code, p.params] for p in problems]


def _problems_in(problems) -> tuple[Problem, ...]:
    return tuple(Problem(*problem) for problem in problems)


def _load_token(token: str):
    try:
        payload = _serializer().loads(token, max_age=TOKEN_MAX_AGE_SECONDS)
        rows = [ImportRow(line, name, email, organisation, kind, tuple(tags), locale, _problems_in(warnings), consent)
                for line, name, email, organisation, kind, tags, locale, warnings, consent in payload["rows"]]
        rejected = [RejectedLine(line, name, email, _problems_in(problems), tuple(cells))
                    for line, name, email, problems, cells in payload["rejected"]]
        return payload["file"], rows, rejected, payload["ignored"], payload["header"], payload["plan"]
    except (BadData, KeyError, TypeError, ValueError):
        raise ImportExpired() from None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT)


def _plan(rows: list[ImportRow], *, lock: bool) -> tuple[list[ImportLine], dict[str, _Draft], InstitutionPlan]:
    """What each row does to the address book, the resulting values per address (in file order), and
    the institutions the file names."""
    institutions = InstitutionPlan([row.organisation for row in rows], lock=lock)
    query = select(Contact).where(Contact.email_key.in_(sorted({row.key for row in rows})))
    if lock:
        query = query.with_for_update()  # PostgreSQL; on SQLite write_transaction holds the write lock
    existing = {contact.email_key: contact for contact in db.session.execute(query).scalars()}
    spellings = tag_spellings()
    drafts: dict[str, _Draft] = {}
    lines = []
    for row in rows:
        tags = canonical_tags(row.tags, spellings)
        draft = drafts.get(row.key)
        institution = institutions.name_for(row.organisation, row.organisation_kind)
        warnings = institutions.warnings(row.organisation, row.warnings)
        if draft is None and row.key not in existing:
            values = {"name": row.name, "institution": institution,
                      "tags": tags, "locale": row.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                      "consent": row.consent or None}
            drafts[row.key] = _Draft(row.email, values, None, row.line)
            lines.append(ImportLine(row.line, ImportAction.new, row.name, row.email, warnings=warnings))
            continue
        same_as_line = draft.first_line if draft is not None else None
        if draft is None:
            contact = existing[row.key]
            draft = drafts[row.key] = _Draft(contact.email, _values_of(contact), contact, row.line)
        merged = _merge(draft.values, row, tags, institution)
        changes = tuple(FieldChange(name, draft.values[name], merged[name])
                        for name in MERGED_FIELDS if merged[name] != draft.values[name])
        contact = draft.contact
        lines.append(ImportLine(row.line, ImportAction.update if changes else ImportAction.unchanged, row.name, row.email,
                                changes=changes, same_as_line=same_as_line,
                                warnings=warnings,
                                contact_id=contact.id if contact else None,
                                unsubscribed=bool(contact and contact.is_unsubscribed)))
        draft.values = merged
    return lines, drafts, institutions


def _values_of(contact: Contact) -> dict:
    return {"name": contact.name, "institution": contact.institution.name if contact.institution else "",
            "tags": list(contact.tags or []), "locale": contact.locale, "consent": _consent_day(contact)}


def _merge(values: dict, row: ImportRow, tags: list[str], institution: str) -> dict:
    """A later line wins where it says something; tags are added, never taken away."""
    merged = dict(values)
    merged["name"] = row.name
    if institution:
        merged["institution"] = institution
    if row.locale:
        merged["locale"] = row.locale
    known = {tag.casefold() for tag in values["tags"]}
    merged["tags"] = values["tags"] + [tag for tag in tags if tag.casefold() not in known]
    merged["consent"] = values["consent"] or row.consent or None
    return merged


def _consent_day(contact: Contact) -> str | None:
    """A contact's recorded consent as the plan compares it: the day, in the site's zone (or "yes")."""
    if contact.consent_at is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return contact.consent_at.astimezone(zone).date().isoformat()


def _apply_consent(contact: Contact, consent: str | None, now: datetime) -> None:
    """Record the consent the file states, where none is on record: on its day (midnight in the site's
    zone), or, for a plain "yes", at the import."""
    if not consent or contact.consent_at is not None:
        return
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    contact.consent_source = ConsentSource.import_file
    contact.consent_version = None
    contact.consent_at = now if consent == "yes" else datetime.combine(date.fromisoformat(consent), time(), zone)


def _digest(lines: list[ImportLine], institutions: InstitutionPlan) -> str:
    plan = [[line.line, line.action, line.contact_id, line.same_as_line, line.unsubscribed,
             [[change.field, change.old, change.new] for change in line.changes]] for line in lines]
    plan.append([list(new) for new in institutions.new_institutions])
    return hashlib.sha256(json.dumps(plan, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _save_draft(key: str, draft: _Draft, *, institutions: InstitutionPlan, source: str, by: Actor,
                filename: str, now: datetime) -> bool:
    """Write one planned address; True when something changed. Unsubscribing is never undone here."""
    fields = {name: value for name, value in draft.values.items() if name not in ("consent", "institution")}
    fields["institution"] = institutions.institution(draft.values["institution"], by=by, now=now)
    if draft.contact is None:
        contact = Contact(email=draft.email, email_key=key, source=source, source_at=now, **fields)
        db.session.add(contact)
        changes = changed_fields({}, {"email": draft.email, **draft.values})
    else:
        contact = draft.contact
        changes = _changes(draft)
        if not changes:
            return False
        for name, value in fields.items():
            setattr(contact, name, value)
    _apply_consent(contact, draft.values["consent"], now)
    db.session.flush()
    record(by, AuditAction.contact_imported, at=now, contact_id=contact.id, changes={"file": filename, **changes})
    return True


def _import_filename(filename: str | None) -> str:
    # Some browsers send the whole path of the file.
    name = clean_line(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200 - len(SOURCE_IMPORT_PREFIX)] or "upload.csv"

