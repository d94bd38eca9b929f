"""Sending a survey: its audience from the contacts, one invitation with a personal link and one
mail each (never twice), reminders to those who have not completed it, closing by hand and when
its closing date has passed."""
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditEntry
from app.contacts.models import Contact
from app.database import utcnow, write_transaction
from app.errors import InvalidInput
from app.extensions import db
from app.network import groups
from app.surveys import responding, sending
from app.surveys.audience import make_survey_audience, resolve_survey_audience
from app.surveys.models import InvitationStatus, SurveyInvitation, SurveyResponse, SurveyStatus
from app.surveys.progress import counts_of
from tests.conftest import TEST_ACTOR, days_from_now
from tests.pages import ENGLISH, main_text, page
from tests.rows import fresh_reads, outbox_rows, reload
from tests.together import failures, run_together

from .conftest import survey_questions


@pytest.fixture
def request_headers():
    """The services' messages are checked in English."""
    return ENGLISH



def contact(email: str) -> Contact:
    fresh_reads()
    return db.session.execute(select(Contact).where(Contact.email == email)).scalar_one()


def invitations_of(survey) -> list[SurveyInvitation]:
    fresh_reads()
    query = (select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
             .order_by(SurveyInvitation.id))
    return list(db.session.execute(query).scalars())


def to_everyone(survey):
    sending.save_audience(survey.id, {"all": True, "tags": [], "kinds": [], "group_id": None}, by=TEST_ACTOR)
    return reload(survey)


def complete(invitation: SurveyInvitation, survey, *, send: bool = True):
    """Answer the required questions through the link, and send (or only save part-way)."""
    questions = survey_questions(survey)
    single, scale = questions["single"], questions["scale"]
    responding.save_section(invitation.token, single.section_id,
                            {single.id: single.options[0]["id"], scale.id: 4}, {}, send=send)


# --- the audience ---------------------------------------------------------------------------

def test_the_audience_mixes_tags_kinds_and_a_working_group_and_leaves_out_the_unsubscribed(
        app, make_contacts):
    (tagged,) = make_contacts(1, tags=["Ausbildung"])
    (charity,) = make_contacts(1, institution="Caritas Trier", kind="charity")
    (member,) = make_contacts(1)
    (gone,) = make_contacts(1, tags=["Ausbildung"], unsubscribed_at=utcnow())
    (nobody,) = make_contacts(1, tags=["Sport"])
    group = groups.create_group(name="AK Sprache", by=TEST_ACTOR)
    groups.add_member(group.id, contact(member).id, by=TEST_ACTOR)
    groups.add_member(group.id, contact(tagged).id, by=TEST_ACTOR)

    audience = make_survey_audience(tags="ausbildung", kinds=["charity"], group_id=group.id)
    reached = resolve_survey_audience(audience)

    assert sorted(c.email for c in reached.contacts) == sorted([tagged, charity, member])
    assert reached.unsubscribed == 1
    assert nobody not in {c.email for c in reached.contacts}
    assert [c.email for c in resolve_survey_audience({"group_id": group.id}).contacts] == [tagged, member]


def test_an_audience_that_names_nobody_or_an_unknown_group_is_refused(app):
    with pytest.raises(InvalidInput) as nobody:
        make_survey_audience()
    assert nobody.value.field == "everyone"
    with pytest.raises(InvalidInput) as unknown:
        make_survey_audience(group_id=999_999)
    assert (unknown.value.field, str(unknown.value)) == ("group_id", "There is no such working group.")


# --- sending --------------------------------------------------------------------------------

