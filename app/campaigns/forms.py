"""The staff's campaign form, the test mail's button, and the search among the recipients."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..contacts.forms import KIND_CHOICES
from ..text import clean_line, clean_text

AUDIENCE_CHOICES = [
    SelectChoice("all", _l("All contacts")),
    SelectChoice("tags", _l("Contacts with any of these tags")),
    SelectChoice("kinds", _l("Contacts from these kinds of organisation")),
    SelectChoice("emails", _l("A list of email addresses")),
]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    """A campaign's event, text and audience."""

    # Choices are the events one may invite to; the view fills them in.
    event_id = SelectField(_l("Event"), coerce=int, validators=[InputRequired(_l("Please choose an event."))])
    subject = StringField(_l("Subject"), filters=[clean_line], validators=[
        DataRequired(_l("Please enter a subject.")), Length(max=300)])
    body = TextAreaField(_l("Text"), filters=[clean_text], validators=[
        DataRequired(_l("Please enter the text of the invitation.")), Length(max=20_000)],
        render_kw={"rows": 14})
    audience = RadioField(_l("Who gets the invitation"), choices=AUDIENCE_CHOICES, default="all",
                          validators=[InputRequired(_l("Please choose who gets the invitation."))])
    tags = StringField(_l("Tags (separated by commas)"), filters=[clean_line],
                       validators=[Optional(), Length(max=1000)])
    kinds = CheckboxesField(_l("Kinds of organisation"),
                            choices=KIND_CHOICES,
                            validators=[Optional()])
    emails = TextAreaField(_l("Email addresses (one per line, or separated by commas)"),
                           validators=[Optional(), Length(max=500_000)], render_kw={"rows": 6})


class TestMailForm(FlaskForm):
    """Send the invitation to oneself, as it would reach the contact of the preview."""

    contact_id = HiddenField()


class RecipientFilterForm(Form):
    """The search among a campaign's recipients (GET, so no CSRF token)."""

    q = SearchField(_l("Search name, email or organisation"), filters=[clean_line])
