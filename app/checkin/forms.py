"""Forms of the door page (they work without JavaScript too)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import PodiumForm
from ..text import clean_line


class ScanForm(PodiumForm):
    code = StringField(_l("Ticket code (scanner or keyboard)"), filters=[clean_line],
                       validators=[DataRequired(_l("Scan or type a ticket code.")), Length(max=500)],
                       render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false",
                                  "autofocus": True})
    nonce = HiddenField()


class WalkInForm(PodiumForm):
    name = StringField(_l("Name"), filters=[clean_line], validators=[DataRequired(_l("Please enter the guest's name.")),
                                               Length(max=200)])
    organisation = StringField(_l("Organisation (optional)"), filters=[clean_line], validators=[Optional(), Length(max=200)])
    email = EmailField(_l("Email (optional)"), filters=[clean_line], validators=[
        Optional(), Email(_l("This does not look like an email address (example: name@example.org).")),
        Length(max=254)])
    over_capacity = BooleanField(_l("Let in although the event is full"))
