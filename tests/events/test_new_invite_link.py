"""A secret sign-up link that went where it should not can be taken back: staff make a new one on
the event's page; the old one no longer opens the sign-up, the new one does, and the history says
who did it (without the key)."""
import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.extensions import db
from tests.pages import ENGLISH, form_values, page
from tests.registrations.conftest import form_data
from tests.rows import fresh_reads, registrations_of, reload


@pytest.fixture
def guest(app):
    """Another browser: an anonymous visitor, whatever the staff client is logged in as."""
    return app.test_client()


@pytest.fixture
def meeting(make_event):
    return make_event(title="Arbeitskreis Integration", capacity=20, visibility="invitation")


def sign_up_with(client, event, key, email):
    return client.post(url_for("registrations.register", slug=event.slug), headers=ENGLISH,
                       data=form_data(email=email) | {"key": key})


def renewals(event) -> list[AuditEntry]:
    fresh_reads()
    return list(db.session.execute(select(AuditEntry).where(
        AuditEntry.event_id == event.id, AuditEntry.action == AuditAction.event_invite_key_renewed)).scalars())


def new_link_button(response, event):
    return page(response).one("form", action=url_for("events_staff.new_invite_link", event_id=event.id))


def test_staff_make_a_new_link_and_the_old_one_no_longer_works(office, guest, meeting):
    old_key = meeting.invite_key
    edit_page = office.get(url_for("events_staff.edit", event_id=meeting.id), headers=ENGLISH)
    button = new_link_button(edit_page, meeting)
    assert button.one("button").text == "New secret link"

    response = office.post(button.get("action"), data=form_values(button), headers=ENGLISH)

    assert response.status_code == 302
    shown = office.get(response.location, headers=ENGLISH)
    assert "The old link no longer works." in page(shown).one("p", class_="flash").text
    new_key = reload(meeting).invite_key
    assert new_key != old_key and len(new_key) >= 32
    assert page(shown).one("input", id="invitation-link").get("value") == (
        f"http://podium.test/events/{meeting.slug}/?key={new_key}")

    refused = sign_up_with(guest, meeting, old_key, "leaked@example.org")
    assert refused.status_code == 403
    assert registrations_of(meeting) == []
    assert sign_up_with(guest, meeting, new_key, "invited@example.org").status_code == 302
    assert [r.email for r in registrations_of(meeting)] == ["invited@example.org"]

    [entry] = renewals(meeting)
    assert entry.actor == "staff@podium.test"
    assert old_key not in str(entry.changes) and new_key not in str(entry.changes)
    history = page(office.get(url_for("events_staff.edit", event_id=meeting.id), headers=ENGLISH)).one(
        "section", class_="history").text
    assert "secret sign-up link renewed" in history


@pytest.mark.parametrize("visibility", ["public", "record"])
def test_an_event_without_a_secret_link_offers_none_and_keeps_its_key(office, make_event, visibility):
    event = make_event(visibility=visibility, publish=visibility == "public")
    key = event.invite_key

    assert page(office.get(url_for("events_staff.edit", event_id=event.id))).find(
        "form", action=url_for("events_staff.new_invite_link", event_id=event.id)) is None
    response = office.post(url_for("events_staff.new_invite_link", event_id=event.id), headers=ENGLISH)

    assert response.status_code == 409
    assert "only an invitation-only event has a secret link" in page(response).text.lower()
    assert reload(event).invite_key == key
    assert renewals(event) == []


def test_the_door_role_cannot_make_a_new_link(login, meeting):
    key = meeting.invite_key

    response = login("door").post(url_for("events_staff.new_invite_link", event_id=meeting.id))

    assert response.status_code == 403
    assert reload(meeting).invite_key == key
