"""What a guest corrects on their own page (/r/<token>): name, organisation, how they take
part, the note and the language of their mails; and their address, which changes only once the
new one has confirmed it.

None of these is in the calendar entry the guest was sent (its title, time and place are
the event's), so no new invitation goes out. The changes are the guest's own: the staff
history records nothing of them.

A new address is confirmed by a link mailed to it, signed with the app's SECRET_KEY
(itsdangerous) and valid for EMAIL_LINK_VALID. The link names the registration, a
fingerprint of the address it changes from, the one it changes to, and when it was made.
Once used, the address it changes from is gone, so the link cannot be used twice, and an
older link to another address no longer fits either. The old address is told afterwards.
The link carries neither the guest's own link nor their old address: a mistyped address
may belong to a stranger, who must learn nothing from the mail.
"""
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature

from ..database import get_row, is_valid_id, utcnow, write_transaction
from ..errors import DomainError, RegistrationRefused
from ..events.models import Event
from ..extensions import db
from ..links import signer
from ..outbox import enqueue
from ..text import clean_line, clean_text, email_key
from .models import Affiliation, Registration
from .organisations import set_organisation
from .services import find_by_email

EMAIL_CHANGE_MAIL = "registration_email_change"
EMAIL_CHANGED_MAIL = "registration_email_changed"
EMAIL_LINK_VALID = timedelta(hours=48)
_SALT = "podium.registration.email-change"


class EmailLinkInvalid(DomainError):
    status_code = 400
    code = "email_link_invalid"
    message = _l("This confirmation link is not valid (any more). Please use the link in the newest mail, "
                 "or enter the new address again on your own page (the link is in every mail about your "
                 "registration).")


class EmailLinkExpired(DomainError):
    status_code = 410
    code = "email_link_expired"
    message = _l("This confirmation link has expired: it is valid for 48 hours. Please enter the new "
                 "address again on your own page; we will send you a new link.")


class EmailTaken(DomainError):
    status_code = 409
    code = "email_taken"
    message = _l("This address is already registered for this event, so your registration cannot move to it.")


@dataclass(frozen=True)
class DetailsSaved:
    """What saving the guest's corrections did."""

    registration: Registration
    # The address a confirmation link went to, or None if the address stays as it was.
    confirming: str | None


@dataclass(frozen=True)
class EmailChange:
    """What a confirmation link asks for: this registration's address from one to another."""

    registration_id: int
    old_fingerprint: str  # of the old address's email_key: the link must not show the address
    new_email: str


def can_change(registration: Registration, now: datetime | None = None) -> bool:
    """Whether the guest may still correct their details (not cancelled, event not over)."""
    return not registration.is_cancelled and not registration.event.has_ended(now or utcnow())


def save_details(registration_id: int, data: dict, *, locale: str | None,
                 now: datetime | None = None) -> DetailsSaved:
    """Store the guest's corrections; a new address is mailed a confirmation link instead. Commits.

    :param locale: the language of the guest's mails from now on (None, or not one of LANGUAGES:
        as before); the confirmation link to a new address is written in it too.
    :raises NotFound, RegistrationRefused:
    """
    with write_transaction(now=now) as tx:
        registration = get_row(Registration, registration_id)
        if not can_change(registration, tx.now):
            raise RegistrationRefused(_l("This registration can no longer be changed."))
        registration.name = clean_line(data["name"])
        set_organisation(registration, data.get("organisation"))
        if data.get("affiliation") in Affiliation.__members__.values():
            registration.affiliation = data["affiliation"]
        registration.note = clean_text(data.get("note") or "")
        if locale in current_app.config["LANGUAGES"]:
            registration.locale = locale
        new_email = clean_line(data["email"])
        confirming = None
        if email_key(new_email) == registration.email_key:
            registration.email = new_email  # the same mailbox, spelt differently
        else:
            confirming = new_email
            change = EmailChange(registration.id, fingerprint(registration.email_key), new_email)
            key = email_change_key(change, tx.now)
            enqueue(EMAIL_CHANGE_MAIL, new_email, locale=registration.locale, registration_id=registration.id,
                    params={"key": key})
        return DetailsSaved(registration, confirming)


def fingerprint(key: str | None) -> str:
    """A stand-in for an address's email_key that does not show it."""
    return hashlib.sha256((key or "").encode()).hexdigest()[:32]


def email_change_key(change: EmailChange, now: datetime) -> str:
    """The signed part of a confirmation link (all of it: the link names nothing else)."""
    payload = {"r": change.registration_id, "from": change.old_fingerprint, "to": change.new_email,
               "at": int(now.timestamp())}
    return signer(_SALT).dumps(payload)


def read_email_change(key: str, now: datetime | None = None) -> tuple[Registration, EmailChange]:
    """The registration and the change a confirmation link asks for.

    :raises EmailLinkInvalid: forged, its registration gone, or already used
    :raises EmailLinkExpired: older than EMAIL_LINK_VALID
    """
    try:
        payload = signer(_SALT).loads(key)
        change = EmailChange(int(payload["r"]), str(payload["from"]), clean_line(str(payload["to"])))
        issued = datetime.fromtimestamp(int(payload["at"]), UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise EmailLinkInvalid() from None
    registration = db.session.get(Registration, change.registration_id) \
        if is_valid_id(change.registration_id) else None
    if registration is None or change.old_fingerprint != fingerprint(registration.email_key):
        raise EmailLinkInvalid()
    if (now or utcnow()) - issued > EMAIL_LINK_VALID:
        raise EmailLinkExpired()
    return registration, change


def confirm_email_change(key: str, *, now: datetime | None = None) -> Registration:
    """Move the registration to the address its confirmation link names, and tell the old
    address. Commits.

    :raises EmailLinkInvalid, EmailLinkExpired, EmailTaken, RegistrationRefused:
    """
    event_id = read_email_change(key, now)[0].event_id
    # Under the event's lock: a sign-up with the same address cannot slip in between.
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        registration, change = read_email_change(key, tx.now)
        if not can_change(registration, tx.now):
            raise RegistrationRefused(_l("This registration can no longer be changed."))
        other = find_by_email(registration.event_id, change.new_email)
        if other is not None and other.id != registration.id:
            raise EmailTaken()
        old_email = registration.email
        registration.email = change.new_email
        registration.email_key = email_key(change.new_email)
        if old_email:
            enqueue(EMAIL_CHANGED_MAIL, old_email, locale=registration.locale, registration_id=registration.id,
                    params={"old_email": old_email, "new_email": change.new_email})
        return registration

