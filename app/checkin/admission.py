"""Letting a guest in: the conditional UPDATE that decides the first scan, and the door log's line,
as statements built once.

On SQLite they are two statements in the write transaction (services._admit runs them on the scan's
connection). On PostgreSQL a scan that may let its guest in is one statement, read, decision and
write (admitting, which scans.py builds for each kind of scan): the scan's SELECT is a CTE, the
UPDATE another that lets the guest in only where every rule allows, and the log's INSERT a third,
written only if the UPDATE let them in. No transaction is opened around it: one statement is one
transaction, so a guest let in at the door costs one round trip.
"""
from sqlalchemy import Select, bindparam, case, exists, func, insert, select, true, update
from sqlalchemy.engine import Connection

from ..registrations.models import Registration, RegistrationStatus
from .models import CheckInRecord

# Guest's fields but the last, as columns in its order: the scans' SELECT reads them (and the title
# of the guest's own event), an undo's UPDATE returns them.
GUEST_COLUMNS = (Registration.id, Registration.event_id, Registration.name, Registration.organisation,
                 Registration.status, Registration.checked_in_at, Registration.checked_in_by)


def _may_come_in(the_guest) -> tuple:
    """The first scan's decision, as the UPDATE's WHERE for the row `the_guest` finds: it holds every
    rule the scan's read checked, the nonce's too (no check-in recorded with it for this guest), so
    that of all scans that read the same row, exactly one lets the guest in."""
    return (the_guest,
            Registration.status == RegistrationStatus.confirmed,
            Registration.checked_in_at.is_(None),
            ~exists().where(CheckInRecord.event_id == Registration.event_id,
                            CheckInRecord.registration_id == Registration.id,
                            CheckInRecord.nonce == bindparam("nonce")))


def _admit():
    """The first scan's UPDATE where it follows the scan's read (SQLite; a scan read without an
    admission): it returns the guest's id if it let them in, and nothing else, since what it wrote
    is known and the rest was read by the scan."""
    return (update(Registration)
            .where(*_may_come_in(Registration.id == bindparam("registration_id")))
            .values(checked_in_at=bindparam("now"), checked_in_by=bindparam("actor"),
                    updated_at=bindparam("touched_at"))
            .returning(Registration.id))


ADMIT = _admit()

_LOG_COLUMNS = ("event_id", "registration_id", "action", "at", "user_id", "api_token_id", "actor", "device",
                "nonce", "method")
# Bound as "log_<column>", as admitting binds the log's line: there an UPDATE inside a CTE would take
# a parameter named as a column of registrations (event_id) for a value to set.
LOG = insert(CheckInRecord.__table__).values(
    {name: bindparam(f"log_{name}", type_=CheckInRecord.__table__.c[name].type) for name in _LOG_COLUMNS})


def admitting(scan: Select, the_guest, may_admit) -> Select:
    """PostgreSQL: `scan` (scans.py's SELECT, with its columns labelled door_*, guest_*, nonce_owner
    and token_*) and, in the same statement, ADMIT of its guest (the row `the_guest` finds, as the
    scan does: by an index, which the scan's row would hide from the planner) at the door of :door_id
    with the door log's line, where `may_admit(the scan's row)` (the credentials) and every rule
    allow. Answers the scan's row and "admitted", the guest's id if it let them in.

    Whoever asked is :actor, or (None) the device whose token the scan reads; the log names them
    alike. A nonce that another guest's check-in holds (a client bug) stays out of this one's line.
    Parameters: the scan's, and now, touched_at, actor, log_user_id, log_api_token_id, log_device,
    log_action and log_method. None is named after a column of registrations: an UPDATE inside a
    CTE would take such a parameter for a value to SET. updated_at is set here: the column's
    onupdate is not applied to an UPDATE inside a CTE.
    """
    read = scan.cte("scan")
    records = CheckInRecord.__table__
    admitted = (
        update(Registration)
        # The guest's event as the scan read it (a registration never changes its event): asked of
        # the row, it would offer the planner the index on (event, status), which without fresh
        # statistics it took over the ticket code's, reading every guest of the event.
        .where(*_may_come_in(the_guest), Registration.id == read.c.guest_id,
               read.c.guest_event_id == bindparam("door_id"), may_admit(read.c))
        .values(checked_in_at=bindparam("now"), updated_at=bindparam("touched_at"),
                checked_in_by=func.coalesce(bindparam("actor", type_=records.c.actor.type), read.c.token_name))
        .returning(Registration.id, Registration.checked_in_by, read.c.token_id, read.c.token_name, read.c.nonce_owner)
        .cte("admitted"))
    line = {"event_id": bindparam("door_id", type_=records.c.event_id.type), "registration_id": admitted.c.id,
            "action": bindparam("log_action", type_=records.c.action.type),
            "at": bindparam("now", type_=records.c.at.type),
            "user_id": bindparam("log_user_id", type_=records.c.user_id.type),
            "api_token_id": func.coalesce(bindparam("log_api_token_id", type_=records.c.api_token_id.type),
                                          admitted.c.token_id),
            "actor": admitted.c.checked_in_by,
            "device": func.coalesce(bindparam("log_device", type_=records.c.device.type), admitted.c.token_name),
            "nonce": case((admitted.c.nonce_owner.is_(None), bindparam("nonce", type_=records.c.nonce.type))),
            "method": bindparam("log_method", type_=records.c.method.type)}
    logged = insert(records).from_select(list(line), select(*line.values()).select_from(admitted)).cte("logged")
    return (select(*read.c, admitted.c.id.label("admitted"))
            .select_from(read.outerjoin(admitted, true()))
            .add_cte(logged))


def log_line(event_id: int, registration_id: int, action, actor, now, nonce: str | None, method) -> dict:
    """The door log's line for a check-in or an undo by `actor` (audit.Actor), as LOG's parameters."""
    values = {"event_id": event_id, "registration_id": registration_id, "action": action, "at": now,
              "user_id": actor.user_id, "api_token_id": actor.api_token_id, "actor": actor.name,
              "device": actor.device[:200], "nonce": nonce or None, "method": method}
    return {f"log_{name}": value for name, value in values.items()}


def admit_and_log(connection: Connection, admission: dict, line: dict) -> bool:
    """Run ADMIT with `admission`'s parameters and, if it let the guest in, write the door log's
    `line` (log_line); whether it let them in. (On PostgreSQL a scan does it in its read: admitting.)"""
    admitted = connection.execute(ADMIT, admission).first() is not None
    if admitted:
        connection.execute(LOG, line)
    return admitted
