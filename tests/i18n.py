"""What a test expects a page or mail in another language to say: the catalog's translation, and
never the English source (a test that looked for the English would pass without a translation)."""
from flask_babel import force_locale, gettext


def translated(locale: str, msgid: str, **variables) -> str:
    """`msgid` (with `variables` filled in) as the `locale` catalog has it; fails without a translation.
    Needs an app context."""
    with force_locale(locale):
        text = gettext(msgid, **variables)
    source = msgid % variables if variables else msgid
    assert text != source, f"the {locale} catalog has no translation of {msgid!r}"
    return text
