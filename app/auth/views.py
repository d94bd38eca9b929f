"""Staff login and logout."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from . import services
from .forms import LoginForm

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: an open redirect would make phishing links look like ours.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


def home_for(user) -> str:
    """Where a user lands after logging in: door accounts go straight to the check-in."""
    return url_for("events_staff.dashboard") if user.has_role("staff") else url_for("checkin.events")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Log a staff member in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
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
