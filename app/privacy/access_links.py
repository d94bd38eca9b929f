"""The link with which a guest opens everything Podium holds under their address.

A guest's own page (/r/<token>) opens one registration: the link came in a mail about it, and
such mails are forwarded (to a colleague who comes along, to a helper who fills in forms).
Everything under the address (other events, notes such as "wheelchair", the contact record)
needs a fresher proof that the reader holds the mailbox now: the page offers to mail a link
to the registration's address, valid for ACCESS_LINK_VALID. That link shows everything,
offers it as a download, and erases it.

The link names the registration it was asked from, a fingerprint of its address at the time
(never the address: links end up in browser histories), and when it was made, all signed
with the app's SECRET_KEY (itsdangerous). It is no longer valid once the registration's
address changed or its data was erased.
"""
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature

from ..database import get_row, is_valid_id, utcnow, write_transaction
from ..errors import DomainError
from ..extensions import db
from ..links import signer
from ..outbox import enqueue
from ..registrations.guest_changes import fingerprint
from ..registrations.models import Registration

ACCESS_MAIL = "privacy_access"
ACCESS_LINK_VALID = timedelta(hours=24)
_SALT = "podium.privacy.access"


class AccessLinkInvalid(DomainError):
    status_code = 404
    code = "access_link_invalid"
    message = _l("This link is not valid (any more). On your own page (the link is in every mail about your "
                 "registration) you can ask for a new one.")


class AccessLinkExpired(DomainError):
    status_code = 410
    code = "access_link_expired"
    message = _l("This link has expired: it is valid for 24 hours. On your own page (the link is in every mail "
                 "about your registration) you can ask for a new one.")


def can_ask_for_link(registration: Registration) -> bool:
    """Whether the guest's page may offer the link: there is an address to mail it to."""
    return bool(registration.email_key) and not registration.is_anonymised


def send_access_link(registration_id: int, *, locale: str, now: datetime | None = None) -> str:
    """Mail the link to the registration's address; returns that address. Commits.

    :raises NotFound: no such registration, or nothing to mail it to.
    """
    with write_transaction(now=now) as tx:
        registration = get_row(Registration, registration_id)
        if not can_ask_for_link(registration):
            raise AccessLinkInvalid()
        enqueue(ACCESS_MAIL, registration.email, locale=locale, registration_id=registration.id,
                params={"key": access_key(registration, tx.now)})
        return registration.email


def access_key(registration: Registration, now: datetime) -> str:
    """The signed key of the link (all of it: the link names nothing else)."""
    payload = {"r": registration.id, "f": fingerprint(registration.email_key), "at": int(now.timestamp())}
    return signer(_SALT).dumps(payload)


def read_access_key(key: str, now: datetime | None = None) -> Registration:
    """The registration whose address the link opens.

    :raises AccessLinkInvalid: forged, its registration gone or erased, or its address changed since
    :raises AccessLinkExpired: older than ACCESS_LINK_VALID
    """
    try:
        payload = signer(_SALT).loads(key)
        registration_id, print_, issued = int(payload["r"]), str(payload["f"]), int(payload["at"])
        issued_at = datetime.fromtimestamp(issued, UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise AccessLinkInvalid() from None
    registration = db.session.get(Registration, registration_id) if is_valid_id(registration_id) else None
    if registration is None or not can_ask_for_link(registration) or fingerprint(registration.email_key) != print_:
        raise AccessLinkInvalid()
    if (now or utcnow()) - issued_at > ACCESS_LINK_VALID:
        raise AccessLinkExpired()
    return registration
