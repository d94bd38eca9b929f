"""A realistic Podium to look at, and a real server for it: what `make screenshots` photographs and
what the layout and accessibility tests walk through.

The scene is the demo events plus everything a page can show: registrations in every state, a
full event with a waitlist, a cancelled event, a draft, a past event with its attendance, a door
log with an undo and a walk-in, contacts (one unsubscribed), a sent campaign with recipients and a
draft one, and mails queued, kept, sent and failed, and the mailed links with which a guest opens
their own data (one fresh, one expired); and the demo's surveys: the actors' survey, open, with
links not yet used, saved part-way and sent, a draft survey, and the past forum's feedback form,
answered and closed. It lives in its own SQLite file, served with CSRF
protection on as in production, so every form is posted as a person posts it.
"""
import io
import itertools
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select, update
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app, demo
from app.audit import Actor
from app.auth.services import create_user
from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.checkin import services as door
from app.contacts import services as contacts
from app.contacts.models import Contact, Institution
from app.database import utcnow, write_transaction
from app.events.models import Event, Series
from app.events.services import create_event
from app.extensions import db
from app.mailing import sender
from app.network import results
from app.network.models import MeetingPresence, WorkingGroup, WorkingGroupMember
from app.outbox import MailStatus, OutgoingMail
from app.privacy.access_links import ACCESS_LINK_VALID, access_key
from app.registrations import services as registrations
from app.registrations.models import Registration
from app.registrations.event_changes import cancel_event
from app.surveys.models import InvitationStatus, Survey, SurveyInvitation, SurveyKind, SurveyStatus
from config import TestingConfig

PASSWORD = "correct horse battery"
STAFF_EMAIL = "buero@podium.example"
DOOR_EMAIL = "tuer@podium.example"
PARTNER_EMAIL = "ausbildung@hwk.example"  # a partner account of the HWK, which co-hosted the past forum
ADMIN_EMAIL = "leitung@podium.example"
PARTNER_INSTITUTION = "HWK Trier"
# Who logs in as whom, and where they land.
LOGINS = {"staff": (STAFF_EMAIL, "/staff/"), "door": (DOOR_EMAIL, "/staff/checkin/"),
          "partner": (PARTNER_EMAIL, "/partner/"), "admin": (ADMIN_EMAIL, "/staff/")}
OFFICE = Actor(name="Maria Büro")
# The door log shows who let a guest in, on which device (named as access.py names a phone's browser).
DOOR = Actor(name="Anna Tür", device="Chrome on Android")

GUESTS = [
    ("Fatima Al-Hassan", "Caritasverband Trier", "volunteer"),
    ("Jonas Becker", "IHK Trier", "professional"),
    ("Olena Kovalenko", "", "other"),
    ("Dr. Sabine Müller-Lüdenscheidt", "Agentur für Arbeit Trier", "professional"),
    ("Mehmet Yılmaz", "Jobcenter Trier-Stadt", "professional"),
    ("Hanna Schneider", "Willkommensnetz Schweich e. V.", "volunteer"),
    ("Reza Ahmadi", "", "other"),
    ("Katharina Weber", "Handwerkskammer Trier", "professional"),
    ("Thomas Klein", "Stadt Trier, Amt für Soziales und Wohnen", "professional"),
    ("Amina Diallo", "Volkshochschule Trier", "volunteer"),
    ("Lukas Hoffmann", "", "other"),
    ("Maryam Haidari", "Multikulturelles Zentrum Trier", "volunteer"),
]

CONTACTS = [
    ("Dr. Jan Glockauer", "IHK Trier", "chamber", "Kammern, Podium"),
    ("Axel Bettendorf", "HWK Trier", "chamber", "Kammern"),
    ("Heribert Wilhelmi", "Agentur für Arbeit Trier", "employment-agency", "Arbeitsmarkt"),
    ("Miriam Kremer", "Stadt Trier", "city", "Verwaltung, Moderation"),
    ("Petra Schmitt", "Kreisverwaltung Trier-Saarburg", "district", "Verwaltung"),
    ("Bernd Lauer", "Caritasverband Westeifel", "charity", "Ehrenamt"),
    ("Sevgi Arslan", "Berufsbildende Schule Wirtschaft", "school", "Ausbildung"),
    ("Klaus Reuter", "Reuter Metallbau GmbH", "company", "Betriebe, Ausbildung"),
    ("Ingrid Thelen", "Willkommensnetz Schweich e. V.", "volunteer", "Ehrenamt"),
    ("Yusuf Demir", "Integrationsbeirat Trier", "other", "Beirat"),
]


