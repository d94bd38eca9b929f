"""What a scan at the door reads: the door's event, the guest, whose scan the nonce was and, for a
scanner device, its token, in one SELECT (door_scan) on a connection of the scan's own; services.decide
answers it. On PostgreSQL the same statement lets the guest in where the rules allow
(admission.admitting), so that a check-in is one statement and one round trip."""
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..audit import Actor
from ..auth.models import ApiToken
from ..auth.services import ACTIVE_TOKEN_COLUMNS, IS_ACTIVE_TOKEN, ActiveToken
from ..database import is_valid_id, utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from .access import token_works_door
from .admission import GUEST_COLUMNS, admitting
from .models import CheckInAction, CheckInMethod, CheckInRecord

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
class Admission:
    """How a scan lets its guest in where the rules allow: by whom (None: the device whose token the
    scan reads, by its name), how, and when (None: now)."""

    method: CheckInMethod
    actor: Actor | None = None
    now: datetime | None = None

    def parameters(self) -> dict:
        """admission.admitting's parameters (but the scan's)."""
        actor = self.actor
        return {"now": self.now or utcnow(), "touched_at": utcnow(), "actor": actor and actor.name,
                "log_user_id": actor and actor.user_id, "log_api_token_id": actor and actor.api_token_id,
                "log_device": actor and actor.device[:200], "log_action": CheckInAction.check_in,
                "log_method": self.method}


@dataclass(frozen=True)
class Scan:
    """What the scan's statement found: the door (None: there is no such event), the guest, whose
    check-in the nonce recorded, the device token it was asked with (None: unknown, revoked or
    none asked), and when it let the guest in (None: it did not), with what to read it again by."""

    door: Door | None
    guest: Guest | None
    nonce_owner: int | None
    token: ActiveToken | None
    read: "_Read"
    admitted_at: datetime | None = None


@dataclass(frozen=True)
class _Read:
    """The scan's statement, its parameters, and the connection it runs on."""

    connection: Connection
    statements: "_Statements"
    event_id: int
    key: object  # the ticket code or registration id; None matches nobody
    nonce: str | None
    token_hash: str | None
    admission: Admission | None = None

    @property
    def admits(self) -> bool:
        """Whether the read lets the guest in too (PostgreSQL, with an admission)."""
        return self.admission is not None and self.connection.dialect.name == "postgresql"

    def run(self) -> "Scan":
        """Read the scan (again: after a write that found the row changed, it sees the change)."""
        parameters = {"door_id": self.event_id, "key": self.key, "nonce": self.nonce, "token_hash": self.token_hash}
        if not self.admits:
            return self._scan(self.connection.execute(self.statements.read, parameters).first(), None)
        admission = self.admission.parameters()
        try:
            row = self.connection.execute(self.statements.admitting, {**parameters, **admission}).first()
        except IntegrityError:
            if not self.nonce:
                raise
            self.connection.rollback()
            return self.without_nonce()
        if row.admitted is None:
            return self._scan(row, None)
        # Committed already, as a statement of its own; this tells the process's listeners (which
        # move the stored pages' generation: app/pagecache.py) that it wrote.
        self.connection.commit()
        return self._scan(row, admission["now"])

    def without_nonce(self) -> "Scan":
        """Read again without the nonce, which another ticket's scan recorded a moment ago while
        this one was being written: a client bug, which must not cost this guest their check-in."""
        return replace(self, nonce=None).run()

    def _scan(self, row, admitted_at: datetime | None) -> "Scan":
        door = Door(row[0], row[1]) if row[0] is not None else None
        guest = Guest(*row[_GUEST]) if row[_GUEST.start] is not None else None
        token = ActiveToken(*row[_TOKEN]) if row[_TOKEN.start] is not None else None
        return Scan(door, guest, row[_NONCE_OWNER], token, self, admitted_at)


# Where the scan's row holds what: the door (2 columns), the guest, the nonce's owner, the token.
_GUEST = slice(2, 2 + len(GUEST_COLUMNS) + 1)
_NONCE_OWNER = _GUEST.stop
_TOKEN = slice(_NONCE_OWNER + 1, _NONCE_OWNER + 1 + len(ACTIVE_TOKEN_COLUMNS))
# The event asked for, as a row of one column: the scan's SELECT starts from it, so that it answers
# one row whether or not the event exists (the token is judged first: 401 and 403 come before 404).
_ASKED = select(bindparam("door_id", type_=Integer).label("id")).subquery("asked")


