"""Who sees a new summary, unless staff choose: the public for a public event; the network only for
an invitation-only or record-only one (a working group's meeting, a coordination meeting), whose
summary must not land in the public review of past events (/results/) by default."""
import pytest
from flask import url_for

from app.network import results
from tests.conftest import days_from_now
from tests.pages import ENGLISH, form_values, page


@pytest.fixture
def request_headers():
    return ENGLISH


@pytest.fixture
def guest(app):
    """A visitor who is not logged in (the staff fixtures log the default client in)."""
    return app.test_client()


def texts_form(client, event):
    response = client.get(url_for("results_staff.edit", event_id=event.id))
    assert response.status_code == 200
    return page(response).one("form", action=url_for("results_staff.update", event_id=event.id))


def reviewed(response) -> list[str]:
    return [card.one("h2").text for card in page(response).find_all("li", class_="event-card")]


@pytest.mark.parametrize("visibility, publish, proposed", [
    ("public", True, "public"),
    ("invitation", True, "network"),
    ("record", False, "network"),
])
def test_a_new_summary_is_proposed_for_those_the_event_was_for(office, make_event, visibility, publish,
                                                                 proposed):
    event = make_event(title="Treffen", starts_at=days_from_now(-2), visibility=visibility, publish=publish)

    values = form_values(texts_form(office, event))

    assert (values["summary_visibility"], values["minutes_visibility"]) == (proposed, "network")


@pytest.mark.parametrize("visibility, publish", [("invitation", True), ("record", False)])
def test_a_meetings_summary_saved_as_proposed_stays_off_the_review(office, guest, make_event, visibility,
                                                                    publish):
    meeting = make_event(title="Koordinierungstreffen", starts_at=days_from_now(-2), visibility=visibility,
                         publish=publish)
    forum = make_event(title="Forum Ausbildung", starts_at=days_from_now(-3))
    for event in (meeting, forum):
        data = form_values(texts_form(office, event)) | {"summary": "We agreed on the next steps."}
        assert office.post(url_for("results_staff.update", event_id=event.id), data=data).status_code == 302

    assert results.get_result(meeting.id).summary == "We agreed on the next steps."
    assert reviewed(guest.get(url_for("results.review"))) == ["Forum Ausbildung"]
    assert form_values(texts_form(office, meeting))["summary_visibility"] == "network"


def test_staff_may_still_make_a_meetings_summary_public(office, guest, make_event):
    meeting = make_event(title="Koordinierungstreffen", starts_at=days_from_now(-2), visibility="invitation")
    data = form_values(texts_form(office, meeting)) | {"summary": "Open to all.", "summary_visibility": "public"}

    office.post(url_for("results_staff.update", event_id=meeting.id), data=data)

    assert reviewed(guest.get(url_for("results.review"))) == ["Koordinierungstreffen"]
