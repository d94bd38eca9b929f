"""Reminding those who have not answered: once per recipient, only to those who got the
invitation and have neither signed up nor unsubscribed."""
from collections import Counter

from flask import url_for

from app.campaigns import services as campaigns
from tests.pages import ENGLISH
from tests.together import run_together

from .conftest import invitation_token, mails_of, recipients_of
from .test_staff_pages import recipient_states
from .test_unsubscribe import one_click


def accept(client, message, **fields):
    token = invitation_token(message)
    data = {"name": "Gast", "email": message["To"], "affiliation": "professional", "consent": "y", **fields}
    response = client.post(url_for("campaigns.accept", token=token), data=data, headers=ENGLISH)
    assert response.status_code == 302
    return token


def test_a_reminder_goes_once_to_those_who_were_invited_and_have_not_answered(
        client, staff, make_event, make_contacts, make_campaign, sign_up, smtp, deliver):
    event = make_event(capacity=50)
    through_link, unsubscribed, signed_up_directly, bounced, silent, also_silent = make_contacts(6)
    smtp.refused_recipients.add(bounced)
    campaign = make_campaign(event)
    campaigns.send_campaign(campaign.id)
    deliver()
    accept(client, smtp.to(through_link)[0])
    one_click(client, recipients_of(campaign)[1].contact.unsubscribe_token)
    sign_up(event, email=signed_up_directly)
    (late,) = make_contacts(1)
    campaigns.send_campaign(campaign.id)  # the late contact's invitation has not gone out yet

    assert campaigns.reminder_count(campaign) == 2
    first = campaigns.remind_campaign(campaign.id)
    second = campaigns.remind_campaign(campaign.id)
    deliver()

    assert (first, second) == (2, 0)
    assert sorted(m.recipient for m in mails_of(campaigns.REMINDER)) == sorted([silent, also_silent])
    received = Counter(address for r in smtp.received for address in r.rcpt_tos)
    assert received[silent] == received[also_silent] == 2
    assert received[late] == 1
    for address in (silent, also_silent):
        invitation, reminder = smtp.to(address)
        assert invitation_token(reminder) == invitation_token(invitation)
        assert reminder["Subject"] != invitation["Subject"]
        assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    states = recipient_states(staff, campaign)
    assert states[through_link] == "registered"
    assert states[signed_up_directly] == "registered"
    assert states[unsubscribed] == "unsubscribed"
    assert states[bounced] == "not delivered: 550 5.1.1 No such user"
    assert states[silent] == "invited"
    reminded = {r.contact.email for r in recipients_of(campaign) if r.reminder_mail_id}
    assert reminded == {silent, also_silent}

    # Later, only the late contact is left to remind; nobody gets a second reminder.
    assert campaigns.remind_campaign(campaign.id) == 1
    deliver()
    assert sorted(m.recipient for m in mails_of(campaigns.REMINDER)) == sorted([silent, also_silent, late])


def test_the_reminder_is_in_the_contacts_language(make_contact, make_campaign, smtp, deliver):
    make_contact(email="ben@example.org", locale="en")
    campaign = make_campaign(texts={"en": ("Invitation: {event}", "Hello {name}: {link}")})
    campaigns.send_campaign(campaign.id)
    deliver()

    campaigns.remind_campaign(campaign.id)
    deliver()

    invitation, reminder = smtp.to("ben@example.org")
    assert reminder["Subject"] == f"Reminder: {invitation['Subject']}"


def test_a_recipient_who_signs_up_after_the_reminder_was_queued_does_not_get_it(
        client, make_contacts, make_campaign, smtp, deliver):
    (anna,) = make_contacts(1)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    deliver()
    campaigns.remind_campaign(campaign.id)

    accept(client, smtp.to(anna)[0])
    deliver()

    assert len(smtp.to(anna)) == 2  # the invitation and the registration's confirmation
    (reminder,) = mails_of(campaigns.REMINDER)
    assert (reminder.status, reminder.last_error) == ("withdrawn", None)


def test_reminders_pressed_at_the_same_moment_go_once(app, make_contacts, make_campaign, smtp, deliver):
    make_contacts(40)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    deliver()

    campaign_id = campaign.id
    outcomes = run_together(app, [lambda: campaigns.remind_campaign(campaign_id)] * 4)

    assert sorted(outcomes) == [0, 0, 0, 40]
    assert len(mails_of(campaigns.REMINDER)) == 40


def test_the_campaign_page_offers_the_reminder_with_its_count(staff, make_contacts, make_campaign, smtp, deliver):
    make_contacts(3)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    deliver()

    shown = staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH)
    confirm = staff.get(url_for("campaigns_staff.confirm_remind", campaign_id=campaign.id), headers=ENGLISH)
    done = staff.post(url_for("campaigns_staff.remind", campaign_id=campaign.id), headers=ENGLISH)

    assert "Remind 3 recipients who have not answered" in shown.get_data(as_text=True)
    assert "3 recipients will get a reminder." in confirm.get_data(as_text=True)
    assert done.status_code == 302
    assert len(mails_of(campaigns.REMINDER)) == 3
