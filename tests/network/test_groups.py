"""Working groups as services: the group and its members, and planning a meeting, which creates one
invitation-only event and invites exactly the members, once each, through the campaign machinery."""
from collections import Counter
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.campaigns import services as campaigns
from app.campaigns.models import Campaign
from app.database import utcnow
from app.errors import InvalidInput, NotFound, StateConflict
from app.events.models import Event
from app.extensions import db
from app.network import groups, planning
from app.network.models import WorkingGroup, WorkingGroupMember
from tests.campaigns.conftest import invitation_token, recipients_of, text_body
from tests.conftest import TEST_ACTOR
from tests.pages import page
from tests.rows import copy_audit_entry, fresh_reads, outbox_rows

from .members import count_rows, make_institution, make_person


@pytest.fixture
def group(app):
    return groups.create_group(name="AK Ausbildung", purpose="Ausbildung für Geflüchtete", by=TEST_ACTOR)


def meeting_fields(days=10, **changes) -> dict:
    starts = utcnow().replace(microsecond=0) + timedelta(days=days)
    return {"title": "AK Ausbildung: Treffen", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "timezone": "Europe/Berlin", "venue": "Rathaus", "address": "", "capacity": None} | changes


def plan(group, **changes):
    return planning.plan_meeting(group.id, fields=meeting_fields(**changes),
                                 subject=planning.default_subject(), body=planning.default_body(group),
                                 by=TEST_ACTOR)


# --- the group and its members ---------------------------------------------------------------

def test_a_group_is_created_and_changed_with_its_convenor_and_each_step_is_in_the_trail(group):
    anna = make_person(name="Anna Schmidt")

    groups.update_group(group.id, name="AK Ausbildung und Arbeit", purpose="", convenor_id=anna.id,
                        by=TEST_ACTOR)

    changed = groups.get_group(group.id)
    assert (changed.name, changed.purpose, changed.convenor.name) == \
        ("AK Ausbildung und Arbeit", "", "Anna Schmidt")
    assert changed.slug == "ak-ausbildung"  # the address stays when the name changes
    history = groups.group_history(group.id)
    assert [entry.action for entry in history] == [AuditAction.group_updated, AuditAction.group_created]
    assert history[0].changes["convenor"] == ["", "Anna Schmidt"]
    assert history[0].changes["name"] == ["AK Ausbildung", "AK Ausbildung und Arbeit"]


def test_a_long_history_of_other_groups_does_not_hide_the_first_entry_of_this_one(office, group):
    other = groups.create_group(name="AK Pflege", by=TEST_ACTOR)
    copy_audit_entry(groups.group_history(other.id)[0], 2100)
    groups.renew_feed_token(group.id, by=TEST_ACTOR)

    assert [entry.action for entry in groups.group_history(group.id)] == [AuditAction.group_feed_renewed,
                                                                         AuditAction.group_created]
    shown = office.get(url_for("groups_staff.show", group_id=group.id))
    rows = page(shown).one("section", class_="history").one("tbody").find_all("tr")
    assert [row.find_all("td")[2].text for row in rows] == ["working group's calendar link renewed",
                                                            "working group created"]


def test_two_groups_of_the_same_name_get_their_own_address(group):
    other = groups.create_group(name="AK Ausbildung", by=TEST_ACTOR)

    assert other.slug == "ak-ausbildung-2"
    assert other.feed_token != group.feed_token


def test_a_group_named_in_signs_only_has_an_address_that_says_group(app):
    # Its slug falls back to "group", not to the events' "event".
    assert groups.create_group(name="§ 45 ???", by=TEST_ACTOR).slug == "45"
    assert groups.create_group(name="„…“", by=TEST_ACTOR).slug == "group"
    assert groups.create_group(name="„!“", by=TEST_ACTOR).slug == "group-2"


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "   "}, "name"),
    ({"name": "AK", "convenor_id": 999_999}, "convenor_id"),
])
def test_a_group_without_a_name_or_with_an_unknown_convenor_is_refused(app, fields, field):
    with pytest.raises(InvalidInput) as refused:
        groups.create_group(**fields, by=TEST_ACTOR)

    assert refused.value.field == field
    assert count_rows(WorkingGroup) == 0


