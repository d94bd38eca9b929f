"""The working groups' pages: staff keep a group and its members and plan a meeting in one step;
members find the group's next meetings on their invitation page and subscribe to its feed."""
from datetime import timedelta

import pytest
from flask import url_for
from icalendar import Calendar
from sqlalchemy import select

from app.campaigns import services as campaigns
from app.campaigns.models import Campaign
from app.database import utcnow
from app.events.models import Event
from app.extensions import db
from app.network import groups
from app.network.group_views import feed_url
from app.network.models import WorkingGroup
from tests.campaigns.conftest import INVITATION_LINK, invitation_token, text_body
from tests.conftest import TEST_ACTOR
from tests.pages import field_error, form_values, main_text, page
from tests.rows import outbox_rows

from .members import count_rows, make_person


@pytest.fixture
def group(app):
    """AK Ausbildung with two members, Anna and Ben; Carla is a contact, not a member."""
    group = groups.create_group(name="AK Ausbildung", purpose="Ausbildung für Geflüchtete", by=TEST_ACTOR)
    for name in ("Anna", "Ben"):
        groups.add_member(group.id, make_person(name=name, email=f"{name.lower()}@example.org").id,
                          by=TEST_ACTOR)
    make_person(name="Carla", email="carla@example.org")
    return group


def day_in(days: int) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%d")


def plan_form(office, group) -> dict:
    response = office.get(url_for("groups_staff.plan_form", group_id=group.id))
    assert response.status_code == 200
    return form_values(page(response).one("form", id="plan-form"))


def plan(office, group, days=10, **typed):
    data = plan_form(office, group) | {"day": day_in(days), "starts": "16:00", "ends": "18:00",
                                       "timezone": "Europe/Berlin", "venue": "Rathaus Trier"} | typed
    return office.post(url_for("groups_staff.plan", group_id=group.id), data=data)


# --- who may open them ---------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login_and_door_users_refused(client, login, group):
    assert client.get(url_for("groups_staff.index")).status_code == 302
    door = login("door")

    assert door.get(url_for("groups_staff.show", group_id=group.id)).status_code == 403
    assert door.post(url_for("groups_staff.plan", group_id=group.id)).status_code == 403
    assert count_rows(Event) == 0


# --- the group and its members ---------------------------------------------------------------

def test_staff_create_a_group_with_a_convenor_and_find_it_in_the_list(office):
    anna = make_person(name="Anna Schmidt")
    new = page(office.get(url_for("groups_staff.new")))
    assert "Anna Schmidt" in new.one("select", id="convenor_id").text

    response = office.post(url_for("groups_staff.create"),
                           data={"name": "AK Wohnen", "purpose": "Wohnraum", "convenor_id": str(anna.id)})

    group = db.session.execute(select(WorkingGroup)).scalar_one()
    assert response.location.endswith(url_for("groups_staff.show", group_id=group.id))
    row = page(office.get(url_for("groups_staff.index"))).one("tr", id=f"group-{group.id}")
    assert "AK Wohnen" in row.text and "Anna Schmidt" in row.text and "none planned" in row.text


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"name": ""}, "name", "Please give the group a name."),
    ({"name": "AK", "convenor_id": "999999"}, "convenor_id", "Not a valid choice"),
])
def test_a_bad_group_form_is_answered_next_to_the_field_and_nothing_is_saved(office, typed, field, message):
    response = office.post(url_for("groups_staff.create"), data={"purpose": "Wohnraum"} | typed)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert page(response).one("textarea", id="purpose").text == "Wohnraum"
    assert count_rows(WorkingGroup) == 0


