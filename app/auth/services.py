"""Creating users (staff, door, partners), switching them off and on, and checking their passwords."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, column, func, select, table
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import Actor, AuditAction, record
from ..database import is_valid_id, write_transaction
from ..errors import InvalidInput, StateConflict
from ..extensions import db
from .models import ApiToken, Role, User

MIN_PASSWORD_LENGTH = 10

# The institutions a partner account belongs to, named by table like User.institution_id's
# foreign key: contacts stand beside auth, not below it, so auth does not import their model.
_institutions = table("institutions", column("id"), column("name"))


def create_user(email: str, *, role: str, password: str | None = None, name: str = "",
                institution_id: int | None = None, by: Actor | None = None) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given). Commits.

    A partner account needs the institution it belongs to; no other role takes one. With `by`,
    the creation is noted in the audit trail.

    :raises InvalidInput: (its `field` names the form field: email, role, password, institution_id)
    """
    email = email.strip()
    if "@" not in email:
        raise InvalidInput(_l("This does not look like an email address (example: name@example.org)."),
                           field="email")
    if role not in Role.__members__.values():
        raise InvalidInput(_l("Unknown role: %(role)s", role=role), field="role")
    if role == Role.partner and institution_id is None:
        raise InvalidInput(_l("A partner account belongs to an institution: please choose one."),
                           field="institution_id")
    if role != Role.partner and institution_id is not None:
        raise InvalidInput(_l("Only a partner account belongs to an institution; leave it out for this role."),
                           field="institution_id")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
                           field="password")
    with write_transaction() as tx:
        if find_user(email) is not None:
            raise InvalidInput(_l("A user with this email address already exists."), field="email")
        institution = _institution_name(institution_id) if institution_id is not None else None
        user = User(email=email, role=role, name=name, institution_id=institution_id)
        user.set_password(password)
        db.session.add(user)
        if by is not None:
            db.session.flush()
            facts = {"account": email, "role": role} | ({"institution": institution} if institution else {})
            record(by, AuditAction.account_created, at=tx.now, changes=facts)
        return user, password


def _institution_name(institution_id) -> str:
    """The name of the institution with this id. :raises InvalidInput: there is none."""
    name = db.session.execute(select(_institutions.c.name).where(_institutions.c.id == institution_id)
                              ).scalar_one_or_none() if is_valid_id(institution_id) else None
    if name is None:
        raise InvalidInput(_l("There is no institution with the number %(id)s.", id=institution_id),
                           field="institution_id")
    return name


def list_users() -> list[tuple[User, str | None]]:
    """Every account, active ones first, by name, each with the name of its institution (partners)."""
    query = (select(User, _institutions.c.name).outerjoin(_institutions, _institutions.c.id == User.institution_id)
             .order_by(User.active.desc(), func.lower(func.coalesce(func.nullif(User.name, ""), User.email)),
                       User.id))
    return [(user, institution) for user, institution in db.session.execute(query).all()]


def set_active(user_id: int, active: bool, *, by: Actor, now: datetime | None = None) -> User:
    """Switch an account off (it can no longer log in, and its open sessions end) or on again. Commits.

    Nobody switches off their own account: a team without an admin could not undo it.

    :raises NotFound, StateConflict:
    """
    with write_transaction(lock=(User, user_id), now=now) as tx:
        user = tx.row
        if not active and by.user_id == user.id:
            raise StateConflict(_l("You cannot deactivate your own account."))
        if user.active != active:
            user.active = active
            record(by, AuditAction.account_reactivated if active else AuditAction.account_deactivated,
                   at=tx.now, changes={"account": user.email})
        return user


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


@dataclass(frozen=True)
class ActiveToken:
    """An active device token, as plain values: the door asks for it on every scan, and a plain
    row costs a tenth of an ORM object."""

    id: int
    name: str
    role: Role
    event_id: int | None

    def has_role(self, *roles: str) -> bool:
        """Whether it holds one of `roles` (admin holds every role), as ApiToken.has_role."""
        return self.role == Role.admin or self.role in roles


# An active token's fields, as ActiveToken holds them, and what makes it the one of :token_hash:
# the door's scan reads them in its own SELECT (checkin/services.py).
ACTIVE_TOKEN_COLUMNS = (ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.event_id)
IS_ACTIVE_TOKEN = and_(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
# Built once: building a statement costs more than running it.
_ACTIVE_TOKEN = select(*ACTIVE_TOKEN_COLUMNS).where(IS_ACTIVE_TOKEN)


def bearer_token_hash(token: str) -> str | None:
    """What a bearer token is looked up by (hash_token); None for what cannot be a token."""
    return hash_token(token) if token and len(token) <= 200 else None


def authenticate_token(token: str) -> ActiveToken | None:
    """The active (not revoked) token for a bearer token, or None."""
    token_hash = bearer_token_hash(token)
    if token_hash is None:
        return None
    row = db.session.connection().execute(_ACTIVE_TOKEN, {"token_hash": token_hash}).first()
    return ActiveToken(*row) if row is not None else None


def list_api_tokens() -> list[ApiToken]:
    """Every token, oldest first (revoked ones too)."""
    return list(db.session.execute(select(ApiToken).order_by(ApiToken.id)).scalars())
