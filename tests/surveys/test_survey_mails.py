"""The survey's mails as they arrive over SMTP: one per contact, each with its own link, in the
contact's language, with the unsubscribe link and headers; the reminder; and the mails withdrawn
when their reason went away before delivery."""
import email
import re
from collections import Counter
from datetime import datetime, timezone
from email import policy

from sqlalchemy import select

from app.contacts.models import Contact
from app.database import utcnow, write_transaction
from app.extensions import db
from app.surveys import mails, responding, sending
from app.surveys.models import SurveyInvitation
from tests.campaigns.conftest import UNSUBSCRIBE_LINK, html_body, text_body
from tests.conftest import TEST_ACTOR
from tests.rows import fresh_reads, outbox_rows

from .conftest import survey_questions

SURVEY_LINK = re.compile(r"http://podium\.test/s/([A-Za-z0-9_-]+)")
MANY = 200



def sent_to_everyone(make_survey, **fields):
    survey = make_survey(**fields)
    sending.save_audience(survey.id, {"all": True, "tags": [], "kinds": [], "group_id": None}, by=TEST_ACTOR)
    sending.send_survey(survey.id, by=TEST_ACTOR)
    return survey


def tokens_in(message) -> set[str]:
    return set(SURVEY_LINK.findall(text_body(message)))


def invitations_by_email(survey) -> dict[str, SurveyInvitation]:
    fresh_reads()
    query = (select(Contact.email, SurveyInvitation).join(Contact, Contact.id == SurveyInvitation.contact_id)
             .where(SurveyInvitation.survey_id == survey.id))
    return {email: invitation for email, invitation in db.session.execute(query)}


def test_a_survey_to_200_contacts_gives_200_mails_with_200_distinct_links(
        app, make_contacts, make_survey, smtp, deliver):
    addresses = make_contacts(MANY)
    (unsubscribed,) = make_contacts(1, unsubscribed_at=utcnow())
    survey = sent_to_everyone(make_survey)

    report = deliver()

    assert report.sent == MANY
    received_by = Counter(address for received in smtp.received for address in received.rcpt_tos)
    assert received_by == Counter(addresses)
    assert smtp.to(unsubscribed) == []
    token_by_address = {}
    for received in smtp.received:
        message = email.message_from_bytes(received.data, policy=policy.default)
        (token,) = tokens_in(message)
        token_by_address[message["To"]] = token
    assert len(set(token_by_address.values())) == MANY
    assert {address: invitation.token for address, invitation in invitations_by_email(survey).items()} \
        == token_by_address

    # Pressing send again mails nobody.
    assert sending.send_survey(survey.id, by=TEST_ACTOR).queued == 0
    assert deliver().handled == 0 and len(smtp.received) == MANY


def test_the_invitation_carries_title_intro_link_closing_date_and_unsubscribing_in_the_contacts_language(
        app, make_contacts, make_survey, mailbox):
    (german,) = make_contacts(1)
    (english,) = make_contacts(1, locale="en")
    closes = datetime(2031, 3, 15, 12, 0, tzinfo=timezone.utc)
    survey = sent_to_everyone(make_survey, title="Akteursbefragung 2026", closes_at=closes,
                              intro="Was hat das Netzwerk erreicht?\n\nDanke für <Ihre> Zeit.")

    (mail,) = mailbox(english)
    text = text_body(mail)
    assert mail["Subject"] == "Please take part: Akteursbefragung 2026"
    assert "Was hat das Netzwerk erreicht?" in text and "Danke für <Ihre> Zeit." in text
    assert "The survey closes on Mar 15, 2031." in text
    (token,) = tokens_in(mail)
    assert token == invitations_by_email(survey)[english].token
    html = html_body(mail)
    assert f'href="http://podium.test/s/{token}?lang=en"' in html
    assert "Danke für &lt;Ihre&gt; Zeit." in html and "<Ihre>" not in html
    (unsubscribe,) = set(UNSUBSCRIBE_LINK.findall(text))
    # Folded before its first, long address: the value the reader gets starts with that fold's space.
    assert mail["List-Unsubscribe"].strip().startswith(f"<http://podium.test/u/{unsubscribe}?lang=en>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    (german_mail,) = mailbox(german)
    assert "15.03.2031" in text_body(german_mail)
    assert tokens_in(german_mail) == {invitations_by_email(survey)[german].token}


def test_the_reminder_brings_the_same_link_and_says_whether_one_has_started(
        app, make_contacts, make_survey, mailbox):
    started, silent = make_contacts(2, locale="en")
    survey = sent_to_everyone(make_survey, title="Akteursbefragung")
    invitations = invitations_by_email(survey)
    single = survey_questions(survey)["single"]
    responding.save_section(invitations[started].token, single.section_id,
                            {single.id: single.options[0]["id"]}, {})

    sending.remind_survey(survey.id, by=TEST_ACTOR)

    first, reminder = mailbox(started)
    assert reminder["Subject"] == "Reminder: Akteursbefragung"
    assert tokens_in(reminder) == tokens_in(first) == {invitations[started].token}
    assert "you have started our survey but not sent it yet" in text_body(reminder)
    _first, silent_reminder = mailbox(silent)
    assert "we have not heard from you yet" in text_body(silent_reminder)
    assert silent_reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_mails_whose_reason_went_away_are_withdrawn(app, make_contacts, make_survey):
    """The sender asks this before delivery (once create_app registers it as the survey mails'
    withdrawal): a contact who unsubscribed after send was pressed, a reminder to someone who
    completed meanwhile, and anything of a survey closed since get nothing."""
    leaving, finishing, waiting = make_contacts(3)
    survey = sent_to_everyone(make_survey)
    sending.remind_survey(survey.id, by=TEST_ACTOR)
    invitations = invitations_by_email(survey)
    questions = survey_questions(survey)
    single, scale = questions["single"], questions["scale"]
    responding.save_section(invitations[finishing].token, single.section_id,
                            {single.id: single.options[0]["id"], scale.id: 5}, {}, send=True)
    with write_transaction():
        gone = db.session.execute(select(Contact).where(Contact.email == leaving)).scalar_one()
        gone.unsubscribed_at = utcnow()

    queued = outbox_rows()
    withdrawn = {(m.kind, m.recipient) for m in queued if m.id in mails.withdrawn(queued)}
    assert withdrawn == {(sending.INVITATION, leaving), (sending.REMINDER, leaving),
                         (sending.REMINDER, finishing)}

    sending.close_survey(survey.id, by=TEST_ACTOR)
    assert mails.withdrawn(outbox_rows()) == {m.id for m in queued}
    assert waiting in {m.recipient for m in queued}
