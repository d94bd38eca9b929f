"""The sign-up form, the guest's own corrections (with the language of their mails), and staff's
form for a guest registered by hand."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional

from ..forms import MAIL_LANGUAGES, PodiumForm
from ..formtrap import FormTrap
from ..text import clean_line, clean_text
from .models import Affiliation

AFFILIATION_CHOICES = [SelectChoice(a, a.label) for a in Affiliation]


class GuestDetailsForm(PodiumForm):
    """What a guest tells about themselves: on the sign-up form, and corrected on their own page."""

    name = StringField(_l("Name"), filters=[clean_line], validators=[DataRequired(_l("Please enter your name.")), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), filters=[clean_line], validators=[
        DataRequired(_l("Please enter your email address.")),
        Email(_l("This does not look like an email address (example: name@example.org).")),
        Length(max=254),
    ], render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})
    organisation = StringField(_l("Organisation (optional)"), filters=[clean_line], validators=[Optional(), Length(max=200)],
                               render_kw={"autocomplete": "organization"})
    # No default: whoever did not notice a preselected answer would be counted wrongly. Nothing
    # chosen is InputRequired's to say; WTForms' own choice check would add "Not a valid choice."
    affiliation = RadioField(
        _l("You take part as"),
        choices=AFFILIATION_CHOICES,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose one.")),
                    AnyOf([a.value for a in Affiliation], message=_l("Please choose one."))],
    )
    note = TextAreaField(_l("Note (optional), e.g. accessibility needs"), filters=[clean_text],
                         validators=[Optional(), Length(max=2000)])


class GuestCorrectionsForm(GuestDetailsForm):
    """The form on the guest's own page: their details, and the language of their mails (at
    sign-up that is the page's language; here the guest may choose another)."""

    # Not required: a form opened before this field existed still saves, the language unchanged.
    locale = RadioField(_l("Language of the mails"), choices=MAIL_LANGUAGES, validate_choice=False,
                        validators=[Optional(), AnyOf([choice.value for choice in MAIL_LANGUAGES],
                                                      message=_l("Please choose a language from the list."))])


class RegistrationForm(FormTrap, GuestDetailsForm):
    """The sign-up form: the guest's details and their consent; public, so with the traps for
    programs that post forms and the same-origin check (formtrap.py). It has no CSRF token: a
    token bound to a session protects nothing on a form anyone may send, and would give every
    visitor a cookie and every stored event page per-visitor work (README)."""

    class Meta:
        csrf = False

    consent = BooleanField(_l("Consent"), validators=[DataRequired(_l("Please agree so that we can register you."))])


class StaffRegistrationForm(PodiumForm):
    """Staff register a guest by hand (a phone call, a mail, a partner's list)."""

    name = StringField(_l("Name"), filters=[clean_line],
                       validators=[DataRequired(_l("Please enter the guest's name.")), Length(max=200)])
    email = EmailField(_l("Email"), filters=[clean_line], validators=[
        DataRequired(_l("Please enter the guest's email address.")),
        Email(_l("This does not look like an email address (example: name@example.org).")),
        Length(max=254),
    ])
    organisation = StringField(_l("Organisation (optional)"), filters=[clean_line],
                               validators=[Optional(), Length(max=200)])
    affiliation = RadioField(
        _l("Takes part as"),
        choices=AFFILIATION_CHOICES,
        # No default: the figures of the network count this; staff ask, as the guest would choose.
        validators=[InputRequired(_l("Please choose one."))],
    )
    note = TextAreaField(_l("Note (optional)"), filters=[clean_text], validators=[Optional(), Length(max=2000)])
    locale = RadioField(_l("Language of the mails"), choices=MAIL_LANGUAGES, default="de",
                        validators=[InputRequired(_l("Please choose one."))])
    send_mail = BooleanField(_l("Mail the guest now (the ticket and calendar invitation, or the waitlist notice)"),
                             default=True)
    over_capacity = BooleanField(_l("Confirm even though the event is full (over capacity)"))