def test_sending_opens_the_survey_and_asks_each_contact_once_whatever_is_pressed_again(
        app, make_contacts, make_survey):
    first = make_contacts(3)
    (unsubscribed,) = make_contacts(1, unsubscribed_at=utcnow())
    survey = to_everyone(make_survey())
    plan = sending.plan_sending(survey)
    assert (plan.new, plan.already, plan.unsubscribed, plan.without_consent) == (3, 0, 1, 3)

    result = sending.send_survey(survey.id, by=TEST_ACTOR)
    again = sending.send_survey(survey.id, by=TEST_ACTOR)
    later = make_contacts(2)
    newcomers = sending.send_survey(survey.id, by=TEST_ACTOR)

    assert (result.queued, result.unsubscribed) == (3, 1)
    assert (again.queued, again.already) == (0, 3)
    assert (newcomers.queued, newcomers.already) == (2, 3)
    survey = reload(survey)
    assert survey.status == SurveyStatus.open and survey.opened_at is not None
    invitations = invitations_of(survey)
    assert sorted(contact_email(i) for i in invitations) == sorted(first + later)
    assert len({i.token for i in invitations}) == 5
    assert all(len(i.token) >= 32 and i.mailed_at for i in invitations)
    mails = outbox_rows(kind=sending.INVITATION)
    assert sorted(m.recipient for m in mails) == sorted(first + later)
    assert unsubscribed not in {m.recipient for m in mails}
    assert {m.params["invitation_id"] for m in mails} == {i.id for i in invitations}
    entries = db.session.execute(select(AuditEntry).where(AuditEntry.survey_id == survey.id)
                                 .order_by(AuditEntry.id)).scalars().all()
    sends = [e.changes for e in entries if "mailed" in e.changes]
    assert [changes["mailed"] for changes in sends] == [3, 2]  # the press that mailed nobody changed nothing
    assert sends[0]["status"] == ["draft", "open"] and "status" not in sends[1]


def contact_email(invitation: SurveyInvitation) -> str:
    return db.session.get(Contact, invitation.contact_id).email


def test_presses_at_the_same_moment_ask_each_contact_once(app, make_contacts, make_survey):
    """Two staff members (or a double click) press send together: the survey's row lock makes them
    follow each other, and the second finds everyone asked already."""
    make_contacts(20)
    survey = to_everyone(make_survey())

    outcomes = run_together(app, [lambda: sending.send_survey(survey.id, by=TEST_ACTOR)] * 4)

    assert failures(outcomes) == []
    assert sorted(o.queued for o in outcomes) == [0, 0, 0, 20]
    invitations = invitations_of(survey)
    assert len(invitations) == len({i.contact_id for i in invitations}) == 20
    assert len(outbox_rows(kind=sending.INVITATION)) == 20


@pytest.mark.parametrize("change, message", [
    ("feedback", "A feedback form goes to the guests who came to its event, not to the contacts."),
    ("closed", "This survey is closed already."),
    ("past", "The survey's closing date has passed: set a later one before sending."),
    ("no questions", "The survey has no questions yet: add at least one before sending."),
    ("no audience", "Choose whom to ask first."),
])
def test_a_survey_that_cannot_go_out_is_refused_and_nothing_is_written(
        app, make_contacts, make_survey, make_event, change, message):
    make_contacts(2)
    survey = make_survey(questions=change != "no questions")
    if change != "no audience":
        survey = to_everyone(survey)
    with write_transaction():
        survey = db.session.merge(survey)
        if change == "feedback":
            survey.kind, survey.event_id = "feedback", make_event().id
        elif change == "closed":
            survey.status = SurveyStatus.closed
        elif change == "past":
            survey.closes_at = utcnow() - timedelta(minutes=1)

    with pytest.raises(sending.NotSendable) as refused:
        sending.send_survey(survey.id, by=TEST_ACTOR)

    assert str(refused.value) == message
    assert invitations_of(survey) == [] and outbox_rows() == []
    assert reload(survey).status != SurveyStatus.open


# --- reminders ------------------------------------------------------------------------------

