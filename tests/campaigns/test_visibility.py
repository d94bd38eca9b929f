"""Campaigns and the kinds of gathering: a personal invitation opens an invitation-only event;
a record-only event is invited to by nobody, and nobody is mailed about it."""
import pytest
from flask import url_for

from app.campaigns import services as campaigns
from tests.pages import ENGLISH, main_text, page
from tests.rows import outbox_rows, registrations_of

from .conftest import INVITATION_LINK, invitation_token, mails_of, recipients_of, text_body


@pytest.fixture
def invite(make_contact, make_campaign, smtp, deliver):
    """Anna, invited to `event` by a campaign that has gone out; returns the token from her mail."""

    def send(event) -> str:
        make_contact(name="Anna Schmidt", email="anna@example.org")
        campaigns.send_campaign(make_campaign(event).id)
        deliver()
        (message,) = [m for m in smtp.to("anna@example.org") if INVITATION_LINK.search(text_body(m))]
        return invitation_token(message)

    return send


def test_a_personal_invitation_signs_its_contact_up_to_an_invitation_only_event(client, make_event, invite,
                                                                                mailbox):
    meeting = make_event(title="Treffen der Kammern", capacity=20, visibility="invitation")
    token = invite(meeting)

    form_page = client.get(url_for("campaigns.invitation", token=token), headers=ENGLISH)
    response = client.post(url_for("campaigns.accept", token=token), headers=ENGLISH, data={
        "name": "Anna Schmidt", "email": "anna@example.org", "affiliation": "professional", "consent": "y"})

    assert page(form_page).find("form", action=url_for("campaigns.accept", token=token) + "#register") is not None
    [registration] = registrations_of(meeting)
    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.signed_up", token=registration.manage_token))
    assert (registration.status, registration.source) == ("confirmed", "invitation")
    _invitation, ticket = mailbox("anna@example.org")
    assert "Treffen der Kammern" in ticket["Subject"]
    assert ticket.get_content_type() == "multipart/mixed"  # the ticket with its calendar invitation


def test_an_invitation_only_event_can_be_chosen_for_a_campaign(office, make_event):
    meeting = make_event(title="Treffen der Kammern", visibility="invitation")
    make_event(title="Besuch beim Jobcenter", visibility="record", kind="visit")

    response = office.get(url_for("campaigns_staff.new"), headers=ENGLISH)

    offered = [option.text for option in page(response).one("select", name="event_id").find_all("option")]
    assert any(meeting.title in text for text in offered)
    assert not any("Besuch beim Jobcenter" in text for text in offered)


def test_a_campaign_for_a_record_cannot_be_created(make_event):
    visit = make_event(title="Besuch beim Jobcenter", visibility="record", kind="visit")

    with pytest.raises(campaigns.NoCampaignForRecord, match="niemand bekommt dazu eine Mail"):
        campaigns.create_campaign(event_id=visit.id, subject="Einladung", body="{link}", audience={"all": True})
    assert campaigns.list_campaigns() == []


def test_a_campaign_whose_event_became_a_record_cannot_be_sent_or_reminded(make_event, make_contacts,
                                                                          make_campaign, set_event):
    make_contacts(3)
    event = make_event(title="Forum Arbeit")
    campaign = make_campaign(event)
    set_event(event, visibility="record")

    with pytest.raises(campaigns.CampaignNotSendable, match="niemand bekommt dazu eine Mail"):
        campaigns.send_campaign(campaign.id)
    with pytest.raises(campaigns.CampaignNotSendable):
        campaigns.remind_campaign(campaign.id)
    with pytest.raises(campaigns.CampaignNotSendable):
        campaigns.send_test_mail(campaign.id, email="office@podium.test", name="Office", locale="de")
    assert recipients_of(campaign) == []
    assert outbox_rows() == []


def test_the_campaign_page_says_why_it_cannot_be_sent(office, make_event, make_campaign, set_event):
    event = make_event(title="Forum Arbeit")
    campaign = make_campaign(event)
    set_event(event, visibility="record")

    response = office.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH)

    assert "This event is a record only: nobody signs up for it" in main_text(response)


def test_the_negative_control_the_same_campaign_goes_out_for_a_public_event(make_event, make_contacts,
                                                                           make_campaign):
    make_contacts(3)
    campaign = make_campaign(make_event(title="Forum Arbeit"))

    assert campaigns.send_campaign(campaign.id).queued == 3
    assert len(mails_of()) == 3
