"""The staff login form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..text import clean_line


class LoginForm(FlaskForm):
    """A staff member's address and password."""

    email = EmailField(_l("Email"), filters=[clean_line],
                       validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Stay logged in"))
