"""The institutions of the network as records: adding, changing and removing one, and finding
one by its name however it was typed (text.name_key), which is how a contact's form, a contacts
file and the matching of typed organisations (network.matching) all arrive at the same record."""
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import column, func, select, table, update
from sqlalchemy.exc import IntegrityError

from ..audit import Actor, AuditAction, AuditEntry, changed_fields, newest_entries, record
from ..database import UTCDateTime, get_row, write_transaction
from ..errors import InvalidInput
from ..extensions import db
from ..text import clean_line, clean_text, name_key
from .models import Contact, Institution, OrganisationKind

NAME_MAX = 200
PLACE_MAX = 200
WEBSITE_MAX = 300
NOTES_MAX = 5000
# What staff may change on an institution, in the order its form shows them.
EDITABLE_FIELDS = ("name", "kind", "place", "website", "notes")
# What an event's public page shows of an institution named on it (network/_event_institutions.html).
SHOWN_ON_EVENTS = ("name", "website")

# The events and the institutions named on them, by table name: the network stands above contacts,
# so its models are not imported here. Enough of each to give the events a new version.
_events = table("events", column("id"), column("updated_at", UTCDateTime))
_event_institutions = table("event_institutions", column("event_id"), column("institution_id"))


class InstitutionRefused(InvalidInput):
    """An institution cannot be saved as given; `field` names the form field at fault."""

    code = "institution_refused"


class DuplicateInstitution(InstitutionRefused):
    code = "duplicate_institution"
    field = "name"
    message = _l("Another institution already has this name.")

    def __init__(self, name: str | None = None):
        super().__init__(_l("There is already an institution of this name: %(name)s.", name=name)
                         if name else None)


class Choice(NamedTuple):
    """An institution to choose: `choice.name`, or the (id, name) pair a select's options are made of."""

    id: int
    name: str


def get_institution(institution_id: int) -> Institution:
    """One institution. :raises NotFound:"""
    return get_row(Institution, institution_id)


def institution_choices() -> list[Choice]:
    """Every institution by name, to choose one from a list."""
    query = select(Institution.id, Institution.name).order_by(func.lower(Institution.name), Institution.id)
    return [Choice(*row) for row in db.session.execute(query)]


def institution_key(name: str) -> str:
    """A name as institutions are matched by it: text.name_key, as guests' organisations are."""
    return name_key(name)


def find_by_name(name: str) -> Institution | None:
    """The institution of this name, however it was typed ("IHK  trier" finds "IHK Trier")."""
    key = institution_key(name)
    if not key:
        return None
    return db.session.execute(select(Institution).where(Institution.name_key == key)).scalar_one_or_none()


def institution_named(name: str, kind: str | None, *, by: Actor, now: datetime) -> Institution | None:
    """The institution of this name, made (with `kind`) where there is none yet; None for an empty
    name. Inside the caller's write transaction: what the caller saves and the new institution
    stand or fall together. Another request may add an institution of the same name at the same
    moment (PostgreSQL: our insert then breaks the unique name_key once the other commits); then
    the caller gets theirs, and a savepoint keeps the rest of the caller's transaction."""
    name = " ".join(clean_line(name or "").split())
    if not name_key(name):
        return None
    found = find_by_name(name)
    if found is not None:
        return found
    fields = {"name": name[:NAME_MAX], "kind": _kind(kind or OrganisationKind.other), "place": "", "website": "",
              "notes": ""}
    try:
        with db.session.begin_nested():
            return _add(fields, by=by, now=now)
    except IntegrityError:
        found = find_by_name(name)
        if found is None:
            raise
        return found


def create_institution(data: dict, *, by: Actor, now: datetime | None = None) -> Institution:
    """Add an institution. Commits.

    :raises InstitutionRefused: a field breaks a rule (`field` says which).
    :raises DuplicateInstitution: an institution of the same name exists, however it is typed.
    """
    fields = institution_fields(data)
    try:
        with write_transaction(now=now) as tx:
            _refuse_duplicate(fields["name"])
            return _add(fields, by=by, now=tx.now)
    except IntegrityError:
        raise DuplicateInstitution() from None


