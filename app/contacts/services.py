"""The address book of the network: finding, adding, changing and removing contacts, and
the export. Importing a file is imports.py's; reading one is csv_reading.py's."""
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import cast, exists, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..affiliation import Affiliation
from ..audit import Actor, AuditAction, changed_fields, record
from ..csvexport import Column, local_time
from ..database import get_row, parse_id, write_transaction
from ..errors import InvalidInput
from ..extensions import db
from ..i18n import LANGUAGE_NAMES
from ..paging import Page, Sort, paginate, sorted_by
from ..search import matches_words
from ..text import clean_line, email_key
from .institutions import institution_named
from .models import ConsentSource, Contact, Institution, OrganisationKind
from .rules import field_problems, parse_tags

PAGE_SIZE = 100

# Sent inside the transaction that deletes a contact, before its row goes, with the contact and
# `now`: what was sent to the person goes with them (privacy.person blanks those mails; this
# package does not know how, and must not import privacy).
contact_deleting = Namespace().signal("contact-deleting")
# The columns the list may be sorted by (sort=name, sort=-added ...).
SORT_COLUMNS = {"name": func.lower(Contact.name), "email": Contact.email_key,
                "institution": func.coalesce(func.lower(Institution.name), ""), "added": Contact.source_at}

SOURCE_TYPED_IN = "typed in"
SOURCE_IMPORT_PREFIX = "CSV import "
SOURCE_SIGN_UP = "sign-up"

# What staff may change on a contact besides its institution (subscription and origin are not
# theirs to change).
EDITABLE_FIELDS = ("name", "email", "affiliation", "tags", "locale")


class ContactRefused(InvalidInput):
    """A contact cannot be saved as given; `field` names the form field the message belongs to."""

    code = "contact_refused"


class DuplicateEmail(ContactRefused):
    code = "duplicate_email"
    field = "email"
    message = _l("Another contact already has this email address.")

    def __init__(self, name: str | None = None):
        super().__init__(_l("Another contact already has this email address: %(name)s.", name=name)
                         if name else None)


@dataclass(frozen=True)
class ContactFilter:
    """Which contacts a list or an export shows: words to search, a tag, the kind of their
    institution, subscription, consent."""

    query: str = ""
    tag: str = ""
    kind: str = ""
    # True: only unsubscribed ones; False: only those who still receive invitations.
    unsubscribed: bool | None = None
    # True: only those with a consent on record; False: only those without.
    consent: bool | None = None


@dataclass(frozen=True)
class ContactCounts:
    total: int
    unsubscribed: int
    without_consent: int
    kinds: dict[str, int]  # kind of institution -> contacts
    tags: dict[str, int]  # tag -> contacts, alphabetical


def contact_kind():
    """The kind of organisation a contact counts as: its institution's, and "other" for one of no
    institution. The list's filter by kind, its counts per kind and a campaign's audience by kinds
    (campaigns.audience) all count by this; the query must outer-join the contact's institution."""
    # A literal, not a bound parameter: PostgreSQL matches a GROUP BY expression to the selected one
    # only when they are written alike, and two parameters are two expressions to it.
    return func.coalesce(Institution.kind, literal_column(f"'{OrganisationKind.other.value}'"))


def find_contacts(criteria: ContactFilter = ContactFilter(), *, page: int | None = 1, sort: Sort | None = None,
                  per_page: int | None = None) -> Page:
    """One page (PAGE_SIZE by default) of the contacts that match, by name unless `sort` says else."""
    statement = sorted_by(_with_institution(select(Contact)).where(*_conditions(criteria)), sort or Sort("name"),
                          SORT_COLUMNS, Contact.id)
    return paginate(statement, number=page, size=per_page or PAGE_SIZE)


def count_contacts() -> ContactCounts:
    """The size of the address book: in all, unsubscribed, per kind and per tag."""
    total, unsubscribed, with_consent = db.session.execute(
        select(func.count(Contact.id), func.count(Contact.unsubscribed_at), func.count(Contact.consent_at))
    ).one()
    kinds = dict(db.session.execute(
        select(contact_kind(), func.count(Contact.id)).outerjoin(Contact.institution).group_by(contact_kind())
    ).all())
    tags: dict[str, int] = {}
    for (contact_tags,) in db.session.execute(select(Contact.tags)):
        for tag in contact_tags or []:
            tags[tag] = tags.get(tag, 0) + 1
    by_tag = dict(sorted(tags.items(), key=lambda item: item[0].casefold()))
    return ContactCounts(total, unsubscribed, total - with_consent, kinds, by_tag)


def get_contact(contact_id: int) -> Contact:
    """One contact. :raises NotFound:"""
    return get_row(Contact, contact_id)


