"""Answering through a personal link, at the level of the services: one response per link, the
invitation's status moving only forward, the anonymous response kept apart from the person,
and who answered recorded for the results' breakdowns."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.affiliation import Affiliation
from app.contacts.models import OrganisationKind
from app.database import utcnow, write_transaction
from app.errors import NotFound
from app.extensions import db
from app.surveys import responding
from app.surveys.answer_forms import OTHER, parse_number
from app.surveys.models import (InvitationStatus, QuestionKind, Survey, SurveyAnswer, SurveyInvitation,
                                SurveyKind, SurveyQuestion, SurveyResponse, SurveySection, SurveyStatus)
from tests.network.members import make_institution, make_person
from tests.rows import fresh_reads, reload

from .conftest import survey_questions


def open_survey(make_survey, **fields):
    """A survey of one section with one question of each type, open for answers."""
    survey = make_survey(**fields)
    with write_transaction() as tx:
        survey = db.session.merge(survey)
        survey.status, survey.opened_at = SurveyStatus.open, tx.now
    return survey


def invite(survey, contact=None, **fields) -> SurveyInvitation:
    """An invitation to `survey` (of a new contact unless one is given), committed, as the sending
    service makes it."""
    contact = contact or make_person()
    with write_transaction():
        invitation = SurveyInvitation(survey_id=survey.id, contact_id=contact.id, **fields)
        db.session.add(invitation)
    return invitation


def all_answers(survey) -> dict:
    """Answers for every required question (and a few optional ones), by question id."""
    q = survey_questions(survey)
    return {q["single"].id: q["single"].options[1]["id"], q["scale"].id: 4,
            q["multiple"].id: [q["multiple"].options[0]["id"], OTHER], q["number"].id: 2.5}


def save(invitation, values: dict, *, others=None, send=False, now=None) -> responding.Saved:
    section = responding.sections_of(invitation.survey_id)[0].section
    return responding.save_section(invitation.token, section.id, values, others or {}, send=send, now=now)


def responses_of(survey) -> list[SurveyResponse]:
    fresh_reads()
    return list(db.session.execute(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).scalars())


@pytest.mark.parametrize("typed, number", [
    ("2,5", 2.5), ("2.5", 2.5), (" 12 ", 12), ("-3", -3), ("1.234,5", 1234.5), ("1,234.5", 1234.5), (",5", 0.5),
])
def test_numbers_are_read_as_people_type_them(typed, number):
    assert parse_number(typed) == number


@pytest.mark.parametrize("typed", ["", "zwei", "2,5,5", "1e5", "inf", "nan", "1 000 000 000 000 000 000 000 000 000 0"])
def test_what_is_no_number_is_none(typed):
    assert parse_number(typed) is None


def test_the_first_save_starts_and_send_completes_the_invitation(make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    started = utcnow().replace(microsecond=0)

    save(invitation, {survey_questions(survey)["short-text"].id: "Ausbildung"}, now=started)
    assert reload(invitation).status == InvitationStatus.started
    assert reload(invitation).started_at == started

    saved = save(invitation, all_answers(survey), others={survey_questions(survey)["multiple"].id: "Beratung"},
                 send=True, now=started + timedelta(minutes=5))
    assert saved.completed
    invitation = reload(invitation)
    assert invitation.status == InvitationStatus.completed
    assert (invitation.started_at, invitation.completed_at) == (started, started + timedelta(minutes=5))
    [response] = responses_of(survey)
    assert response.invitation_id == invitation.id and response.submitted_at is not None
    answers = {a.question_id: a for a in db.session.execute(select(SurveyAnswer)).scalars()}
    q = survey_questions(survey)
    assert answers[q["multiple"].id].value == [q["multiple"].options[0]["id"], OTHER]
    assert answers[q["multiple"].id].other_text == "Beratung"
    assert answers[q["number"].id].value == 2.5 and answers[q["scale"].id].value == 4
    assert answers[q["short-text"].id].value == "Ausbildung"


def test_send_with_a_required_answer_missing_does_not_complete(make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    values = all_answers(survey)
    del values[survey_questions(survey)["scale"].id]

    saved = save(invitation, values, send=True)

    assert not saved.completed and saved.incomplete_at == 1
    assert reload(invitation).status == InvitationStatus.started
    assert responses_of(survey)[0].submitted_at is None


def test_changes_after_sending_keep_one_response_and_the_status(make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    save(invitation, all_answers(survey), send=True)
    completed_at = reload(invitation).completed_at
    q = survey_questions(survey)

    save(invitation, all_answers(survey) | {q["scale"].id: 2, q["short-text"].id: None})

    [response] = responses_of(survey)
    answers = {a.question_id: a.value for a in db.session.execute(select(SurveyAnswer)).scalars()}
    assert answers[q["scale"].id] == 2 and q["short-text"].id not in answers
    assert reload(invitation).status == InvitationStatus.completed
    assert reload(invitation).completed_at == completed_at


def test_an_anonymous_response_names_no_invitation_yet_the_invitation_shows_completed(make_survey):
    survey = open_survey(make_survey, anonymous=True)
    invitation = invite(survey)

    save(invitation, all_answers(survey), send=True)
    save(invitation, all_answers(survey) | {survey_questions(survey)["scale"].id: 5})  # found again by the link

    [response] = responses_of(survey)
    assert response.invitation_id is None
    assert response.link_hash == responding.link_hash(invitation.token) != invitation.token
    assert len(response.link_hash) == 64
    assert reload(invitation).status == InvitationStatus.completed


def test_who_answers_is_recorded_for_the_breakdowns(make_survey):
    survey = open_survey(make_survey, anonymous=True)
    charity = make_institution("Caritas Trier", kind=OrganisationKind.charity)
    volunteer = make_person(institution_id=charity.id, affiliation=Affiliation.volunteer)
    nobody_known = make_person()

    save(invite(survey, volunteer), all_answers(survey))
    save(invite(survey, nobody_known), all_answers(survey))

    by_kind = sorted((r.institution_kind or "", r.affiliation or "") for r in responses_of(survey))
    assert by_kind == [("", ""), ("charity", "volunteer")]


@pytest.mark.parametrize("closing", ["status", "time"])
def test_a_closed_survey_stores_nothing(make_survey, closing):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    with write_transaction() as tx:
        closed = db.session.merge(survey)
        if closing == "status":
            closed.status, closed.closed_at = SurveyStatus.closed, tx.now
        else:
            closed.closes_at = tx.now - timedelta(minutes=1)

    with pytest.raises(responding.SurveyClosed, match="geschlossen"):
        save(invitation, all_answers(survey), send=True)

    assert responses_of(survey) == []
    assert reload(invitation).status == InvitationStatus.invited


def test_a_draft_survey_and_an_unknown_link_are_not_found(make_survey):
    invitation = invite(make_survey())

    with pytest.raises(NotFound):
        responding.open_link(invitation.token)
    with pytest.raises(NotFound):
        responding.open_link("x" * 32)


def test_resuming_goes_to_the_first_section_with_a_required_answer_missing(make_survey):
    survey = open_survey(make_survey)
    q = survey_questions(survey)
    sections = responding.sections_of(survey.id)
    assert responding.resume_at(sections, {}) == 1
    invitation = invite(survey)
    save(invitation, {q["short-text"].id: "x"})
    fresh_reads()
    response = responding.response_of(reload(invitation), invitation.token)
    assert responding.resume_at(sections, responding.answers_of(response)) == 1
    assert db.session.execute(select(func.count(SurveyResponse.id))).scalar_one() == 1


def test_feedback_records_the_guests_institution_and_affiliation_from_the_sign_up(make_event, sign_up):
    event = make_event()
    chamber = make_institution("IHK Trier", kind=OrganisationKind.chamber)
    guest = sign_up(event, affiliation="volunteer")
    with write_transaction() as tx:
        db.session.merge(guest).institution_id = chamber.id
        feedback = Survey(kind=SurveyKind.feedback, title="Feedback", event_id=event.id, status=SurveyStatus.open,
                          opened_at=tx.now)
        db.session.add(feedback)
        db.session.flush()
        section = SurveySection(survey_id=feedback.id)
        db.session.add(section)
        db.session.flush()
        overall = SurveyQuestion(survey_id=feedback.id, section_id=section.id, kind=QuestionKind.scale,
                                 text="Overall", required=True)
        invitation = SurveyInvitation(survey_id=feedback.id, registration_id=guest.id)
        db.session.add_all([overall, invitation])

    assert save(invitation, {overall.id: 5}, send=True).completed

    [response] = responses_of(feedback)
    assert (response.institution_kind, response.affiliation) == ("chamber", "volunteer")
    assert response.invitation_id == invitation.id
    assert reload(invitation).status == InvitationStatus.completed