def test_staff_find_a_contact_add_them_and_remove_them_again(office, group):
    dora = make_person(name="Dora Müller", email="dora@example.org")
    show = url_for("groups_staff.show", group_id=group.id)

    found = page(office.get(show, query_string={"q": "müller"})).one("ul", id="found")
    assert "Dora Müller" in found.text
    office.post(url_for("groups_staff.add_member", group_id=group.id), data={"contact_id": dora.id})
    members = page(office.get(show)).one("table", id="member-list")
    assert [row.get("id") for row in members.find_all("tr") if row.get("id")] == \
        [f"member-{c.id}" for c in groups.members_of(group.id)]
    assert "Dora Müller" in members.text and "3 members" in main_text(office.get(show))
    removed = office.post(url_for("groups_staff.remove_member", group_id=group.id, contact_id=dora.id),
                          follow_redirects=True)

    # The group's calendar address is shared: staff are told to renew it.
    assert "make a new calendar address" in main_text(removed)
    shown = office.get(show)
    assert "Dora Müller" not in page(shown).one("table", id="member-list").text
    history = page(shown).one("section", class_="history").text
    assert "Dora Müller: left a working group" in history and "Dora Müller: joined a working group" in history


def test_adding_a_member_twice_says_so_and_keeps_one(office, group):
    anna = groups.members_of(group.id)[0]

    response = office.post(url_for("groups_staff.add_member", group_id=group.id),
                           data={"contact_id": anna.id}, follow_redirects=True)

    assert "already is a member" in main_text(response)
    assert len(groups.members_of(group.id)) == 2


def test_the_group_page_shows_the_feed_address_and_a_new_one_replaces_it(office, client, group):
    old = feed_url(group)
    show = url_for("groups_staff.show", group_id=group.id)
    assert page(office.get(show)).one("input", id="feed-url").get("value") == old

    office.post(url_for("groups_staff.renew_feed", group_id=group.id))

    new = page(office.get(show)).one("input", id="feed-url").get("value")
    assert new != old and new.startswith("http://podium.test/groups/")
    assert client.get(old.removeprefix("http://podium.test")).status_code == 404
    assert client.get(new.removeprefix("http://podium.test")).status_code == 200


# --- planning a meeting ----------------------------------------------------------------------

def test_the_plan_form_is_prefilled_and_says_who_is_invited(office, group):
    groups.add_member(group.id, make_person(name="Emil", unsubscribed_at=utcnow()).id, by=TEST_ACTOR)

    response = office.get(url_for("groups_staff.plan_form", group_id=group.id))

    values = form_values(page(response).one("form", id="plan-form"))
    assert values["title"] == "AK Ausbildung: meeting"
    assert all(placeholder in values["body"] for placeholder in ("{name}", "{date}", "{link}"))
    aside = page(response).one("aside", id="who-is-invited").text
    assert "2 members get a personal invitation" in aside
    assert "1 member has unsubscribed from invitations and is not mailed" in aside
    assert "no recorded consent and are invited all the same" in aside


def test_planning_creates_the_meeting_and_the_members_receive_their_invitations(office, group, mailbox):
    response = plan(office, group)

    campaign = db.session.execute(select(Campaign)).scalar_one()
    assert response.location.endswith(url_for("campaigns_staff.show", campaign_id=campaign.id))
    assert "The meeting is planned. 2 invitations are on their way." in main_text(
        office.get(response.location))
    (mail,) = mailbox("anna@example.org")
    assert len(mailbox("ben@example.org")) == 1 and mailbox("carla@example.org") == []
    assert "AK Ausbildung" in text_body(mail) and INVITATION_LINK.search(text_body(mail))
    event = db.session.get(Event, campaign.event_id)
    assert (event.visibility, event.kind, event.venue) == ("invitation", "working-group", "Rathaus Trier")
    assert event.local_starts_at.strftime("%H:%M") == "16:00" and event.timezone == "Europe/Berlin"
    group_page = office.get(url_for("groups_staff.show", group_id=group.id))
    upcoming = page(group_page).one("table", id="upcoming-meetings")
    assert "AK Ausbildung: meeting" in upcoming.text


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"ends": "15:00"}, "ends", "The meeting must end after it starts."),
    ({"day": ""}, "day", "On which day is the meeting?"),
    ({"day": "31.02.2027"}, "day", "Enter a date"),
    ({"starts": "25:00"}, "starts", "Enter a time"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone"),
    ({"body": "Hallo {nmae}: {link}"}, "body", "Unknown placeholder: {nmae}"),
    ({"title": ""}, "title", "Please give the meeting a title."),
    ({"capacity": "viele"}, "capacity", "Enter a whole number"),
])
def test_bad_input_to_the_plan_is_answered_next_to_the_field_and_nothing_is_created(
        office, group, smtp, typed, field, message):
    response = plan(office, group, **typed)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert form_values(page(response).one("form", id="plan-form"))["venue"] == "Rathaus Trier"
    assert (count_rows(Event), count_rows(Campaign), outbox_rows()) == (0, 0, [])


