"""Feedback after an event: the form staff switch on, and the request and one reminder to those
who came, a set time after the event ends.

The life of a form: switched on (a draft: its questions may still change, nobody is asked yet);
`send_after_hours` after the event's end the first run of `send_due` opens it and asks every
guest who attended (a form whose event nobody was checked in at stays a draft until someone is); `remind_after_days` later those who have not completed it are asked once
more; at `closes_at` (surveys.sending.close_due) or when staff close it, no more answers are taken.
Switching it off deletes it, and is possible only while nobody has been asked.

Who is asked: guests who attended, that is were checked in at the door (walk-ins included), whose
registration is not cancelled nor anonymised and has an address. Those who registered and did not
come get nothing; so do the guests of record-only events (nobody is mailed about those), of
cancelled events, and of draft events.

Once per guest, however many senders run: every sender runs `send_due` every five minutes, and
several may run it at once. Each event's work happens under the event's row lock (which also keeps
its registrations still: cancelling and anonymising take it too), and each guest is claimed by a
conditional write in the transaction that puts their mail into the outbox: the invitation is
inserted with ON CONFLICT DO NOTHING on (survey, registration), so of two senders only one gets the
row back and queues the request; the reminder is claimed by `UPDATE ... WHERE reminders = 0`, so
only one sees the row change. A crash before the commit leaves neither the claim nor the mail.

Late forms: a form switched on after its event still goes out, at the next run, as long as the
event ended at most LATEST (30 days) ago; after that a first request would come as a surprise,
and the form is not sent at all. A guest checked in afterwards (staff completing the attendance
the next morning) is asked at the next run within the same 30 days.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update

from ..audit import Actor, AuditAction, changed_fields, record
from ..database import insert_with_conflicts, utcnow, write_transaction
from ..errors import NotFound, StateConflict
from ..events.models import Event, EventStatus, EventVisibility
from ..extensions import db
from ..links import new_link_token
from ..outbox import enqueue
from ..registrations.models import Registration, RegistrationStatus
from .feedback_texts import INTRO, default_questions, default_title
from .models import (InvitationStatus, Survey, SurveyInvitation, SurveyKind, SurveyQuestion, SurveyResponse,
                     SurveySection, SurveyStatus)
from .progress import Counts, counts_of

REQUEST_MAIL = "feedback_request"
REMINDER_MAIL = "feedback_reminder"

# The latest a first request goes out after the event's end (see the module's docstring).
LATEST = timedelta(days=30)
# Answers are taken until 14 days after the event, and at least a week after the reminder.
OPEN_AFTER_EVENT = timedelta(days=14)
OPEN_AFTER_REMINDER = timedelta(days=7)
# The bounds of the settings staff choose (the form says them).
MAX_SEND_AFTER_HOURS = 14 * 24
MIN_REMIND_AFTER_DAYS, MAX_REMIND_AFTER_DAYS = 1, 14


class FeedbackRefused(StateConflict):
    """The event or the form's state does not allow this step."""

    code = "feedback_refused"


@dataclass(frozen=True)
class FeedbackSettings:
    """What staff choose for an event's form."""

    send_after_hours: int = 2
    remind_after_days: int = 4
    anonymous: bool = True


@dataclass(frozen=True)
class FeedbackState:
    """What the staff page shows of an event's form."""

    survey: Survey | None
    counts: Counts
    request_at: datetime | None  # when the request goes (went) out; None: off
    reminder_at: datetime | None
    too_late: bool  # switched on, never sent, and now past LATEST: it never will be
    attendees: int = 0  # guests who came and can be mailed: those asked, or to be asked

    @property
    def is_on(self) -> bool:
        """A form exists (waiting, open or closed)."""
        return self.survey is not None

    @property
    def is_waiting(self) -> bool:
        """Switched on, nobody asked yet: settings and questions may change, it may be switched off."""
        return self.survey is not None and self.survey.status == SurveyStatus.draft

    @property
    def is_open(self) -> bool:
        """Sent, and taking answers."""
        return self.survey is not None and self.survey.status == SurveyStatus.open


# --- reading --------------------------------------------------------------------------------

def form_of(event_id: int) -> Survey | None:
    """The event's feedback form, if it has one."""
    return db.session.execute(select(Survey).where(Survey.event_id == event_id,
                                                   Survey.kind == SurveyKind.feedback)).scalar_one_or_none()


