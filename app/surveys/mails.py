"""The survey's mails: the invitation with the personal link, and the reminder; and withdrawing
those no longer wanted when their turn comes.

Composers run in the sender after the commit (mailing.messages.compose calls them in the mail's
language). Like a campaign's, each mail carries the contact's unsubscribe link and the
List-Unsubscribe headers.
"""
from contextlib import nullcontext

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from ..campaigns.mails import unsubscribe_headers, unsubscribe_url
from ..campaigns.placeholders import stand_ins
from ..contacts.models import Contact
from ..errors import NotFound
from ..extensions import db
from ..formatting import day
from ..links import mail_link
from ..mailing.messages import render_pair
from ..mailing.mime import MailContent
from ..outbox import OutgoingMail
from .models import InvitationStatus, Survey, SurveyInvitation, SurveyStatus
from .sending import INVITATION, REMINDER


def survey_invitation(mail: OutgoingMail) -> MailContent:
    """The request to take part, with the contact's personal link."""
    invitation, contact = _invitation(mail)
    return mail_content(invitation.survey, link=invitation_link(invitation), name=contact.name,
                        unsubscribe=unsubscribe_url(contact))


def survey_reminder(mail: OutgoingMail) -> MailContent:
    """The request once more, for someone who has not completed the survey."""
    invitation, contact = _invitation(mail)
    return mail_content(invitation.survey, link=invitation_link(invitation), name=contact.name,
                        unsubscribe=unsubscribe_url(contact), reminder=True,
                        started=invitation.status == InvitationStatus.started)


COMPOSERS = {
    INVITATION: survey_invitation,
    REMINDER: survey_reminder,
}


def invitation_link(invitation: SurveyInvitation) -> str:
    """The personal link of one invitation: it opens that person's answers, nobody else's, in the
    language of the mail it stands in."""
    return mail_link("surveys.respond", token=invitation.token)


def mail_content(survey: Survey, *, link: str, name: str, unsubscribe: str | None, reminder: bool = False,
                 started: bool = False) -> MailContent:
    """The survey's mail as one person gets it, in the current language."""
    subject = (_("Reminder: %(title)s", title=survey.title) if reminder
               else _("Please take part: %(title)s", title=survey.title))
    context = {"survey": survey, "name": name, "link": link, "intro_html": paragraphs(survey.intro),
               "closes": day(survey.closes_at) if survey.closes_at else None, "unsubscribe_url": unsubscribe,
               "started": started}
    text, html = render_pair(REMINDER if reminder else INVITATION, **context)
    return MailContent(subject=subject, text=text, html=html,
                       headers=unsubscribe_headers(unsubscribe) if unsubscribe else {})


def paragraphs(text: str) -> Markup:
    """Staff text as HTML: escaped, blank lines make paragraphs, line breaks stay; each paragraph
    in the direction of its own words (a German intro inside an Arabic mail)."""
    parts = [p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(Markup('<p dir="auto" style="margin:0 0 12px;">{}</p>').format(
        Markup("<br>\n").join(escape(line) for line in part.strip("\n").split("\n"))) for part in parts)


def preview(survey: Survey, contact: Contact | None) -> MailContent:
    """The invitation as `contact` would get it, in their language; a stand-in for the personal
    link, which is made only when the survey is sent (an invitation already made shows its own)."""
    invitation = None
    if contact is not None:
        invitation = db.session.execute(select(SurveyInvitation).where(
            SurveyInvitation.survey_id == survey.id, SurveyInvitation.contact_id == contact.id)
        ).scalar_one_or_none()
    with force_locale(contact.locale) if contact else nullcontext():
        link = invitation_link(invitation) if invitation else stand_ins()["link"]
        return mail_content(survey, link=link, name=contact.name if contact else stand_ins()["name"],
                            unsubscribe=unsubscribe_url(contact) if contact else None)


def withdrawn(mails: list[OutgoingMail]) -> set[int]:
    """The survey mails among `mails` that must not go out (any more): the contact unsubscribed or
    is gone, the survey closed, or (a reminder) the person has completed it meanwhile."""
    wanted = [(mail.params.get("invitation_id"), mail) for mail in mails
              if mail.kind in COMPOSERS and mail.params.get("invitation_id")]
    if not wanted:
        return set()
    query = (select(SurveyInvitation.id, SurveyInvitation.status, SurveyInvitation.contact_id,
                    Contact.unsubscribed_at, Survey.status.label("survey_status"))
             .join(Survey, Survey.id == SurveyInvitation.survey_id)
             .outerjoin(Contact, Contact.id == SurveyInvitation.contact_id)
             .where(SurveyInvitation.id.in_({invitation_id for invitation_id, _mail in wanted})))
    states = {row.id: row for row in db.session.execute(query)}
    ids = set()
    for invitation_id, mail in wanted:
        state = states.get(invitation_id)
        if state is None:
            continue  # the composer reports an invitation that no longer exists
        gone = state.contact_id is None or state.unsubscribed_at is not None
        if (gone or state.survey_status != SurveyStatus.open
                or (mail.kind == REMINDER and state.status == InvitationStatus.completed)):
            ids.add(mail.id)
    return ids


def _invitation(mail: OutgoingMail) -> tuple[SurveyInvitation, Contact]:
    invitation = db.session.get(SurveyInvitation, mail.params.get("invitation_id"))
    contact = db.session.get(Contact, invitation.contact_id) if invitation and invitation.contact_id else None
    if invitation is None or contact is None:
        raise NotFound(_l("The person asked in this mail is no longer in the contacts."))
    return invitation, contact
