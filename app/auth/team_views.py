"""The team page: the accounts of staff, door and partners (admins only)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..audit import AuditAction, latest_entries
from ..contacts.institutions import institution_choices
from ..errors import DomainError
from ..forms import show_refusal
from . import services
from .access import admin_required, current_actor
from .forms import ROLE_LABELS, AccountForm
from .models import Role

bp = Blueprint("team", __name__, url_prefix="/staff/team")

# The team's own history: who created, switched off and on which account.
ACCOUNT_ACTIONS = (AuditAction.account_created, AuditAction.account_deactivated, AuditAction.account_reactivated)


@bp.get("/")
@admin_required
def index():
    """Every account with its role, institution and state, and what was done to them lately."""
    history = sorted((entry for action in ACCOUNT_ACTIONS for entry in latest_entries(action)),
                     key=lambda entry: entry.id, reverse=True)[:20]
    return render_template("auth/team.html", accounts=services.list_users(), role_labels=ROLE_LABELS,
                           history=history)


def _form_page(form: AccountForm, status: int = 200):
    return render_template("auth/team_new.html", form=form), status


def _account_form() -> AccountForm:
    form = AccountForm()
    form.set_institutions(institution_choices())
    return form


@bp.get("/new")
@admin_required
def new():
    """The form for a new account."""
    return _form_page(_account_form())


@bp.post("/new")
@admin_required
def create():
    """Create an account; a generated password is shown once, on the answer to this post only."""
    form = _account_form()
    if not form.validate_on_submit():
        return _form_page(form, 422)
    role = form.role.data
    try:
        user, password = services.create_user(
            form.email.data, role=role, name=form.name.data or "", password=form.password.data or None,
            institution_id=form.chosen_institution() if role == Role.partner else None, by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, exc.status_code)
    # Not a redirect: the password must not travel in the session cookie of a flashed message.
    return render_template("auth/team_created.html", user=user, role_labels=ROLE_LABELS,
                           password=None if form.password.data else password)


@bp.post("/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id):
    """Switch an account off: it can no longer log in, and its open sessions end."""
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id):
    """Switch an account on again."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    try:
        user = services.set_active(user_id, active, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("team.index"))
    flash(_("%(name)s can log in again.", name=user.display_name) if active
          else _("%(name)s can no longer log in.", name=user.display_name))
    return redirect(url_for("team.index"))
