"""The login form, and the team page's form for a new account."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..forms import PodiumForm
from ..database import parse_id
from ..text import clean_line
from .models import Role
from .services import MIN_PASSWORD_LENGTH


class LoginForm(PodiumForm):
    """A staff member's address and password."""

    email = EmailField(_l("Email"), filters=[clean_line],
                       validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Stay logged in"))


# What each role may do, as the team page explains it.
ROLE_LABELS = {
    Role.staff: _l("Staff: events, registrations, contacts and mail"),
    Role.admin: _l("Administrator: everything staff do, and the team"),
    Role.door: _l("Door: the check-in only"),
    Role.partner: _l("Partner: the registrations and attendance of their institution's events"),
}
NO_INSTITUTION = ""


class AccountForm(PodiumForm):
    """A new account as an admin types it on the team page. The institution's choices come from the view."""

    email = EmailField(_l("Email"), filters=[clean_line], validators=[
        DataRequired(_l("Please enter the email address.")),
        Email(_l("This does not look like an email address (example: name@example.org).")),
        Length(max=254),
    ], render_kw={"autocomplete": "off", "inputmode": "email"})
    name = StringField(_l("Name"), filters=[clean_line], validators=[Optional(), Length(max=200)])
    role = RadioField(_l("Role"), choices=[SelectChoice(role, label) for role, label in ROLE_LABELS.items()],
                      default=Role.staff, validators=[InputRequired(_l("Please choose a role."))])
    institution_id = SelectField(_l("Institution (partner accounts only)"), default=NO_INSTITUTION,
                                 validators=[Optional()])
    password = PasswordField(_l("Initial password"), validators=[
        Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200,
                           message=_l("The password needs at least %(min)d characters."))],
        render_kw={"autocomplete": "new-password"})

    def set_institutions(self, choices: list[tuple[int, str]]) -> None:
        """Offer these institutions, (id, name) pairs, after an empty choice."""
        self.institution_id.choices = [SelectChoice(NO_INSTITUTION, _l("– none –"))] + [
            SelectChoice(str(institution_id), name) for institution_id, name in choices]

    def chosen_institution(self) -> int | None:
        """The chosen institution's id, or None."""
        return parse_id(self.institution_id.data)