@dataclass
class Scene:
    """What the pages of the scene are found by: ids, slugs and the keys of personal links."""

    base_url: str = ""
    event_id: int = 0  # the big podium discussion: many guests, check-ins, a door log
    event_slug: str = ""
    full_event_id: int = 0  # small, full, with a waitlist
    full_event_slug: str = ""
    signup_slug: str = ""  # roomy: sign-ups made while looking land here
    cancelled_slug: str = ""
    draft_id: int = 0
    past_id: int = 0
    past_slug: str = ""
    confirmed_code: str = ""
    confirmed_token: str = ""
    confirmed_email: str = ""
    checked_in_code: str = ""
    checked_in_name: str = ""
    waitlisted_token: str = ""
    cancelled_code: str = ""
    cancelled_token: str = ""
    waitlisted_registration_id: int = 0
    confirmed_registration_id: int = 0
    contact_id: int = 0
    campaign_id: int = 0
    draft_campaign_id: int = 0
    invitation_token: str = ""
    unsubscribe_token: str = ""
    mail_ids: dict = field(default_factory=dict)
    access_key: str = ""  # the confirmed guest's link to their data, as mailed from their own page
    expired_access_key: str = ""  # the same, a day and an hour old
    # The network (the demo's): an institution, a person with a history, a working group, a series.
    institution_id: int = 0  # the partner's institution, a co-host of the past forum
    person_id: int = 0  # invited, signed up, came, a working group's member, at recorded meetings
    group_id: int = 0
    series_id: int = 0
    series_slug: str = ""
    series_template_id: int = 0  # an event of the series, the template of recurring dates
    forum_id: int = 0  # the past forum with hosts, partners and results (a public summary, a PDF)
    forum_slug: str = ""
    invitation_slug: str = ""  # the invitation-only coordination meeting
    invite_key: str = ""
    # Reports and surveys (the demo's): the actors' survey, open, its links in every state; a draft;
    # the past forum's feedback form, answered and closed.
    survey_id: int = 0
    draft_survey_id: int = 0
    feedback_survey_id: int = 0
    survey_token: str = ""  # asked, nothing answered yet
    survey_started_token: str = ""  # saved part-way
    survey_completed_token: str = ""  # sent
    feedback_token: str = ""  # the closed feedback form, answered
    # () -> a guest who signed up just now, with the key to their data: erasing can be seen only once
    # per person, so every look at an erasure brings its own guest (SceneServer.new_guest).
    new_guest: Callable[[], "NewGuest"] | None = None


@dataclass(frozen=True)
class NewGuest:
    """A guest of the scene made while looking, by address, with the key of the link to their data."""

    email: str
    access_key: str


def _ascii(word: str) -> str:
    """müller-lüdenscheidt -> muller-ludenscheidt: addresses as most people have them."""
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


def _sign_up(event_id: int, n: int, guest: tuple, *, locale: str = "de"):
    name, organisation, affiliation = guest
    words = [word for word in name.split() if not word.endswith(".")]  # no "Dr."
    email = f"{_ascii(words[0])}.{_ascii(words[-1])}@example.org"
    data = {"name": name, "email": email, "organisation": organisation, "affiliation": affiliation,
            "note": "Ich komme mit Rollstuhl." if n % 7 == 3 else "", "consent": True}
    return registrations.register(event_id, data, locale=locale).registration


def _event(title: str, days: int, hour: int = 18, **fields) -> Event:
    starts = demo._at(days, hour)  # at a time people meet, in Berlin
    fields.setdefault("kind", "forum")
    fields.setdefault("venue", "Rathaus Trier, Großer Sitzungssaal")
    fields.setdefault("address", "Am Augustinerhof, 54290 Trier")
    with write_transaction():
        return create_event(title=title, starts_at=starts, by=OFFICE, publish=fields.pop("publish", True),
                            summary=fields.pop("summary", "Austausch im Netzwerk."), **fields)


def _by_title(title: str) -> Event:
    return db.session.execute(select(Event).where(Event.title == title)).scalar_one()


