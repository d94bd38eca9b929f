"""Sending a survey: its invitations with personal links through the outbox, reminders, closing.

Sending opens the survey and writes one SurveyInvitation (with its own random link key) and one
outbox row per contact, in one transaction under the survey's row lock, with bulk inserts. The
unique (survey_id, contact_id) constraint makes a second press, a double click or two staff
members at once add nothing for a contact already asked: invitations are inserted with ON
CONFLICT DO NOTHING and mails are written only for the invitations that insert returned. So a
second press on an open survey asks only the contacts who joined the audience since.

Reminders go to everyone asked who has not completed (started or not) and has not unsubscribed,
at most once a day (REMIND_INTERVAL), counted on each invitation. Closing, by hand or by
`close_due` once `closes_at` has passed, stops the answers; for an anonymous survey it also cuts
`survey_responses.link_hash`, the last thing that led from an answer to a link.

Mails are composed after the commit, by the sender, in each contact's language (surveys.mails).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit import Actor, AuditAction, record
from ..campaigns.audience import AudienceContact
from ..contacts.models import Contact
from ..database import insert_with_conflicts, utcnow, write_transaction
from ..errors import NotFound, StateConflict
from ..extensions import db
from ..links import new_link_token
from ..outbox import NewMail, enqueue_many
from .audience import audience_terms, has_audience, resolve_survey_audience
from .models import InvitationStatus, Survey, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyStatus

INVITATION = "survey_invitation"
REMINDER = "survey_reminder"
# A second reminder within this time is refused: one a day is plenty.
REMIND_INTERVAL = timedelta(days=1)
# Who closes a survey whose closing date has passed (the audit trail names it).
CLOSING = Actor(name="Podium (closing date reached)")


class NotSendable(StateConflict):
    """The survey cannot be sent now (feedback form, closed, no questions, closing date passed)."""

    code = "survey_not_sendable"


class RemindedRecently(StateConflict):
    code = "survey_reminded_recently"


class SurveyClosed(StateConflict):
    code = "survey_closed"
    message = _l("This survey is closed already.")


@dataclass(frozen=True)
class SendPlan:
    """What pressing send would do now (shown before it is pressed)."""

    new: int  # contacts of the audience not asked yet
    already: int  # contacts of the audience asked before
    unsubscribed: int  # contacts of the audience who unsubscribed: never asked
    without_consent: int = 0  # of the `new`, those without a recorded consent


@dataclass(frozen=True)
class SendResult:
    queued: int  # contacts asked by this press
    already: int
    unsubscribed: int


def not_sendable_reason(survey: Survey, now: datetime | None = None) -> str | None:
    """Why the survey's invitations cannot go out now, or None."""
    now = now or utcnow()
    if survey.is_feedback:
        return str(_l("A feedback form goes to the guests who came to its event, not to the contacts."))
    if survey.status == SurveyStatus.closed:
        return str(SurveyClosed.message)
    if survey.closes_at is not None and survey.closes_at <= now:
        return str(_l("The survey's closing date has passed: set a later one before sending."))
    if not db.session.execute(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey.id)
                              .limit(1)).first():
        return str(_l("The survey has no questions yet: add at least one before sending."))
    if not has_audience(survey.audience):
        return str(_l("Choose whom to ask first."))
    return None


def plan_sending(survey: Survey) -> SendPlan:
    """Whom pressing send would ask now, whom not and why."""
    audience = resolve_survey_audience(survey.audience)
    asked = _invited_contact_ids(survey.id)
    new = [c for c in audience.contacts if c.id not in asked]
    return SendPlan(len(new), audience.count - len(new), audience.unsubscribed,
                    without_consent=sum(1 for c in new if not c.consented))


def save_audience(survey_id: int, audience: dict, *, by: Actor) -> Survey:
    """Change whom a survey asks (before or while it is open). Commits.

    :raises NotFound, NotSendable: a feedback form or a closed survey.
    """
    with write_transaction(lock=(Survey, survey_id)) as tx:
        survey = tx.row
        if survey.is_feedback or survey.status == SurveyStatus.closed:
            raise NotSendable(not_sendable_reason(survey, tx.now))
        if survey.audience != audience:
            record(by, AuditAction.survey_updated, at=tx.now, survey_id=survey.id,
                   changes={"audience": [audience_terms(survey.audience), audience_terms(audience)]})
            survey.audience = audience
        return survey


def send_survey(survey_id: int, *, by: Actor, now: datetime | None = None) -> SendResult:
    """Open the survey and ask every contact of its audience who has not been asked and has not
    unsubscribed: an invitation with a personal link and an outbox mail each, in one transaction.
    Pressing again adds only contacts that joined the audience since. Commits.

    :raises NotFound, NotSendable:
    """
    with write_transaction(lock=(Survey, survey_id), now=now) as tx:
        survey = tx.row
        reason = not_sendable_reason(survey, tx.now)
        if reason:
            raise NotSendable(reason)
        audience = resolve_survey_audience(survey.audience)
        asked = _invited_contact_ids(survey.id)
        new = [contact for contact in audience.contacts if contact.id not in asked]
        added = _add_invitations(survey.id, new, tx.now) if new else 0
        changes = {"mailed": added}
        if survey.status == SurveyStatus.draft:
            changes["status"] = [SurveyStatus.draft, SurveyStatus.open]
            survey.status = SurveyStatus.open
            survey.opened_at = tx.now
        if added or "status" in changes:
            record(by, AuditAction.survey_updated, at=tx.now, survey_id=survey.id, changes=changes)
        return SendResult(added, audience.count - len(new), audience.unsubscribed)


