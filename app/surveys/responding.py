"""Answering through one's personal link (/s/<token>): one response per link, saved section by
section, resumed, sent, and changed until the survey closes.

The link's invitation is locked for every save (a row lock on PostgreSQL, SQLite's write lock),
so two tabs that save at once make one response, never two. In a named survey the response
names its invitation. In an anonymous one it does not: it is found again through `link_hash`,
the SHA-256 of the link's key (a random 192-bit key needs no salt: nobody can try the keys to
find which response is whose), and the invitation keeps only how far the person came (for
reminders and the counts). Both record, at each save, the kind of institution and full-time or
volunteer of the person, for the results' breakdowns.

The invitation's status only moves forward: invited, started (the first save), completed
(sent with every required question answered).
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..contacts.models import Contact, Institution
from ..database import get_by_link_key, utcnow, write_transaction
from ..errors import DomainError, NotFound
from ..extensions import db
from ..formatting import when
from ..network.people import affiliation_of
from ..registrations.models import Registration
from .answer_forms import OTHER, is_answered
from .models import (InvitationStatus, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse,
                     SurveySection, SurveyStatus)


class SurveyClosed(DomainError):
    """The survey takes no answers any more (closed by staff, or its closing time passed)."""

    status_code = 409
    code = "survey_closed"
    message = _l("This survey has closed. Answers can no longer be sent or changed.")


FEEDBACK_CLOSED = _l("This feedback form has closed. Answers can no longer be sent or changed.")


@dataclass
class Section:
    """One screen of the survey: its section and its questions, in order; `position` counts from 1."""

    position: int
    section: SurveySection
    questions: list[SurveyQuestion]


@dataclass(frozen=True)
class Saved:
    """What a save came to: the response, and for a "send" whether it completed the survey, or
    else the position of the first section that still misses a required answer."""

    response: SurveyResponse
    completed: bool = False
    incomplete_at: int | None = None


def link_hash(token: str) -> str:
    """The one-way stand-in for a link's key under which an anonymous response is kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_link(token: str) -> SurveyInvitation:
    """The invitation of this link, whose survey is open or closed (a draft is not there for
    anyone who answers). :raises NotFound:"""
    invitation = get_by_link_key(SurveyInvitation.token, token)
    if invitation.survey.status == SurveyStatus.draft:
        raise NotFound(SurveyInvitation.not_found)
    return invitation


def closed_reason(survey, now: datetime | None = None) -> str | None:
    """Why the survey takes no answers now, in words for the person; None while it is open."""
    now = now or utcnow()
    if survey.status == SurveyStatus.open and (survey.closes_at is None or now < survey.closes_at):
        return None
    closed_at = survey.closed_at or survey.closes_at
    if closed_at is not None and closed_at <= now:
        # The date as every survey page writes it (`when`, as the note of until when answers change).
        if survey.is_feedback:
            return str(_l("This feedback form closed on %(day)s. Answers can no longer be sent or changed.",
                          day=when(closed_at)))
        return str(_l("This survey closed on %(day)s. Answers can no longer be sent or changed.",
                      day=when(closed_at)))
    return str(FEEDBACK_CLOSED if survey.is_feedback else SurveyClosed.message)


def sections_of(survey_id: int) -> list[Section]:
    """The survey's sections in order, each with its questions in order."""
    sections = db.session.execute(select(SurveySection).where(SurveySection.survey_id == survey_id)
                                  .order_by(SurveySection.position, SurveySection.id)).scalars().all()
    questions = db.session.execute(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
                                   .order_by(SurveyQuestion.position, SurveyQuestion.id)).scalars().all()
    by_section: dict[int, list[SurveyQuestion]] = {section.id: [] for section in sections}
    for question in questions:
        by_section.setdefault(question.section_id, []).append(question)
    return [Section(position, section, by_section[section.id])
            for position, section in enumerate(sections, start=1)]


def response_of(invitation: SurveyInvitation, token: str) -> SurveyResponse | None:
    """The one response this link has given so far, or None."""
    if invitation.survey.anonymous:
        where = SurveyResponse.link_hash == link_hash(token)
    else:
        where = SurveyResponse.invitation_id == invitation.id
    query = select(SurveyResponse).where(SurveyResponse.survey_id == invitation.survey_id, where)
    return db.session.execute(query).scalar_one_or_none()


def answers_of(response: SurveyResponse | None) -> dict[int, SurveyAnswer]:
    """The response's answers by question id (none for no response)."""
    if response is None:
        return {}
    rows = db.session.execute(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)).scalars()
    return {answer.question_id: answer for answer in rows}


def missing_in(section: Section, answers: dict[int, SurveyAnswer]) -> list[int]:
    """The required questions of the section that have no answer."""
    return [question.id for question in section.questions
            if question.required and not (question.id in answers and is_answered(answers[question.id].value))]