def update_institution(institution_id: int, data: dict, *, by: Actor) -> Institution:
    """Change an institution's details. Commits.

    :raises NotFound, InstitutionRefused, DuplicateInstitution:
    """
    fields = institution_fields(data)
    try:
        with write_transaction(lock=(Institution, institution_id)) as tx:
            institution = tx.row
            key = institution_key(fields["name"])
            if key != institution.name_key:
                _refuse_duplicate(fields["name"])
            changes = changed_fields({name: getattr(institution, name) for name in EDITABLE_FIELDS}, fields)
            for name, value in fields.items():
                setattr(institution, name, value)
            institution.name_key = key
            if changes:
                record(by, AuditAction.institution_updated, at=tx.now, institution_id=institution.id,
                       changes=changes)
            if any(name in changes for name in SHOWN_ON_EVENTS):
                _touch_events_naming(institution.id, now=tx.now)
            return institution
    except IntegrityError:
        raise DuplicateInstitution() from None


def delete_institution(institution_id: int, *, by: Actor) -> str:
    """Remove an institution; returns the name it had. Its contacts stay, without an institution;
    registrations counted for it count for none; the events lose it from their list. Commits."""
    with write_transaction(lock=(Institution, institution_id)) as tx:
        institution = tx.row
        name = institution.name
        _touch_events_naming(institution_id, now=tx.now)  # before the names go with it
        db.session.delete(institution)
        record(by, AuditAction.institution_deleted, at=tx.now, institution_id=institution_id,
               changes={"name": name})
        return name


def people_of(institution_id: int) -> list[Contact]:
    """The contacts of an institution, by name."""
    return list(db.session.execute(select(Contact).where(Contact.institution_id == institution_id)
                                   .order_by(func.lower(Contact.name), Contact.id)).scalars())


def institution_history(institution_id: int, limit: int = 100) -> list[AuditEntry]:
    """What staff did to an institution (added, changed, typed organisations matched to it), newest first."""
    return newest_entries(AuditEntry.institution_id == institution_id, limit=limit)


def institution_fields(data: dict) -> dict:
    """An institution's fields from what staff typed, cleaned and checked.

    :raises InstitutionRefused:
    """
    fields = {
        "name": " ".join(clean_line(data.get("name") or "").split()),
        "kind": data.get("kind") or OrganisationKind.other,
        "place": clean_line(data.get("place") or ""),
        "website": _website(clean_line(data.get("website") or "")),
        "notes": clean_text(data.get("notes") or ""),
    }
    if not name_key(fields["name"]):
        raise InstitutionRefused(_l("Please enter the institution's name."), field="name")
    for name, most in (("name", NAME_MAX), ("place", PLACE_MAX), ("website", WEBSITE_MAX), ("notes", NOTES_MAX)):
        if len(fields[name]) > most:
            raise InstitutionRefused(_l("At most %(max)s characters, please.", max=most), field=name)
    if fields["website"] and (" " in fields["website"] or "." not in fields["website"]):
        raise InstitutionRefused(_l("This does not look like a web address (example: www.example.org)."),
                                     field="website")
    fields["kind"] = _kind(fields["kind"])
    return fields


def _kind(value) -> OrganisationKind:
    if value not in OrganisationKind.__members__.values():
        raise InstitutionRefused(_l("Please choose a kind of organisation from the list."), field="kind")
    return OrganisationKind(value)


def _website(value: str) -> str:
    """A web address as a link needs it: "www.ihk.de" becomes "https://www.ihk.de"."""
    if value and not value.lower().startswith(("http://", "https://")):
        return "https://" + value
    return value


def _add(fields: dict, *, by: Actor, now: datetime) -> Institution:
    institution = Institution(name_key=institution_key(fields["name"]), created_at=now, updated_at=now, **fields)
    db.session.add(institution)
    db.session.flush()
    record(by, AuditAction.institution_created, at=now, institution_id=institution.id,
           changes=changed_fields({}, fields))
    return institution


def _touch_events_naming(institution_id: int, *, now: datetime) -> None:
    """Give every event that names the institution a new version: their public pages are cached by
    it (pagecache) and would go on showing the old name, link, or a deleted host."""
    naming = select(_event_institutions.c.event_id).where(_event_institutions.c.institution_id == institution_id)
    db.session.execute(update(_events).where(_events.c.id.in_(naming)).values(updated_at=now)
                       .execution_options(synchronize_session=False))


def _refuse_duplicate(name: str) -> None:
    other = find_by_name(name)
    if other is not None:
        raise DuplicateInstitution(other.name)
