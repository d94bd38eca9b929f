"""Invitation campaigns: audience, placeholders, sending through the outbox, reminders,
the personal invitation link and unsubscribing.

Sending writes one CampaignRecipient row and one outbox row per contact, in one
transaction and with bulk inserts. The unique (campaign_id, contact_id)
constraint is what makes a second press, a double click or two staff members at
once add nothing for a contact who already is a recipient: recipients are
inserted with ON CONFLICT DO NOTHING, and outbox rows are written only for the
recipients that insert returned. The campaign's row lock (BEGIN IMMEDIATE on
SQLite) keeps concurrent presses from even getting that far at the same time.
Mails are composed and delivered after the commit, by the sender, which checks
once more that the contact has not unsubscribed (campaign_mails.not_to_send).
"""
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ..database import begin_write, lock_row, rolled_back_on_error, utcnow
from ..errors import DomainError, InvalidInput, NotFound
from ..events.models import Event, EventStatus
from ..events.services import get_event
from ..extensions import db
from ..outbox import MailStatus, OutgoingMail, enqueue
from ..registrations import services as registrations
from ..registrations.models import Registration, RegistrationStatus
from ..registrations.tickets import new_manage_token
from ..text import clean_line, clean_text
from .models import Campaign, CampaignRecipient, CampaignStatus, Contact, OrganisationKind

INVITATION = "campaign_invitation"
REMINDER = "campaign_reminder"
# What the sender writes as the reason when a contact unsubscribed before delivery.
UNSUBSCRIBED = "unsubscribed"

PLACEHOLDERS = ("name", "event", "date", "link")
# Anything in single braces is meant as a placeholder; a typo must not reach 2,000 inboxes.
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
EMAIL_IN_TEXT = re.compile(r"[^\s,;:<>()\[\]\"']+@[^\s,;:<>()\[\]\"']+\.[^\s,;:<>()\[\]\"']+")

AUDIENCE_KINDS = ("all", "tags", "kinds", "emails")