def test_a_contact_is_a_member_once_and_can_leave(group):
    anna, ben = make_person(name="Anna"), make_person(name="Ben")
    groups.add_member(group.id, anna.id, by=TEST_ACTOR)
    groups.add_member(group.id, ben.id, by=TEST_ACTOR)

    with pytest.raises(groups.AlreadyMember):
        groups.add_member(group.id, anna.id, by=TEST_ACTOR)
    groups.remove_member(group.id, ben.id, by=TEST_ACTOR)

    assert [c.name for c in groups.members_of(group.id)] == ["Anna"]
    assert count_rows(WorkingGroupMember) == 1
    fresh_reads()
    about_ben = db.session.execute(select(AuditEntry.action).where(AuditEntry.contact_id == ben.id)
                                   .order_by(AuditEntry.id)).scalars().all()
    assert about_ben == [AuditAction.group_member_added, AuditAction.group_member_removed]


def test_the_search_offers_contacts_who_are_not_members_yet(group):
    caritas = make_institution("Caritas Trier")
    anna = make_person(name="Anna Müller")
    make_person(name="Anton Müller", institution_id=caritas.id)
    make_person(name="Berta Schulz", institution_id=caritas.id)
    groups.add_member(group.id, anna.id, by=TEST_ACTOR)

    assert [c.name for c in groups.contacts_to_add(group.id, "müller")] == ["Anton Müller"]
    assert [c.name for c in groups.contacts_to_add(group.id, "caritas")] == ["Anton Müller", "Berta Schulz"]
    assert groups.contacts_to_add(group.id, "") == []


def test_a_new_feed_address_replaces_the_old_one(group):
    old = group.feed_token

    groups.renew_feed_token(group.id, by=TEST_ACTOR)

    assert groups.get_group_by_feed_token(groups.get_group(group.id).feed_token).id == group.id
    with pytest.raises(NotFound):
        groups.get_group_by_feed_token(old)


# --- planning a meeting ----------------------------------------------------------------------

def test_planning_a_meeting_invites_exactly_the_members_once_each(group, smtp, deliver):
    anna = make_person(name="Anna", email="anna@example.org")
    ben = make_person(name="Ben", email="ben@example.org")
    make_person(name="Carla", email="carla@example.org")  # not a member
    for member in (anna, ben):
        groups.add_member(group.id, member.id, by=TEST_ACTOR)
    with pytest.raises(groups.AlreadyMember):
        groups.add_member(group.id, anna.id, by=TEST_ACTOR)  # added twice: still one member

    planned = plan(group)
    deliver()

    assert count_rows(Event) == 1 and count_rows(Campaign) == 1
    event = db.session.get(Event, planned.event.id)
    assert (event.kind, event.visibility, event.status, event.working_group_id) == \
        ("working-group", "invitation", "published", group.id)
    assert sorted(r.contact.email for r in recipients_of(planned.campaign)) == ["anna@example.org",
                                                                                "ben@example.org"]
    received = Counter(address for mail in smtp.received for address in mail.rcpt_tos)
    assert received == Counter({"anna@example.org": 1, "ben@example.org": 1})
    (mail,) = smtp.to("anna@example.org")
    assert "AK Ausbildung" in text_body(mail) and "Anna" in text_body(mail)
    assert invitation_token(mail) == recipients_of(planned.campaign)[0].token
    fresh_reads()
    assert db.session.execute(select(AuditEntry.action).where(AuditEntry.event_id == event.id)
                              .order_by(AuditEntry.id)).scalars().all() == \
        [AuditAction.event_created, AuditAction.group_meeting_planned]


