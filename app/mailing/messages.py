"""Composing mails from outbox rows: which composer makes each kind of mail.

A composer gets an OutgoingMail row and returns MailContent; it runs after the
commit, in the sender, never inside the transaction that enqueued the mail.
Each feature brings its own composers (guest_mails here, campaigns.mails above
mailing): create_app registers them with register_mail_kinds, so that mailing
never imports the features above it.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale, get_locale

from ..outbox import OutgoingMail
from .direction import MailDirection, plain_text_in
from .mime import MailContent

Composer = Callable[[OutgoingMail], MailContent]
# Given mails about to go out, the ids of those that are no longer wanted.
Withdrawal = Callable[[list[OutgoingMail]], set[int]]


@dataclass
class MailKinds:
    """Who composes each kind of mail, and who may withdraw a mail before it goes out."""

    composers: dict[str, Composer] = field(default_factory=dict)
    withdrawals: list[Withdrawal] = field(default_factory=list)


def register_mail_kinds(app, composers: dict[str, Composer], *, withdrawal: Withdrawal | None = None) -> None:
    """Teach the app's senders some kinds of mail: their composers and, optionally, a withdrawal check."""
    kinds = app.extensions.setdefault("podium.mail_kinds", MailKinds())
    kinds.composers.update(composers)
    if withdrawal is not None:
        kinds.withdrawals.append(withdrawal)


def mail_kinds() -> MailKinds:
    """The current app's kinds of mail."""
    return current_app.extensions["podium.mail_kinds"]


def compose(mail: OutgoingMail) -> MailContent:
    """The content of one outbox mail, in the recipient's language."""
    composer = mail_kinds().composers.get(mail.kind)
    if composer is None:
        raise ValueError(f"no composer for mail kind {mail.kind!r}")
    with force_locale(mail.locale):
        return composer(mail)


def withdrawn(mails: list[OutgoingMail]) -> set[int]:
    """The ids among `mails` that are no longer wanted (every registered check asked)."""
    return set().union(*(withdrawal(mails) for withdrawal in mail_kinds().withdrawals))


def render_pair(template: str, **context) -> tuple[str, str]:
    """The text and the HTML part of a mail, from templates/email/<template>.txt and .html, in the
    current language and laid out in its direction (the templates read `direction`)."""
    direction = MailDirection.of(str(get_locale()))
    text = render_template(f"email/{template}.txt", direction=direction, **context)
    return (plain_text_in(text, direction),
            render_template(f"email/{template}.html", direction=direction, **context))