def create_contact(data: dict, *, by: Actor, source: str = SOURCE_TYPED_IN, now: datetime | None = None) -> Contact:
    """Add a contact to the address book. Commits.

    :raises ContactRefused: a field breaks a rule (`field` says which).
    :raises DuplicateEmail: another contact has the address, in whatever case.
    """
    fields = _contact_fields(data)
    try:
        with write_transaction(now=now) as tx:
            _refuse_duplicate(fields["email"])
            fields["tags"] = canonical_tags(fields["tags"], tag_spellings())
            institution = _chosen_institution(data, by=by, now=tx.now)
            contact = Contact(email_key=email_key(fields["email"]), source=source[:200], source_at=tx.now,
                              institution=institution, **fields)
            consent = _record_consent(contact, data, tx.now)
            db.session.add(contact)
            db.session.flush()
            record(by, AuditAction.contact_created, at=tx.now, contact_id=contact.id,
                   changes=changed_fields({}, fields | {"institution": _name_of(institution)}) | consent)
    except IntegrityError:
        # On PostgreSQL another request may have added the address since our check.
        raise DuplicateEmail() from None
    return contact


def update_contact(contact_id: int, data: dict, *, by: Actor) -> Contact:
    """Change a contact's details. Subscription and origin stay as they are. Commits.

    :raises NotFound, ContactRefused, DuplicateEmail:
    """
    fields = _contact_fields(data)
    try:
        with write_transaction(lock=(Contact, contact_id)) as tx:
            contact = tx.row
            key = email_key(fields["email"])
            if key != contact.email_key:
                _refuse_duplicate(fields["email"])
            fields["tags"] = canonical_tags(fields["tags"], tag_spellings())
            institution = _chosen_institution(data, by=by, now=tx.now)
            changes = changed_fields({name: getattr(contact, name) for name in EDITABLE_FIELDS}
                                     | {"institution": _name_of(contact.institution)},
                                     fields | {"institution": _name_of(institution)})
            for name, value in fields.items():
                setattr(contact, name, value)
            contact.institution = institution
            contact.email_key = key
            changes |= _record_consent(contact, data, tx.now)
            if changes:
                record(by, AuditAction.contact_updated, at=tx.now, contact_id=contact.id, changes=changes)
    except IntegrityError:
        raise DuplicateEmail() from None
    return contact


def _record_consent(contact: Contact, data: dict, now: datetime) -> dict:
    """Staff record that the person agreed (`consent_given`), where none is on record yet; a
    recorded consent is never overwritten. The change, for the history."""
    if not data.get("consent_given") or contact.consent_at is not None:
        return {}
    contact.consent_source, contact.consent_version, contact.consent_at = ConsentSource.staff, None, now
    return {"consent_source": [None, ConsentSource.staff]}


def delete_contact(contact_id: int, *, by: Actor) -> str:
    """Remove a contact (and its campaign recipient records, and the text of the mails it was sent:
    `contact_deleting`); returns the name it had. Commits.

    The audit trail keeps that a contact was deleted, by whom and when, but nothing
    about the person: their entries go with them.
    """
    with write_transaction(lock=(Contact, contact_id)) as tx:
        contact = tx.row
        name = contact.name
        contact_deleting.send(contact, now=tx.now)
        db.session.delete(contact)
        record(by, AuditAction.contact_deleted, at=tx.now, changes={"contact_id": contact_id})
        return name


def resubscribe_contact(contact_id: int, *, by: Actor) -> Contact:
    """Send invitations to an unsubscribed contact again: only when the person asked for it. Commits."""
    with write_transaction(lock=(Contact, contact_id)) as tx:
        contact = tx.row
        if contact.unsubscribed_at is not None:
            record(by, AuditAction.contact_resubscribed, at=tx.now, contact_id=contact.id,
                   changes={"unsubscribed_at": [contact.unsubscribed_at, None]})
            contact.unsubscribed_at = None
        return contact


def source_label(source: str) -> str:
    """Where a contact came from, in the reader's language."""
    if source == SOURCE_TYPED_IN:
        return _("typed in")
    if source.startswith(SOURCE_IMPORT_PREFIX):
        return _("CSV import %(file)s", file=source[len(SOURCE_IMPORT_PREFIX):])
    if source == SOURCE_SIGN_UP:
        return _("made from a sign-up")
    return source


def export_contacts(criteria: ContactFilter = ContactFilter()) -> list[Contact]:
    """The contacts (as filtered), by name, for the export."""
    return list(db.session.execute(
        _with_institution(select(Contact)).where(*_conditions(criteria)).order_by(func.lower(Contact.name),
                                                                                 Contact.id)
    ).scalars())


