"""Forms of the institution pages: one institution, the list's filters, matching what guests typed,
and tying sign-ups to a contact."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import PodiumForm
from ..text import clean_line, clean_text
from .forms import KIND_CHOICES
from .models import Institution, OrganisationKind


class InstitutionForm(PodiumForm):
    """An institution as staff type it in."""

    name = StringField(_l("Name"), filters=[clean_line],
                       validators=[DataRequired(_l("Please enter the institution's name.")), Length(max=200)])
    kind = SelectField(_l("Kind of organisation"), choices=KIND_CHOICES, default=OrganisationKind.other)
    place = StringField(_l("Place"), filters=[clean_line], validators=[Optional(), Length(max=200)])
    website = StringField(_l("Website"), filters=[clean_line], validators=[Optional(), Length(max=300)],
                          render_kw={"inputmode": "url", "autocomplete": "off"})
    notes = TextAreaField(_l("Notes"), filters=[clean_text], validators=[Optional(), Length(max=5000)])

    @classmethod
    def for_institution(cls, institution: Institution) -> "InstitutionForm":
        """The form filled with an institution's details (what was posted takes precedence)."""
        return cls(data={"name": institution.name, "kind": institution.kind, "place": institution.place,
                         "website": institution.website, "notes": institution.notes})


class InstitutionFilterForm(Form):
    """The list's search and kind (GET, so no CSRF token)."""

    q = SearchField(_l("Search name or place"), filters=[clean_line])
    kind = SelectField(_l("Kind of organisation"), validate_choice=False,
                       choices=[SelectChoice("", _l("All kinds"))] + KIND_CHOICES)


class MatchForm(PodiumForm):
    """An organisation as guests typed it, matched to an institution (a suggestion's button, or
    one chosen from the list; the view fills the choices)."""

    organisation = HiddenField(validators=[DataRequired()])
    institution_id = SelectField(_l("Institution"), choices=[], validate_choice=False,
                                 validators=[DataRequired(_l("Please choose an institution."))])


class NewFromTextForm(PodiumForm):
    """An institution made from an organisation as guests typed it."""

    organisation = HiddenField(validators=[DataRequired()])
    kind = SelectField(_l("Kind of organisation"), choices=KIND_CHOICES, default=OrganisationKind.other)


class ContactSearchForm(Form):
    """Finding the contact whose sign-ups these are (GET)."""

    q = SearchField(_l("Search contacts by name or email"), filters=[clean_line])


class LinkForm(PodiumForm):
    """These sign-ups are this contact's."""

    contact_id = HiddenField(validators=[DataRequired()])