def build(scene: Scene) -> Scene:
    """Fill an empty database with the scene (inside an app and request context). Commits."""
    demo.load()
    create_user(STAFF_EMAIL, role="staff", password=PASSWORD, name="Maria Büro")
    create_user(DOOR_EMAIL, role="door", password=PASSWORD, name="Anna Tür")
    create_user(ADMIN_EMAIL, role="admin", password=PASSWORD, name="Ruth Leitung")

    # The podium discussion: a dozen guests, some let in at the door, one undone, a walk-in.
    event = _by_title("Perspektiven für Flüchtlinge in der Region Trier")
    scene.event_id, scene.event_slug = event.id, event.slug
    guests = [_sign_up(event.id, n, guest) for n, guest in enumerate(GUESTS)]
    registrations.cancel_registration(guests[6].id)
    for guest in guests[:5]:
        door.check_in(event.id, guest.ticket_code, DOOR)
    door.undo_check_in(event.id, guests[4].id, DOOR)
    door.register_walk_in(event.id, {"name": "Gerd Walkin", "organisation": "Nachbarschaftshilfe Euren"}, DOOR)
    first = guests[1]
    scene.confirmed_code, scene.confirmed_token, scene.confirmed_email = (
        first.ticket_code, first.manage_token, first.email)
    scene.confirmed_registration_id = first.id
    scene.access_key = access_key(first, utcnow())
    scene.expired_access_key = access_key(first, utcnow() - ACCESS_LINK_VALID - timedelta(hours=1))
    scene.checked_in_code, scene.checked_in_name = guests[0].ticket_code, guests[0].name
    scene.cancelled_code, scene.cancelled_token = guests[6].ticket_code, guests[6].manage_token

    # Three places, a waitlist of three, one cancellation that promoted the first in line.
    full = _by_title("Fachgespräch: Anerkennung ausländischer Berufsabschlüsse")
    scene.full_event_id, scene.full_event_slug = full.id, full.slug
    people = [_sign_up(full.id, 100 + n, guest) for n, guest in enumerate(GUESTS[:7])]
    registrations.cancel_registration(people[0].id)
    scene.waitlisted_token, scene.waitlisted_registration_id = people[6].manage_token, people[6].id

    scene.signup_slug = _by_title("Fachforum Sprache und Mobilität im ländlichen Raum").slug
    for n, guest in enumerate(GUESTS[:4]):
        _sign_up(_by_title("Wie kommen Flüchtlinge in Ausbildung und Arbeit?").id, 200 + n, guest, locale="en")

    cancelled = _event("Netzwerktreffen Ehrenamt im Eifelkreis", 12, kind="coordination",
                       venue="Kreisverwaltung Bitburg", address="Trierer Straße 1, 54634 Bitburg")
    _sign_up(cancelled.id, 300, GUESTS[5])
    cancel_event(cancelled.id, by=OFFICE, message="Der Raum steht nicht zur Verfügung; ein neuer Termin folgt.")
    scene.cancelled_slug = cancelled.slug
    scene.draft_id = _event("Sommerfest des Netzwerks (Entwurf)", 60, kind="other", publish=False,
                            capacity=None).id

    past = _event("Forum Wohnen und Ankommen", 3, 14, capacity=40, venue="Tuchfabrik Trier",
                  address="Wechselstraße 4, 54290 Trier")
    for n, guest in enumerate(GUESTS[:6]):
        registration = _sign_up(past.id, 400 + n, guest)
        if n < 4:
            door.check_in(past.id, registration.ticket_code, DOOR)
    db.session.execute(update(Event).where(Event.id == past.id).values(
        starts_at=demo._at(-20, 14), ends_at=demo._at(-20, 17)))
    db.session.commit()
    scene.past_id, scene.past_slug = past.id, past.slug

    _contacts_and_campaigns(scene, full_event_id=_by_title("Wie kommen Flüchtlinge in Ausbildung und Arbeit?").id)
    _network(scene)
    _surveys(scene)
    _mails_in_every_state()
    # After the sender's last round: another cancellation and promotion, their mails still queued.
    registrations.cancel_registration(people[1].id)
    scene.mail_ids = {status.value: db.session.execute(
        select(OutgoingMail.id).where(OutgoingMail.status == status).order_by(OutgoingMail.id.desc())
    ).scalars().first() for status in (MailStatus.sent, MailStatus.failed, MailStatus.queued)}
    return scene