def state_of(event: Event, now: datetime | None = None) -> FeedbackState:
    """The event's form, its counts and its dates, as the staff page shows them."""
    now = now or utcnow()
    survey = form_of(event.id)
    if survey is None:
        return FeedbackState(None, Counts(), None, None, False)
    request_at = survey.opened_at or max(planned_request(event, survey.send_after_hours), now)
    return FeedbackState(survey, counts_of([survey.id])[survey.id], request_at,
                         request_at + timedelta(days=survey.remind_after_days),
                         too_late=survey.status == SurveyStatus.draft and now > event.ends_at + LATEST,
                         attendees=attendee_count(event.id))


def attendee_count(event_id: int) -> int:
    """How many of the event's guests came and can be mailed: whom the form asks."""
    return db.session.execute(select(func.count(Registration.id)).where(_attendees(event_id))).scalar_one()


def planned_request(event: Event, send_after_hours: int) -> datetime:
    """When the request is due: `send_after_hours` after the event's end."""
    return event.ends_at + timedelta(hours=send_after_hours)


def closing_time(event: Event, settings: FeedbackSettings, now: datetime) -> datetime:
    """Until when answers are taken: 14 days after the event, and at least a week after the
    reminder of a form that goes out late."""
    request_at = max(planned_request(event, settings.send_after_hours), now)
    return max(event.ends_at + OPEN_AFTER_EVENT,
               request_at + timedelta(days=settings.remind_after_days) + OPEN_AFTER_REMINDER)


def refusal_for(event: Event, now: datetime) -> str | None:
    """Why this event can have no feedback form (None: it can)."""
    if event.is_record_only:
        return _("This event is a record only: nobody signed up, so there is nobody to ask for feedback.")
    if event.is_cancelled:
        return _("This event was cancelled: there is nobody to ask for feedback.")
    if now > event.ends_at + LATEST:
        return _("This event ended more than 30 days ago: too long ago to ask for feedback.")
    return None


# --- what staff do --------------------------------------------------------------------------

def switch_on(event_id: int, settings: FeedbackSettings, *, by: Actor, now: datetime | None = None) -> Survey:
    """Give the event a feedback form with the default questions, written in the current language
    (guests read the defaults in theirs: feedback_texts). Commits.
    :raises FeedbackRefused: for a record-only, cancelled or long-past event, or one that has a form."""
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        event = tx.row
        refusal = refusal_for(event, tx.now)
        if refusal:
            raise FeedbackRefused(refusal)
        if form_of(event.id) is not None:
            raise FeedbackRefused(_l("This event already has a feedback form."))
        survey = Survey(kind=SurveyKind.feedback, event_id=event.id, status=SurveyStatus.draft,
                        title=default_title(event.title), intro=str(INTRO),
                        send_after_hours=settings.send_after_hours, remind_after_days=settings.remind_after_days,
                        anonymous=settings.anonymous, closes_at=closing_time(event, settings, tx.now),
                        created_by=by.name[:200], created_at=tx.now)
        db.session.add(survey)
        db.session.flush()
        _add_default_questions(survey)
        record(by, AuditAction.survey_created, at=tx.now, event_id=event.id, survey_id=survey.id,
               changes=_settings_of(survey))
        return survey


def _add_default_questions(survey: Survey) -> None:
    section = SurveySection(survey_id=survey.id, title="", position=0)
    db.session.add(section)
    db.session.flush()
    for position, columns in enumerate(default_questions()):
        db.session.add(SurveyQuestion(survey_id=survey.id, section_id=section.id, position=position, **columns))


def change_settings(event_id: int, settings: FeedbackSettings, *, by: Actor,
                    now: datetime | None = None) -> Survey:
    """Change when the form goes out, its reminder, and whether it is anonymous; only before it is
    sent. Commits. :raises FeedbackRefused: :raises NotFound: when the event has no form."""
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        survey = _waiting_form(tx.row, _l("The request has gone out: its settings can no longer change."))
        refusal = refusal_for(tx.row, tx.now)
        if refusal:
            raise FeedbackRefused(refusal)
        before = _settings_of(survey)
        survey.send_after_hours = settings.send_after_hours
        survey.remind_after_days = settings.remind_after_days
        survey.anonymous = settings.anonymous
        survey.closes_at = closing_time(tx.row, settings, tx.now)
        changes = changed_fields(before, _settings_of(survey))
        if changes:
            record(by, AuditAction.survey_updated, at=tx.now, event_id=event_id, survey_id=survey.id,
                   changes=changes)
        return survey