def _local(moment) -> str:
    return local_time(moment, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _local_day(moment) -> str:
    """The day of a moment in the site's zone, as the import reads it back ("2026-03-01")."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date().isoformat() \
        if moment else ""


# The export, in both formats a file the import reads back: its headers are among the column
# names csv_reading knows (in English and German), its kinds and languages among the words it
# knows; the consent is the day it was recorded. The last three columns are not imported.
EXPORT_COLUMNS = [
    Column("name", _l("Name"), lambda c: c.name),
    Column("email", _l("Email"), lambda c: c.email),
    Column("institution", _l("Institution"), lambda c: _name_of(c.institution)),
    Column("kind", _l("Kind of organisation"), lambda c: c.institution.kind if c.institution else "",
           lambda c: c.institution.kind.label if c.institution else ""),
    Column("tags", _l("Tags"), lambda c: ", ".join(c.tags or [])),
    Column("language", _l("Language"), lambda c: c.locale, lambda c: LANGUAGE_NAMES.get(c.locale, c.locale)),
    Column("consent", _l("Consent"), lambda c: _local_day(c.consent_at)),
    Column("source", _l("Source"), lambda c: c.source, lambda c: source_label(c.source)),
    Column("source_at", _l("Added on"), lambda c: _local(c.source_at)),
    Column("unsubscribed_at", _l("Unsubscribed on"), lambda c: _local(c.unsubscribed_at)),
]


def tag_spellings() -> dict[str, str]:
    """The spelling the address book already uses for each tag, so "schule" joins "Schule"."""
    spellings: dict[str, str] = {}
    for (tags,) in db.session.execute(select(Contact.tags).order_by(Contact.id)):
        for tag in tags or []:
            spellings.setdefault(tag.casefold(), tag)
    return spellings


def canonical_tags(tags, spellings: dict[str, str]) -> list[str]:
    """`tags` in the address book's spelling (new ones join `spellings`), each once."""
    result = []
    for tag in tags:
        spelling = spellings.setdefault(tag.casefold(), tag)
        if spelling not in result:
            result.append(spelling)
    return result


def _contact_fields(data: dict) -> dict:
    fields = {
        "name": clean_line(data.get("name") or ""),
        "email": clean_line(data.get("email") or ""),
        "affiliation": data.get("affiliation") or None,
        "tags": parse_tags(data.get("tags")),
        "locale": data.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"],
    }
    typed = clean_line(data.get("institution_name") or "")
    problems = field_problems(fields["name"], fields["email"], typed, fields["tags"])
    if problems:
        # The rules call the institution's name the organisation, as files do.
        field = "institution_name" if problems[0].field == "organisation" else problems[0].field
        raise ContactRefused(problems[0].message, field=field)
    if fields["affiliation"] is not None and fields["affiliation"] not in Affiliation.__members__.values():
        raise ContactRefused(_l("Please choose one of the list."), field="affiliation")
    if typed and (data.get("institution_kind") or OrganisationKind.other) not in OrganisationKind.__members__.values():
        raise ContactRefused(_l("Please choose a kind of organisation from the list."), field="institution_kind")
    if fields["locale"] not in current_app.config["LANGUAGES"]:
        raise ContactRefused(_l("Please choose a language from the list."), field="locale")
    return fields


def _chosen_institution(data: dict, *, by: Actor, now: datetime) -> Institution | None:
    """The institution the form chose: a name typed (found however it is spelt, or added with the kind
    chosen for it), else one of the list, else none.

    :raises ContactRefused: the chosen institution is not (any more) there.
    """
    typed = clean_line(data.get("institution_name") or "")
    if typed:
        return institution_named(typed, data.get("institution_kind"), by=by, now=now)
    chosen = data.get("institution_id")
    if chosen in (None, ""):
        return None
    number = parse_id(chosen)
    institution = db.session.get(Institution, number) if number else None
    if institution is None:
        raise ContactRefused(_l("This institution is no longer there; please choose another."),
                             field="institution_id")
    return institution


def _name_of(institution: Institution | None) -> str:
    return institution.name if institution is not None else ""


def _with_institution(statement):
    """A select of contacts that loads each one's institution with it (and may sort by its name)."""
    return statement.outerjoin(Contact.institution).options(contains_eager(Contact.institution))


def _refuse_duplicate(email: str) -> None:
    query = select(Contact).where(Contact.email_key == email_key(email))
    other = db.session.execute(query).scalar_one_or_none()
    if other is not None:
        raise DuplicateEmail(other.name)


def _conditions(criteria: ContactFilter) -> list:
    conditions = matches_words(criteria.query, Contact.name, Contact.email_key,
                               func.coalesce(Institution.name, ""))
    if criteria.tag:
        conditions.append(_has_tag(criteria.tag))
    if criteria.kind:
        conditions.append(contact_kind() == criteria.kind)
    if criteria.unsubscribed is True:
        conditions.append(Contact.unsubscribed_at.is_not(None))
    elif criteria.unsubscribed is False:
        conditions.append(Contact.unsubscribed_at.is_(None))
    if criteria.consent is True:
        conditions.append(Contact.consent_at.is_not(None))
    elif criteria.consent is False:
        conditions.append(Contact.consent_at.is_(None))
    return conditions


def _has_tag(tag: str):
    # Tags are a JSON list; each database looks inside one in its own way.
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(Contact.tags, JSONB).contains([tag])
    each = func.json_each(Contact.tags).table_valued("value")
    return exists(select(each.c.value).where(each.c.value == tag))