def _contacts_and_campaigns(scene: Scene, *, full_event_id: int) -> None:
    ago = utcnow() - timedelta(days=40)
    for n, (name, organisation, kind, tags) in enumerate(CONTACTS):
        email = f"{_ascii(name.split()[-1])}@{_ascii(organisation.split()[0]).strip(',.')}.example"
        contact = contacts.create_contact({"name": name, "email": email, "institution_name": organisation,
                                           "institution_kind": kind, "tags": tags,
                                           "locale": "en" if n == 9 else "de"}, by=OFFICE, now=ago)
        if n == 0:
            scene.contact_id = contact.id
        if n == 8:
            contact.unsubscribed_at = utcnow() - timedelta(days=2)
            db.session.commit()
    subject = "Einladung: {event}"
    body = ("Hallo {name},\n\nwir laden Sie herzlich ein zu {event} am {date}.\n\n"
            "Hier können Sie sich anmelden: {link}\n\nViele Grüße\nIhr Netzwerkbüro")
    sent = campaigns.create_campaign(event_id=full_event_id, subject=subject, body=body,
                                     audience={"all": True}, created_by="Maria Büro")
    campaigns.send_campaign(sent.id)
    scene.campaign_id = sent.id
    scene.draft_campaign_id = campaigns.create_campaign(
        event_id=scene.event_id, subject="Erinnerung: {event}", body=body,
        audience={"all": True}, created_by="Maria Büro").id
    recipient = db.session.execute(select(CampaignRecipient).where(CampaignRecipient.campaign_id == sent.id)
                                   .order_by(CampaignRecipient.id)).scalars().first()
    scene.invitation_token = recipient.token
    scene.unsubscribe_token = contacts.get_contact(recipient.contact_id).unsubscribe_token


def _network(scene: Scene) -> None:
    """Find the demo's network, and add a partner account of the institution that co-hosted the past forum."""
    def one(model, **where):
        return db.session.execute(select(model).filter_by(**where)).scalar_one()

    institution = one(Institution, name=PARTNER_INSTITUTION)
    scene.institution_id = institution.id
    create_user(PARTNER_EMAIL, role="partner", password=PASSWORD, name="Axel Bettendorf",
                institution_id=institution.id)
    forum = _by_title("Forum Integration durch Ausbildung")
    scene.forum_id, scene.forum_slug = forum.id, forum.slug
    for title, visibility in (("Gruppenbild der Teilnehmenden", "public"), ("Pinnwand der Thementische", "public"),
                              ("Fotoprotokoll (intern)", "network")):
        results.add_file(forum.id, _picture(title), f"{title}.png", title=title, visibility=visibility, by=OFFICE)
    coordination = _by_title("Koordinierungstreffen Integration in Ausbildung")
    scene.invitation_slug, scene.invite_key = coordination.slug, coordination.invite_key
    series = one(Series, slug="ausbildung-und-arbeit-2026-27")
    scene.series_id, scene.series_slug = series.id, series.slug
    scene.series_template_id = _by_title("Perspektiven für Flüchtlinge in der Region Trier").id
    # The person with the whole history: a working group's member, at recorded meetings, checked in
    # at the past forum (the demo's); the scene's campaign to everyone invited them too.
    member = select(WorkingGroupMember.contact_id)
    present = select(MeetingPresence.contact_id)
    came = select(Registration.contact_id).where(Registration.checked_in_at.is_not(None))
    scene.person_id = db.session.execute(
        select(Contact.id).where(Contact.id.in_(member), Contact.id.in_(present), Contact.id.in_(came))
        .order_by(Contact.id)).scalars().first()
    assert scene.person_id, "the demo has no contact with a whole history any more"
    scene.group_id = db.session.execute(
        select(WorkingGroupMember.group_id).where(WorkingGroupMember.contact_id == scene.person_id)
        .order_by(WorkingGroupMember.group_id)).scalars().first()
    assert db.session.get(WorkingGroup, scene.group_id) is not None


def _surveys(scene: Scene) -> None:
    """Find the demo's surveys and a link of each state."""
    def survey(**where) -> int:
        return db.session.execute(select(Survey.id).filter_by(**where)).scalar_one()

    def token(survey_id: int, status: InvitationStatus) -> str:
        return db.session.execute(select(SurveyInvitation.token).filter_by(survey_id=survey_id, status=status)
                                  .order_by(SurveyInvitation.id)).scalars().first()

    scene.survey_id = survey(title="Netzwerkbefragung 2026", status=SurveyStatus.open)
    scene.draft_survey_id = survey(kind=SurveyKind.survey, status=SurveyStatus.draft)
    scene.feedback_survey_id = survey(event_id=scene.forum_id, kind=SurveyKind.feedback)
    scene.survey_token = token(scene.survey_id, InvitationStatus.invited)
    scene.survey_started_token = token(scene.survey_id, InvitationStatus.started)
    scene.survey_completed_token = token(scene.survey_id, InvitationStatus.completed)
    scene.feedback_token = token(scene.feedback_survey_id, InvitationStatus.completed)
    assert all((scene.survey_token, scene.survey_started_token, scene.survey_completed_token,
                scene.feedback_token)), "the demo's surveys have no links in every state any more"


