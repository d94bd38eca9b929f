"""The consent texts guests agree to on the sign-up form, every version ever shown.

A registration records which text its guest agreed to, as `<version>/<months>`
(registrations.consent_version, e.g. "2026-12-1/12"): the version names the wording,
the months are the event's retention period that the wording states. With both, a
data-protection officer reads back the exact text any guest was shown (`text_of`),
also years after the wording changed. So a text is never edited in place: a new
wording is a new version here and in config.CONSENT_VERSION (a test keeps a
fingerprint of every version's English text and fails when one changes).

The period the text states is the event's own (events.retention_months), the same one
the purge keeps (privacy.retention): the text and the deletion cannot disagree. Staff
may shorten an event's period at any time, but not lengthen it once anyone has signed
up under the shorter promise (registrations.event_changes).
"""
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext


def _version_2026_11_2(months: int) -> str:
    # Shown until events had a retention period of their own; every event then kept twelve months.
    return _("I agree that the details I enter are stored to organise this event and that I get mails about it. "
             "They are not passed on to others and are deleted twelve months after the event. I can withdraw "
             "this consent at any time; the link in my mail cancels my registration.")


def _version_2026_12_1(months: int) -> str:
    return ngettext(
        "I agree that the details I enter are stored to organise this event and that I get mails about it. "
        "They are not passed on to others and are deleted %(num)s month after the event. I can withdraw this "
        "consent at any time: the link in my mail leads to my own page, where I can cancel my registration "
        "and see, download or erase everything stored about me.",
        "I agree that the details I enter are stored to organise this event and that I get mails about it. "
        "They are not passed on to others and are deleted %(num)s months after the event. I can withdraw this "
        "consent at any time: the link in my mail leads to my own page, where I can cancel my registration "
        "and see, download or erase everything stored about me.",
        months)


# Every wording ever shown, oldest first; config.CONSENT_VERSION names the one shown now.
TEXTS: dict[str, Callable[[int], str]] = {
    "2026-11-2": _version_2026_11_2,
    "2026-12-1": _version_2026_12_1,
}


def current_version() -> str:
    """The version of the wording the sign-up form shows now (config.CONSENT_VERSION)."""
    return current_app.config["CONSENT_VERSION"]


def recorded_version(months: int, version: str | None = None) -> str:
    """What a registration records when its guest agrees to the current wording for an event
    that keeps registrations `months` months: "2026-12-1/12"."""
    return f"{version or current_version()}/{months}"


def consent_text(months: int, version: str | None = None) -> str:
    """The wording of `version` (default: the current one) for an event kept `months` months,
    in the reader's language."""
    return TEXTS[version or current_version()](months)


def text_of(recorded: str | None) -> str | None:
    """The text behind a recorded consent ("2026-12-1/12"), or None where the guest agreed to
    no text of ours (registered by staff, at the door, or a version this code does not know)."""
    version, _slash, months = (recorded or "").partition("/")
    if version not in TEXTS:
        return None
    return TEXTS[version](int(months) if months.isdigit() else 12)
