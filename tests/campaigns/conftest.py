"""Fixtures for invitation campaigns: contacts made in bulk, campaigns, and reading what
arrived at the real SMTP server."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.contacts.models import Contact, Institution
from app.database import utcnow
from app.extensions import db
from app.links import new_link_token
from app.outbox import OutgoingMail
from app.text import name_key
from tests.mailing.reading import only_part, text_of
from tests.rows import fresh_reads, outbox_rows

INVITATION_LINK = re.compile(r"http://podium\.test/i/([A-Za-z0-9_-]+)")
UNSUBSCRIBE_LINK = re.compile(r"http://podium\.test/u/([A-Za-z0-9_-]+)")

BODY = "Hallo {name},\n\nwir laden Sie herzlich ein zu {event} am {date}.\n\nHier anmelden: {link}"
ENGLISH_BODY = "Hello {name},\n\nwe warmly invite you to {event} on {date}.\n\nSign up: {link}"


def contact_row(n: int, now, **fields) -> dict:
    """A contacts row for a bulk insert: "Kontakt n" at kontakt<n>@example.org, unless `fields` say else.
    `institution` (a name) and `kind` make the contact one of that institution."""
    email = fields.pop("email", f"kontakt{n}@example.org")
    institution, kind = fields.pop("institution", ""), fields.pop("kind", "other")
    row = {"name": f"Kontakt {n}", "email": email, "email_key": email.lower(), "tags": [], "locale": "de",
           "source": "test", "source_at": now, "unsubscribed_at": None, "unsubscribe_token": new_link_token(),
           "created_at": now, "updated_at": now,
           "institution_id": institution_id(institution, kind) if institution else None}
    row.update(fields)
    return row


def institution_id(name: str, kind: str = "other") -> int:
    """The id of the institution of this name, made (of this kind) if there is none."""
    found = db.session.execute(select(Institution.id).where(Institution.name_key == name_key(name))).scalar()
    if found is None:
        institution = Institution(name=name, name_key=name_key(name), kind=kind)
        db.session.add(institution)
        db.session.commit()
        found = institution.id
    return found


@pytest.fixture
def make_contacts(app):
    """`count` contacts in ONE bulk insert; returns their addresses."""
    counter = iter(range(1, 1_000_000))

    def make(count: int, **fields) -> list[str]:
        now = utcnow()
        rows = [contact_row(next(counter), now, **fields) for _ in range(count)]
        db.session.execute(insert(Contact), rows)
        db.session.commit()
        return [row["email"] for row in rows]

    return make


@pytest.fixture
def make_contact(make_contacts):
    """One contact; returns the row."""

    def make(**fields) -> Contact:
        (email,) = make_contacts(1, **fields)
        return db.session.execute(select(Contact).where(Contact.email == email)).scalar_one()

    return make


@pytest.fixture
def make_campaign(app, make_event):
    """A draft campaign (by default: to all contacts, for a new published event)."""

    def make(event=None, *, subject="Einladung: {event}", body=BODY, audience=None, texts=None):
        event = event or make_event(title="Forum Fachkräfte", capacity=100)
        return campaigns.create_campaign(event_id=event.id, subject=subject, body=body,
                                         audience=audience or {"all": True}, created_by="Test", texts=texts)

    return make


def after_the_claim_timeout(app, extra=timedelta(minutes=1)):
    """A moment at which a claim made now counts as a crashed sender's."""
    return utcnow() + app.config["MAIL_CLAIM_TIMEOUT"] + extra


def recipients_of(campaign) -> list[CampaignRecipient]:
    """The campaign's recipients as the database holds them now, in the order they were added."""
    fresh_reads()
    query = select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
    return list(db.session.execute(query.order_by(CampaignRecipient.id)).scalars())


def mails_of(kind: str = campaigns.INVITATION) -> list[OutgoingMail]:
    """The outbox rows of one kind of campaign mail, oldest first."""
    return outbox_rows(kind=kind)


def contact_by_email(email: str) -> Contact:
    """The contact with this address, as the database holds it now."""
    fresh_reads()
    return db.session.execute(select(Contact).where(Contact.email == email)).scalar_one()


def text_body(message) -> str:
    """The text part, decoded, with the line ends a reader sees (SMTP sends CRLF)."""
    return text_of(only_part(message, "text/plain")).replace("\r\n", "\n")


def html_body(message) -> str:
    """The HTML part, decoded, with the line ends a reader sees."""
    return text_of(only_part(message, "text/html")).replace("\r\n", "\n")


def invitation_token(message) -> str:
    """The token of the one personal invitation link in a received mail's text."""
    tokens = set(INVITATION_LINK.findall(text_body(message)))
    assert len(tokens) == 1, f"expected one invitation link, found {tokens}"
    return tokens.pop()