class CampaignInvalid(InvalidInput):
    """A campaign's text or audience cannot be used; `field` names the form field at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


class CampaignAlreadySent(DomainError):
    status_code = 409
    message = _l("This campaign has been sent; its text and audience can no longer be changed.")


class CampaignNotSendable(DomainError):
    """The event does not take invitations now (draft, cancelled, begun, closed)."""

    status_code = 409


# --- placeholders ---------------------------------------------------------------------------

def unknown_placeholders(text: str) -> list[str]:
    """The {names} in `text` that are not placeholders, each once, in order."""
    unknown = []
    for name in PLACEHOLDER.findall(text or ""):
        if name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown


def fill_placeholders(text: str, values: dict, *, escape=str) -> str:
    """`text` with each {placeholder} replaced by its value; everything else passes `escape`."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(escape(text[last:match.start()]))
        name = match.group(1)
        parts.append(values[name] if name in values else escape(match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def _check_placeholders(subject: str, body: str) -> None:
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise CampaignInvalid(_l("Unknown placeholder: %(names)s. Possible are %(known)s.",
                                     names=names, known=known), field=field)


# --- the audience ---------------------------------------------------------------------------

def parse_tags(text: str) -> list[str]:
    """Tags typed as a comma-separated list: trimmed, each once."""
    tags, seen = [], set()
    for tag in (clean_line(t) for t in re.split(r"[,;\n]", text or "")):
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


def parse_emails(text: str) -> list[str]:
    """The addresses in a pasted list ("Anna <anna@example.org>, bob@example.org; ..."), each once."""
    found, seen = [], set()
    for address in EMAIL_IN_TEXT.findall(text or ""):
        address = address.strip(".")
        if address.lower() not in seen:
            seen.add(address.lower())
            found.append(address)
    return found


def make_audience(kind: str, *, tags: str = "", kinds: list[str] | None = None, emails: str = "") -> dict:
    """The stored form of an audience, from what the form offers.

    :raises CampaignInvalid: when the chosen kind of audience names nobody.
    """
    if kind == "all":
        return {"all": True}
    if kind == "tags":
        chosen = parse_tags(tags)
        if not chosen:
            raise CampaignInvalid(_l("Please enter at least one tag."), field="tags")
        return {"tags": chosen}
    if kind == "kinds":
        valid = {k.value for k in OrganisationKind}
        chosen = [k for k in (kinds or []) if k in valid]
        if not chosen:
            raise CampaignInvalid(_l("Please choose at least one kind of organisation."), field="kinds")
        return {"kinds": chosen}
    if kind == "emails":
        chosen = parse_emails(emails)
        if not chosen:
            raise CampaignInvalid(_l("Please paste at least one email address."), field="emails")
        return {"emails": chosen}
    raise CampaignInvalid(_l("Please choose who gets the invitation."), field="audience")


def audience_kind(audience: dict) -> str:
    return next((kind for kind in AUDIENCE_KINDS if audience.get(kind)), "all")


@dataclass(frozen=True)
class AudienceContact:
    id: int
    name: str
    email: str
    locale: str


@dataclass(frozen=True)
class Audience:
    """Whom an audience reaches now."""

    contacts: list[AudienceContact]  # in the audience and not unsubscribed, by id
    unsubscribed: int  # in the audience, but unsubscribed: never mailed
    unknown_emails: list[str]  # pasted addresses that are no contact: not mailed, not created

    @property
    def count(self) -> int:
        return len(self.contacts)


def resolve_audience(audience: dict) -> Audience:
    """The contacts an audience names: any of its criteria (all, tags, kinds, pasted addresses).

    Pasted addresses that match no contact are reported, not created: a contact
    needs a source and a lawful basis (an import, a sign-up), which a pasted list
    of addresses does not give.
    """
    tags = {t.lower() for t in audience.get("tags") or []}
    kinds = set(audience.get("kinds") or [])
    emails = {e.lower(): e for e in audience.get("emails") or []}
    query = select(Contact.id, Contact.name, Contact.email, Contact.email_key, Contact.locale, Contact.tags,
                   Contact.organisation_kind, Contact.unsubscribed_at).order_by(Contact.id)
    if not audience.get("all") and not tags:
        # Without tags the criteria are plain columns: let the database choose.
        query = query.where(Contact.organisation_kind.in_(kinds) | Contact.email_key.in_(list(emails)))
    contacts, unsubscribed, matched = [], 0, set()
    for row in db.session.execute(query):
        matched.add(row.email_key)
        chosen = (audience.get("all") or row.organisation_kind in kinds or row.email_key in emails
                  or any(str(t).lower() in tags for t in row.tags or []))
        if not chosen:
            continue
        if row.unsubscribed_at is not None:
            unsubscribed += 1
        else:
            contacts.append(AudienceContact(row.id, row.name, row.email, row.locale))
    unknown = [address for key, address in emails.items() if key not in matched]
    return Audience(contacts, unsubscribed, unknown)


def audience_sample(campaign: Campaign, limit: int = 500) -> list[Contact]:
    """Up to `limit` contacts of the campaign's audience, by name, to preview the mail for."""
    chosen = sorted(resolve_audience(campaign.audience).contacts, key=lambda c: (c.name.lower(), c.id))[:limit]
    if not chosen:
        return []
    query = select(Contact).where(Contact.id.in_([c.id for c in chosen])).order_by(Contact.name, Contact.id)
    return list(db.session.execute(query).scalars())


# --- creating and changing a campaign -------------------------------------------------------

def create_campaign(*, event_id: int, subject: str, body: str, audience: dict, created_by: str = "") -> Campaign:
    """A draft campaign for one event. Commits.

    :raises CampaignInvalid: for an unknown placeholder (naming it).
    """
    subject, body = clean_line(subject or ""), clean_text(body or "")
    _check_placeholders(subject, body)
    get_event(event_id)
    begin_write()
    campaign = Campaign(event_id=event_id, subject=subject, body=body, audience=audience,
                        status=CampaignStatus.draft.value, created_by=created_by)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def update_campaign(campaign_id: int, *, event_id: int, subject: str, body: str, audience: dict) -> Campaign:
    """Change a campaign that has not been sent. Commits.

    :raises CampaignInvalid, CampaignAlreadySent, NotFound:
    """
    subject, body = clean_line(subject or ""), clean_text(body or "")
    _check_placeholders(subject, body)
    get_event(event_id)
    campaign = lock_row(Campaign, campaign_id)
    if campaign is None:
        db.session.rollback()
        raise NotFound(_l("There is no such campaign."))
    if campaign.status != CampaignStatus.draft.value:
        db.session.rollback()
        raise CampaignAlreadySent()
    campaign.event_id = event_id
    campaign.subject = subject
    campaign.body = body
    campaign.audience = audience
    db.session.commit()
    return campaign


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_l("There is no such campaign."))
    return campaign


def list_campaigns() -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    return list(db.session.execute(query).scalars())


def events_to_invite_to(*, also: int | None = None, now: datetime | None = None) -> list[Event]:
    """Events a campaign may be for: not over, not cancelled (drafts too: one may prepare early).

    `also` keeps a campaign's current event in the list whatever its state.
    """
    now = now or utcnow()
    open_events = (Event.ends_at >= now) & (Event.status != EventStatus.cancelled.value)
    query = select(Event).where(open_events | (Event.id == also))
    return list(db.session.execute(query.order_by(Event.starts_at, Event.id)).scalars())


def not_sendable_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why invitations to this event cannot go out now, or None.

    Registration that opens later is no reason: an invitation may come early.
    """
    now = now or utcnow()
    if event.status == EventStatus.draft.value:
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


def plan_sending(campaign: Campaign) -> SendPlan:
    audience = resolve_audience(campaign.audience)
    existing = _recipient_contact_ids(campaign.id)
    new = sum(1 for c in audience.contacts if c.id not in existing)
    return SendPlan(new, audience.count - new, audience.unsubscribed, audience.unknown_emails)


def send_campaign(campaign_id: int, *, now: datetime | None = None) -> SendResult:
    """Invite every contact of the audience who is not yet a recipient and has not unsubscribed.

    One transaction: a CampaignRecipient and an outbox mail per contact, bulk
    inserted. Pressing again (or twice at once) adds only contacts that joined
    the audience since. Commits.

    :raises NotFound, CampaignNotSendable:
    """
    campaign = _lock_for_sending(campaign_id)
    with rolled_back_on_error():
        now = now or utcnow()
        _refuse_unsendable(campaign, now)
        audience = resolve_audience(campaign.audience)
        existing = _recipient_contact_ids(campaign.id)
        new = [contact for contact in audience.contacts if contact.id not in existing]
        added = _add_recipients(campaign.id, new, now) if new else 0
        if campaign.status == CampaignStatus.draft.value:
            campaign.status = CampaignStatus.sending.value
            campaign.sent_at = now
        db.session.commit()
    return SendResult(added, audience.count - len(new), audience.unsubscribed)


def _lock_for_sending(campaign_id: int) -> Campaign | None:
    return lock_row(Campaign, campaign_id)


def _refuse_unsendable(campaign: Campaign | None, now: datetime) -> None:
    """:raises NotFound, CampaignNotSendable: no such campaign, or its event takes no invitations now."""
    if campaign is None:
        raise NotFound(_l("There is no such campaign."))
    reason = not_sendable_reason(campaign.event, now)
    if reason:
        raise CampaignNotSendable(reason)


def _recipient_contact_ids(campaign_id: int) -> set[int]:
    query = select(CampaignRecipient.contact_id).where(CampaignRecipient.campaign_id == campaign_id)
    return set(db.session.execute(query).scalars())


def _add_recipients(campaign_id: int, contacts: list[AudienceContact], now: datetime) -> int:
    by_id = {contact.id: contact for contact in contacts}
    inserted = _insert_recipients([
        {"campaign_id": campaign_id, "contact_id": contact.id, "token": new_manage_token(), "created_at": now}
        for contact in contacts
    ])
    if not inserted:
        return 0
    mail_ids = _insert_mails([
        (INVITATION, by_id[contact_id].email, by_id[contact_id].locale,
         {"campaign_id": campaign_id, "recipient_id": recipient_id})
        for recipient_id, contact_id in inserted
    ], now)
    recipients = CampaignRecipient.__table__
    db.session.execute(
        update(recipients).where(recipients.c.id == bindparam("recipient_id")).values(mail_id=bindparam("new_mail_id")),
        [{"recipient_id": recipient_id, "new_mail_id": mail_id}
         for (recipient_id, _contact), mail_id in zip(inserted, mail_ids)],
    )
    return len(inserted)


def _insert_recipients(rows: list[dict]) -> list[tuple[int, int]]:
    """Insert recipients, skipping any contact that already is one; (recipient id, contact id) of the new."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(CampaignRecipient.__table__)
        .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"])
        .returning(CampaignRecipient.__table__.c.id, CampaignRecipient.__table__.c.contact_id)
    )
    return [tuple(row) for row in db.session.execute(statement, rows)]