def _picture(title: str) -> bytes:
    """A small picture such as a photo of the forum, as PNG bytes (each title its own colours)."""
    hue = sum(map(ord, title)) % 5
    image = Image.new("RGB", (640, 400), ((40, 90, 140), (60, 120, 90), (150, 90, 50), (90, 70, 130),
                                          (120, 120, 60))[hue])
    draw = ImageDraw.Draw(image)
    for n in range(6):
        draw.ellipse((40 + n * 95, 180, 120 + n * 95, 330), fill=(230, 200 - n * 15, 150))
    draw.rectangle((0, 330, 640, 400), fill=(235, 235, 225))
    data = io.BytesIO()
    image.save(data, format="PNG")
    return data.getvalue()


def _mails_in_every_state() -> None:
    """Compose every mail so far, then say that they went out through a mail server, two of them
    refused by the recipient's server (the app is told of that server after the scene is built)."""
    sender.deliver_due()  # without a server: composed and kept
    db.session.rollback()
    ids = list(db.session.execute(select(OutgoingMail.id).order_by(OutgoingMail.id)).scalars())
    failed = ids[len(ids) // 2: len(ids) // 2 + 2]
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(ids))
                       .values(status=MailStatus.sent, sent_at=utcnow() - timedelta(minutes=50), attempts=1))
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(failed)).values(
        status=MailStatus.failed, attempts=8, sent_at=None,
        last_error="550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table"))
    db.session.commit()


def files_read_at_once(app):
    """`app` with static files read whole and closed before the answer is written. Werkzeug's
    development server leaves a file open when the browser drops the connection during the answer
    (it raises before closing the response), and the suite turns that ResourceWarning into an error.
    The files served here are small."""
    def read_at_once(file, _block_size=8192):
        with file:
            return [file.read()]

    def wsgi(environ, start_response):
        environ["wsgi.file_wrapper"] = read_at_once
        return app(environ, start_response)
    return wsgi


class QuietHandler(WSGIRequestHandler):
    """No line on stderr per request."""

    def log_request(self, *args, **kwargs):
        pass


class SceneServer:
    """The scene in its own SQLite file under `folder`, served on a free port of 127.0.0.1."""

    def __init__(self, folder: Path, **config):
        url = f"sqlite:///{folder / 'scene.db'}"
        self.app = create_app(TestingConfig, instance_path=str(folder), SQLALCHEMY_DATABASE_URI=url,
                              WTF_CSRF_ENABLED=True, **config)
        self.server = make_server("127.0.0.1", 0, files_read_at_once(self.app), threaded=True,
                                  request_handler=QuietHandler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.config["BASE_URL"] = self.base_url  # links in QR codes and mails lead here
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.scene = Scene(base_url=self.base_url, new_guest=self.new_guest)
        self._new_guests = itertools.count(1)

    def start(self) -> "SceneServer":
        """Migrate, build the scene, serve."""
        from tests.conftest import migrate_to_head
        migrate_to_head(self.app)
        with self.app.app_context(), self.app.test_request_context(base_url=self.base_url):
            build(self.scene)
            db.session.remove()
        # As in production: a mail server, so the outbox is no development mailbox. Nothing is sent
        # to it: testing has no background sender.
        self.app.config["MAIL_SERVER"] = "mail.podium.example"
        self.thread.start()
        return self

    def new_guest(self) -> NewGuest:
        """A guest signed up just now for the roomy event (signup_slug), and the key of the link
        to their data (written by this thread while the server's threads serve: SQLite's WAL)."""
        n = next(self._new_guests)
        with self.app.app_context(), self.app.test_request_context(base_url=self.base_url):
            event = db.session.execute(select(Event).where(Event.slug == self.scene.signup_slug)).scalar_one()
            data = {"name": "Leyla Karimi", "email": f"leyla.karimi.{n}@example.org", "organisation": "",
                    "affiliation": "other", "note": "Ich brauche eine Übersetzung ins Persische.",
                    "consent": True}
            registration = registrations.register(event.id, data, locale="de").registration
            guest = NewGuest(registration.email, access_key(registration, utcnow()))
            db.session.remove()
        return guest

    def stop(self) -> None:
        """Stop serving and let go of the database."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.engine.dispose()