def test_reminders_go_to_those_who_have_not_completed_at_most_once_a_day(app, make_contacts, make_survey):
    done, halfway, silent, leaving = make_contacts(4)
    survey = to_everyone(make_survey())
    sending.send_survey(survey.id, by=TEST_ACTOR)
    by_email = {contact_email(i): i for i in invitations_of(survey)}
    complete(by_email[done], survey)
    complete(by_email[halfway], survey, send=False)
    with write_transaction():
        db.session.get(Contact, contact(leaving).id).unsubscribed_at = utcnow()

    assert sending.reminder_count(reload(survey)) == 2
    count = sending.remind_survey(survey.id, by=TEST_ACTOR)
    with pytest.raises(sending.RemindedRecently):
        sending.remind_survey(survey.id, by=TEST_ACTOR, now=utcnow() + timedelta(hours=23))
    next_day = sending.remind_survey(survey.id, by=TEST_ACTOR, now=utcnow() + timedelta(days=1, minutes=1))

    assert (count, next_day) == (2, 2)
    reminders = outbox_rows(kind=sending.REMINDER)
    assert sorted(m.recipient for m in reminders) == sorted([halfway, silent] * 2)
    states = {contact_email(i): (i.status, i.reminders) for i in invitations_of(survey)}
    assert states == {done: (InvitationStatus.completed, 0), halfway: (InvitationStatus.started, 2),
                      silent: (InvitationStatus.invited, 2), leaving: (InvitationStatus.invited, 0)}


def test_a_draft_or_closed_survey_is_not_reminded_of(app, make_contacts, make_survey):
    make_contacts(1)
    survey = to_everyone(make_survey())
    with pytest.raises(sending.NotSendable):
        sending.remind_survey(survey.id, by=TEST_ACTOR)
    sending.send_survey(survey.id, by=TEST_ACTOR)
    sending.close_survey(survey.id, by=TEST_ACTOR)
    with pytest.raises(sending.NotSendable):
        sending.remind_survey(survey.id, by=TEST_ACTOR)
    assert outbox_rows(kind=sending.REMINDER) == []


# --- closing --------------------------------------------------------------------------------

def test_closing_an_anonymous_survey_cuts_the_link_between_answers_and_links(app, make_contacts, make_survey):
    make_contacts(2)
    anonymous = to_everyone(make_survey(anonymous=True))
    named = to_everyone(make_survey())
    for survey in (anonymous, named):
        sending.send_survey(survey.id, by=TEST_ACTOR)
        for invitation in invitations_of(survey):
            complete(invitation, survey)

    sending.close_survey(anonymous.id, by=TEST_ACTOR)
    sending.close_survey(named.id, by=TEST_ACTOR)

    fresh_reads()
    responses = db.session.execute(select(SurveyResponse)).scalars().all()
    anonymous_rows = [r for r in responses if r.survey_id == anonymous.id]
    named_rows = [r for r in responses if r.survey_id == named.id]
    assert len(anonymous_rows) == 2
    assert all(r.link_hash is None and r.invitation_id is None for r in anonymous_rows)
    assert all(r.invitation_id is not None for r in named_rows)
    assert reload(anonymous).status == SurveyStatus.closed and reload(anonymous).closed_at is not None
    with pytest.raises(sending.SurveyClosed):
        sending.close_survey(anonymous.id, by=TEST_ACTOR)


def test_close_due_closes_the_open_surveys_whose_closing_date_has_passed(app, make_contacts, make_survey):
    make_contacts(1)
    due = to_everyone(make_survey(anonymous=True, closes_at=days_from_now(2)))
    later = to_everyone(make_survey(closes_at=days_from_now(5)))
    forever = to_everyone(make_survey())
    for survey in (due, later, forever):
        sending.send_survey(survey.id, by=TEST_ACTOR)
    complete(invitations_of(due)[0], due, send=False)

    assert sending.close_due(now=days_from_now(1)) == 0
    assert sending.close_due(now=days_from_now(3)) == 1
    assert sending.close_due(now=days_from_now(3)) == 0

    assert [reload(s).status for s in (due, later, forever)] == [SurveyStatus.closed, SurveyStatus.open,
                                                                 SurveyStatus.open]
    fresh_reads()
    assert db.session.execute(select(SurveyResponse.link_hash)).scalars().all() == [None]


# --- the staff pages ------------------------------------------------------------------------

