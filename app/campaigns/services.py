"""Invitation campaigns: writing one, sending it through the outbox, reminding, a test mail.

Sending writes one CampaignRecipient row and one outbox row per contact, in one
transaction and with bulk inserts. The unique (campaign_id, contact_id)
constraint is what makes a second press, a double click or two staff members at
once add nothing for a contact who already is a recipient: recipients are
inserted with ON CONFLICT DO NOTHING, and outbox rows are written only for the
recipients that insert returned. The campaign's row lock (BEGIN IMMEDIATE on
SQLite) keeps concurrent presses from even getting that far at the same time.
Mails are composed and delivered after the commit, by the sender, which asks
mails.withdrawn once more whether each is still wanted (a contact may unsubscribe
after send was pressed). Each outbox row's language is that of the text its contact
gets (texts.py): their own when the campaign has a text in it, else German.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import aliased

from ..contacts.models import Contact
from ..database import get_row, insert_with_conflicts, utcnow, write_transaction
from ..errors import InvalidInput, StateConflict
from ..events.models import Event, EventStatus, EventVisibility
from ..events.services import RECORD_ONLY, get_event
from ..extensions import db
from ..links import new_link_token
from ..outbox import MailStatus, NewMail, OutgoingMail, enqueue, enqueue_many
from ..registrations.models import Registration
from ..text import clean_line, clean_text
from .audience import AudienceContact, resolve_audience
from .models import Campaign, CampaignRecipient, CampaignStatus
from .placeholders import check_placeholders
from .texts import Text, clean_texts, replace_texts, text_languages, text_locale

INVITATION = "campaign_invitation"
REMINDER = "campaign_reminder"


class CampaignAlreadySent(StateConflict):
    code = "campaign_sent"
    message = _l("This campaign has been sent; its text and audience can no longer be changed.")


class NoTestMailAfterSending(StateConflict):
    code = "campaign_sent"
    message = _l("This campaign has been sent; a test mail is only for checking a draft.")


class CampaignNotSendable(StateConflict):
    """The event does not take invitations now (draft, cancelled, begun, closed)."""

    code = "campaign_not_sendable"


class NoCampaignForRecord(InvalidInput):
    """A record-only event takes no sign-up and mails nobody: there is nothing to invite to."""

    code = "campaign_for_record"
    field = "event_id"
    message = RECORD_ONLY


# --- writing a campaign ---------------------------------------------------------------------

def _refuse_record(event_id: int) -> None:
    """:raises NotFound, NoCampaignForRecord:"""
    if get_event(event_id).is_record_only:
        raise NoCampaignForRecord()


def _checked_texts(subject: str, body: str, texts: dict | None) -> tuple[str, str, dict[str, Text]]:
    """The German subject and body and the other languages' texts, cleaned and checked.

    :raises InvalidInput: naming the field (an unknown placeholder in any language, half a text).
    """
    subject, body = clean_line(subject or ""), clean_text(body or "")
    check_placeholders(subject, body)
    return subject, body, clean_texts(texts)


def create_campaign(*, event_id: int, subject: str, body: str, audience: dict, created_by: str = "",
                    texts: dict[str, tuple[str, str]] | None = None) -> Campaign:
    """A draft campaign for one event. Commits.

    `subject` and `body` are the German text; `texts` maps other languages to their (subject, body),
    a language with both blank being left out.

    :raises InvalidInput: for an unknown placeholder (naming it and its field), or a language with
        a subject and no text or the other way round.
    :raises NotFound, NoCampaignForRecord:
    """
    with write_transaction():
        return add_campaign(event_id=event_id, subject=subject, body=body, audience=audience,
                            created_by=created_by, texts=texts)


def add_campaign(*, event_id: int, subject: str, body: str, audience: dict, created_by: str = "",
                 texts: dict[str, tuple[str, str]] | None = None) -> Campaign:
    """A draft campaign for one event, inside the caller's write_transaction: flushes, no commit
    (create_campaign; planning a meeting, whose event is made in the same transaction).

    :raises InvalidInput, NotFound, NoCampaignForRecord: as create_campaign.
    """
    subject, body, other_texts = _checked_texts(subject, body, texts)
    _refuse_record(event_id)
    campaign = Campaign(event_id=event_id, subject=subject, body=body, audience=audience,
                        status=CampaignStatus.draft, created_by=created_by)
    replace_texts(campaign, other_texts)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def update_campaign(campaign_id: int, *, event_id: int, subject: str, body: str, audience: dict,
                    texts: dict[str, tuple[str, str]] | None = None) -> Campaign:
    """Change a campaign that has not been sent: its event, audience and its text in every language
    (`texts` as create_campaign's: a language left out or blank is removed). Commits.

    :raises InvalidInput, CampaignAlreadySent, NotFound, NoCampaignForRecord:
    """
    subject, body, other_texts = _checked_texts(subject, body, texts)
    _refuse_record(event_id)
    with write_transaction(lock=(Campaign, campaign_id)) as tx:
        campaign = tx.row
        if not campaign.is_draft:
            raise CampaignAlreadySent()
        campaign.event_id = event_id
        campaign.subject = subject
        campaign.body = body
        campaign.audience = audience
        replace_texts(campaign, other_texts)
        return campaign


def get_campaign(campaign_id: int) -> Campaign:
    """One campaign. :raises NotFound:"""
    return get_row(Campaign, campaign_id)


def list_campaigns() -> list[Campaign]:
    """Every campaign, newest first."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    return list(db.session.execute(query).scalars())


def count_invitations(contact_id: int) -> int:
    """How many campaigns this contact is a recipient of (deleting the contact removes those records)."""
    return db.session.execute(
        select(func.count(CampaignRecipient.id)).where(CampaignRecipient.contact_id == contact_id)
    ).scalar_one()


def events_to_invite_to(*, also: int | None = None, now: datetime | None = None) -> list[Event]:
    """Events a campaign may be for: not over, not cancelled, not record-only (drafts too: one may
    prepare early).

    `also` keeps a campaign's current event in the list whatever its state.
    """
    now = now or utcnow()
    open_events = ((Event.ends_at >= now) & (Event.status != EventStatus.cancelled)
                   & (Event.visibility != EventVisibility.record))
    query = select(Event).where(open_events | (Event.id == also))
    return list(db.session.execute(query.order_by(Event.starts_at, Event.id)).scalars())


def not_sendable_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why invitations to this event cannot go out now, or None.

    Registration that opens later is no reason: an invitation may come early.
    """
    now = now or utcnow()
    if event.is_record_only:
        return str(NoCampaignForRecord.message)
    if event.is_draft:
        return str(_l("The event is a draft: publish it before inviting to it."))
    if event.is_cancelled:
        return str(_l("This event has been cancelled."))
    if event.has_started(now):
        return str(_l("This event has already taken place; registration is closed."))
    if event.registration_closes_at and now >= event.registration_closes_at:
        return str(_l("Registration for this event is closed."))
    return None


# --- sending --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SendResult:
    queued: int  # contacts invited by this press
    already: int  # contacts of the audience that were recipients before
    unsubscribed: int  # contacts of the audience that unsubscribed: not mailed


@dataclass(frozen=True)
class SendPlan:
    """What pressing send would do now (for the confirmation step)."""

    new: int
    already: int
    unsubscribed: int
    unknown_emails: list[str]
    # Of the `new`, those without a consent on record (imported without one, typed in without one).
    without_consent: int = 0
    # The `new` counted by their language (texts.language_shares says which text each group gets).
    locales: Counter = field(default_factory=Counter)


def plan_sending(campaign: Campaign) -> SendPlan:
    """What pressing send would do now: whom it would mail, whom not and why, and how many of
    those it would mail have no consent on record."""
    audience = resolve_audience(campaign.audience)
    existing = _recipient_contact_ids(campaign.id)
    new = [c for c in audience.contacts if c.id not in existing]
    return SendPlan(len(new), audience.count - len(new), audience.unsubscribed, audience.unknown_emails,
                    without_consent=sum(1 for c in new if not c.consented),
                    locales=Counter(c.locale for c in new))


def send_campaign(campaign_id: int, *, now: datetime | None = None) -> SendResult:
    """Invite every contact of the audience who is not yet a recipient and has not unsubscribed.

    One transaction: a CampaignRecipient and an outbox mail per contact, bulk
    inserted. Pressing again (or twice at once) adds only contacts that joined
    the audience since. Commits.

    :raises NotFound, CampaignNotSendable:
    """
    with write_transaction(lock=(Campaign, campaign_id), now=now) as tx:
        return queue_invitations(tx.row, tx.now)


def queue_invitations(campaign: Campaign, now: datetime) -> SendResult:
    """send_campaign's work inside the caller's write_transaction, which holds the campaign's lock
    or made the campaign itself (planning a meeting): flushes, no commit. The mails go out after
    the caller's commit.

    :raises CampaignNotSendable:
    """
    _refuse_unsendable(campaign, now)
    audience = resolve_audience(campaign.audience)
    existing = _recipient_contact_ids(campaign.id)
    new = [contact for contact in audience.contacts if contact.id not in existing]
    added = _add_recipients(campaign, new, now) if new else 0
    if campaign.is_draft:
        campaign.status = CampaignStatus.sending
        campaign.sent_at = now
    db.session.flush()
    return SendResult(added, audience.count - len(new), audience.unsubscribed)


def _refuse_unsendable(campaign: Campaign, now: datetime) -> None:
    """:raises CampaignNotSendable: the campaign's event takes no invitations now."""
    reason = not_sendable_reason(campaign.event, now)
    if reason:
        raise CampaignNotSendable(reason)


def _recipient_contact_ids(campaign_id: int) -> set[int]:
    query = select(CampaignRecipient.contact_id).where(CampaignRecipient.campaign_id == campaign_id)
    return set(db.session.execute(query).scalars())


def _add_recipients(campaign: Campaign, contacts: list[AudienceContact], now: datetime) -> int:
    by_id = {contact.id: contact for contact in contacts}
    inserted = _insert_recipients([
        {"campaign_id": campaign.id, "contact_id": contact.id, "token": new_link_token(), "created_at": now}
        for contact in contacts
    ])
    if not inserted:
        return 0
    languages = text_languages(campaign)
    mail_ids = enqueue_many([
        NewMail(INVITATION, by_id[contact_id].email, text_locale(languages, by_id[contact_id].locale),
                {"campaign_id": campaign.id, "recipient_id": recipient_id})
        for recipient_id, contact_id in inserted
    ], now)
    _tie_mails(inserted_ids=[recipient_id for recipient_id, _contact in inserted], mail_ids=mail_ids,
               column="mail_id")
    return len(inserted)


def _insert_recipients(rows: list[dict]) -> list[tuple[int, int]]:
    """Insert recipients, skipping any contact that already is one; (recipient id, contact id) of the new."""
    table = CampaignRecipient.__table__
    statement = (insert_with_conflicts(table).on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"])
                 .returning(table.c.id, table.c.contact_id))
    return [tuple(row) for row in db.session.execute(statement, rows)]


def _tie_mails(*, inserted_ids: list[int], mail_ids: list[int], column: str) -> None:
    """Note each recipient's new mail in `column`, unless it has one there already."""
    recipients = CampaignRecipient.__table__
    db.session.execute(
        update(recipients)
        .where(recipients.c.id == bindparam("recipient_id"), recipients.c[column].is_(None))
        .values({column: bindparam("new_mail_id")}),
        [{"recipient_id": recipient_id, "new_mail_id": mail_id}
         for recipient_id, mail_id in zip(inserted_ids, mail_ids, strict=True)],
    )


# --- reminders ------------------------------------------------------------------------------

def _not_answered(campaign: Campaign):
    """Recipients who were mailed the invitation and have neither answered nor unsubscribed."""
    invitation = aliased(OutgoingMail)
    registered_by_address = exists().where(Registration.event_id == campaign.event_id,
                                           Registration.email_key == Contact.email_key)
    return (
        select(CampaignRecipient.id, Contact.email, Contact.locale)
        .join(Contact, Contact.id == CampaignRecipient.contact_id)
        .join(invitation, invitation.id == CampaignRecipient.mail_id)
        .where(CampaignRecipient.campaign_id == campaign.id,
               CampaignRecipient.reminder_mail_id.is_(None),
               CampaignRecipient.registration_id.is_(None),
               Contact.unsubscribed_at.is_(None),
               invitation.status == MailStatus.sent,
               ~registered_by_address)
        .order_by(CampaignRecipient.id)
    )


def reminder_count(campaign: Campaign) -> int:
    """How many recipients a reminder would go to now."""
    return db.session.execute(select(func.count()).select_from(_not_answered(campaign).subquery())).scalar_one()


def remind_campaign(campaign_id: int, *, now: datetime | None = None) -> int:
    """Queue one reminder per recipient who was invited and has not answered; at most one each.

    Returns how many were queued. Commits.

    :raises NotFound, CampaignNotSendable:
    """
    with write_transaction(lock=(Campaign, campaign_id), now=now) as tx:
        campaign = tx.row
        _refuse_unsendable(campaign, tx.now)
        due = list(db.session.execute(_not_answered(campaign)))
        if due:
            languages = text_languages(campaign)
            mail_ids = enqueue_many([NewMail(REMINDER, row.email, text_locale(languages, row.locale),
                                             {"campaign_id": campaign.id, "recipient_id": row.id})
                                     for row in due], tx.now)
            # Conditional: a recipient who has a reminder keeps it, whatever else runs.
            _tie_mails(inserted_ids=[row.id for row in due], mail_ids=mail_ids, column="reminder_mail_id")
        return len(due)


# --- test mail ------------------------------------------------------------------------------

def send_test_mail(campaign_id: int, *, email: str, name: str, locale: str,
                   contact_id: int | None = None) -> OutgoingMail:
    """Queue the invitation to a staff member's own address: not a recipient, no personal link. Commits.

    It comes as a contact of `locale` gets it: in that language's text and frame if the campaign
    has a text in it, else in German.

    :raises NoTestMailAfterSending: the campaign has been sent (its recipients have the real thing).
    :raises CampaignNotSendable: its event is record-only (nobody is mailed about it).
    """
    campaign = get_campaign(campaign_id)
    if not campaign.is_draft:
        raise NoTestMailAfterSending()
    if campaign.event.is_record_only:
        raise CampaignNotSendable(NoCampaignForRecord.message)
    with write_transaction():
        return enqueue(INVITATION, email, locale=text_locale(text_languages(campaign), locale),
                       params={"campaign_id": campaign_id, "test": True, "name": name, "contact_id": contact_id})
