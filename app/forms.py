"""What the forms of every feature share: their base class, a form that is only a button, a list of
checkboxes, the choice of a mail language, and a service's refusal put next to the field it is about."""
from functools import cache

from babel.support import Translations
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.widgets import CheckboxInput, ListWidget

from .errors import DomainError
from .i18n import LANGUAGE_NAMES

# The language a person's mails are written in (every guest language), each named in itself.
MAIL_LANGUAGES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PodiumForm(FlaskForm):
    """Every form that is posted (with Flask-WTF's CSRF token unless its Meta says otherwise): WTForms'
    own messages ("Not a valid choice.") come in the reader's language from translations read once
    per language, where Flask-WTF read them again for every request that built a form. A GET search
    or a sub-form stays a plain `wtforms.Form`: it carries no token."""

    class Meta:
        def get_translations(self, form):
            """WTForms' messages in the page's language."""
            return _wtforms_translations(str(get_locale()))


@cache
def _wtforms_translations(language: str) -> Translations:
    return Translations.load(messages_path(), [language], domain="wtforms")


class ButtonForm(PodiumForm):
    """A form that is only a button (and its CSRF token): the page around it asks the question."""


def show_refusal(form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it names (`exc.field`), else above the form."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def field_labels(form) -> dict[str, str]:
    """Each field's label by its name: how a page names the fields a change touched."""
    return {f.name: f.label.text for f in form}