def _insert_mails(mails: list[tuple[str, str, str, dict]], now: datetime) -> list[int]:
    """Bulk-insert outbox rows (kind, recipient, locale, params); their ids, in the same order.

    The bulk counterpart of outbox.enqueue: same columns, same Message-ID form.
    """
    rows = [
        {"kind": kind, "recipient": recipient, "locale": locale, "registration_id": None, "params": params,
         "message_id": f"<{uuid.uuid4().hex}@podium>", "status": MailStatus.queued.value, "attempts": 0,
         "next_attempt_at": now, "created_at": now}
        for kind, recipient, locale, params in mails
    ]
    table = OutgoingMail.__table__
    statement = insert(table).returning(table.c.id, table.c.message_id)
    ids = {message_id: mail_id for mail_id, message_id in db.session.execute(statement, rows)}
    db.session.info["mail_enqueued"] = True  # wakes this process's sender after the commit
    return [ids[row["message_id"]] for row in rows]


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
               invitation.status == MailStatus.sent.value,
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
    campaign = _lock_for_sending(campaign_id)
    with rolled_back_on_error():
        now = now or utcnow()
        _refuse_unsendable(campaign, now)
        due = list(db.session.execute(_not_answered(campaign)))
        if due:
            mail_ids = _insert_mails([
                (REMINDER, row.email, row.locale, {"campaign_id": campaign.id, "recipient_id": row.id})
                for row in due
            ], now)
            recipients = CampaignRecipient.__table__
            # Conditional: a recipient who has a reminder keeps it, whatever else runs.
            db.session.execute(
                update(recipients)
                .where(recipients.c.id == bindparam("recipient_id"), recipients.c.reminder_mail_id.is_(None))
                .values(reminder_mail_id=bindparam("new_mail_id")),
                [{"recipient_id": row.id, "new_mail_id": mail_id} for row, mail_id in zip(due, mail_ids)],
            )
        db.session.commit()
    return len(due)


