"""Letting a guest in: the conditional UPDATE that decides the first scan, and the door log's line,
as statements built once (services._admit runs them on the scan's connection).

On SQLite they are two statements in the write transaction. On PostgreSQL they are one: the log's
INSERT is a CTE of the UPDATE's, written only if the UPDATE let the guest in, so that a guest let in
at the door costs one round trip less while the row is locked.
"""
from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.engine import Connection

from ..registrations.models import Registration, RegistrationStatus
from .models import CheckInRecord

# Guest's fields but the last, as columns in its order: the scans' SELECT reads them (and the title
# of the guest's own event), an undo's UPDATE returns them.
GUEST_COLUMNS = (Registration.id, Registration.event_id, Registration.name, Registration.organisation,
                 Registration.status, Registration.checked_in_at, Registration.checked_in_by)

# The first scan's decision: its WHERE holds every rule the scan's read checked, the nonce's too
# (no check-in recorded with it for this guest), so that of all scans that read the same row,
# exactly one lets the guest in: it returns the guest's id if it did, and nothing else, since what it
# wrote is known and the rest was read by the scan. updated_at is set here: the column's onupdate is
# not applied to an UPDATE inside a CTE.
ADMIT = (
    update(Registration)
    .where(Registration.id == bindparam("registration_id"),
           Registration.status == RegistrationStatus.confirmed,
           Registration.checked_in_at.is_(None),
           ~exists().where(CheckInRecord.event_id == Registration.event_id,
                           CheckInRecord.registration_id == Registration.id,
                           CheckInRecord.nonce == bindparam("nonce")))
    .values(checked_in_at=bindparam("now"), checked_in_by=bindparam("actor"), updated_at=bindparam("touched_at"))
    .returning(Registration.id)
)

_LOG_COLUMNS = ("event_id", "registration_id", "action", "at", "user_id", "api_token_id", "actor", "device",
                "nonce", "method")
# Bound as "log_<column>": the UPDATE inside a CTE would take a parameter named as a column of
# registrations (event_id) for a value to set.
LOG = insert(CheckInRecord.__table__).values(
    {name: bindparam(f"log_{name}", type_=CheckInRecord.__table__.c[name].type) for name in _LOG_COLUMNS})


def _admitted_and_logged():
    admitted = ADMIT.cte("admitted")
    records = CheckInRecord.__table__
    logged = insert(records).from_select(
        list(_LOG_COLUMNS),
        select(*[bindparam(f"log_{name}", type_=records.c[name].type) for name in _LOG_COLUMNS])
        .select_from(admitted)).cte("logged")
    return select(*admitted.c).add_cte(logged)


ADMIT_AND_LOG = _admitted_and_logged()


def log_line(event_id: int, registration_id: int, action, actor, now, nonce: str | None, method) -> dict:
    """The door log's line for a check-in or an undo by `actor` (audit.Actor), as LOG's parameters."""
    values = {"event_id": event_id, "registration_id": registration_id, "action": action, "at": now,
              "user_id": actor.user_id, "api_token_id": actor.api_token_id, "actor": actor.name,
              "device": actor.device[:200], "nonce": nonce or None, "method": method}
    return {f"log_{name}": value for name, value in values.items()}


def admit_and_log(connection: Connection, admission: dict, line: dict) -> bool:
    """Run ADMIT with `admission`'s parameters and, if it let the guest in, write the door log's
    `line` (log_line); whether it let them in."""
    if connection.dialect.name == "postgresql":
        return connection.execute(ADMIT_AND_LOG, {**admission, **line}).first() is not None
    admitted = connection.execute(ADMIT, admission).first() is not None
    if admitted:
        connection.execute(LOG, line)
    return admitted
