"""Unsubscribing: a visible link and the List-Unsubscribe headers in every campaign mail, a page
with a button (opening it changes nothing), and RFC 8058 one-click unsubscribing.

CSRF protection is on here, as in production: the one-click POST comes from a mail
provider without any page before it, so that one endpoint must work without a token,
and no other may.
"""
import re

import pytest
from flask import url_for

from app.auth.services import create_user
from app.campaigns import services as campaigns
from app.registrations.models import Registration
from tests.conftest import STAFF_PASSWORD
from tests.pages import ENGLISH, form_values, main_text, page

from .conftest import UNSUBSCRIBE_LINK, contact_by_email, html_body, text_body


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def mailed(make_contact, make_campaign, smtp, deliver):
    """Anna has got a campaign's invitation; returns the received message."""
    make_contact(name="Anna Schmidt", email="anna@example.org")
    campaigns.send_campaign(make_campaign().id)
    deliver()
    (message,) = smtp.messages
    return message


def one_click(client, token):
    """What a mail provider sends when the reader presses its unsubscribe button (RFC 8058)."""
    return client.post(f"/u/{token}", data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")


def test_every_campaign_mail_carries_the_list_unsubscribe_headers(app, mailed):
    token = contact_by_email("anna@example.org").unsubscribe_token

    targets = re.findall(r"<([^>]+)>", mailed["List-Unsubscribe"])

    assert targets[0] == f"http://podium.test/u/{token}?lang=de"  # the page opens in the mail's language
    assert targets[1:] == [f"mailto:{app.config['ORGANIZER_EMAIL']}?subject=unsubscribe"]
    assert mailed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_every_campaign_mail_shows_the_unsubscribe_link(mailed):
    token = contact_by_email("anna@example.org").unsubscribe_token

    assert UNSUBSCRIBE_LINK.findall(text_body(mailed)) == [token]
    assert f'href="http://podium.test/u/{token}?lang=de"' in html_body(mailed)


def test_opening_the_link_shows_a_button_and_changes_nothing(client, mailed):
    token = contact_by_email("anna@example.org").unsubscribe_token

    response = client.get(f"/u/{token}", headers=ENGLISH)

    assert response.status_code == 200
    form = page(response).one("form", method="post")
    assert form.get("action") == f"/u/{token}"
    assert form.one("button").text == "Yes, unsubscribe me"
    assert "anna@example.org" in main_text(response)
    assert contact_by_email("anna@example.org").unsubscribed_at is None


def test_one_click_unsubscribes_at_once_without_a_csrf_token(client, mailed):
    token = contact_by_email("anna@example.org").unsubscribe_token

    response = one_click(client, token)

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert contact_by_email("anna@example.org").unsubscribed_at is not None


def test_unsubscribing_twice_keeps_the_first_time(client, mailed):
    token = contact_by_email("anna@example.org").unsubscribe_token
    one_click(client, token)
    first = contact_by_email("anna@example.org").unsubscribed_at

    again = one_click(client, token)
    pressed = client.post(f"/u/{token}", headers=ENGLISH)

    assert (again.status_code, pressed.status_code) == (200, 200)
    assert contact_by_email("anna@example.org").unsubscribed_at == first
    assert "You are unsubscribed" in main_text(client.get(f"/u/{token}", headers=ENGLISH))


def test_the_button_on_the_page_unsubscribes_and_says_so(client, mailed):
    token = contact_by_email("anna@example.org").unsubscribe_token
    form = page(client.get(f"/u/{token}")).one("form", method="post")

    response = client.post(form.get("action"), data=form_values(form), headers=ENGLISH)

    assert response.status_code == 200
    assert "You are unsubscribed: you will get no more invitations from us." in main_text(response)
    assert contact_by_email("anna@example.org").unsubscribed_at is not None


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_token_is_404(client, mailed, method):
    response = getattr(client, method)("/u/no-such-token-anywhere")

    assert response.status_code == 404
    assert contact_by_email("anna@example.org").unsubscribed_at is None


def test_the_invitation_form_needs_no_session_but_our_own_page(client, mailed):
    """Like the event page's sign-up form (README: why it has no CSRF token): no cookie, no token,
    and another site's page cannot send it."""
    (token,) = re.findall(r"/i/([A-Za-z0-9_-]+)", text_body(mailed))
    opened = client.get(f"/i/{token}")
    form = page(opened).one("form", method="post")
    assert "csrf_token" not in form_values(form)
    # The guest agrees, and says how they take part where the contact list does not know.
    values = {"affiliation": "other"} | form_values(form) | {"consent": "y"}

    from_elsewhere = client.post(form.get("action"), data=values, headers={"Sec-Fetch-Site": "cross-site"})
    assert from_elsewhere.status_code == 422
    assert Registration.query.filter_by(email="anna@example.org").count() == 0
    from_our_page = client.post(form.get("action"), data=values, headers={"Sec-Fetch-Site": "same-origin"})
    assert from_our_page.status_code == 302


def test_the_staff_buttons_still_need_their_csrf_token(client, make_campaign, make_contacts):
    make_contacts(2)
    campaign = make_campaign()
    create_user("office@podium.test", role="staff", password=STAFF_PASSWORD)
    login_form = page(client.get(url_for("auth.login"))).one("form", method="post")
    client.post(url_for("auth.login"), data={**form_values(login_form), "email": "office@podium.test",
                                             "password": STAFF_PASSWORD})
    confirm = page(client.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id)))
    send_form = confirm.one("form", action=url_for("campaigns_staff.send", campaign_id=campaign.id))

    refused = [client.post(url_for(endpoint, campaign_id=campaign.id)).status_code
               for endpoint in ("campaigns_staff.send", "campaigns_staff.remind", "campaigns_staff.test_mail", "campaigns_staff.update")]
    sent = client.post(send_form.get("action"), data=form_values(send_form))

    assert refused == [400, 400, 400, 400]
    assert sent.status_code == 302
    assert campaigns.plan_sending(campaign).new == 0
