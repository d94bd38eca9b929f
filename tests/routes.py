"""Every rule of the URL map with real arguments, for the tests that walk the whole map (who may
open what in tests/test_access.py, the headers in tests/test_security.py).

`small_podium()` makes a few rows that every page can show: a published event with one confirmed
guest (and a pending change of the guest's address), a contact invited by a sent campaign and a
draft campaign, and the mails this made. `url_of(rule, podium)` fills each argument of a rule with
the value that reaches a real page. A rule with an argument named nowhere below raises
UnknownArgument, so a new route fails the walkers until someone says what its arguments are.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import Rule

from app.audit import Actor
from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.contacts import services as contacts
from app.database import utcnow, write_transaction
from app.events.services import create_event
from app.extensions import db
from app.mailing import sender
from app.outbox import OutgoingMail
from app.privacy import access_links
from app.registrations import services as registrations
from app.registrations.guest_changes import EmailChange, email_change_key, fingerprint

OFFICE = Actor(name="Test Staff")


@dataclass(frozen=True)
class Podium:
    """The rows of the small Podium, and the keys of their personal links."""

    event_id: int
    slug: str
    registration_id: int
    guest_name: str
    ticket_code: str
    manage_token: str
    email_change_key: str
    data_access_key: str  # the mailed link to everything held under the guest's address
    contact_id: int
    campaign_id: int  # sent: it has recipients, progress, reminders
    draft_campaign_id: int  # may still be edited
    invitation_token: str
    unsubscribe_token: str
    mail_id: int  # the guest's confirmation: HTML, calendar and QR parts


def small_podium() -> Podium:
    """Make the rows (inside an app and request context, on an empty database). Commits."""
    with write_transaction():
        event = create_event(title="Forum Fachkräfte", kind="forum", venue="Rathaus Trier",
                             address="Am Augustinerhof, 54290 Trier", capacity=50, publish=True, by=OFFICE,
                             starts_at=utcnow().replace(microsecond=0) + timedelta(days=7))
    guest = registrations.register(event.id, {
        "name": "Nadia Rahimi", "email": "nadia.rahimi@example.org", "organisation": "Deutsch für alle e. V.",
        "affiliation": "volunteer", "note": "", "consent": True}, locale="de").registration
    key = email_change_key(EmailChange(guest.id, fingerprint(guest.email_key), "nadia@example.net"), utcnow())
    contact = contacts.create_contact({"name": "Jan Glockauer", "email": "glockauer@ihk.example",
                                       "organisation": "IHK Trier", "organisation_kind": "chamber",
                                       "tags": "Kammern", "locale": "de"}, by=OFFICE)
    body = "Hallo {name},\n\nwir laden Sie ein zu {event} am {date}: {link}"
    sent = campaigns.create_campaign(event_id=event.id, subject="Einladung: {event}", body=body,
                                     audience={"all": True}, created_by="Test Staff")
    campaigns.send_campaign(sent.id)
    draft = campaigns.create_campaign(event_id=event.id, subject="Erinnerung: {event}", body=body,
                                      audience={"all": True}, created_by="Test Staff")
    invitation = db.session.execute(select(CampaignRecipient.token).where(
        CampaignRecipient.campaign_id == sent.id)).scalar_one()
    sender.deliver_due()  # without a mail server: composed and kept, as the development mailbox
    db.session.rollback()
    confirmation = db.session.execute(select(OutgoingMail.id).where(
        OutgoingMail.registration_id == guest.id).order_by(OutgoingMail.id)).scalars().first()
    return Podium(event_id=event.id, slug=event.slug, registration_id=guest.id, guest_name=guest.name,
                  ticket_code=guest.ticket_code, manage_token=guest.manage_token, email_change_key=key,
                  data_access_key=access_links.access_key(guest, utcnow()),
                  contact_id=contact.id, campaign_id=sent.id, draft_campaign_id=draft.id,
                  invitation_token=invitation,
                  unsubscribe_token=contacts.get_contact(contact.id).unsubscribe_token,
                  mail_id=confirmation)


Value = Callable[[Podium], object]

# Where an argument's value comes from, looked up by (endpoint, name), then (blueprint, name), then
# (None, name) for a name that means the same in every rule. "token" is a guest's own page under
# /r/ but an invitation under /i/: such names are only ever given per endpoint or blueprint.
ARGUMENTS: dict[tuple[str | None, str], Value] = {
    (None, "event_id"): lambda p: p.event_id,
    (None, "slug"): lambda p: p.slug,
    (None, "registration_id"): lambda p: p.registration_id,
    (None, "contact_id"): lambda p: p.contact_id,
    (None, "campaign_id"): lambda p: p.campaign_id,
    (None, "mail_id"): lambda p: p.mail_id,
    ("mailing_staff.part", "index"): lambda p: 0,
    ("campaigns_staff.edit", "campaign_id"): lambda p: p.draft_campaign_id,
    ("campaigns_staff.update", "campaign_id"): lambda p: p.draft_campaign_id,
    ("registrations", "token"): lambda p: p.manage_token,
    ("registrations", "code"): lambda p: p.ticket_code,
    ("registrations", "key"): lambda p: p.email_change_key,
    ("checkin.ticket_check_in", "code"): lambda p: p.ticket_code,
    ("privacy", "token"): lambda p: p.manage_token,
    ("privacy", "key"): lambda p: p.data_access_key,
    ("campaigns.invitation", "token"): lambda p: p.invitation_token,
    ("campaigns.accept", "token"): lambda p: p.invitation_token,
    ("campaigns.unsubscribe_page", "token"): lambda p: p.unsubscribe_token,
    ("campaigns.unsubscribe", "token"): lambda p: p.unsubscribe_token,
    ("i18n", "code"): lambda p: "en",
    ("static", "filename"): lambda p: "podium.css",
}


class UnknownArgument(LookupError):
    """A rule has an argument that ARGUMENTS does not name: nobody has said how to reach it."""


def arguments_of(rule: Rule, podium: Podium) -> dict:
    """A real value for every argument of the rule. :raises UnknownArgument:"""
    blueprint = rule.endpoint.rpartition(".")[0] or rule.endpoint
    values, unknown = {}, []
    for name in sorted(rule.arguments):
        value = next((ARGUMENTS[key] for key in ((rule.endpoint, name), (blueprint, name), (None, name))
                      if key in ARGUMENTS), None)
        if value is None:
            unknown.append(name)
        else:
            values[name] = value(podium)
    if unknown:
        raise UnknownArgument(f"{rule.rule} ({rule.endpoint}): no value known for {', '.join(unknown)}; "
                              f"name it in tests/routes.py ARGUMENTS")
    return values


def url_of(rule: Rule, podium: Podium) -> str:
    """The rule's URL, every argument filled with a real row's id or key. :raises UnknownArgument:"""
    return url_for(rule.endpoint, **arguments_of(rule, podium))


def rules_for(app, method: str) -> list[Rule]:
    """Every rule of the app's URL map that answers `method`, in path order."""
    return sorted((rule for rule in app.url_map.iter_rules() if method in rule.methods), key=lambda r: r.rule)