def test_pressing_send_again_on_the_meetings_campaign_mails_nobody_twice(group, smtp, deliver):
    groups.add_member(group.id, make_person(email="anna@example.org").id, by=TEST_ACTOR)
    planned = plan(group)

    again = campaigns.send_campaign(planned.campaign.id)
    deliver()

    assert (planned.sent.queued, again.queued) == (1, 0)
    assert len(smtp.to("anna@example.org")) == 1


def test_a_member_who_unsubscribed_is_not_invited(group, smtp, deliver):
    groups.add_member(group.id, make_person(email="anna@example.org").id, by=TEST_ACTOR)
    ben = make_person(email="ben@example.org", unsubscribed_at=utcnow())
    groups.add_member(group.id, ben.id, by=TEST_ACTOR)
    assert planning.invitees(group.id) == planning.Invitees(members=2, unsubscribed=1, without_consent=1)

    planned = plan(group)
    deliver()

    assert (planned.sent.queued, planned.sent.unsubscribed) == (1, 1)
    assert [a for mail in smtp.received for a in mail.rcpt_tos] == ["anna@example.org"]


@pytest.mark.parametrize(("changes", "error", "field"), [
    ({"days": -1}, InvalidInput, "starts_at"),
    ({"body": "Hallo {nmae}, {link}"}, InvalidInput, "body"),
    ({"subject": "  "}, InvalidInput, "subject"),
])
def test_planning_with_bad_input_creates_nothing(group, changes, error, field):
    groups.add_member(group.id, make_person().id, by=TEST_ACTOR)
    changes = dict(changes)  # the parameter is shared by the run on each database: pop from a copy
    subject = changes.pop("subject", planning.default_subject())
    body = changes.pop("body", planning.default_body(group))

    with pytest.raises(error) as refused:
        planning.plan_meeting(group.id, fields=meeting_fields(**changes), subject=subject, body=body,
                              by=TEST_ACTOR)

    assert refused.value.field == field
    assert (count_rows(Event), count_rows(Campaign), len(outbox_rows())) == (0, 0, 0)


@pytest.mark.parametrize("step", ["_refuse_record", "_add_recipients"])
def test_a_failure_after_the_meeting_was_made_leaves_nothing_behind(group, monkeypatch, step):
    # The event is made first; writing the campaign (_refuse_record) or queueing its mails
    # (_add_recipients) failing afterwards must not leave a published meeting without invitations,
    # which pressing again would make a second time.
    groups.add_member(group.id, make_person(email="anna@example.org").id, by=TEST_ACTOR)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(campaigns, step, fail)
        with pytest.raises(RuntimeError):
            plan(group)

    assert (count_rows(Event), count_rows(Campaign), len(outbox_rows())) == (0, 0, 0)
    fresh_reads()
    assert db.session.execute(select(AuditEntry).where(
        AuditEntry.action.in_([AuditAction.event_created, AuditAction.group_meeting_planned]))).first() is None
    planned = plan(group)  # pressed again: one meeting, its invitation once
    assert (count_rows(Event), count_rows(Campaign), planned.sent.queued) == (1, 1, 1)


def test_a_group_without_members_has_no_meeting_to_plan(group):
    with pytest.raises(StateConflict):
        plan(group)

    assert (count_rows(Event), count_rows(Campaign)) == (0, 0)


def test_members_see_the_published_upcoming_meetings_of_their_group_only(group, make_event):
    anna = make_person()
    groups.add_member(group.id, anna.id, by=TEST_ACTOR)
    later, sooner = plan(group, days=20).event, plan(group, days=5).event
    make_event(title="Entwurf", working_group_id=group.id, publish=False)
    other = groups.create_group(name="AK Wohnen", by=TEST_ACTOR)
    make_event(title="Wohnen", working_group_id=other.id)

    assert [e.id for e in groups.next_meetings(group.id)] == [sooner.id, later.id]
    assert groups.group_of_member(sooner, anna.id).id == group.id
    assert groups.group_of_member(sooner, make_person().id) is None
