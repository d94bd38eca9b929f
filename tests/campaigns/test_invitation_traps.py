"""The sign-up behind an invitation link (/i/<token>) has the traps of the event page's form
(app/formtrap.py) and shares its count per email address (app/registrations/limits.py): a
program that posts it is refused with nothing stored and nothing mailed, a person who sends
it again is signed up, and one address cannot be signed up more often by going through
invitations."""
import time

import pytest
from flask import url_for

from app.formtrap import WINDOW_SECONDS
from tests.pages import ENGLISH, form_values, page
from tests.registrations.conftest import form_data

from . import test_invitation_link
from .conftest import recipients_of
from .test_invitation_link import registration_of

invited = test_invitation_link.invited  # the fixture: Anna, invited by a campaign that went out
REFUSED = "Please send the form again"


def open_invitation(client, token):
    response = client.get(url_for("campaigns.invitation", token=token), headers=ENGLISH)
    assert response.status_code == 200
    return response


def the_form(response) -> dict:
    return form_values(page(response).one("form", id="signup"))


def accept(client, token, data, address="192.0.2.20"):
    return client.post(url_for("campaigns.accept", token=token), data=data, headers=ENGLISH,
                       environ_base={"REMOTE_ADDR": address})


def summary(response) -> str:
    found = page(response).find("div", class_="error-summary")
    return found.text if found else ""


def test_the_invitation_form_has_the_honeypot_and_a_stamp(client, invited):
    _campaign, token = invited()

    html = page(open_invitation(client, token))

    honeypot = html.one("form", id="signup").one("input", name="remarks")
    assert "form-trap" in honeypot.parent.classes and honeypot.get("value") == ""
    assert html.one("input", name="form_time").get("value")


@pytest.mark.parametrize("trap", ["honeypot", "too fast"])
def test_a_program_posting_the_invitation_is_refused_with_nothing_stored_or_mailed(app, client, invited, mailbox,
                                                                                   trap):
    campaign, token = invited()
    app.config["FORM_MIN_SECONDS"] = 30 if trap == "too fast" else 0
    data = the_form(open_invitation(client, token)) | {"consent": "y", "note": "Rollstuhl"}
    if trap == "honeypot":
        data["remarks"] = "Buy now"

    response = accept(client, token, data)

    assert response.status_code == 422
    assert REFUSED in summary(response)
    kept = the_form(response)
    assert (kept["name"], kept["email"], kept["note"], kept["consent"], kept["remarks"]) == \
        ("Anna Schmidt", "anna@example.org", "Rollstuhl", "y", "")
    assert recipients_of(campaign)[0].registration_id is None
    assert [m["Subject"] for m in mailbox("anna@example.org")] == ["Einladung: Forum Arbeit"]  # the invitation only


def test_a_person_who_sends_the_invitation_again_is_signed_up(app, client, invited, mailbox):
    campaign, token = invited()
    app.config["FORM_MIN_SECONDS"] = 1
    refused = accept(client, token, the_form(open_invitation(client, token)) | {"consent": "y"})
    assert refused.status_code == 422

    time.sleep(1.05 + WINDOW_SECONDS)
    response = accept(client, token, the_form(refused))

    assert response.status_code == 302
    assert recipients_of(campaign)[0].registration_id == registration_of("anna@example.org").id
    assert len(mailbox("anna@example.org")) == 2  # the invitation, then the ticket


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "100 per minute",
                                         "SIGNUP_EMAIL_RATE_LIMIT": "2 per hour"}])
def test_the_invitation_counts_with_the_event_page_per_email_address(client, invited, make_event):
    _campaign, token = invited()
    for n in range(2):
        client.post(url_for("registrations.register", slug=make_event().slug), data=form_data(),
                    environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})

    response = accept(client, token, the_form(open_invitation(client, token)) | {"consent": "y"},
                      address="203.0.113.99")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "This form has been sent too often in a short time" in summary(response)
    assert "Personal invitation for Anna Schmidt" in page(response).one("main").text
    assert the_form(response)["email"] == "anna@example.org"
