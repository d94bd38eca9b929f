"""What the forms of every feature share: a form that is only a button, the choice of a
mail language, and a service's refusal put next to the field it is about."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from .errors import DomainError
from .i18n import LANGUAGE_NAMES

# The language a person's mails are written in (every guest language), each named in itself.
MAIL_LANGUAGES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class ButtonForm(FlaskForm):
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
