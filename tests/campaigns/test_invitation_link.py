"""The personal invitation link /i/<token>: a filled-in sign-up form that ties the registration
to the invitation, and the campaign page that follows the guest to the door."""
import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import Actor
from app.campaigns import services as campaigns
from app.checkin.services import check_in
from app.extensions import db
from app.registrations.models import Registration
from tests.pages import ENGLISH, form_values, main_text, page
from tests.rows import fresh_reads

from .conftest import INVITATION_LINK, invitation_token, recipients_of, text_body
from .test_staff_pages import recipient_states


@pytest.fixture
def invited(make_event, make_contact, make_campaign, smtp, deliver):
    """Anna, invited to an event by a campaign that has gone out; returns (campaign, token from her mail)."""

    def invite(event=None, **contact):
        contact = {"name": "Anna Schmidt", "email": "anna@example.org", "institution": "Caritas Trier",
                   "kind": "charity", **contact}
        make_contact(**contact)
        campaign = make_campaign(event or make_event(title="Forum Arbeit", capacity=10))
        campaigns.send_campaign(campaign.id)
        deliver()
        (message,) = [m for m in smtp.to(contact["email"]) if INVITATION_LINK.search(text_body(m))]
        return campaign, invitation_token(message)

    return invite


def accept_action(token) -> str:
    """Where the form posts: to the invitation, landing at the form (#register) after a mistake."""
    return url_for("campaigns.accept", token=token) + "#register"


def sign_up_form(client, token) -> dict:
    response = client.get(url_for("campaigns.invitation", token=token), headers=ENGLISH)
    assert response.status_code == 200
    return form_values(page(response).one("form", action=accept_action(token)))


def registration_of(email) -> Registration:
    fresh_reads()
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one()


def test_the_link_opens_the_sign_up_form_filled_in_with_the_contacts_details(client, invited):
    _campaign, token = invited()

    response = client.get(url_for("campaigns.invitation", token=token), headers=ENGLISH)

    assert "Personal invitation for Anna Schmidt" in main_text(response)
    assert "Forum Arbeit" in main_text(response)
    values = sign_up_form(client, token)
    assert (values["name"], values["email"], values["organisation"]) == \
        ("Anna Schmidt", "anna@example.org", "Caritas Trier")
    assert "consent" not in values  # the guest agrees herself


def test_signing_up_through_the_link_ties_the_registration_to_the_invitation(client, staff, invited):
    campaign, token = invited()
    values = sign_up_form(client, token) | {"consent": "y", "note": "Rollstuhl"}

    response = client.post(url_for("campaigns.accept", token=token), data=values, headers=ENGLISH)

    registration = registration_of("anna@example.org")
    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.signed_up", token=registration.manage_token))
    outcome = page(client.get(response.location, headers=ENGLISH)).one("section", class_="outcome")
    assert "You are registered" in outcome.text and "anna@example.org" in outcome.text
    outcome_links = [a.get("href") for a in outcome.find_all("a")]
    assert url_for("registrations.manage", token=registration.manage_token) in outcome_links
    assert url_for("registrations.manage_calendar", token=registration.manage_token) in outcome_links
    assert url_for("registrations.ticket", code=registration.ticket_code) in outcome_links
    assert (registration.status, registration.source, registration.note) == ("confirmed", "invitation", "Rollstuhl")
    (recipient,) = recipients_of(campaign)
    assert recipient.registration_id == registration.id
    assert recipient_states(staff, campaign) == {"anna@example.org": "registered"}

    check_in(campaign.event_id, registration.ticket_code, Actor("Tür"))

    assert recipient_states(staff, campaign) == {"anna@example.org": "attended"}


@pytest.mark.parametrize(("kind", "chosen"), [
    ("volunteer", "volunteer"),
    ("charity", "professional"),
    ("chamber", "professional"),
    ("other", None),  # the contact list does not know: the guest chooses
])
def test_how_the_guest_takes_part_is_filled_in_from_what_the_contact_list_knows(client, invited, kind, chosen):
    _campaign, token = invited(kind=kind)

    assert sign_up_form(client, token).get("affiliation") == chosen


def test_a_guest_may_change_the_details_and_is_still_tied_to_the_invitation(client, invited):
    campaign, token = invited()
    values = sign_up_form(client, token) | {"consent": "y", "email": "anna.schmidt@caritas.example"}

    client.post(url_for("campaigns.accept", token=token), data=values, headers=ENGLISH)

    (recipient,) = recipients_of(campaign)
    assert recipient.registration_id == registration_of("anna.schmidt@caritas.example").id


def test_beyond_capacity_the_guest_lands_on_their_own_page_with_the_waitlist(client, invited, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    _campaign, token = invited(event)

    response = client.post(url_for("campaigns.accept", token=token),
                           data=sign_up_form(client, token) | {"consent": "y"}, headers=ENGLISH)

    registration = registration_of("anna@example.org")
    assert registration.status == "waitlisted"
    assert response.location.endswith(url_for("registrations.manage", token=registration.manage_token))
    own_page = page(client.get(response.location, headers=ENGLISH))
    assert "You are number 1 on the waitlist" in own_page.one("section", class_="outcome").text
    assert [a for a in own_page.one("main").find_all("a") if a.get("href").endswith(".ics")] == []


def test_someone_already_registered_is_told_a_mail_is_on_its_way(client, invited, make_event, sign_up):
    event = make_event(capacity=10)
    sign_up(event, email="anna@example.org", name="Anna Schmidt")
    campaign, token = invited(event)

    response = client.post(url_for("campaigns.accept", token=token),
                           data=sign_up_form(client, token) | {"consent": "y"}, headers=ENGLISH)

    assert response.location.endswith(url_for("registrations.mail_on_its_way", slug=event.slug))
    assert "is on its way" in page(client.get(response.location, headers=ENGLISH)).one(
        "section", class_="outcome").text
    registration = registration_of("anna@example.org")
    assert registration.source == "online"  # it came about online; it is tied all the same
    assert recipients_of(campaign)[0].registration_id == registration.id


def test_a_form_mistake_keeps_what_was_typed_and_ties_nothing(client, invited):
    campaign, token = invited()
    values = sign_up_form(client, token) | {"name": "Anna S."}  # consent not given

    response = client.post(url_for("campaigns.accept", token=token), data=values, headers=ENGLISH)

    assert response.status_code == 422
    assert form_values(page(response).one("form"))["name"] == "Anna S."
    assert recipients_of(campaign)[0].registration_id is None


def test_a_closed_event_shows_the_reason_and_refuses_the_sign_up(client, invited, make_event, set_event):
    event = make_event()
    _campaign, token = invited(event)
    set_event(event, status="cancelled")

    shown = client.get(url_for("campaigns.invitation", token=token), headers=ENGLISH)
    refused = client.post(url_for("campaigns.accept", token=token),
                          data={"name": "Anna", "email": "anna@example.org", "consent": "y",
                                "affiliation": "professional"}, headers=ENGLISH)

    assert "This event has been cancelled." in main_text(shown)
    assert page(shown).find("form", action=accept_action(token)) is None
    assert page(shown).find("form", id="signup") is None
    assert refused.status_code == 409
    assert db.session.execute(select(Registration)).first() is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_invalid_token_is_404(client, invited, method):
    invited()

    response = getattr(client, method)(url_for("campaigns.invitation", token="not-a-real-token-at-all"))

    assert response.status_code == 404


@pytest.fixture
def set_event(app):
    def change(event, **columns):
        for name, value in columns.items():
            setattr(event, name, value)
        db.session.commit()
        return event

    return change
