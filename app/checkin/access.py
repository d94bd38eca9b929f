"""Who may work the door: a logged-in user of any role, or a device's bearer token."""
from dataclasses import dataclass

from flask import current_app, request
from flask_login import current_user

from ..audit import Actor
from ..auth.models import Role
from ..auth.services import authenticate_token
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


class Unauthenticated(Exception):
    pass


def device_name() -> str:
    """The browser the door works with, as the door log names it ("Chrome on Android")."""
    return browser_name(request.user_agent.string)


def api_credentials() -> Credentials:
    """The bearer token, or else the session (whose CSRF token is then required).

    :raises Unauthenticated: neither is there, or the token is unknown or revoked.
    """
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = authenticate_token(header[7:].strip())
        if token is None:
            raise Unauthenticated("invalid or revoked token")
        return Credentials(Actor(name=token.name, device=token.name, api_token_id=token.id),
                           may_work_doors=token.has_role(*DOOR_ROLES), event_id=token.event_id)
    if not current_user.is_authenticated:
        raise Unauthenticated("authentication required: a bearer token or a staff session")
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        # A cookie-authenticated request must prove it comes from our page (X-CSRFToken).
        csrf.protect()
    return Credentials(session_actor(), may_work_doors=current_user.has_role(*DOOR_ROLES))


def session_actor() -> Actor:
    """The logged-in user at the door, with the device they use."""
    return Actor(name=current_user.display_name, device=device_name(), user_id=current_user.id)
