"""The feedback mails: the request after the event, and its one reminder.

Each is written in the guest's language (mailing.messages.compose sets it) with the event's title
and date, and carries the guest's personal link to the form (/s/<token>).
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import NotFound
from ..events.display import event_title_text
from ..extensions import db
from ..mailing.messages import render_pair
from ..mailing.mime import MailContent
from ..outbox import OutgoingMail
from ..registrations.models import Registration
from .feedback import REMINDER_MAIL, REQUEST_MAIL
from .mails import invitation_link
from .models import InvitationStatus, SurveyInvitation

def feedback_request(mail: OutgoingMail) -> MailContent:
    """After the event: how was it? The personal link to the short form."""
    return _feedback_mail(mail, "feedback_request",
                          lambda title: _("How was %(title)s? Two minutes of feedback", title=title))


def feedback_reminder(mail: OutgoingMail) -> MailContent:
    """The request once more, for a guest who has not completed the form."""
    return _feedback_mail(mail, "feedback_reminder",
                          lambda title: _("Reminder: how was %(title)s? Two minutes of feedback", title=title))


COMPOSERS = {
    REQUEST_MAIL: feedback_request,
    REMINDER_MAIL: feedback_reminder,
}


def withdrawn(mails: list[OutgoingMail]) -> set[int]:
    """The reminders among `mails` whose guest has completed the form since it was queued."""
    reminders = {mail.id: mail.params.get("invitation_id") for mail in mails
                 if mail.kind == REMINDER_MAIL and mail.params.get("invitation_id")}
    if not reminders:
        return set()
    completed = set(db.session.execute(
        select(SurveyInvitation.id).where(SurveyInvitation.id.in_(set(reminders.values())),
                                          SurveyInvitation.status == InvitationStatus.completed)).scalars())
    return {mail_id for mail_id, invitation_id in reminders.items() if invitation_id in completed}


def _feedback_mail(mail: OutgoingMail, template: str, subject) -> MailContent:
    invitation = db.session.get(SurveyInvitation, mail.params.get("invitation_id"))
    if invitation is None or invitation.registration_id is None:
        raise NotFound(_l("The feedback request of this mail no longer exists."))
    registration = db.session.get(Registration, invitation.registration_id)
    if registration is None or registration.is_anonymised:
        raise NotFound(_l("The guest of this mail is no longer known."))
    survey = invitation.survey
    text, html = render_pair(template, registration=registration, event=registration.event, survey=survey,
                             link=invitation_link(invitation), closes_at=survey.closes_at, params=mail.params)
    return MailContent(subject=subject(event_title_text(registration.event)), text=text, html=html)
