"""Creating staff users and checking their passwords."""
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..database import begin_write
from ..errors import InvalidInput
from ..extensions import db
from .models import Role, User

MIN_PASSWORD_LENGTH = 10


def create_user(email: str, *, role: str, password: str | None = None, name: str = "") -> tuple[User, str]:
    """Create a staff user; returns the user and the password (generated when none is given). Commits."""
    begin_write()
    email = email.strip()
    if "@" not in email:
        raise InvalidInput(_l("This does not look like an email address, e.g. name@example.org."))
    if role not in {r.value for r in Role}:
        raise InvalidInput(_l("Unknown role: %(role)s", role=role))
    if find_user(email) is not None:
        raise InvalidInput(_l("A user with this email address already exists."))
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    user = User(email=email, role=role, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user, password


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
