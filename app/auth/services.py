"""Creating staff users and checking their passwords."""
import hashlib
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import write_transaction
from ..errors import InvalidInput
from ..extensions import db
from .models import ApiToken, Role, User

MIN_PASSWORD_LENGTH = 10


def create_user(email: str, *, role: str, password: str | None = None, name: str = "") -> tuple[User, str]:
    """Create a staff user; returns the user and the password (generated when none is given). Commits.

    :raises InvalidInput:
    """
    email = email.strip()
    if "@" not in email:
        raise InvalidInput(_l("This does not look like an email address (example: name@example.org)."))
    if role not in Role.__members__.values():
        raise InvalidInput(_l("Unknown role: %(role)s", role=role))
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    with write_transaction():
        if find_user(email) is not None:
            raise InvalidInput(_l("A user with this email address already exists."))
        user = User(email=email, role=role, name=name)
        user.set_password(password)
        db.session.add(user)
        return user, password


def find_user(email: str) -> User | None:
    """The user with this address, whatever its case."""
    return db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    It takes as long for an unknown address as for a known one: the password is checked
    against a stand-in hash made the same way, so the time of the answer does not tell
    which addresses have an account.
    """
    user = find_user(email)
    if user is None:
        check_password_hash(_stand_in_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _stand_in_hash() -> str:
    """A hash of a random password, made once per app with the configured method and cost."""
    return current_app.extensions.setdefault(
        "podium.stand_in_hash",
        generate_password_hash(secrets.token_urlsafe(16), method=current_app.config["PASSWORD_HASH_METHOD"]))


def hash_token(token: str) -> str:
    """How a bearer token is stored: its SHA-256 (the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(name: str, *, role: str = Role.door, event_id: int | None = None) -> tuple[ApiToken, str]:
    """A new bearer token; returns the row and the token itself, which is not stored. Commits.

    :raises InvalidInput:
    """
    if not name.strip():
        raise InvalidInput(_l("A token needs a name, e.g. the device it is for."))
    if role not in Role.__members__.values():
        raise InvalidInput(_l("Unknown role: %(role)s", role=role))
    token = secrets.token_urlsafe(32)
    with write_transaction():
        row = ApiToken(name=name.strip(), role=role, event_id=event_id, token_hash=hash_token(token))
        db.session.add(row)
        return row, token


def revoke_api_token(token_id: int) -> ApiToken:
    """Revoke a token at once. Commits. :raises NotFound:"""
    with write_transaction(lock=(ApiToken, token_id)) as tx:
        row = tx.row
        row.revoked_at = row.revoked_at or tx.now
        return row


def authenticate_token(token: str) -> ApiToken | None:
    """The active token row for a bearer token, or None."""
    if not token or len(token) > 200:
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
    return row if row is not None and row.is_active else None


def list_api_tokens() -> list[ApiToken]:
    """Every token, oldest first (revoked ones too)."""
    return list(db.session.execute(select(ApiToken).order_by(ApiToken.id)).scalars())
