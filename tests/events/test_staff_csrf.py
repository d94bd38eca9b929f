"""The event pages with CSRF protection on, as in production: every form and button carries
the token, and a post without it changes nothing."""
import pytest
from flask import url_for

from app.auth.services import create_user
from tests.conftest import STAFF_PASSWORD
from tests.events.staff_forms import event_form, events_titled, shown_form
from tests.pages import form_values, page
from tests.rows import reload


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def office(client):
    """A staff member logged in through the real login form (which needs its token too)."""
    create_user("office@podium.test", role="staff", password=STAFF_PASSWORD)
    login_form = page(client.get(url_for("auth.login"))).one("form", method="post")
    data = {**form_values(login_form), "email": "office@podium.test", "password": STAFF_PASSWORD}
    assert client.post(url_for("auth.login"), data=data).status_code == 302
    return client


def posted_form(response, action: str):
    return page(response).one("form", method="post", action=action)


def test_the_new_event_form_carries_its_token(office):
    form = posted_form(office.get(url_for("events_staff.new")), url_for("events_staff.create"))

    token = form_values(form)["csrf_token"]

    assert office.post(url_for("events_staff.create"), data=event_form(csrf_token=token)).status_code == 302
    assert len(events_titled("Forum Ausbildung und Arbeit")) == 1


def test_a_post_without_the_token_changes_nothing(office, make_event):
    event = make_event(publish=False)

    assert office.post(url_for("events_staff.create"), data=event_form()).status_code == 400
    assert office.post(url_for("events_staff.publish", event_id=event.id)).status_code == 400
    assert events_titled("Forum Ausbildung und Arbeit") == []
    assert reload(event).status == "draft"


def test_the_buttons_and_the_cancel_form_carry_their_tokens(office, make_event):
    event = make_event(publish=False)
    edit_page = office.get(url_for("events_staff.edit", event_id=event.id))
    publish = form_values(posted_form(edit_page, url_for("events_staff.publish", event_id=event.id)))

    assert office.post(url_for("events_staff.publish", event_id=event.id), data=publish).status_code == 302

    cancel_page = office.get(url_for("events_staff.cancel_form", event_id=event.id))
    cancel = form_values(posted_form(cancel_page, url_for("events_staff.cancel", event_id=event.id)))
    response = office.post(url_for("events_staff.cancel", event_id=event.id), data={**cancel, "confirm": "y"})

    assert response.status_code == 302
    assert reload(event).is_cancelled


def test_the_question_before_mailing_the_guests_carries_its_token(office, make_event, sign_up):
    event = make_event(title="Forum Arbeit", venue="IHK Trier")
    sign_up(event)
    edit_page = office.get(url_for("events_staff.edit", event_id=event.id))
    form = form_values(posted_form(edit_page, url_for("events_staff.update", event_id=event.id)))
    form |= {key: value for key, value in shown_form(edit_page).items() if key in ("kind", "timezone")}

    question = office.post(url_for("events_staff.update", event_id=event.id), data={**form, "venue": "HWK Trier"})
    assert question.status_code == 200 and reload(event).venue == "IHK Trier"
    answer = form_values(page(question).one("form", id="change-choice"))
    saved = office.post(url_for("events_staff.update", event_id=event.id), data={**answer, "tell_guests": "no"})

    assert saved.status_code == 302 and reload(event).venue == "HWK Trier"
    without_token = {k: v for k, v in answer.items() if k != "csrf_token"}
    assert office.post(url_for("events_staff.update", event_id=event.id),
                       data={**without_token, "venue": "Rathaus"}).status_code == 400
