"""A campaign's text in each language, and which one each contact gets.

The campaign's own subject and body are its German text, which every campaign has; a
CampaignText adds the text in one more guest language. A contact gets the text of their
language when the campaign has one, and the German text otherwise. The frame of the mail
(greeting, button, footer, unsubscribe line, the date) speaks the language of the text it
carries, never the contact's when that differs: an Arabic contact of a campaign without an
Arabic text gets a German mail, not German sentences inside an Arabic frame.
"""
from collections import Counter
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..errors import InvalidInput
from ..i18n import GERMAN, OTHER_TEXT_LANGUAGES, language_name
from ..text import clean_line, clean_text
from .models import Campaign, CampaignText
from .placeholders import check_placeholders

# The languages a campaign may add a text in.
OTHER_LANGUAGES = OTHER_TEXT_LANGUAGES


@dataclass(frozen=True)
class Text:
    """A campaign's subject and body in one language."""

    locale: str
    subject: str
    body: str


def field_name(name: str, locale: str) -> str:
    """The campaign form's field of `name` ("subject", "body") in `locale`: "subject", "body_en"."""
    return name if locale == GERMAN else f"{name}_{locale}"


def named_language(locale: str) -> LazyString:
    """The language of `locale` named in the reader's language when shown ("Arabisch", "Arabic"):
    the form's labels and messages are made once, and read by staff of either language."""
    return LazyString(language_name, locale)


def missing_subject(locale: str) -> LazyString:
    """What staff read when a language has a text but no subject."""
    return _l("Please enter the subject in %(language)s too, or clear the text.",
              language=named_language(locale))


def missing_body(locale: str) -> LazyString:
    """What staff read when a language has a subject but no text."""
    return _l("Please enter the text in %(language)s too, or clear the subject.",
              language=named_language(locale))


def clean_texts(typed: dict[str, tuple[str, str]] | None) -> dict[str, Text]:
    """The texts in other languages as they will be kept: cleaned, and a language whose subject
    and text are both blank left out (clearing both removes that language).

    :raises InvalidInput: naming the field: a subject without a text or a text without a subject,
        an unknown placeholder, a language a campaign cannot have a text in.
    """
    texts = {}
    for locale, (subject, body) in (typed or {}).items():
        if locale not in OTHER_LANGUAGES:
            raise InvalidInput(_l("A campaign has no text in this language."))
        subject, body = clean_line(subject or ""), clean_text(body or "")
        if not subject and not body:
            continue
        if not subject:
            raise InvalidInput(missing_subject(locale), field=field_name("subject", locale))
        if not body:
            raise InvalidInput(missing_body(locale), field=field_name("body", locale))
        check_placeholders(subject, body, fields=(field_name("subject", locale), field_name("body", locale)))
        texts[locale] = Text(locale, subject, body)
    return texts


def replace_texts(campaign: Campaign, texts: dict[str, Text]) -> None:
    """Make the campaign's texts in other languages exactly `texts` (inside the caller's transaction):
    a language kept is changed in place, a new one added, one left out deleted."""
    kept = []
    current = {row.locale: row for row in campaign.texts}
    for locale in OTHER_LANGUAGES:
        if locale not in texts:
            continue
        row = current.get(locale) or CampaignText(locale=locale)
        row.subject, row.body = texts[locale].subject, texts[locale].body
        kept.append(row)
    campaign.texts = kept


def text_languages(campaign: Campaign) -> list[str]:
    """The languages the campaign has a text in: German first, then the others in LANGUAGES order."""
    written = {row.locale for row in campaign.texts}
    return [GERMAN, *(locale for locale in OTHER_LANGUAGES if locale in written)]


def text_locale(languages: list[str], locale: str) -> str:
    """The language of the text a contact of `locale` gets, of a campaign written in `languages`."""
    return locale if locale in languages else GERMAN


def text_for(campaign: Campaign, locale: str) -> Text:
    """The text a contact of `locale` gets: the campaign's text in their language, else the German."""
    row = next((row for row in campaign.texts if row.locale == locale), None)
    if row is None:
        return Text(GERMAN, campaign.subject, campaign.body)
    return Text(row.locale, row.subject, row.body)


@dataclass(frozen=True)
class LanguageShare:
    """How many contacts of one language a mailing reaches, and in which language their text is."""

    locale: str  # the contacts' language
    count: int
    text_locale: str  # the language of the text they get (German when theirs has none)

    @property
    def gets_german_instead(self) -> bool:
        """Their language has no text in the campaign, so they get the German one."""
        return self.locale != self.text_locale


def language_shares(campaign: Campaign, locales: Counter) -> list[LanguageShare]:
    """`locales` (contacts counted by language) with the text each group gets: German first, then
    those who get a text of their own, then those who get German instead; the most first."""
    languages = text_languages(campaign)
    shares = [LanguageShare(locale, count, text_locale(languages, locale))
              for locale, count in locales.items()]
    return sorted(shares, key=lambda s: (s.locale != GERMAN, s.gets_german_instead, -s.count, s.locale))