def test_a_refusal_while_inviting_shows_the_form_again_with_nothing_made(office, group, monkeypatch, mailbox):
    # Checked last, in the transaction that already made the meeting: the meeting goes with it, so
    # staff can press again and get one meeting, not two.
    def refuse(campaign, now):
        raise campaigns.CampaignNotSendable("Sending is paused.")

    with monkeypatch.context() as patch:
        patch.setattr(campaigns, "_refuse_unsendable", refuse)
        response = plan(office, group)

    assert response.status_code == 409
    assert "Sending is paused." in main_text(response)
    assert (count_rows(Event), count_rows(Campaign), outbox_rows()) == (0, 0, [])
    assert plan(office, group).status_code == 302
    assert (count_rows(Event), count_rows(Campaign)) == (1, 1)
    assert len(mailbox("anna@example.org")) == 1


def test_a_meeting_in_the_past_is_refused(office, group):
    response = plan(office, group, days=-2)

    assert response.status_code == 422
    assert "lies in the future" in field_error(response, "day")
    assert count_rows(Event) == 0


# --- what members see ------------------------------------------------------------------------

def test_a_members_invitation_page_lists_the_groups_next_meetings(office, client, group, mailbox):
    plan(office, group, days=10, title="Erstes Treffen")
    plan(office, group, days=40, title="Zweites Treffen")
    first = next(m for m in mailbox("anna@example.org") if "Erstes Treffen" in text_body(m))

    response = client.get(url_for("campaigns.invitation", token=invitation_token(first)), headers={
        "Accept-Language": "en"})

    section = page(response).one("section", id="group-meetings")
    items = section.find_all("li")
    assert len(items) == 2
    assert "Erstes Treffen" in items[0].text and "this invitation" in items[0].text
    assert "Zweites Treffen" in items[1].text and "16:00" in items[1].text
    assert section.one("a", id="group-feed").get("href") == feed_url(group)


def test_someone_invited_who_is_not_a_member_sees_no_group_meetings(office, client, group, smtp, deliver):
    plan(office, group)
    event = db.session.execute(select(Event)).scalar_one()
    guest = campaigns.create_campaign(event_id=event.id, subject="Gast: {event}", body="Hallo {name}: {link}",
                                      audience={"emails": ["carla@example.org"]})
    campaigns.send_campaign(guest.id)
    deliver()
    (mail,) = smtp.to("carla@example.org")

    response = client.get(url_for("campaigns.invitation", token=invitation_token(mail)))

    assert response.status_code == 200
    assert page(response).find("section", id="group-meetings") is None


# --- the members' calendar feed --------------------------------------------------------------

def test_the_feed_holds_the_groups_meetings_only_and_needs_no_cookie(client, group, make_event):
    other = groups.create_group(name="AK Wohnen", by=TEST_ACTOR)
    mine = {"visibility": "invitation", "kind": "working-group", "working_group_id": group.id}
    make_event(title="Nächstes Treffen", **mine)
    make_event(title="Letztes Treffen", starts_at=utcnow() - timedelta(days=30), **mine)
    make_event(title="Vor langer Zeit", starts_at=utcnow() - timedelta(days=400), **mine)
    make_event(title="Entwurf", publish=False, **mine)
    make_event(title="Nachträglich erfasst", starts_at=utcnow() - timedelta(days=3),
               **(mine | {"visibility": "record"}))
    make_event(title="Wohnen", visibility="invitation", working_group_id=other.id)
    make_event(title="Öffentliches Forum")

    response = client.get(url_for("groups.feed", token=group.feed_token))

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "AK Ausbildung"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Letztes Treffen", "Nächstes Treffen"]


def test_an_unknown_feed_address_is_not_found(client, group):
    assert client.get(url_for("groups.feed", token="nichts-dergleichen")).status_code == 404
    assert client.get(url_for("groups.feed", token=group.feed_token + "x")).status_code == 404
