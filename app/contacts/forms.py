"""Forms of the contact pages: one contact, the list's filters, the CSV import, and confirmations."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..affiliation import Affiliation
from ..forms import MAIL_LANGUAGES, PodiumForm
from ..text import clean_line
from .models import Contact, OrganisationKind

KIND_CHOICES = [SelectChoice(kind, kind.label) for kind in OrganisationKind]
# How a person takes part, as staff set it; "": as they said at their latest sign-up.
AFFILIATION_CHOICES = [SelectChoice("", _l("As they said at their latest sign-up"))] + [
    SelectChoice(affiliation, affiliation.label) for affiliation in Affiliation]


class ContactForm(PodiumForm):
    """A contact as staff type it in."""

    name = StringField(_l("Name"), filters=[clean_line],
                       validators=[DataRequired(_l("Please enter the name.")), Length(max=200)])
    email = EmailField(_l("Email"), filters=[clean_line], validators=[
        DataRequired(_l("Please enter the email address.")),
        Email(_l("This does not look like an email address (example: name@example.org).")),
        Length(max=254),
    ], render_kw={"autocomplete": "off", "inputmode": "email"})
    # The institution: one of the list ("" for none), or a new name typed below (found however
    # it is spelt, or added). The view fills the choices.
    institution_id = SelectField(_l("Institution"), choices=[], default="", validate_choice=False)
    institution_name = StringField(_l("Or type the name of an institution that is not in the list"),
                                   filters=[clean_line], validators=[Optional(), Length(max=200)])
    institution_kind = SelectField(_l("Kind of that institution"), choices=KIND_CHOICES,
                                   default=OrganisationKind.other)
    affiliation = RadioField(_l("Takes part"), choices=AFFILIATION_CHOICES, default="")
    tags = StringField(_l("Tags"), filters=[clean_line], validators=[Optional(), Length(max=1000)])
    locale = RadioField(_l("Language of invitations"), choices=MAIL_LANGUAGES, default="de",
                        validators=[InputRequired(_l("Please choose one."))])
    # Recorded once: a contact whose consent is on record does not show it.
    consent_given = BooleanField(_l("This person has agreed to be stored here and to get invitations from us "
                                    "(in person, by phone or in writing)."))

    @classmethod
    def for_contact(cls, contact: Contact, institutions=()) -> "ContactForm":
        """The form filled with a contact's details (what was posted takes precedence)."""
        form = cls(data={"name": contact.name, "email": contact.email,
                         "institution_id": str(contact.institution_id or ""),
                         "affiliation": contact.affiliation or "",
                         "tags": ", ".join(contact.tags or []), "locale": contact.locale})
        return form.offering(institutions)

    def offering(self, institutions) -> "ContactForm":
        """The form with the institutions to choose from (contacts.institutions.Choice)."""
        self.institution_id.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(choice.id), choice.name) for choice in institutions]
        return self


class ContactFilterForm(PodiumForm):
    """The list's search and filters (GET, so no CSRF token). Choices are filled in by the view."""

    q = SearchField(_l("Search name, institution or email"), filters=[clean_line])
    tag = SelectField(_l("Tag"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind of institution"), choices=[], validate_choice=False)
    status = SelectField(_l("Invitations"), choices=[
        SelectChoice("", _l("All contacts")),
        SelectChoice("subscribed", _l("Receiving invitations")),
        SelectChoice("unsubscribed", _l("Unsubscribed")),
    ], validate_choice=False)
    consent = SelectField(_l("Consent"), choices=[
        SelectChoice("", _l("With or without")),
        SelectChoice("recorded", _l("Consent recorded")),
        SelectChoice("none", _l("No consent recorded")),
    ], validate_choice=False)


class ContactImportForm(PodiumForm):
    """The upload of a contacts file."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Please choose a CSV file."))])


class ImportConfirmForm(PodiumForm):
    """Importing what the preview showed: the plan travels in the signed token."""

    token = HiddenField(validators=[DataRequired()])


class ResubscribeForm(PodiumForm):
    """Invitations again, only when the person asked for it."""

    confirm = BooleanField(_l("This person has asked us to send invitations again."),
                           validators=[DataRequired(_l("Only resubscribe someone who asked for it; please "
                                                       "confirm that they did."))])
