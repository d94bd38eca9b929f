"""Who may work the door: a logged-in user of any role, or a device's bearer token."""
from dataclasses import dataclass

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import and_, or_

from ..audit import Actor
from ..auth.models import Role
from ..auth.services import ActiveToken, authenticate_token
from ..extensions import csrf
from .devices import browser_name

DOOR_ROLES = (Role.door, Role.staff)


@dataclass(frozen=True)
class Credentials:
    """Who works the door and what they may do, as plain values read at authentication: a commit
    later in the request expires every ORM object, and asking one again would cost a query."""

    actor: Actor
    may_work_doors: bool
    # A token limited to one event: that event.
    event_id: int | None = None

    def covers(self, event_id: int) -> bool:
        """Whether these credentials may work the door of this event."""
        return self.may_work_doors and self.event_id in (None, event_id)

    @property
    def sees_every_event(self) -> bool:
        """Whether these credentials may learn of another event's guest (a ticket scanned at the wrong door).

        A token limited to one event may not: to it, another event's ticket is an unknown one.
        """
        return self.event_id is None


class Refused(Exception):
    """The request's credentials do not let it in; the message says why (in English: programs read it)."""

    status = 403


class Unauthenticated(Refused):
    """No credentials, or a token that is unknown or revoked: 401."""

    status = 401


def device_name() -> str:
    """The browser the door works with, as the door log names it ("Chrome on Android")."""
    return browser_name(request.user_agent.string)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header, or None without one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def token_credentials(token: ActiveToken | None) -> Credentials:
    """What a device's token (as read, None if unknown or revoked) may do. :raises Unauthenticated:"""
    if token is None:
        raise Unauthenticated("invalid or revoked token")
    return Credentials(Actor(name=token.name, device=token.name, api_token_id=token.id),
                       may_work_doors=token.has_role(*DOOR_ROLES), event_id=token.event_id)


def token_works_door(token_id, role, event_id, door_id):
    """SQL: whether the device token of these columns (NULL: none) may work the door of `door_id`, as
    covering(token_credentials(token), door) judges it. A scan that lets its guest in asks it in the
    statement that reads the token (scans.py)."""
    return and_(token_id.is_not(None), or_(*(role == each for each in (Role.admin, *DOOR_ROLES))),
                or_(event_id.is_(None), event_id == door_id))


def api_credentials() -> Credentials:
    """The bearer token, or else the session (whose CSRF token is then required).

    :raises Unauthenticated: neither is there, or the token is unknown or revoked.
    """
    token = bearer_token()
    if token is not None:
        return token_credentials(authenticate_token(token))
    if not current_user.is_authenticated:
        raise Unauthenticated("authentication required: a bearer token or a staff session")
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        # A cookie-authenticated request must prove it comes from our page (X-CSRFToken).
        csrf.protect()
    return Credentials(session_actor(), may_work_doors=current_user.has_role(*DOOR_ROLES))


def covering(credentials: Credentials, event_id: int | None) -> Credentials:
    """The credentials, if they cover the event (None: a request for no one event). :raises Refused:"""
    if event_id is not None and not credentials.covers(event_id):
        raise Refused("these credentials do not cover this event")
    return credentials


def session_actor() -> Actor:
    """The logged-in user at the door, with the device they use."""
    return Actor(name=current_user.display_name, device=device_name(), user_id=current_user.id)
