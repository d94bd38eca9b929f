"""An invitation-only event: its page can be reached but is not listed, says it is by invitation
only, and takes a sign-up only with the event's secret link (the personal invitation link of a
campaign: tests/campaigns/test_visibility.py)."""
import pytest
from flask import url_for

from app.errors import RegistrationRefused
from app.events.services import NotInvited
from app.registrations import services
from tests.pages import ENGLISH, main_text, page
from tests.rows import outbox_rows, registrations_of

from .conftest import form_data


@pytest.fixture
def meeting(make_event):
    """An invitation-only meeting next week, with places."""
    return make_event(title="Treffen der Kammern", capacity=20, visibility="invitation")


def event_url(event, **args):
    return url_for("registrations.event_page", slug=event.slug, **args)


def signup_form(response):
    """The sign-up form on the page, or None."""
    return page(response).find("form", id="signup")


def post_signup(client, event, key=None, **fields):
    data = form_data(**fields) | ({"key": key} if key is not None else {})
    return client.post(url_for("registrations.register", slug=event.slug), data=data, headers=ENGLISH)


def test_the_page_can_be_reached_and_says_plainly_it_is_by_invitation_only(client, meeting):
    response = client.get(event_url(meeting), headers=ENGLISH)

    assert response.status_code == 200
    assert "Treffen der Kammern" in main_text(response)
    assert "This event is by invitation only. To sign up, please use the link in your invitation." in \
        page(response).one("section", id="register").text
    assert signup_form(response) is None
    assert page(response).find("meta", name="robots").get("content") == "noindex"


def test_with_the_secret_link_the_form_is_there_and_carries_the_key(client, meeting):
    response = client.get(event_url(meeting, key=meeting.invite_key), headers=ENGLISH)

    assert response.status_code == 200
    form = signup_form(response)
    assert form.one("input", name="key").get("value") == meeting.invite_key
    assert "you have the sign-up link for this event" in main_text(response)


@pytest.mark.parametrize("key", ["", "wrong", "x" * 400])
def test_a_wrong_key_shows_no_form(client, meeting, key):
    response = client.get(event_url(meeting, key=key), headers=ENGLISH)

    assert response.status_code == 200
    assert signup_form(response) is None
    assert "by invitation only" in main_text(response)


def test_a_sign_up_without_the_key_is_refused_and_nothing_is_stored_or_mailed(client, meeting, smtp, deliver):
    response = post_signup(client, meeting)

    assert response.status_code == 403
    assert "This event is by invitation only." in page(response).one("section", id="register").text
    assert registrations_of(meeting) == []
    deliver()
    assert outbox_rows() == [] and smtp.messages == []


def test_a_sign_up_with_a_wrong_key_is_refused_too(client, meeting):
    key = meeting.invite_key
    wrong = key[:-1] + ("B" if key.endswith("A") else "A")  # always another key (1 in 64 ended in "A")
    response = post_signup(client, meeting, key=wrong)

    assert response.status_code == 403
    assert "by invitation only" in main_text(response)
    assert registrations_of(meeting) == []


def test_with_the_secret_link_signing_up_works_as_for_a_public_event(client, meeting, mailbox):
    response = post_signup(client, meeting, key=meeting.invite_key, email="anna@example.org")

    [registration] = registrations_of(meeting)
    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.signed_up", token=registration.manage_token))
    assert registration.status == "confirmed" and registration.source == "online"
    [mail] = mailbox("anna@example.org")
    assert "Treffen der Kammern" in mail["Subject"]


def test_a_mistake_in_the_form_keeps_the_key_so_the_guest_can_send_it_again(client, meeting):
    response = post_signup(client, meeting, key=meeting.invite_key, email="not-an-address")

    assert response.status_code == 422
    assert signup_form(response).one("input", name="key").get("value") == meeting.invite_key
    assert registrations_of(meeting) == []


def test_the_service_itself_refuses_without_a_valid_key(meeting):
    data = form_data(consent=True)

    with pytest.raises(NotInvited):
        services.register(meeting.id, data, locale="de")
    with pytest.raises(NotInvited):
        services.register(meeting.id, data, locale="de", invite_key="guessed")
    assert registrations_of(meeting) == []
    assert services.register(meeting.id, data, locale="de", invite_key=meeting.invite_key).created


def test_the_page_with_the_key_is_never_served_to_others_from_the_cache(app, meeting):
    invited, stranger = app.test_client(), app.test_client()

    assert signup_form(invited.get(event_url(meeting, key=meeting.invite_key))) is not None
    assert signup_form(stranger.get(event_url(meeting))) is None
    assert signup_form(invited.get(event_url(meeting, key=meeting.invite_key))) is not None
    assert signup_form(stranger.get(event_url(meeting))) is None


def test_the_key_of_one_event_opens_no_other(client, meeting, make_event):
    other = make_event(title="Treffen der Träger", visibility="invitation")

    assert signup_form(client.get(event_url(other, key=meeting.invite_key))) is None
    assert post_signup(client, other, key=meeting.invite_key).status_code == 403
    assert registrations_of(other) == []


def test_the_calendar_file_works_for_someone_with_the_link(client, meeting):
    response = client.get(url_for("events.event_calendar", slug=meeting.slug))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"SUMMARY:Treffen der Kammern" in response.data


def test_a_closed_invitation_only_event_gives_the_closing_reason_first(client, meeting, set_event):
    set_event(meeting, status="cancelled")

    response = post_signup(client, meeting, key=meeting.invite_key)

    assert response.status_code == 409
    assert "This event has been cancelled." in main_text(response)
    with pytest.raises(RegistrationRefused):
        services.register(meeting.id, form_data(consent=True), locale="de", invite_key=meeting.invite_key)
