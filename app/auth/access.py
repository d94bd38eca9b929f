"""Who may open which staff or partner page, and who is acting on it."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..audit import Actor
from .models import Role


def role_required(*roles: str):
    """Logged in, and holding one of `roles` (admin holds every role)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.staff)
admin_required = role_required(Role.admin)


def partner_required(view):
    """Logged in with a partner account of an institution. Nobody else: not even an admin, whose
    role holds every other one, since these pages show one institution's events only."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != Role.partner or current_user.institution_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def current_actor() -> Actor:
    """The logged-in user, as the audit trail and the door log name them."""
    return Actor(name=current_user.display_name, user_id=current_user.id)