def _invited_contact_ids(survey_id: int) -> set[int]:
    query = select(SurveyInvitation.contact_id).where(SurveyInvitation.survey_id == survey_id,
                                                      SurveyInvitation.contact_id.is_not(None))
    return set(db.session.execute(query).scalars())


def _add_invitations(survey_id: int, contacts: list[AudienceContact], now: datetime) -> int:
    by_id = {contact.id: contact for contact in contacts}
    table = SurveyInvitation.__table__
    statement = (insert_with_conflicts(table).on_conflict_do_nothing(index_elements=["survey_id", "contact_id"])
                 .returning(table.c.id, table.c.contact_id))
    rows = [{"survey_id": survey_id, "contact_id": contact.id, "token": new_link_token(),
             "locale": contact.locale, "status": InvitationStatus.invited, "reminders": 0, "mailed_at": now,
             "created_at": now}
            for contact in contacts]
    inserted = [tuple(row) for row in db.session.execute(statement, rows)]
    if inserted:
        enqueue_many([NewMail(INVITATION, by_id[contact_id].email, by_id[contact_id].locale,
                              {"survey_id": survey_id, "invitation_id": invitation_id})
                      for invitation_id, contact_id in inserted], now)
    return len(inserted)


# --- reminders ------------------------------------------------------------------------------

def _not_completed(survey_id: int):
    """Those asked who have not completed (started or not) and have not unsubscribed."""
    return (select(SurveyInvitation.id, Contact.email, Contact.locale)
            .join(Contact, Contact.id == SurveyInvitation.contact_id)
            .where(SurveyInvitation.survey_id == survey_id,
                   SurveyInvitation.status != InvitationStatus.completed,
                   SurveyInvitation.mailed_at.is_not(None),
                   Contact.unsubscribed_at.is_(None))
            .order_by(SurveyInvitation.id))


def reminder_count(survey: Survey) -> int:
    """How many a reminder would go to now."""
    due = _not_completed(survey.id).subquery()
    return db.session.execute(select(func.count()).select_from(due)).scalar_one()


def last_reminded(survey: Survey) -> datetime | None:
    """When the last reminder of this survey went out, if any did."""
    return db.session.execute(select(func.max(SurveyInvitation.reminded_at))
                              .where(SurveyInvitation.survey_id == survey.id)).scalar_one()


def remind_survey(survey_id: int, *, by: Actor, now: datetime | None = None) -> int:
    """Queue one reminder to everyone asked who has not completed and has not unsubscribed; how
    many. Refused within REMIND_INTERVAL of the last reminder. Commits.

    :raises NotFound, NotSendable: not an open survey of contacts.
    :raises RemindedRecently: a reminder went out less than a day ago.
    """
    with write_transaction(lock=(Survey, survey_id), now=now) as tx:
        survey = tx.row
        if survey.is_feedback or survey.status != SurveyStatus.open:
            raise NotSendable(_l("Only an open survey can be reminded of."))
        last = last_reminded(survey)
        if last is not None and tx.now - last < REMIND_INTERVAL:
            raise RemindedRecently(_l("A reminder went out less than a day ago. Please wait a day before "
                                      "sending the next one."))
        due = list(db.session.execute(_not_completed(survey.id)))
        if due:
            enqueue_many([NewMail(REMINDER, row.email, row.locale,
                                  {"survey_id": survey.id, "invitation_id": row.id}) for row in due], tx.now)
            reminded = [row.id for row in due]
            db.session.execute(update(SurveyInvitation).where(SurveyInvitation.id.in_(reminded))
                               .values(reminders=SurveyInvitation.reminders + 1, reminded_at=tx.now)
                               .execution_options(synchronize_session=False))
        record(by, AuditAction.survey_updated, at=tx.now, survey_id=survey.id, changes={"reminded": len(due)})
        return len(due)


# --- closing --------------------------------------------------------------------------------

def close_survey(survey_id: int, *, by: Actor, now: datetime | None = None) -> Survey:
    """Stop taking answers; for an anonymous survey, cut what links an answer to a link. Commits.

    :raises NotFound, SurveyClosed:
    """
    with write_transaction(lock=(Survey, survey_id), now=now) as tx:
        survey = tx.row
        if survey.status == SurveyStatus.closed:
            raise SurveyClosed()
        _close(survey, by, tx.now)
        return survey


def _close(survey: Survey, by: Actor, now: datetime) -> None:
    record(by, AuditAction.survey_updated, at=now, survey_id=survey.id,
           changes={"status": [survey.status, SurveyStatus.closed]})
    survey.status = SurveyStatus.closed
    survey.closed_at = now
    if survey.anonymous:
        db.session.execute(update(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                           .values(link_hash=None).execution_options(synchronize_session=False))


def close_due(now: datetime | None = None) -> int:
    """Close the open surveys whose closing date has passed; returns how many. Commits per survey."""
    now = now or utcnow()
    due = list(db.session.execute(select(Survey.id).where(
        Survey.status == SurveyStatus.open, Survey.closes_at.is_not(None), Survey.closes_at <= now)
    ).scalars())
    db.session.rollback()
    closed = 0
    for survey_id in due:
        try:
            with write_transaction(lock=(Survey, survey_id), now=now) as tx:
                survey = tx.row
                if survey.status != SurveyStatus.open or not survey.closes_at or survey.closes_at > tx.now:
                    continue  # closed or given more time meanwhile
                _close(survey, CLOSING, tx.now)
                closed += 1
        except NotFound:
            continue  # deleted meanwhile
    return closed
