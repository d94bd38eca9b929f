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
import io
from datetime import timedelta

from flask import url_for
from PIL import Image
from sqlalchemy import select
from werkzeug.routing import Rule

from app.audit import Actor
from app.campaigns import services as campaigns
from app.auth.services import create_user
from app.campaigns.models import CampaignRecipient
from app.contacts import services as contacts
from app.database import utcnow, write_transaction
from app.events.models import Event, Series
from app.events.services import create_event
from app.extensions import db
from app.mailing import sender
from app.network.models import (EventInstitution, InstitutionRole, ResultFile, ResultVisibility, WorkingGroup,
                                WorkingGroupMember)
from app.outbox import OutgoingMail
from app.privacy import access_links
from app.registrations import services as registrations
from app.registrations.guest_changes import EmailChange, email_change_key, fingerprint
from app.surveys import building, building_questions, feedback, sending
from app.surveys.models import SurveyInvitation

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
    institution_id: int = 0  # the contact's; it hosts the event, and the partner account is of it
    series_id: int = 0
    series_slug: str = ""
    group_id: int = 0  # the contact is a member
    group_feed_token: str = ""
    meeting_id: int = 0  # a recorded meeting (record-only event)
    past_event_id: int = 0  # the group's last meeting, ended, with a public file
    file_id: int = 0
    filename: str = ""
    user_id: int = 0  # a door account on the team page
    survey_id: int = 0  # sent to the contact: open, with one section and one question
    section_id: int = 0
    question_id: int = 0
    survey_token: str = ""  # the contact's personal link to it
    feedback_id: int = 0  # the feedback form of the group's past meeting (switched on, not sent)


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
                                       "institution_name": "IHK Trier", "institution_kind": "chamber",
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
    network = _network(event.id, contact.id, contact.institution_id)
    network |= _surveys(contact.id, network["past_event_id"])
    confirmation = db.session.execute(select(OutgoingMail.id).where(
        OutgoingMail.registration_id == guest.id).order_by(OutgoingMail.id)).scalars().first()
    return Podium(event_id=event.id, slug=event.slug, registration_id=guest.id, guest_name=guest.name,
                  ticket_code=guest.ticket_code, manage_token=guest.manage_token, email_change_key=key,
                  data_access_key=access_links.access_key(guest, utcnow()),
                  contact_id=contact.id, campaign_id=sent.id, draft_campaign_id=draft.id,
                  invitation_token=invitation,
                  unsubscribe_token=contacts.get_contact(contact.id).unsubscribe_token,
                  mail_id=confirmation, institution_id=contact.institution_id, **network)


def _network(event_id: int, contact_id: int, institution_id: int) -> dict:
    """The network around the event: its host, a series, a working group with a past meeting and a
    public file, a recorded meeting, a partner and a door account. Commits."""
    with write_transaction():
        now = utcnow().replace(microsecond=0)
        db.session.add(EventInstitution(event_id=event_id, institution_id=institution_id,
                                        role=InstitutionRole.host, position=1))
        series = Series(slug="ausbildung-und-arbeit", title="Ausbildung und Arbeit")
        group = WorkingGroup(slug="ak-sprache", name="AK Sprache", purpose="Sprachkurse abstimmen")
        db.session.add_all([series, group])
        db.session.flush()
        db.session.get(Event, event_id).series_id = series.id
        db.session.add(WorkingGroupMember(group_id=group.id, contact_id=contact_id))
        past = create_event(title="AK Sprache: Treffen", kind="working-group", publish=True, by=OFFICE,
                            starts_at=now - timedelta(days=8), ends_at=now - timedelta(days=8, hours=-2),
                            visibility="invitation")
        past.working_group_id = group.id
        meeting = create_event(title="Gespräch mit dem BAMF", kind="coordination", publish=True, by=OFFICE,
                               starts_at=now - timedelta(days=3), visibility="record")
        image = io.BytesIO()
        Image.new("RGB", (40, 30), "teal").save(image, "PNG")
        stored = ResultFile(event_id=past.id, filename="foto.png", title="Foto", content_type="image/png",
                            size=len(image.getvalue()), data=image.getvalue(), visibility=ResultVisibility.public)
        db.session.add(stored)
        db.session.flush()
        ids = {"series_id": series.id, "series_slug": series.slug, "group_id": group.id,
               "group_feed_token": group.feed_token, "meeting_id": meeting.id, "past_event_id": past.id,
               "file_id": stored.id, "filename": stored.filename}
    create_user("partner@ihk.example", role="partner", institution_id=institution_id)
    door, _password = create_user("tuer@podium.example", role="door")
    return ids | {"user_id": door.id}


def _surveys(contact_id: int, past_event_id: int) -> dict:
    """A survey sent to everyone (the contact among them) and a feedback form. Commits."""
    with write_transaction() as tx:
        survey = building.create_survey(title="Netzwerkbefragung", intro="Was hat das Netzwerk erreicht?",
                                        by=OFFICE, now=tx.now)
        [section] = building.sections_of(survey.id)
        question = building_questions.add_question(survey, section.id, {
            "kind": "single", "text": "In welcher Rolle?", "required": True,
            "options": [{"label": "Hauptamtlich"}, {"label": "Ehrenamtlich"}]}, by=OFFICE, now=tx.now)
    sending.save_audience(survey.id, {"all": True, "tags": [], "kinds": [], "group_id": None}, by=OFFICE)
    sending.send_survey(survey.id, by=OFFICE)
    token = db.session.execute(select(SurveyInvitation.token).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.contact_id == contact_id)).scalar_one()
    form = feedback.switch_on(past_event_id, feedback.FeedbackSettings(), by=OFFICE)
    return {"survey_id": survey.id, "section_id": section.id, "question_id": question.id, "survey_token": token,
            "feedback_id": form.id}


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
    (None, "institution_id"): lambda p: p.institution_id,
    (None, "series_id"): lambda p: p.series_id,
    ("series", "slug"): lambda p: p.series_slug,
    (None, "group_id"): lambda p: p.group_id,
    ("groups.feed", "token"): lambda p: p.group_feed_token,
    ("meetings_staff", "event_id"): lambda p: p.meeting_id,
    (None, "file_id"): lambda p: p.file_id,
    (None, "filename"): lambda p: p.filename,
    ("results_staff.file", "event_id"): lambda p: p.past_event_id,
    ("results_staff.delete_file", "event_id"): lambda p: p.past_event_id,
    ("results_staff.file_visibility", "event_id"): lambda p: p.past_event_id,
    ("results.member_file", "token"): lambda p: p.invitation_token,
    (None, "user_id"): lambda p: p.user_id,
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
    (None, "survey_id"): lambda p: p.survey_id,
    (None, "section_id"): lambda p: p.section_id,
    (None, "question_id"): lambda p: p.question_id,
    ("surveys", "token"): lambda p: p.survey_token,
    ("surveys", "position"): lambda p: 1,
    ("reports_staff", "key"): lambda p: "institutions",
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