def switch_off(event_id: int, *, by: Actor, now: datetime | None = None) -> None:
    """Delete the event's form and its questions; only while nobody has been asked. Commits.
    :raises FeedbackRefused: once the request has gone out (close it instead). :raises NotFound:"""
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        survey = _waiting_form(tx.row, _l("The request has gone out: the form can be closed, not switched off."))
        record(by, AuditAction.survey_updated, at=tx.now, event_id=event_id, survey_id=survey.id,
               changes={"feedback": ["on", "off"]})
        db.session.delete(survey)


def close(event_id: int, *, by: Actor, now: datetime | None = None) -> Survey:
    """Take no more answers and send no more reminders. Commits. :raises FeedbackRefused: unless it is open."""
    with write_transaction(lock=(Event, event_id), now=now) as tx:
        survey = form_of(event_id)
        if survey is None:
            raise NotFound(Survey.not_found)
        if survey.status != SurveyStatus.open:
            raise FeedbackRefused(_l("Only a form that has been sent can be closed."))
        survey.status, survey.closed_at = SurveyStatus.closed, tx.now
        # Anonymous answers are found again through their link's hash only while the form is open.
        db.session.execute(update(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                           .values(link_hash=None).execution_options(synchronize_session=False))
        record(by, AuditAction.survey_updated, at=tx.now, event_id=event_id, survey_id=survey.id,
               changes={"status": [SurveyStatus.open, SurveyStatus.closed]})
        return survey


def _waiting_form(event: Event, refusal) -> Survey:
    survey = form_of(event.id)
    if survey is None:
        raise NotFound(Survey.not_found)
    if survey.status != SurveyStatus.draft:
        raise FeedbackRefused(refusal)
    return survey


def _settings_of(survey: Survey) -> dict:
    return {"send_after_hours": survey.send_after_hours, "remind_after_days": survey.remind_after_days,
            "anonymous": survey.anonymous}


# --- sending (a chore of every long-running sender) -----------------------------------------

def send_due(now: datetime | None = None) -> int:
    """Queue the feedback requests and reminders that are due; returns how many. Commits per event."""
    now = now or utcnow()
    candidates = db.session.execute(
        select(Survey.id, Survey.event_id, Survey.status, Survey.send_after_hours, Survey.remind_after_days,
               Event.ends_at)
        .join(Event, Event.id == Survey.event_id)
        .where(Survey.kind == SurveyKind.feedback, Event.status == EventStatus.published,
               Event.visibility != EventVisibility.record, Event.ends_at <= now,
               or_((Survey.status == SurveyStatus.draft) & (Event.ends_at > now - LATEST),
                   (Survey.status == SurveyStatus.open) & or_(Survey.closes_at.is_(None), Survey.closes_at > now)))
        .order_by(Event.ends_at, Survey.id)
    ).all()
    # A read first, so that an event's lock is taken only where something is due: every sender
    # asks every five minutes, and nearly always nothing is.
    due = [row.event_id for row in candidates
           if row.ends_at + timedelta(hours=row.send_after_hours) <= now
           and (_anyone_to_ask(row.id, row.event_id, row.ends_at, now)
                or _anyone_to_remind(row.id, row.event_id, row.remind_after_days, now))]
    db.session.rollback()
    return sum(_send_for_event(event_id, now) for event_id in due)


def _attendees(event_id: int):
    """The event's guests who came and can be mailed (a WHERE clause on Registration)."""
    return ((Registration.event_id == event_id) & Registration.checked_in_at.is_not(None)
            & (Registration.status != RegistrationStatus.cancelled) & Registration.anonymised_at.is_(None)
            & (Registration.email != ""))


def _not_asked(survey_id: int):
    return ~exists().where(SurveyInvitation.survey_id == survey_id,
                           SurveyInvitation.registration_id == Registration.id)


def _anyone_to_ask(survey_id: int, event_id: int, ends_at: datetime, now: datetime) -> bool:
    if now > ends_at + LATEST:
        return False
    query = select(Registration.id).where(_attendees(event_id), _not_asked(survey_id)).limit(1)
    return db.session.execute(query).first() is not None


def _to_remind(survey_id: int, event_id: int, remind_after_days: int, now: datetime):
    """Invitations owed their one reminder (a WHERE clause on SurveyInvitation)."""
    still_attendee = select(Registration.id).where(_attendees(event_id))
    return ((SurveyInvitation.survey_id == survey_id) & (SurveyInvitation.status != InvitationStatus.completed)
            & (SurveyInvitation.reminders == 0)
            & (SurveyInvitation.mailed_at <= now - timedelta(days=remind_after_days))
            & SurveyInvitation.registration_id.in_(still_attendee))


def _anyone_to_remind(survey_id: int, event_id: int, remind_after_days: int, now: datetime) -> bool:
    query = select(SurveyInvitation.id).where(_to_remind(survey_id, event_id, remind_after_days, now)).limit(1)
    return db.session.execute(query).first() is not None


def _send_for_event(event_id: int, now: datetime) -> int:
    try:
        with write_transaction(lock=(Event, event_id), now=now) as tx:
            event = tx.row
            survey = form_of(event.id)
            # Checked again under the lock: the form or the event may have changed meanwhile.
            if (survey is None or not event.is_published or event.is_record_only
                    or tx.now < planned_request(event, survey.send_after_hours)):
                return 0
            if survey.status == SurveyStatus.draft:
                # Opened by its first request only: until a guest is checked in it may still change.
                if not _anyone_to_ask(survey.id, event.id, event.ends_at, tx.now):
                    return 0
                survey.status, survey.opened_at = SurveyStatus.open, tx.now
                survey.closes_at = closing_time(event, FeedbackSettings(survey.send_after_hours,
                                                                        survey.remind_after_days), tx.now)
            elif survey.status != SurveyStatus.open or (survey.closes_at and survey.closes_at <= tx.now):
                return 0
            asked = _ask_attendees(survey, event, tx.now) if tx.now <= event.ends_at + LATEST else 0
            return asked + _remind(survey, event, tx.now)
    except NotFound:
        return 0  # deleted meanwhile


def _ask_attendees(survey: Survey, event: Event, now: datetime) -> int:
    """Invite each attendee not yet asked and queue their request: one conditional INSERT claims them."""
    attendees = {row.id: row for row in db.session.execute(
        select(Registration.id, Registration.email, Registration.locale)
        .where(_attendees(event.id), _not_asked(survey.id)).order_by(Registration.id))}
    if not attendees:
        return 0
    rows = [{"survey_id": survey.id, "registration_id": registration_id, "token": new_link_token(),
             "locale": row.locale, "status": InvitationStatus.invited, "mailed_at": now, "reminders": 0,
             "created_at": now} for registration_id, row in attendees.items()]
    claimed = db.session.execute(
        insert_with_conflicts(SurveyInvitation).values(rows)
        .on_conflict_do_nothing(index_elements=["survey_id", "registration_id"])
        .returning(SurveyInvitation.id, SurveyInvitation.registration_id)
    ).all()
    for invitation_id, registration_id in sorted(claimed, key=lambda row: row.registration_id):
        guest = attendees[registration_id]
        enqueue(REQUEST_MAIL, guest.email, locale=guest.locale, registration_id=registration_id,
                params={"invitation_id": invitation_id})
    return len(claimed)


def _remind(survey: Survey, event: Event, now: datetime) -> int:
    """Claim each invitation owed its reminder (UPDATE ... WHERE reminders = 0) and queue the mail."""
    claimed = db.session.execute(
        update(SurveyInvitation)
        .where(_to_remind(survey.id, event.id, survey.remind_after_days, now))
        .values(reminders=SurveyInvitation.reminders + 1, reminded_at=now)
        .returning(SurveyInvitation.id, SurveyInvitation.registration_id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return 0
    guests = {row.id: row for row in db.session.execute(
        select(Registration.id, Registration.email, Registration.locale)
        .where(Registration.id.in_([registration_id for _i, registration_id in claimed])))}
    for invitation_id, registration_id in sorted(claimed, key=lambda row: row.registration_id):
        guest = guests[registration_id]
        enqueue(REMINDER_MAIL, guest.email, locale=guest.locale, registration_id=registration_id,
                params={"invitation_id": invitation_id})
    return len(claimed)

