"""Everything held about a person, as data: the JSON download, and what the readable page shows.

It has every personal column the registry names for the person's rows, except the keys of
their links (ticket codes, page and unsubscribe tokens): those are keys, not facts about the
person, and a file that travels must not open their pages. Stored mails come with their text
as it was sent, each personal link in it cut after its kind (".../r/…"). Names of staff are
left out: the history says what was done and when.
"""
import email
import re
from datetime import datetime
from email import policy

from sqlalchemy import or_, select

from ..audit import AuditEntry
from ..consent import text_of
from ..events.models import Event
from ..extensions import db
from ..network.models import MeetingPresence, WorkingGroup, WorkingGroupMember
from ..outbox import OutgoingMail
from ..security import KEYED_PATHS
from ..surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from .person import Person

# A link to a person's own page, ticket, invitation or unsubscribing, up to its key.
PERSONAL_LINK = re.compile(r"(https?://[^\s/]+(?:%s))[^\s<>\"]+" % "|".join(map(re.escape, KEYED_PATHS)))


def person_data(person: Person, now: datetime) -> dict:
    """Everything held under the person's address, as JSON can hold it."""
    return {
        "email": person.email,
        "exported_at": _time(now),
        "registrations": [_registration(person, registration) for registration in person.registrations],
        "contact": _contact(person),
        "mails": [_mail(mail) for mail in person.mails],
        "in_invitation_lists": [{"campaign": campaign.id, "subject": campaign.subject,
                                 "event": campaign.event.title} for campaign in person.audiences],
        "surveys": _surveys(person),
    }


def mail_text(mail: OutgoingMail) -> str | None:
    """The plain text of a stored mail as it was sent, its personal links cut short (None before
    it was composed)."""
    if not mail.raw:
        return None
    message = email.message_from_bytes(mail.raw, policy=policy.default)
    part = message.get_body(preferencelist=("plain",))
    return PERSONAL_LINK.sub(r"\1…", part.get_content()) if part is not None else None


def _registration(person: Person, registration) -> dict:
    event = registration.event
    return {
        "event": {"id": event.id, "title": event.title, "starts_at": _time(event.starts_at),
                  "ends_at": _time(event.ends_at), "venue": event.venue, "address": event.address},
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "affiliation": str(registration.affiliation),
        # The contact staff linked this registration to (its address may differ from the contact's).
        "contact_id": registration.contact_id,
        "note": registration.note,
        "locale": registration.locale,
        "status": str(registration.status),
        "source": str(registration.source),
        "registered_at": _time(registration.created_at),
        "waitlisted_at": _time(registration.waitlisted_at),
        "cancelled_at": _time(registration.cancelled_at),
        "checked_in_at": _time(registration.checked_in_at),
        "consent_version": registration.consent_version,
        "consent_at": _time(registration.consent_at),
        "consent_text": text_of(registration.consent_version),
        "deleted_after": _time(event.retention_ends_at),
        "check_ins": [{"action": str(record.action), "at": _time(record.at), "method": str(record.method)}
                      for record in person.check_ins.get(registration.id, [])],
        "history": [_entry(entry) for entry in person.history.get(registration.id, [])],
    }


def _contact(person: Person) -> dict | None:
    contact = person.contact
    if contact is None:
        return None
    return {
        "name": contact.name,
        "email": contact.email,
        "institution_id": contact.institution_id,
        "institution": contact.institution.name if contact.institution else None,
        "institution_kind": str(contact.institution.kind) if contact.institution else None,
        "affiliation": str(contact.affiliation) if contact.affiliation else None,
        "tags": list(contact.tags or []),
        "locale": contact.locale,
        "source": contact.source,
        "source_at": _time(contact.source_at),
        "unsubscribed_at": _time(contact.unsubscribed_at),
        "consent_source": str(contact.consent_source) if contact.consent_source else None,
        "consent_version": contact.consent_version,
        "consent_at": _time(contact.consent_at),
        "consent_text": text_of(contact.consent_version),
        "invitations": [{"campaign": recipient.campaign_id, "subject": recipient.campaign.subject,
                         "event": recipient.campaign.event.title, "invited_at": _time(recipient.created_at),
                         "signed_up": recipient.registration_id is not None}
                        for recipient in person.invitations],
        "working_groups": [{"group": name, "member_since": _time(joined)} for name, joined in db.session.execute(
            select(WorkingGroup.name, WorkingGroupMember.joined_at).join(WorkingGroup)
            .where(WorkingGroupMember.contact_id == contact.id).order_by(WorkingGroup.name))],
        "meetings_present": [{"meeting": title, "starts_at": _time(starts)} for title, starts in db.session.execute(
            select(Event.title, Event.starts_at).join(MeetingPresence, MeetingPresence.event_id == Event.id)
            .where(MeetingPresence.contact_id == contact.id).order_by(Event.starts_at))],
        "history": [_entry(entry) for entry in person.contact_history],
    }


def _surveys(person: Person) -> list[dict]:
    """The surveys and feedback forms the person was asked to answer (as a contact, or as a guest of
    an event), and their answers where the survey was named: an anonymous one keeps none that are
    theirs."""
    asked = [SurveyInvitation.registration_id.in_([registration.id for registration in person.registrations])]
    if person.contact is not None:
        asked.append(SurveyInvitation.contact_id == person.contact.id)
    invitations = db.session.execute(select(SurveyInvitation, Survey).join(Survey).where(or_(*asked))
                                     .order_by(SurveyInvitation.id)).all()
    answers: dict[int, list[dict]] = {}
    named = [invitation.id for invitation, survey in invitations if not survey.anonymous]
    for invitation_id, question, value, other in db.session.execute(
            select(SurveyResponse.invitation_id, SurveyQuestion.text, SurveyAnswer.value, SurveyAnswer.other_text)
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyResponse.invitation_id.in_(named))
            .order_by(SurveyQuestion.section_id, SurveyQuestion.position, SurveyQuestion.id)):
        answers.setdefault(invitation_id, []).append({"question": question, "answer": value, "other": other or None})
    return [{"survey": survey.title, "kind": str(survey.kind), "anonymous": survey.anonymous,
             "status": str(invitation.status), "invited_at": _time(invitation.created_at),
             "completed_at": _time(invitation.completed_at), "answers": answers.get(invitation.id, [])}
            for invitation, survey in invitations]


def _mail(mail: OutgoingMail) -> dict:
    return {"kind": mail.kind, "to": mail.recipient, "subject": mail.subject, "status": str(mail.status),
            "created_at": _time(mail.created_at), "sent_at": _time(mail.sent_at), "text": mail_text(mail)}


def _entry(entry: AuditEntry) -> dict:
    return {"at": _time(entry.at), "action": str(entry.action), "changes": entry.changes}


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