def _scan_by(key_column) -> Select:
    """The scan's one SELECT: the door's event, the guest whose `key_column` is :key (of whatever
    event, or none) with their event's title, the registration a check-in with :nonce was recorded
    for (or none), and the active device token of :token_hash (or none). A NULL :key, :nonce or
    :token_hash matches nothing. Its columns are labelled for admission.admitting."""
    nonce_owner = (select(CheckInRecord.registration_id)
                   .where(CheckInRecord.event_id == bindparam("door_id"), CheckInRecord.nonce == bindparam("nonce"))
                   .scalar_subquery())
    return (select(Event.id.label("door_id"), Event.timezone.label("door_timezone"),
                   *(column.label(f"guest_{column.key}") for column in GUEST_COLUMNS),
                   _TheirEvent.title.label("guest_event_title"), nonce_owner.label("nonce_owner"),
                   *(column.label(f"token_{column.key}") for column in ACTIVE_TOKEN_COLUMNS))
            .select_from(_ASKED)
            .outerjoin(Event, Event.id == _ASKED.c.id)
            .outerjoin(Registration, key_column == bindparam("key"))
            .outerjoin(_TheirEvent, _TheirEvent.id == Registration.event_id)
            .outerjoin(ApiToken, IS_ACTIVE_TOKEN))


def _credentials_may_admit(scan):
    """Whether the scan's credentials may let its guest in: the device token it read works this door,
    or it read none (a staff session's scan, whose credentials were judged before)."""
    return or_(bindparam("token_hash", type_=ApiToken.token_hash.type).is_(None),
               token_works_door(scan.token_id, scan.token_role, scan.token_event_id, bindparam("door_id")))


@dataclass(frozen=True)
class _Statements:
    """A kind of scan's statements: the read alone, and the read that lets the guest in."""

    read: Select
    admitting: Select

    @classmethod
    def by(cls, key_column, scan_by=_scan_by) -> "_Statements":
        """The statements of the scan that finds its guest by `key_column` (its read as `scan_by`
        builds it)."""
        read = scan_by(key_column)
        return cls(read, admitting(read, key_column == bindparam("key"), _credentials_may_admit))


# The statements of a scan are built once, with parameters: building one costs about as much as
# running it.
BY_CODE = _Statements.by(Registration.ticket_code)
BY_ID = _Statements.by(Registration.id)


def ticket_code_from(scanned: str) -> str | None:
    """The ticket code in what a scanner read: the code itself or the ticket URL."""
    value = (scanned or "").strip()
    if "/t/" in value:
        path = urlsplit(value).path if "://" in value else value
        value = path.rsplit("/t/", 1)[-1].strip("/").split("/")[0]
    return value if TICKET_CODE.match(value) else None


@contextmanager
def door_scan(event_id: int, *, scanned: str | None = None, registration_id: int | None = None,
              nonce: str | None = None, token_hash: str | None = None,
              admission: Admission | None = None) -> Iterator[Scan]:
    """What the scan of a ticket (`scanned`: its code or URL) or of a registration found by name
    needs, read in one statement; with `token_hash` (auth.services.bearer_token_hash), the device
    token that sent it too. services.decide() answers it.

    With an `admission`, on PostgreSQL the statement lets the guest in where the rules and the token
    allow (Scan.admitted_at), committed as it ends: no BEGIN and no COMMIT are sent. On SQLite, and
    without one, decide() takes the write lock and writes if the read says the guest may come in.

    The scan has a connection of its own, not the request's ORM session: the door's busiest path
    needs none of the session's bookkeeping (about a tenth of a check-in's time). It goes back to the
    pool when the block ends.
    """
    if registration_id is not None:
        statements, key = BY_ID, registration_id if is_valid_id(registration_id) else None
    else:
        statements, key = BY_CODE, ticket_code_from(scanned)
    with db.engine.connect() as connection:
        read = _Read(connection, statements, event_id, key, nonce, token_hash, admission)
        if read.admits:
            connection.execution_options(isolation_level="AUTOCOMMIT")  # the statement commits itself
        yield read.run()
