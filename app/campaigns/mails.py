"""Composing campaign mails: the invitation, the reminder, and a staff member's test mail;
and withdrawing those that are no longer wanted when their turn comes.

Composers run in the sender after the commit (mailing.messages.compose calls them in
the mail's language); create_app registers them and `withdrawn` with the mailing. Each mail
carries the campaign's text in the mail's language, or the German text when the campaign has
none in it, and then its frame, date and links speak German too (in_text_language).
"""
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..contacts.models import Contact
from ..errors import NotFound
from ..events.display import event_when
from ..events.texts import title_in
from ..extensions import db
from ..links import mail_link
from ..mailing.messages import render_pair
from ..mailing.mime import MailContent, envelope_address
from ..outbox import OutgoingMail
from .models import Campaign, CampaignRecipient
from .placeholders import fill_placeholders, stand_ins
from .services import INVITATION, REMINDER
from .texts import GERMAN, Text, text_for


def campaign_invitation(mail: OutgoingMail) -> MailContent:
    """The invitation with the contact's personal sign-up link (or a staff member's test mail)."""
    campaign = _campaign(mail)
    with in_text_language(campaign, mail.locale) as text:
        if mail.params.get("test"):
            return _test_mail(mail, campaign, text)
        recipient = _recipient(mail)
        return mail_content(campaign, text, name=recipient.contact.name, link=invitation_url(recipient),
                            unsubscribe_url=unsubscribe_url(recipient.contact))


def campaign_reminder(mail: OutgoingMail) -> MailContent:
    """The invitation once more, for a recipient who has not answered."""
    campaign = _campaign(mail)
    with in_text_language(campaign, mail.locale) as text:
        recipient = _recipient(mail)
        return mail_content(campaign, text, name=recipient.contact.name, link=invitation_url(recipient),
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


@contextmanager
def in_text_language(campaign: Campaign, locale: str) -> Iterator[Text]:
    """The campaign's text for a contact of `locale`, with the language of everything around it (frame,
    dates, the language links carry) set to that text's: the contact's own, or German if the campaign
    has no text in it. Kept here as well as when the mail was queued, so that a mail queued in a
    language whose text is gone by now is German through and through."""
    text = text_for(campaign, locale)
    with force_locale(text.locale):
        yield text


def invitation_url(recipient: CampaignRecipient) -> str:
    """The recipient's personal sign-up link, opening in the mail's language."""
    return mail_link("campaigns.invitation", token=recipient.token)


def unsubscribe_url(contact: Contact) -> str:
    """The contact's one-click unsubscribe link, opening in the mail's language."""
    return mail_link("campaigns.unsubscribe", token=contact.unsubscribe_token)


def mail_content(campaign: Campaign, text: Text, *, name: str, link: str, unsubscribe_url: str | None,
                 reminder: bool = False, test: bool = False) -> MailContent:
    """The campaign's mail with `text` as one person gets it, in the current language (in_text_language
    makes that the text's).

    The staff's text is filled in, and for the HTML part escaped with its line
    breaks kept. `unsubscribe_url` None (a test mail) leaves out the unsubscribe
    link and headers: a staff member's mail program must not unsubscribe a contact.
    """
    values = placeholder_values(campaign, name=name, link=link)
    subject = fill_placeholders(text.subject, values)
    if reminder:
        subject = _("Reminder: %(subject)s", subject=subject)
    if test:
        subject = _("[Test] %(subject)s", subject=subject)
    context = {
        "event": campaign.event,
        "body_text": fill_placeholders(text.body, values),
        "body_html": html_paragraphs(text.body, values),
        "link": link,
        "link_in_text": "{link}" in text.body,
        "unsubscribe_url": unsubscribe_url,
        "test": test,
    }
    template = "campaign_reminder_to_contact" if reminder else "campaign_invitation_to_contact"
    text, html = render_pair(template, **context)
    return MailContent(subject=subject, text=text, html=html,
                       headers=unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {})


def placeholder_values(campaign: Campaign, *, name: str, link: str, locale: str | None = None) -> dict:
    """What each placeholder becomes in the campaign's mail to one person: {event} is the event's
    title in `locale` (the current language unless given) where it has one, else its German title."""
    event = campaign.event
    title = title_in(event, locale or str(get_locale())).text
    return {"name": name, "event": title, "date": event_when(event), "link": link}


def shown_subject(campaign: Campaign, name: str | None = None) -> str:
    """The German subject as recipients read it, for the staff pages: the event's (German) title and
    date filled in, the name of `name` or else a stand-in ("‹Name›"), never the raw "{event}"."""
    shown = stand_ins()
    values = placeholder_values(campaign, name=name or shown["name"], link=shown["link"], locale=GERMAN)
    return fill_placeholders(campaign.subject, values)


def html_paragraphs(text: str, values: dict) -> Markup:
    """Staff text as HTML: everything escaped, blank lines make paragraphs, line breaks stay, {link} a link.

    The contact's name and the event's title keep their own direction (dir="auto"): a Latin name
    or a German title inside an Arabic sentence would otherwise take the words around it along.
    """
    html_values = {name: escape(value) for name, value in values.items()}
    for name in ("name", "event"):
        html_values[name] = Markup('<span dir="auto">{}</span>').format(values[name])
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
    """The invitation as `contact` would get it: in their language if the campaign has a text in it,
    else in German.

    A contact who already is a recipient sees their own link; before sending
    there is none yet, so the link leads to the event's public page.
    """
    recipient = db.session.execute(
        select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id,
                                        CampaignRecipient.contact_id == contact.id)
    ).scalar_one_or_none()
    with in_text_language(campaign, contact.locale) as text:
        link = invitation_url(recipient) if recipient else _event_url(campaign)
        return mail_content(campaign, text, name=contact.name, link=link,
                            unsubscribe_url=unsubscribe_url(contact))


def _test_mail(mail: OutgoingMail, campaign: Campaign, text: Text) -> MailContent:
    contact = db.session.get(Contact, mail.params["contact_id"]) if mail.params.get("contact_id") else None
    name = contact.name if contact else mail.params.get("name", "")
    return mail_content(campaign, text, name=name, link=_event_url(campaign), unsubscribe_url=None, test=True)


def _event_url(campaign: Campaign) -> str:
    return mail_link("registrations.event_page", slug=campaign.event.slug)


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

