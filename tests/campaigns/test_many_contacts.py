"""A campaign to 2,000 contacts: 2,000 distinct mails, each with its own link, and nothing twice."""
import email
import time
from collections import Counter
from email import policy

import pytest

from app.campaigns import services as campaigns
from app.campaigns.progress import campaign_progress
from app.extensions import db

from .conftest import INVITATION_LINK, mails_of, recipients_of

# Threads racing each other, or thousands of mails: minutes of the suite, not seconds.
pytestmark = pytest.mark.slow

MANY = 2000


@pytest.fixture
def app_config(database_url):
    # The sender commits once per delivered mail (so that a crash never resends it).
    # On PostgreSQL each commit waits for the disk; that wait is not what this test is
    # about, so the test database may acknowledge commits before they are flushed.
    # Locking, visibility and constraints are unchanged.
    if database_url.startswith("postgresql"):
        return {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c synchronous_commit=off"}}}
    return {}


def plain_text(data: bytes) -> tuple[str, str]:
    """The To header and the text/plain body of a received mail (the email package, legacy policy:
    ten times faster than the default one, which matters for 2,000 mails)."""
    message = email.message_from_bytes(data, policy=policy.compat32)
    (text,) = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    return message["To"], text.get_payload(decode=True).decode(text.get_content_charset())


def test_a_campaign_to_2000_contacts_delivers_2000_distinct_mails_each_with_its_own_link(
        app, make_contacts, make_campaign, smtp, deliver):
    addresses = make_contacts(MANY)  # one bulk insert
    campaign = make_campaign()

    started = time.perf_counter()
    result = campaigns.send_campaign(campaign.id)
    pressed = time.perf_counter() - started
    report = deliver()
    delivered = time.perf_counter() - started

    assert (result.queued, report.sent) == (MANY, MANY)
    assert Counter(address for received in smtp.received for address in received.rcpt_tos) == Counter(addresses)
    token_by_address = {}
    for received in smtp.received:
        to, text = plain_text(received.data)
        (token,) = set(INVITATION_LINK.findall(text))
        token_by_address[to] = token
    assert len(set(token_by_address.values())) == MANY
    assert {r.contact.email: r.token for r in recipients_of(campaign)} == token_by_address
    assert campaign_progress(campaign.id).as_dict() == {
        "queued": 0, "sent": MANY, "failed": 0, "skipped": 0, "held": 0, "total": MANY, "handled": MANY,
        "done": True}

    # Pressing send once more finds everyone invited: nothing is queued, nothing delivered.
    again = campaigns.send_campaign(campaign.id)
    assert (again.queued, again.already) == (0, MANY)
    assert deliver().handled == 0
    assert len(smtp.received) == MANY
    assert len(mails_of()) == MANY
    print(f"\n[{db.engine.dialect.name}] send pressed in {pressed:.2f}s, "
          f"{MANY} mails delivered in {delivered:.2f}s")
