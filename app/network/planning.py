"""Planning a meeting of a working group in one step: an invitation-only event of the group, and
an invitation campaign to exactly its members, sent through the outbox.

The campaign machinery does the inviting (campaigns.services), so a meeting's invitations are
like any other: one per member however often staff press, a personal sign-up link each, nothing
to a member who unsubscribed from invitations (not even queued), and members without a recorded
consent mailed like any recipient (the planning page warns about them first).

One transaction: the event (with the entry in the audit trail), the campaign and its recipients
with their mails in the outbox stand or fall together, so a refusal or a failure at any step
leaves nothing behind, and pressing again makes one meeting, not a second. The mails go out after
the commit.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import Actor, AuditAction, record
from ..campaigns import services as campaigns
from ..campaigns.models import Campaign
from ..campaigns.placeholders import check_placeholders
from ..contacts.models import Contact
from ..database import utcnow, write_transaction
from ..errors import InvalidInput, StateConflict
from ..events.models import Event, EventKind, EventVisibility
from ..events.services import create_event
from ..extensions import db
from ..text import clean_line, clean_text
from .models import WorkingGroup, WorkingGroupMember


@dataclass(frozen=True)
class PlannedMeeting:
    event: Event
    campaign: Campaign
    sent: campaigns.SendResult


@dataclass(frozen=True)
class Invitees:
    """Whom planning a meeting would invite now, as the campaign machinery will treat them."""

    members: int
    unsubscribed: int  # get no invitation
    without_consent: int  # invited, though no consent is on record

    @property
    def invited(self) -> int:
        """How many members the invitation goes to."""
        return self.members - self.unsubscribed


def default_title(group: WorkingGroup) -> str:
    """What a new meeting of the group is called, unless staff say otherwise."""
    return _("%(group)s: meeting", group=group.name)


def default_subject() -> str:
    """The subject of a meeting's invitation, in the page's language."""
    # Translators: keep {event} and {date} as they are; they become the meeting's title, date and time.
    return _("Invitation: {event}, {date}")


def default_body(group: WorkingGroup) -> str:
    """The text of a meeting's invitation, in the page's language: every placeholder in use."""
    # Braces in the group's name would read as placeholders (and be refused): round ones instead.
    name = group.name.replace("{", "(").replace("}", ")")
    # Translators: keep {name}, {event}, {date} and {link} as they are.
    return _("Hello {name},\n\nthe working group “%(group)s” meets on {date} ({event}). As a member of the "
             "group you are warmly invited.\n\nPlease let us know whether you come, with your personal link: "
             "{link}\n\nThere you also find the group's next meetings.", group=name)


def invitees(group_id: int) -> Invitees:
    """Who would be invited to a meeting planned now, and who not."""
    rows = db.session.execute(select(Contact.unsubscribed_at, Contact.consent_at)
                              .join(WorkingGroupMember, WorkingGroupMember.contact_id == Contact.id)
                              .where(WorkingGroupMember.group_id == group_id)).all()
    unsubscribed = sum(1 for row in rows if row.unsubscribed_at is not None)
    without = sum(1 for row in rows if row.unsubscribed_at is None and row.consent_at is None)
    return Invitees(len(rows), unsubscribed, without)


def plan_meeting(group_id: int, *, fields: dict, subject: str, body: str, by: Actor,
                 now: datetime | None = None) -> PlannedMeeting:
    """Create the group's meeting (invitation-only, published) and invite every member once.

    `fields` are the event's (title, starts_at, ends_at, timezone, venue, address, capacity).
    One transaction: nothing is made unless all is. Commits.

    :raises NotFound: no such group.
    :raises InvalidInput: a field or the text is wrong (`field` says which).
    :raises StateConflict: the group has no members to invite.
    """
    subject, body = clean_line(subject or ""), clean_text(body or "")
    if not subject:
        raise InvalidInput(_l("Please enter a subject."), field="subject")
    if not body:
        raise InvalidInput(_l("Please enter the text of the invitation."), field="body")
    check_placeholders(subject, body)
    if fields["starts_at"] <= (now or utcnow()):
        raise InvalidInput(_l("A meeting to invite to lies in the future. Record a past meeting under "
                              "Recorded meetings."), field="starts_at")
    with write_transaction(lock=(WorkingGroup, group_id), now=now) as tx:
        group = tx.row
        addresses = list(db.session.execute(
            select(Contact.email_key).join(WorkingGroupMember, WorkingGroupMember.contact_id == Contact.id)
            .where(WorkingGroupMember.group_id == group.id).order_by(Contact.id)).scalars())
        if not addresses:
            raise StateConflict(_l("The group has no members yet: add members before planning a meeting."))
        event = create_event(publish=True, by=by, now=tx.now, kind=EventKind.working_group,
                             visibility=EventVisibility.invitation, working_group_id=group.id, **fields)
        record(by, AuditAction.group_meeting_planned, at=tx.now, event_id=event.id, group_id=group.id,
               changes={"group": group.name})
        campaign = campaigns.add_campaign(event_id=event.id, subject=subject, body=body,
                                          audience={"emails": addresses}, created_by=by.name)
        sent = campaigns.queue_invitations(campaign, tx.now)
        return PlannedMeeting(event, campaign, sent)