def test_staff_choose_the_audience_see_the_count_and_the_preview_then_send_and_watch(
        office, make_contacts, make_survey, smtp):
    make_contacts(3, tags=["Netzwerk"])
    make_contacts(2)
    survey = make_survey(title="Akteursbefragung 2026")
    send_url = url_for("survey_sending_staff.send", survey_id=survey.id)

    empty = office.get(send_url)
    assert empty.status_code == 200
    assert "Choose whom to ask first." in main_text(empty)
    saved = office.post(url_for("survey_sending_staff.audience", survey_id=survey.id),
                        data={"tags": "Netzwerk", "group_id": ""})
    assert saved.status_code == 302
    shown = office.get(send_url)
    text = main_text(shown)
    assert "3 contacts will be asked." in text
    assert "3 of them have no recorded consent." in text
    preview = page(shown).one(class_="preview-text").text
    # In the contact's language (German), with a stand-in for the link that sending makes.
    assert "Akteursbefragung 2026" in preview and "http://podium.test/u/" in preview
    assert "/s/" not in preview
    assert page(shown).one(class_="preview-subject").text == "Bitte machen Sie mit: Akteursbefragung 2026"
    html = office.get(url_for("survey_sending_staff.preview_html", survey_id=survey.id))
    assert "<h1" in html.text and "Akteursbefragung 2026" in html.text
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'")

    sent = office.post(send_url)
    assert sent.status_code == 302
    after = office.get(send_url)
    assert "The survey is open: 3 invitations are on their way." in main_text(after)
    counts = page(after).one(id="survey-counts")
    assert [dd.text for dd in counts.find_all("dd")] == ["3", "0", "0"]
    assert office.get(url_for("survey_sending_staff.counts", survey_id=survey.id)).json == {
        "invited": 3, "started": 0, "completed": 0, "status": "open"}
    assert office.post(send_url).status_code == 302
    assert len(invitations_of(survey)) == 3
    assert counts_of([survey.id])[survey.id].invited == 3


def test_an_audience_that_names_nobody_is_shown_again_with_the_message(office, make_survey):
    survey = make_survey()
    response = office.post(url_for("survey_sending_staff.audience", survey_id=survey.id),
                           data={"tags": " ", "group_id": ""})
    assert response.status_code == 422
    assert "Please choose whom to ask" in main_text(response)


def test_staff_remind_once_a_day_and_close_from_the_page(office, make_contacts, make_survey, smtp):
    make_contacts(2)
    survey = to_everyone(make_survey(anonymous=True))
    sending.send_survey(survey.id, by=TEST_ACTOR)
    send_url = url_for("survey_sending_staff.send", survey_id=survey.id)
    assert "A reminder would go to 2 people" in main_text(office.get(send_url))

    office.post(url_for("survey_sending_staff.remind", survey_id=survey.id))
    after = office.get(send_url)
    assert "2 reminders are on their way." in main_text(after)
    assert page(after).find(id="remind-wait") is not None
    office.post(url_for("survey_sending_staff.remind", survey_id=survey.id))
    assert len(outbox_rows(kind=sending.REMINDER)) == 2

    assert "closing also deletes the last link between an answer" in main_text(after)
    closed = office.post(url_for("survey_sending_staff.close", survey_id=survey.id), follow_redirects=True)
    assert "The survey is closed" in main_text(closed)
    assert reload(survey).status == SurveyStatus.closed


def test_only_staff_open_the_sending_pages(client, login, make_survey):
    survey = make_survey()
    send_url = url_for("survey_sending_staff.send", survey_id=survey.id)
    assert client.get(send_url).status_code == 302
    door = login("door")
    assert door.get(send_url).status_code == 403
    assert door.post(url_for("survey_sending_staff.close", survey_id=survey.id)).status_code == 403
    assert door.get(url_for("survey_sending_staff.counts", survey_id=survey.id)).status_code == 403


def test_a_change_of_audience_is_in_the_surveys_history_in_words(app, make_survey):
    survey = make_survey()
    group = groups.create_group(name="AK Sprache", by=TEST_ACTOR)
    audience = make_survey_audience(tags="Ausbildung", kinds=["charity"], group_id=group.id)

    sending.save_audience(survey.id, audience, by=TEST_ACTOR)
    sending.save_audience(survey.id, audience, by=TEST_ACTOR)  # no change, no entry

    fresh_reads()
    changes = [e.changes["audience"] for e in db.session.execute(
        select(AuditEntry).where(AuditEntry.survey_id == survey.id)).scalars() if "audience" in e.changes]
    assert changes == [[[], ["tag: Ausbildung", "kind: charity", "working group: AK Sprache"]]]
