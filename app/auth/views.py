"""Staff login and logout."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..links import local_path
from ..text import email_key
from . import services
from .forms import LoginForm
from .models import Role

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _account_key() -> str:
    """Limits per account as well as per client address: many addresses cannot guess one password."""
    return "login-account:" + email_key(request.form.get("email") or "")


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def home_for(user) -> str:
    """Where a user lands after logging in: staff on their dashboard, partners on their institution's
    events, door accounts straight at the check-in."""
    if user.has_role(Role.staff):
        return url_for("events_staff.dashboard")
    if user.role == Role.partner:
        return url_for("partner.home")
    return url_for("checkin.events")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def login():
    """Log a staff member in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            # Only paths on this site: an open redirect would make phishing links look like ours.
            return redirect(local_path(request.args.get("next")) or home_for(user))
        form.form_errors.append(_("Email or password is wrong."))
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out."""
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("events.index"))
