"""The staff's campaign form, the test mail's button, and the search among the recipients."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from ..contacts.forms import KIND_CHOICES
from ..forms import CheckboxesField, PodiumForm
from ..i18n import direction_of
from ..text import clean_line, clean_text
from .texts import OTHER_LANGUAGES, field_name, missing_body, missing_subject, named_language

AUDIENCE_CHOICES = [
    SelectChoice("all", _l("All contacts")),
    SelectChoice("tags", _l("Contacts with any of these tags")),
    SelectChoice("kinds", _l("Contacts from these kinds of organisation")),
    SelectChoice("emails", _l("A list of email addresses")),
]


class FilledTogetherWith:
    """A language's subject and text go together: this field may be blank only if `other` is too
    (clearing both removes the language from the campaign)."""

    def __init__(self, other: str, message):
        self.other, self.message = other, message

    def __call__(self, form, field):
        if not field.data and form[self.other].data:
            raise StopValidation(str(self.message))


def text_fields(locale: str) -> tuple[StringField, TextAreaField]:
    """The subject and text of the campaign in one more language: optional, but one needs the other,
    typed in that language and its direction (Arabic and Persian right to left)."""
    typed = {"lang": locale, "dir": direction_of(locale)}
    language = named_language(locale)
    subject, body = field_name("subject", locale), field_name("body", locale)
    return (
        StringField(_l("Subject in %(language)s", language=language), filters=[clean_line], render_kw=typed,
                    validators=[FilledTogetherWith(body, missing_subject(locale)), Optional(),
                                Length(max=300)]),
        TextAreaField(_l("Text in %(language)s", language=language), filters=[clean_text],
                      render_kw={"rows": 10, **typed},
                      validators=[FilledTogetherWith(subject, missing_body(locale)), Optional(),
                                  Length(max=20_000)]),
    )


class CampaignForm(PodiumForm):
    """A campaign's event, text (German, and optionally other languages) and audience."""

    # Choices are the events one may invite to; the view fills them in.
    event_id = SelectField(_l("Event"), coerce=int, validators=[InputRequired(_l("Please choose an event."))])
    subject = StringField(_l("Subject"), filters=[clean_line], render_kw={"lang": "de", "dir": "ltr"},
                          validators=[DataRequired(_l("Please enter a subject.")), Length(max=300)])
    body = TextAreaField(_l("Text"), filters=[clean_text], validators=[
        DataRequired(_l("Please enter the text of the invitation.")), Length(max=20_000)],
        render_kw={"rows": 14, "lang": "de", "dir": "ltr"})
    # One pair per language of texts.OTHER_LANGUAGES, named as texts.field_name names them.
    subject_en, body_en = text_fields("en")
    subject_ar, body_ar = text_fields("ar")
    subject_fa, body_fa = text_fields("fa")
    subject_uk, body_uk = text_fields("uk")
    audience = RadioField(_l("Who gets the invitation"), choices=AUDIENCE_CHOICES, default="all",
                          validators=[InputRequired(_l("Please choose who gets the invitation."))])
    tags = StringField(_l("Tags (separated by commas)"), filters=[clean_line],
                       validators=[Optional(), Length(max=1000)])
    kinds = CheckboxesField(_l("Kinds of organisation"),
                            choices=KIND_CHOICES,
                            validators=[Optional()])
    emails = TextAreaField(_l("Email addresses (one per line, or separated by commas)"),
                           validators=[Optional(), Length(max=500_000)], render_kw={"rows": 6})

    def language_fields(self, locale: str) -> tuple:
        """The subject and text fields of one of texts.OTHER_LANGUAGES."""
        return self[field_name("subject", locale)], self[field_name("body", locale)]

    def other_texts(self) -> dict[str, tuple[str, str]]:
        """What was typed in each other language: (subject, text), blank for a language left out."""
        return {locale: tuple(f.data or "" for f in self.language_fields(locale))
                for locale in OTHER_LANGUAGES}


class TestMailForm(PodiumForm):
    """Send the invitation to oneself, as it would reach the contact of the preview, or in a chosen
    language of the campaign (the view offers those it has a text in)."""

    contact_id = HiddenField()
    language = SelectField(_l("Language of the test mail"), validators=[Optional()], validate_choice=False)


class RecipientFilterForm(PodiumForm):
    """The search among a campaign's recipients (GET, so no CSRF token)."""

    q = SearchField(_l("Search name, email or organisation"), filters=[clean_line])
