"""Composing campaign mails: the invitation, the reminder, and a staff member's test mail;
and withdrawing those that are no longer wanted when their turn comes.

Composers run in the sender after the commit (mailing.messages.compose calls them in
the mail's language); create_app registers them and `withdrawn` with the mailing.
"""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..contacts.models import Contact
from ..errors import NotFound
from ..events.display import event_when
from ..extensions import db
from ..links import absolute_url
from ..mailing.messages import render_pair
from ..mailing.mime import MailContent, envelope_address
from ..outbox import OutgoingMail
from .models import Campaign, CampaignRecipient
from .placeholders import fill_placeholders, stand_ins
from .services import INVITATION, REMINDER


def campaign_invitation(mail: OutgoingMail) -> MailContent:
    """The invitation with the contact's personal sign-up link (or a staff member's test mail)."""
    campaign = _campaign(mail)
    if mail.params.get("test"):
        return _test_mail(mail, campaign)
    recipient = _recipient(mail)
    return mail_content(campaign, name=recipient.contact.name, link=invitation_url(recipient),
                        unsubscribe_url=unsubscribe_url(recipient.contact))


def campaign_reminder(mail: OutgoingMail) -> MailContent:
    """The invitation once more, for a recipient who has not answered."""
    campaign = _campaign(mail)
    recipient = _recipient(mail)
    return mail_content(campaign, name=recipient.contact.name, link=invitation_url(recipient),
                        unsubscribe_url=unsubscribe_url(recipient.contact), reminder=True)


COMPOSERS = {
    INVITATION: campaign_invitation,
    REMINDER: campaign_reminder,
}


def withdrawn(mails: list[OutgoingMail]) -> set[int]:
    """The campaign mails among `mails` that must not go out (any more).

    Asked by the sender right before delivery, also for a mail composed on an
    earlier attempt: a contact who unsubscribed after send was pressed gets
    nothing, and a reminder is not sent to someone who has registered since.
    """
    wanted = [(mail.params.get("recipient_id"), mail) for mail in mails
              if mail.kind in COMPOSERS and mail.params.get("recipient_id")]
    if not wanted:
        return set()
    query = (
        select(CampaignRecipient.id, Contact.unsubscribed_at, CampaignRecipient.registration_id)
        .join(Contact, Contact.id == CampaignRecipient.contact_id)
        .where(CampaignRecipient.id.in_({recipient_id for recipient_id, _mail in wanted}))
    )
    states = {row.id: row for row in db.session.execute(query)}
    ids = set()
    for recipient_id, mail in wanted:
        state = states.get(recipient_id)
        if state is None:
            continue  # the composer reports a recipient that no longer exists
        if state.unsubscribed_at is not None or (mail.kind == REMINDER and state.registration_id is not None):
            ids.add(mail.id)
    return ids


def invitation_url(recipient: CampaignRecipient) -> str:
    """The recipient's personal sign-up link."""
    return absolute_url("campaigns.invitation", token=recipient.token)


def unsubscribe_url(contact: Contact) -> str:
    """The contact's one-click unsubscribe link."""
    return absolute_url("campaigns.unsubscribe", token=contact.unsubscribe_token)


def mail_content(campaign: Campaign, *, name: str, link: str, unsubscribe_url: str | None,
                 reminder: bool = False, test: bool = False) -> MailContent:
    """The campaign's mail as one person gets it, in the current language.

    The staff's text is filled in, and for the HTML part escaped with its line
    breaks kept. `unsubscribe_url` None (a test mail) leaves out the unsubscribe
    link and headers: a staff member's mail program must not unsubscribe a contact.
    """
    values = placeholder_values(campaign, name=name, link=link)
    subject = fill_placeholders(campaign.subject, values)
    if reminder:
        subject = _("Reminder: %(subject)s", subject=subject)
    if test:
        subject = _("[Test] %(subject)s", subject=subject)
    context = {
        "event": campaign.event,
        "body_text": fill_placeholders(campaign.body, values),
        "body_html": html_paragraphs(campaign.body, values),
        "link": link,
        "link_in_text": "{link}" in campaign.body,
        "unsubscribe_url": unsubscribe_url,
        "test": test,
    }
    template = "campaign_reminder_to_contact" if reminder else "campaign_invitation_to_contact"
    text, html = render_pair(template, **context)
    return MailContent(subject=subject, text=text, html=html,
                       headers=unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {})


def placeholder_values(campaign: Campaign, *, name: str, link: str) -> dict:
    """What each placeholder becomes in the campaign's mail to one person."""
    event = campaign.event
    return {"name": name, "event": event.title, "date": event_when(event), "link": link}


def shown_subject(campaign: Campaign, name: str | None = None) -> str:
    """The subject as recipients read it, for the staff pages: the event's title and date filled in,
    the name of `name` or else a stand-in ("‹Name›"), never the raw "{event}"."""
    shown = stand_ins()
    return fill_placeholders(campaign.subject, placeholder_values(campaign, name=name or shown["name"],
                                                                 link=shown["link"]))


def html_paragraphs(text: str, values: dict) -> Markup:
    """Staff text as HTML: everything escaped, blank lines make paragraphs, line breaks stay, {link} a link."""
    html_values = {name: escape(value) for name, value in values.items()}
    html_values["link"] = Markup('<a href="{0}">{0}</a>').format(values["link"])
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        lines = [Markup(fill_placeholders(line, html_values, escape=escape))
                 for line in paragraph.strip("\n").split("\n")]
        rendered.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(lines)))
    return Markup("\n").join(rendered)


def unsubscribe_headers(url: str) -> dict:
    """List-Unsubscribe (RFC 2369) with one-click unsubscribing (RFC 8058)."""
    targets = [f"<{url}>"]
    organizer = envelope_address(current_app.config.get("ORGANIZER_EMAIL") or "")
    if organizer:
        targets.append(f"<mailto:{organizer}?subject=unsubscribe>")
    return {"List-Unsubscribe": ", ".join(targets), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def preview(campaign: Campaign, contact: Contact) -> MailContent:
    """The invitation as `contact` would get it, in their language.

    A contact who already is a recipient sees their own link; before sending
    there is none yet, so the link leads to the event's public page.
    """
    recipient = db.session.execute(
        select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id,
                                        CampaignRecipient.contact_id == contact.id)
    ).scalar_one_or_none()
    link = invitation_url(recipient) if recipient else _event_url(campaign)
    with force_locale(contact.locale):
        return mail_content(campaign, name=contact.name, link=link, unsubscribe_url=unsubscribe_url(contact))


def _test_mail(mail: OutgoingMail, campaign: Campaign) -> MailContent:
    contact = db.session.get(Contact, mail.params["contact_id"]) if mail.params.get("contact_id") else None
    name = contact.name if contact else mail.params.get("name", "")
    return mail_content(campaign, name=name, link=_event_url(campaign), unsubscribe_url=None, test=True)


def _event_url(campaign: Campaign) -> str:
    return absolute_url("registrations.event_page", slug=campaign.event.slug)


def _campaign(mail: OutgoingMail) -> Campaign:
    campaign = db.session.get(Campaign, mail.params.get("campaign_id"))
    if campaign is None:
        raise NotFound(_l("The campaign of this mail no longer exists."))
    return campaign


def _recipient(mail: OutgoingMail) -> CampaignRecipient:
    recipient = db.session.get(CampaignRecipient, mail.params.get("recipient_id"),
                               options=[joinedload(CampaignRecipient.contact)])
    if recipient is None:
        raise NotFound(_l("The recipient of this mail no longer exists."))
    return recipient

