"""What a scan at the door reads: the door's event, the guest, whose scan the nonce was and, for a
scanner device, its token, in one SELECT (door_scan) on a connection of the scan's own; services.decide
answers it."""
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from ..auth.models import ApiToken
from ..auth.services import ACTIVE_TOKEN_COLUMNS, IS_ACTIVE_TOKEN, ActiveToken
from ..database import is_valid_id
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from .admission import GUEST_COLUMNS
from .models import CheckInRecord

TICKET_CODE = re.compile(r"^[A-Za-z0-9_-]{10,64}$")

# The guest's own event, apart from the door's: a ticket may be for another event.
_TheirEvent = aliased(Event)


@dataclass(frozen=True)
class Guest:
    """A registration as the door is told about it: plain values, so that a commit after they were
    read (which expires every ORM object) costs no query to show them."""

    id: int
    event_id: int
    name: str
    organisation: str
    status: RegistrationStatus
    checked_in_at: datetime | None
    checked_in_by: str | None
    event_title: str

    @classmethod
    def of(cls, registration: Registration) -> "Guest":
        """The snapshot of a registration loaded (or just written) by the ORM."""
        return cls(registration.id, registration.event_id, registration.name, registration.organisation,
                   registration.status, registration.checked_in_at, registration.checked_in_by,
                   registration.event.title)


@dataclass(frozen=True)
class Door:
    """The event whose door a scan is at, as far as an answer needs it."""

    event_id: int
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        """The event's own time zone: the clock a check-in's time is read on."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Scan:
    """What the scan's SELECT found: the door (None: there is no such event), the guest, whose
    check-in the nonce recorded, and the device token it was asked with (None: unknown, revoked or
    none asked), with what to read it again by."""

    door: Door | None
    guest: Guest | None
    nonce_owner: int | None
    token: ActiveToken | None
    read: "_Read"


@dataclass(frozen=True)
class _Read:
    """The scan's SELECT, its parameters, and the connection it runs on."""

    connection: Connection
    statement: Select
    event_id: int
    key: object  # the ticket code or registration id; None matches nobody
    nonce: str | None
    token_hash: str | None

    def run(self) -> Scan:
        """Read the scan (again: after a write that found the row changed, it sees the change)."""
        row = self.connection.execute(self.statement, {
            "event_id": self.event_id, "key": self.key, "nonce": self.nonce, "token_hash": self.token_hash}).first()
        door = Door(row[0], row[1]) if row[0] is not None else None
        guest = Guest(*row[_GUEST]) if row[_GUEST.start] is not None else None
        token = ActiveToken(*row[_TOKEN]) if row[_TOKEN.start] is not None else None
        return Scan(door, guest, row[_NONCE_OWNER], token, self)


# Where the scan's row holds what: the door (2 columns), the guest, the nonce's owner, the token.
_GUEST = slice(2, 2 + len(GUEST_COLUMNS) + 1)
_NONCE_OWNER = _GUEST.stop
_TOKEN = slice(_NONCE_OWNER + 1, None)
# The event asked for, as a row of one column: the scan's SELECT starts from it, so that it answers
# one row whether or not the event exists (the token is judged first: 401 and 403 come before 404).
_ASKED = select(bindparam("event_id", type_=Integer).label("id")).subquery("asked")


def _scan_by(key_column) -> Select:
    """The scan's one SELECT: the door's event, the guest whose `key_column` is :key (of whatever
    event, or none) with their event's title, the registration a check-in with :nonce was recorded
    for (or none), and the active device token of :token_hash (or none). A NULL :key, :nonce or
    :token_hash matches nothing."""
    nonce_owner = (select(CheckInRecord.registration_id)
                   .where(CheckInRecord.event_id == bindparam("event_id"), CheckInRecord.nonce == bindparam("nonce"))
                   .scalar_subquery())
    return (select(Event.id, Event.timezone, *GUEST_COLUMNS, _TheirEvent.title, nonce_owner, *ACTIVE_TOKEN_COLUMNS)
            .select_from(_ASKED)
            .outerjoin(Event, Event.id == _ASKED.c.id)
            .outerjoin(Registration, key_column == bindparam("key"))
            .outerjoin(_TheirEvent, _TheirEvent.id == Registration.event_id)
            .outerjoin(ApiToken, IS_ACTIVE_TOKEN))


# The statements of a scan are built once, with parameters: building one costs about as much as
# running it.
SCAN_BY_CODE = _scan_by(Registration.ticket_code)
SCAN_BY_ID = _scan_by(Registration.id)


def ticket_code_from(scanned: str) -> str | None:
    """The ticket code in what a scanner read: the code itself or the ticket URL."""
    value = (scanned or "").strip()
    if "/t/" in value:
        path = urlsplit(value).path if "://" in value else value
        value = path.rsplit("/t/", 1)[-1].strip("/").split("/")[0]
    return value if TICKET_CODE.match(value) else None


@contextmanager
def door_scan(event_id: int, *, scanned: str | None = None, registration_id: int | None = None,
              nonce: str | None = None, token_hash: str | None = None) -> Iterator[Scan]:
    """What the scan of a ticket (`scanned`: its code or URL) or of a registration found by name
    needs, read in one SELECT; with `token_hash` (auth.services.bearer_token_hash), the device token
    that sent it too. services.decide() answers it, in the same transaction where the database allows.

    The scan has a connection of its own, not the request's ORM session: the door's busiest path
    needs none of the session's bookkeeping (about a tenth of a check-in's time). It goes back to the
    pool when the block ends.
    """
    if registration_id is not None:
        statement, key = SCAN_BY_ID, registration_id if is_valid_id(registration_id) else None
    else:
        statement, key = SCAN_BY_CODE, ticket_code_from(scanned)
    with db.engine.connect() as connection:
        yield _Read(connection, statement, event_id, key, nonce, token_hash).run()