# --- test mail ------------------------------------------------------------------------------

def send_test_mail(campaign_id: int, *, email: str, name: str, locale: str,
                   contact_id: int | None = None) -> OutgoingMail:
    """Queue the invitation to a staff member's own address: not a recipient, no personal link. Commits."""
    get_campaign(campaign_id)
    begin_write()
    mail = enqueue(INVITATION, email, locale=locale,
                   params={"campaign_id": campaign_id, "test": True, "name": name, "contact_id": contact_id})
    db.session.commit()
    return mail


# --- the personal invitation link -----------------------------------------------------------

def get_recipient_by_token(token: str) -> CampaignRecipient:
    """The recipient whose invitation link this is. :raises NotFound:"""
    if not token or len(token) > 64:
        raise NotFound()
    recipient = db.session.execute(
        select(CampaignRecipient).where(CampaignRecipient.token == token)
    ).scalar_one_or_none()
    if recipient is None:
        raise NotFound()
    return recipient


def accept_invitation(token: str, data: dict, *, locale: str) -> registrations.SignupResult:
    """Sign up through an invitation link, and tie the registration to the invitation.

    registrations.register commits the sign-up itself (under the event lock);
    the tie follows in a short transaction of its own.

    :raises NotFound, RegistrationRefused, EventFull:
    """
    recipient = get_recipient_by_token(token)
    recipient_id, event_id = recipient.id, recipient.campaign.event_id
    result = registrations.register(event_id, data, locale=locale)
    registration_id = result.registration.id
    begin_write()
    db.session.execute(update(CampaignRecipient).where(CampaignRecipient.id == recipient_id)
                       .values(registration_id=registration_id)
                       .execution_options(synchronize_session=False))
    if result.created:
        db.session.execute(update(Registration).where(Registration.id == registration_id)
                           .values(source="invitation")
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return result


# --- unsubscribing --------------------------------------------------------------------------

def get_contact_by_unsubscribe_token(token: str) -> Contact:
    """:raises NotFound:"""
    if not token or len(token) > 64:
        raise NotFound()
    contact = db.session.execute(select(Contact).where(Contact.unsubscribe_token == token)).scalar_one_or_none()
    if contact is None:
        raise NotFound()
    return contact


def unsubscribe(token: str, *, now: datetime | None = None) -> Contact:
    """Record that the contact wants no more invitations; the first time counts. Commits.

    :raises NotFound:
    """
    contact_id = get_contact_by_unsubscribe_token(token).id
    now = now or utcnow()
    begin_write()
    db.session.execute(update(Contact)
                       .where(Contact.id == contact_id, Contact.unsubscribed_at.is_(None))
                       .values(unsubscribed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.get(Contact, contact_id, populate_existing=True)


# --- progress and the recipients' states ----------------------------------------------------

@dataclass(frozen=True)
class Progress:
    queued: int = 0  # waiting or being sent
    sent: int = 0
    failed: int = 0  # refused by the server or given up
    skipped: int = 0  # not sent: the contact unsubscribed after send was pressed
    held: int = 0  # no mail server configured: kept in the development mailbox

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed + self.skipped + self.held

    @property
    def done(self) -> bool:
        return self.total > 0 and self.queued == 0

    def as_dict(self) -> dict:
        return {"queued": self.queued, "sent": self.sent, "failed": self.failed, "skipped": self.skipped,
                "held": self.held, "total": self.total, "done": self.done}


def campaign_progress(campaign_id: int) -> Progress:
    """How the campaign's invitations stand in the outbox."""
    skipped = (OutgoingMail.status == MailStatus.failed.value) & (OutgoingMail.last_error == UNSUBSCRIBED)
    query = (
        select(OutgoingMail.status, skipped, func.count())
        .join(CampaignRecipient, CampaignRecipient.mail_id == OutgoingMail.id)
        .where(CampaignRecipient.campaign_id == campaign_id)
        .group_by(OutgoingMail.status, skipped)
    )
    counts = Counter()
    for status, is_skipped, count in db.session.execute(query):
        if is_skipped:
            counts["skipped"] += count
        elif status == MailStatus.sent.value:
            counts["sent"] += count
        elif status in (MailStatus.failed.value, MailStatus.held.value):
            counts[status] += count
        else:  # queued, or being sent
            counts["queued"] += count
    return Progress(**counts)


class RecipientState:
    queued = "queued"
    invited = "invited"
    failed = "failed"
    unsubscribed = "unsubscribed"
    registered = "registered"
    cancelled = "cancelled"
    attended = "attended"


RECIPIENT_STATE_LABELS = {
    RecipientState.queued: _lp("campaign recipient", "queued"),
    RecipientState.invited: _lp("campaign recipient", "invited"),
    RecipientState.failed: _lp("campaign recipient", "not delivered"),
    RecipientState.unsubscribed: _lp("campaign recipient", "unsubscribed"),
    RecipientState.registered: _lp("campaign recipient", "registered"),
    RecipientState.cancelled: _lp("campaign recipient", "registration cancelled"),
    RecipientState.attended: _lp("campaign recipient", "attended"),
}


@dataclass(frozen=True)
class RecipientRow:
    id: int
    contact_id: int
    name: str
    email: str
    organisation: str
    state: str
    reason: str  # why a mail was not delivered
    reminded: bool

    @property
    def state_label(self) -> str:
        return str(RECIPIENT_STATE_LABELS[self.state])


def recipient_rows(campaign: Campaign) -> list[RecipientRow]:
    """Every recipient with the state a person would want to know, in the order they were invited.

    A guest counts as registered through the invitation link, or when the same
    address signed up for the event on its own.
    """
    invitation = aliased(OutgoingMail)
    tied = aliased(Registration)
    by_address = aliased(Registration)
    query = (
        select(CampaignRecipient.id, CampaignRecipient.reminder_mail_id, Contact.id.label("contact_id"),
               Contact.name, Contact.email, Contact.organisation, Contact.unsubscribed_at,
               invitation.status.label("mail_status"), invitation.last_error,
               func.coalesce(tied.status, by_address.status).label("registration_status"),
               func.coalesce(tied.checked_in_at, by_address.checked_in_at).label("checked_in_at"))
        .join(Contact, Contact.id == CampaignRecipient.contact_id)
        .outerjoin(invitation, invitation.id == CampaignRecipient.mail_id)
        .outerjoin(tied, tied.id == CampaignRecipient.registration_id)
        .outerjoin(by_address, (by_address.event_id == campaign.event_id)
                   & (by_address.email_key == Contact.email_key))
        .where(CampaignRecipient.campaign_id == campaign.id)
        .order_by(CampaignRecipient.id)
    )
    rows = []
    for row in db.session.execute(query):
        state, reason = _state(row)
        rows.append(RecipientRow(row.id, row.contact_id, row.name, row.email, row.organisation, state, reason,
                                 row.reminder_mail_id is not None))
    return rows


def _state(row) -> tuple[str, str]:
    if row.checked_in_at is not None:
        return RecipientState.attended, ""
    if row.registration_status in (RegistrationStatus.confirmed.value, RegistrationStatus.waitlisted.value):
        return RecipientState.registered, ""
    if row.registration_status == RegistrationStatus.cancelled.value:
        return RecipientState.cancelled, ""
    if row.unsubscribed_at is not None:
        return RecipientState.unsubscribed, ""
    if row.mail_status == MailStatus.failed.value:
        return RecipientState.failed, row.last_error or ""
    if row.mail_status in (MailStatus.sent.value, MailStatus.held.value):
        return RecipientState.invited, ""
    return RecipientState.queued, ""
