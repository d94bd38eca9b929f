"""A new guest's sign-up as rows: the registration, the event's counter and the mail, written by
statements built once, while the event's lock is held (services.register).

The session's unit of work took longer than the statements themselves, and every sign-up to the
event waits for the one before it: what happens under the lock sets how many guests a second can
sign up. So the registration is inserted with ON CONFLICT DO NOTHING, which also says whether the
address was registered already (no query before it), and the institution its organisation counts
for is a subquery of that INSERT. On PostgreSQL the registration, the counter and the mail are one
statement (the counter's UPDATE and the mail's INSERT are CTEs of it), two round trips less with the
lock held.
"""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..links import new_link_token
from ..outbox import NEW_MAIL_COLUMNS, NewMail, OutgoingMail, enqueue_many, mail_row, note_enqueued
from ..text import name_key
from .models import OrganisationMatch, Registration, RegistrationStatus, Source
from .tickets import new_ticket_code

CONFIRMED_MAIL = "registration_confirmed"
WAITLISTED_MAIL = "registration_waitlisted"

_REGISTRATIONS = Registration.__table__
_EVENTS = Event.__table__
# What a new registration is given; the institution comes from organisation_matches.
_COLUMNS = ("event_id", "name", "email", "email_key", "organisation", "affiliation", "note", "locale",
            "consent_at", "consent_version", "source", "status", "waitlisted_at", "ticket_code",
            "manage_token", "sequence_offset", "created_at", "updated_at")
_COUNTERS = ("confirmed_count", "waitlist_count")


def _new_registration(dialect):
    matched = (select(OrganisationMatch.__table__.c.institution_id)
               .where(OrganisationMatch.__table__.c.name_key == bindparam("organisation_key")).scalar_subquery())
    # Bound as "new_<column>": the counter's UPDATE would take a parameter named as a column of
    # events (status, created_at, updated_at) for a value to set.
    values = {name: bindparam(f"new_{name}", type_=_REGISTRATIONS.c[name].type) for name in _COLUMNS}
    return (dialect.insert(_REGISTRATIONS).values(institution_id=matched, **values)
            .on_conflict_do_nothing(index_elements=["event_id", "email_key"]).returning(_REGISTRATIONS.c.id))


def _count_in(counter: str, *, only_if=None):
    # updated_at set here: the column's onupdate is not applied to an UPDATE inside a CTE.
    statement = (update(_EVENTS).where(_EVENTS.c.id == bindparam("event_id"))
                 .values({counter: _EVENTS.c[counter] + 1, "updated_at": bindparam("event_updated_at")}))
    return statement if only_if is None else statement.where(only_if)


def _registered_counted_and_mailed(counter: str):
    """PostgreSQL: the INSERT, the counter raised and the mail queued only if it inserted, in one
    statement. The mail's values are bound as "mail_<column>" (outbox.mail_row), its
    registration_id is the new row's."""
    added = _new_registration(postgresql).cte("added")
    counted = _count_in(counter, only_if=exists(select(added.c.id))).cte("counted")
    mails = OutgoingMail.__table__
    columns = [name for name in NEW_MAIL_COLUMNS if name != "registration_id"]
    mailed = (insert(mails).from_select(
        [*columns, "registration_id"],
        select(*[bindparam(f"mail_{name}", type_=mails.c[name].type) for name in columns], added.c.id))
        .cte("mailed"))
    return select(added.c.id).add_cte(counted).add_cte(mailed)


_SQLITE_REGISTER = _new_registration(sqlite)
_SQLITE_COUNT_IN = {counter: _count_in(counter) for counter in _COUNTERS}
_POSTGRESQL = {counter: _registered_counted_and_mailed(counter) for counter in _COUNTERS}


@dataclass(frozen=True)
class NewGuest:
    registration_id: int
    confirmed: bool
    ticket_code: str
    manage_token: str


def add_guest(event: Event, fields: dict, *, address_key: str, source: Source, now: datetime) -> NewGuest | None:
    """Register a new address for the locked `event` (a place while there is one, else the end of
    the waitlist), count it and queue its mail; None, writing nothing, if the address (its
    text.email_key, `address_key`) is registered for the event already. `fields` are
    services.typed_fields."""
    confirmed = not event.is_full
    counter = "confirmed_count" if confirmed else "waitlist_count"
    row = {**fields, "event_id": event.id, "email_key": address_key, "source": source,
           "status": RegistrationStatus.confirmed if confirmed else RegistrationStatus.waitlisted,
           "waitlisted_at": None if confirmed else now, "ticket_code": new_ticket_code(),
           "manage_token": new_link_token(), "sequence_offset": 0, "created_at": now, "updated_at": now}
    parameters = {f"new_{name}": value for name, value in row.items()}
    parameters.update(event_id=event.id, event_updated_at=utcnow(), organisation_key=name_key(fields["organisation"]))
    connection = db.session.connection()
    mail = NewMail(CONFIRMED_MAIL if confirmed else WAITLISTED_MAIL, row["email"], row["locale"],
                   {"sequence": event.sequence, "repeated": False})
    if connection.dialect.name == "postgresql":
        parameters.update({f"mail_{name}": value for name, value in mail_row(mail, utcnow()).items()})
        registration_id = connection.execute(_POSTGRESQL[counter], parameters).scalar()
        if registration_id is not None:
            note_enqueued()
    else:
        registration_id = connection.execute(_SQLITE_REGISTER, parameters).scalar()
        if registration_id is not None:
            connection.execute(_SQLITE_COUNT_IN[counter], parameters)
            enqueue_many([replace(mail, registration_id=registration_id)], utcnow())
    if registration_id is None:
        return None
    # The event in the session counts the guest too, as the database now does (no change to write).
    set_committed_value(event, counter, getattr(event, counter) + 1)
    return NewGuest(registration_id, confirmed, row["ticket_code"], row["manage_token"])
