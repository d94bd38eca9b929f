"""How far a campaign has gone out, and where each recipient stands now.

Without a mail server (development) the outbox keeps every mail instead of sending
it: such a mail is "kept, not sent", never counted or labelled as sent, here and on
every page that shows these figures.
"""
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..contacts.models import Contact, Institution
from ..database import LabelledEnum
from ..extensions import db
from ..outbox import MailStatus, OutgoingMail
from ..paging import Page, Sort
from ..registrations.models import Registration, RegistrationStatus
from .models import Campaign, CampaignRecipient


@dataclass(frozen=True)
class Progress:
    queued: int = 0  # waiting or being sent
    sent: int = 0
    failed: int = 0  # refused by the server or given up
    skipped: int = 0  # withdrawn: the contact unsubscribed after send was pressed
    held: int = 0  # no mail server configured: kept in the development mailbox

    @property
    def total(self) -> int:
        """Every invitation of the campaign, whatever its state."""
        return self.queued + self.sent + self.failed + self.skipped + self.held

    @property
    def done(self) -> bool:
        """Nothing is waiting to be sent any more."""
        return self.total > 0 and self.queued == 0

    @property
    def handled(self) -> int:
        """Invitations that have their outcome (sent, kept, not delivered, withdrawn)."""
        return self.total - self.queued

    def as_dict(self) -> dict:
        """The figures for the campaign page's live counter."""
        return {"queued": self.queued, "sent": self.sent, "failed": self.failed, "skipped": self.skipped,
                "held": self.held, "total": self.total, "handled": self.handled, "done": self.done}


class CampaignState(LabelledEnum):
    """Where a campaign stands, as its page and the list say it."""

    draft = "draft", _lp("campaign status", "draft")
    sending = "sending", _lp("campaign status", "sending")
    sent = "sent", _lp("campaign status", "sent")
    # No mail server: the invitations wait in the outbox, nobody has got one.
    held = "held", _lp("campaign status", "kept, not sent")
    failed = "failed", _lp("campaign status", "not delivered")
    # Sent to nobody: the audience was empty, or everyone unsubscribed before their turn.
    nothing_sent = "nothing-sent", _lp("campaign status", "nothing sent")


def campaign_state(campaign: Campaign, progress: Progress) -> CampaignState:
    """The campaign's state from its invitations' states in the outbox."""
    if campaign.is_draft:
        return CampaignState.draft
    if progress.queued:
        return CampaignState.sending
    if progress.held:
        return CampaignState.held
    if progress.sent:
        return CampaignState.sent
    if progress.failed:
        return CampaignState.failed
    return CampaignState.nothing_sent


# Which figure of Progress each state of the outbox counts towards.
_PROGRESS_OF = {MailStatus.queued: "queued", MailStatus.sending: "queued", MailStatus.sent: "sent",
                MailStatus.failed: "failed", MailStatus.withdrawn: "skipped", MailStatus.held: "held"}


def campaign_progress(campaign_id: int) -> Progress:
    """How the campaign's invitations stand in the outbox."""
    query = (
        select(OutgoingMail.status, func.count())
        .join(CampaignRecipient, CampaignRecipient.mail_id == OutgoingMail.id)
        .where(CampaignRecipient.campaign_id == campaign_id)
        .group_by(OutgoingMail.status)
    )
    counts = Counter()
    for status, count in db.session.execute(query):
        counts[_PROGRESS_OF[status]] += count
    return Progress(**counts)


class RecipientState(LabelledEnum):
    queued = "queued", _lp("campaign recipient", "queued")
    invited = "invited", _lp("campaign recipient", "invited")
    held = "held", _lp("campaign recipient", "kept, not sent")
    failed = "failed", _lp("campaign recipient", "not delivered")
    withdrawn = "withdrawn", _lp("campaign recipient", "not sent")
    unsubscribed = "unsubscribed", _lp("campaign recipient", "unsubscribed")
    registered = "registered", _lp("campaign recipient", "registered")
    cancelled = "cancelled", _lp("campaign recipient", "registration cancelled")
    attended = "attended", _lp("campaign recipient", "attended")


@dataclass(frozen=True)
class RecipientRow:
    id: int
    contact_id: int
    name: str
    email: str
    organisation: str
    state: RecipientState
    reason: str  # why a mail was not delivered
    reminded: bool


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
               Contact.name, Contact.email, func.coalesce(Institution.name, "").label("organisation"),
               Contact.unsubscribed_at,
               invitation.status.label("mail_status"), invitation.last_error,
               func.coalesce(tied.status, by_address.status).label("registration_status"),
               func.coalesce(tied.checked_in_at, by_address.checked_in_at).label("checked_in_at"))
        .join(Contact, Contact.id == CampaignRecipient.contact_id)
        .outerjoin(Institution, Institution.id == Contact.institution_id)
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


# The columns the recipients may be sorted by; "invited" is the order they were invited in.
_STATE_ORDER = {state: position for position, state in enumerate(RecipientState)}
RECIPIENT_SORTS = {
    "invited": lambda r: r.id,
    "name": lambda r: (r.name.casefold(), r.id),
    "email": lambda r: (r.email.casefold(), r.id),
    "organisation": lambda r: (r.organisation.casefold(), r.id),
    "state": lambda r: (_STATE_ORDER[r.state], r.id),
}


@dataclass(frozen=True)
class RecipientList:
    page: Page  # of RecipientRow
    counts: Counter  # recipients per state, before the state filter and the search


def recipient_list(campaign: Campaign, *, state: RecipientState | None = None, query: str = "",
                   sort: Sort | None = None, number: int | None = 1, size: int = 100) -> RecipientList:
    """One page of the recipients in one state (or all) whose name, address or organisation has
    every word of `query`, in the chosen order (by default the order they were invited in)."""
    sort = sort or Sort("invited")
    rows = recipient_rows(campaign)
    words = query.casefold().split()
    chosen = [row for row in rows if (state is None or row.state == state)
              and all(word in f"{row.name} {row.email} {row.organisation}".casefold() for word in words)]
    chosen.sort(key=RECIPIENT_SORTS[sort.key], reverse=sort.descending)
    pages = max(1, -(-len(chosen) // size))
    number = min(max(1, number or 1), pages)
    shown = chosen[(number - 1) * size:number * size]
    return RecipientList(Page(shown, len(chosen), number, size), Counter(row.state for row in rows))


def _state(row) -> tuple[RecipientState, str]:
    if row.checked_in_at is not None:
        return RecipientState.attended, ""
    if row.registration_status in (RegistrationStatus.confirmed, RegistrationStatus.waitlisted):
        return RecipientState.registered, ""
    if row.registration_status == RegistrationStatus.cancelled:
        return RecipientState.cancelled, ""
    if row.unsubscribed_at is not None:
        return RecipientState.unsubscribed, ""
    if row.mail_status == MailStatus.failed:
        return RecipientState.failed, row.last_error or ""
    if row.mail_status == MailStatus.withdrawn:
        return RecipientState.withdrawn, ""
    if row.mail_status == MailStatus.held:
        return RecipientState.held, ""
    if row.mail_status == MailStatus.sent:
        return RecipientState.invited, ""
    return RecipientState.queued, ""
