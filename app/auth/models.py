"""Staff users and their roles."""
import enum
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import EnumText, UTCDateTime, utcnow
from ..extensions import db, login_manager


class Role(enum.StrEnum):
    admin = "admin"  # everything
    staff = "staff"  # events, registrations, mail
    door = "door"  # only the check-in pages
    # Someone of a partner institution: the registrations and attendance of the events their
    # institution hosts or co-hosts, and nothing else.
    partner = "partner"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(EnumText(Role, 20), default=Role.staff)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # The institution of a partner account (contacts.models.Institution; named by table).
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def set_password(self, password: str) -> None:
        """Store the password hashed: scrypt with a random salt (PASSWORD_HASH_METHOD)."""
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        """Whether `password` is the user's (the hash says how it was made)."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        """Whether the user may log in (Flask-Login)."""
        return self.active

    def has_role(self, *roles: str) -> bool:
        """Whether it holds one of `roles` (admin holds every role)."""
        return self.role == Role.admin or self.role in roles

    @property
    def display_name(self) -> str:
        """How pages and logs name the user: the name, else the address."""
        return self.name or self.email


@login_manager.user_loader
def load_user(user_id: str):
    """The user of a session (Flask-Login); none for a deactivated account, whose open sessions end."""
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


class ApiToken(db.Model):
    """A bearer token for a device (a door tablet, a scanner) or a script; stored hashed."""

    __tablename__ = "api_tokens"
    not_found = _l("There is no token with this id.")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(EnumText(Role, 20), default=Role.door)
    # Only for this event, when set.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # SHA-256 of the token: the token has 256 random bits, so a plain hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        """Whether the token is still valid (not revoked)."""
        return self.revoked_at is None

    def has_role(self, *roles: str) -> bool:
        """Whether it holds one of `roles` (admin holds every role)."""
        return self.role == Role.admin or self.role in roles

    def covers_event(self, event_id: int) -> bool:
        """Whether the token may be used for this event (a token without an event: all of them)."""
        return self.event_id is None or self.event_id == event_id

    @property
    def display_name(self) -> str:
        """How the door log names the device."""
        return self.name
