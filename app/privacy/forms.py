"""Forms of the privacy pages: finding a person by address, and confirming an erasure."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField
from wtforms.validators import DataRequired, Length

from ..forms import PodiumForm
from ..text import clean_line


class PersonForm(PodiumForm):
    """An address to look up. Not checked for its form: whatever was stored is found."""

    email = EmailField(_l("Email address"), filters=[clean_line], validators=[
        DataRequired(_l("Please enter the email address.")), Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"})


class EraseForm(PodiumForm):
    """Staff confirm that everything under an address is to be erased."""

    email = HiddenField(filters=[clean_line], validators=[DataRequired(), Length(max=254)])
    confirm = BooleanField(_l("Yes, erase everything Podium holds under this address"),
                           validators=[DataRequired(_l("Please confirm that the data is to be erased."))])


class GuestEraseForm(PodiumForm):
    """A guest confirms that everything under their address is to be erased."""

    confirm = BooleanField(_l("Yes, erase all my data"),
                           validators=[DataRequired(_l("Please confirm that your data is to be erased."))])