def resume_at(sections: list[Section], answers: dict[int, SurveyAnswer]) -> int:
    """Where a person who comes back goes on: the first section that misses a required answer, or
    the one after the last section answered in, whichever comes first (1 with nothing answered)."""
    if not sections:
        return 1
    answered_in = [s.position for s in sections if any(q.id in answers for q in s.questions)]
    last_answered = max(answered_in, default=0)
    after_last = min(last_answered + 1, len(sections))
    first_missing = next((s.position for s in sections if missing_in(s, answers)), after_last)
    return min(first_missing, after_last)


def save_section(token: str, section_id: int, values: dict[int, object], others: dict[int, str], *,
                 send: bool = False, now: datetime | None = None) -> Saved:
    """Keep one section's answers (`values` by question id, None: left empty) in the link's one
    response, made at the first save. With `send`, the survey is complete if every required
    question has an answer: the response is submitted and the invitation completed.

    :raises NotFound: the link or the section is not (or no longer) there.
    :raises SurveyClosed: the survey takes no answers; nothing is stored.
    """
    invitation_id = open_link(token).id
    with write_transaction(lock=(SurveyInvitation, invitation_id), now=now) as tx:
        invitation: SurveyInvitation = tx.row
        survey = invitation.survey
        if survey.status == SurveyStatus.draft:
            raise NotFound(SurveyInvitation.not_found)
        reason = closed_reason(survey, tx.now)
        if reason:
            raise SurveyClosed(reason)
        sections = sections_of(survey.id)
        section = next((s for s in sections if s.section.id == section_id), None)
        if section is None:
            raise NotFound(SurveyInvitation.not_found)
        response = response_of(invitation, token) or _new_response(invitation, token, tx.now)
        response.institution_kind, response.affiliation = _who_answers(invitation)
        response.updated_at = tx.now
        _keep_answers(response, section, values, others)
        # An anonymous survey's invitation keeps whether the person answered, never when: its
        # times would pair it with the response's own.
        stamp = None if survey.anonymous else tx.now
        if invitation.status == InvitationStatus.invited:
            invitation.status, invitation.started_at = InvitationStatus.started, stamp
        if not send:
            return Saved(response)
        answers = answers_of(response)
        incomplete = next((s.position for s in sections if missing_in(s, answers)), None)
        if incomplete is not None:
            return Saved(response, incomplete_at=incomplete)
        response.submitted_at = response.submitted_at or tx.now
        if invitation.status != InvitationStatus.completed:
            invitation.status, invitation.completed_at = InvitationStatus.completed, stamp
        return Saved(response, completed=True)


def _new_response(invitation: SurveyInvitation, token: str, now: datetime) -> SurveyResponse:
    if invitation.survey.anonymous:
        response = SurveyResponse(survey_id=invitation.survey_id, link_hash=link_hash(token), started_at=now)
    else:
        response = SurveyResponse(survey_id=invitation.survey_id, invitation_id=invitation.id, started_at=now)
    db.session.add(response)
    db.session.flush()
    return response


def _keep_answers(response: SurveyResponse, section: Section, values: dict[int, object],
                  others: dict[int, str]) -> None:
    kept = answers_of(response)
    emptied = []
    for question in section.questions:
        if question.id not in values:
            continue  # not on the form (a question added since the page was made): left as it was
        value = values[question.id]
        if not is_answered(value):
            if question.id in kept:
                emptied.append(kept[question.id].id)
            continue
        chosen_other = value == OTHER or (isinstance(value, list) and OTHER in value)
        answer = kept.get(question.id) or SurveyAnswer(response_id=response.id, question_id=question.id)
        answer.value = value
        answer.other_text = others.get(question.id, "") if chosen_other else ""
        db.session.add(answer)
    if emptied:
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.id.in_(emptied)))
    db.session.flush()


def _who_answers(invitation: SurveyInvitation) -> tuple[str | None, str | None]:
    """The kind of institution and full-time or volunteer of the person asked, as they are now: of
    the contact (a survey), or of the guest's sign-up (feedback)."""
    if invitation.contact_id is not None:
        contact = db.session.get(Contact, invitation.contact_id)
        if contact is None:
            return None, None
        affiliation = affiliation_of(contact).value
        kind = contact.institution.kind if contact.institution else None
        return _text(kind), _text(affiliation)
    if invitation.registration_id is not None:
        registration = db.session.get(Registration, invitation.registration_id)
        if registration is None:
            return None, None
        institution = (db.session.get(Institution, registration.institution_id)
                       if registration.institution_id else None)
        return _text(institution.kind if institution else None), _text(registration.affiliation)
    return None, None


def _text(member) -> str | None:
    return None if member is None else str(member)
