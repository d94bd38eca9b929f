"""What an invited contact does with the mail: sign up through the personal link, or unsubscribe."""
from datetime import datetime

from sqlalchemy import update

from ..contacts.models import ConsentSource, Contact
from ..database import get_by_link_key, write_transaction
from ..extensions import db
from ..registrations import services as registrations
from ..registrations.models import Source
from .models import CampaignRecipient


def get_recipient_by_token(token: str) -> CampaignRecipient:
    """The recipient whose invitation link this is. :raises NotFound:"""
    return get_by_link_key(CampaignRecipient.token, token)


def accept_invitation(token: str, data: dict, *, locale: str) -> registrations.SignupResult:
    """Sign up through an invitation link, and tie the registration to the invitation.

    registrations.register commits the sign-up itself (under the event lock);
    the tie follows in a short transaction of its own. A contact without a consent on
    record gets one from the sign-up: the consent text they just agreed to (its version),
    given through the invitation; only when they signed up with the contact's own address (an
    invitation forwarded to a colleague is their consent, not the contact's).

    :raises NotFound, RegistrationRefused, EventFull:
    """
    recipient = get_recipient_by_token(token)
    recipient_id, contact_id, event_id = recipient.id, recipient.contact_id, recipient.campaign.event_id
    contact_key = recipient.contact.email_key
    result = registrations.register(event_id, data, locale=locale, source=Source.invitation)
    registration_id, consent_version = result.registration.id, result.registration.consent_version
    their_own = result.registration.email_key == contact_key
    with write_transaction() as tx:
        db.session.execute(update(CampaignRecipient).where(CampaignRecipient.id == recipient_id)
                           .values(registration_id=registration_id)
                           .execution_options(synchronize_session=False))
        if result.created and their_own:
            db.session.execute(update(Contact).where(Contact.id == contact_id, Contact.consent_at.is_(None))
                               .values(consent_source=ConsentSource.invitation, consent_version=consent_version,
                                       consent_at=tx.now)
                               .execution_options(synchronize_session=False))
    return result


def get_contact_by_unsubscribe_token(token: str) -> Contact:
    """The contact whose unsubscribe link this is. :raises NotFound:"""
    return get_by_link_key(Contact.unsubscribe_token, token)


def unsubscribe(token: str, *, now: datetime | None = None) -> Contact:
    """Record that the contact wants no more invitations; the first time counts. Commits.

    :raises NotFound:
    """
    contact_id = get_contact_by_unsubscribe_token(token).id
    with write_transaction(now=now) as tx:
        db.session.execute(update(Contact)
                           .where(Contact.id == contact_id, Contact.unsubscribed_at.is_(None))
                           .values(unsubscribed_at=tx.now)
                           .execution_options(synchronize_session=False))
    return db.session.get(Contact, contact_id, populate_existing=True)

