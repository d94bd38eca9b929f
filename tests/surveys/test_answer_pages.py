"""Answering a survey through the personal link's pages, as the person does: one section per
screen with progress, every question type, each kind of mistake shown next to its question with
everything typed still there, saving part-way and resuming, changing after sending, a closed
survey, a forged link, the anonymous survey, and a form refused by the trap for programs."""
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.database import write_transaction
from app.extensions import db
from app.surveys import building, building_questions, responding
from app.surveys.answer_forms import OTHER
from app.formatting import when
from app.surveys.models import InvitationStatus, SurveyAnswer, SurveyKind, SurveyStatus
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH, field_error, form_values, main_text, page
from tests.rows import fresh_reads, reload

from .conftest import survey_questions
from .test_responding import invite, open_survey, responses_of


@pytest.fixture
def guest(client):
    """The respondent's browser, in English (the switch in the header), so that the messages read
    as written here."""
    client.get("/lang/en")
    return client


def section_url(invitation, position=1, **args):
    return url_for("surveys.section", token=invitation.token, position=position, **args)


def filled(survey) -> dict:
    """A valid answer to every question of the standard survey (tests/surveys/conftest.py), as a
    browser posts it."""
    q = survey_questions(survey)
    return {f"q{q['single'].id}": q["single"].options[1]["id"],
            f"q{q['multiple'].id}": [q["multiple"].options[0]["id"], OTHER],
            f"q{q['multiple'].id}-other": "Beratungstag",
            f"q{q['scale'].id}": "4", f"q{q['short-text'].id}": "Ausbildung in der Pflege",
            f"q{q['long-text'].id}": "Zwei Betriebe gefunden.\nEin Netzwerktreffen.",
            f"q{q['number'].id}": "2,5"}


def post(client, invitation, data, action="send", position=1):
    return client.post(section_url(invitation, position), data={**data, "action": action})


def stored(survey) -> dict:
    """The kept answers by question id: (value, other text)."""
    fresh_reads()
    answers = db.session.execute(select(SurveyAnswer)).scalars()
    return {a.question_id: (a.value, a.other_text) for a in answers}


def checked(form, name) -> set:
    return {box.get("value") for box in form.find_all("input", name=name) if "checked" in box.attrs}


# --- the pages ---------------------------------------------------------------------------------

def test_the_link_opens_the_introduction_and_says_the_answers_carry_the_name(guest, make_survey):
    survey = open_survey(make_survey, title="Netzwerkbefragung 2026")
    invitation = invite(survey)

    response = guest.get(url_for("surveys.respond", token=invitation.token))

    assert response.status_code == 200
    text = main_text(response)
    assert "Netzwerkbefragung 2026" in text and "Tell us what the network achieved" in text
    assert "Your answers are stored with your name" in text
    assert page(response).one("a", data_action="start").get("href") == section_url(invitation)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_section_shows_every_type_of_question_as_a_person_can_answer_it(guest, make_survey):
    survey = open_survey(make_survey)
    q = survey_questions(survey)

    html = page(guest.get(section_url(invite(survey))))

    assert "Section 1 of 1" in html.one("p", class_="survey__step").text
    assert html.one("progress").get("value") == "1" and html.one("progress").get("max") == "1"
    single = html.one(data_question=str(q["single"].id))
    assert [label.text for label in single.find_all("label")] == ["Chamber", "Charity", "City"]
    assert {i.get("type") for i in single.find_all("input")} == {"radio"}
    multiple = html.one(data_question=str(q["multiple"].id))
    assert {i.get("type") for i in multiple.find_all("input", name=f"q{q['multiple'].id}")} == {"checkbox"}
    assert multiple.one("input", name=f"q{q['multiple'].id}-other").get("type") == "text"
    scale = html.one(data_question=str(q["scale"].id))
    assert [i.get("value") for i in scale.find_all("input")] == ["1", "2", "3", "4", "5"]
    assert "not at all" in scale.text and "very" in scale.text
    number = html.one("input", name=f"q{q['number'].id}")
    assert (number.get("type"), number.get("inputmode")) == ("text", "decimal")
    assert "A number from 0 to 1,000." in html.one(data_question=str(q["number"].id)).text
    assert html.one("input", name=f"q{q['short-text'].id}").get("type") == "text"
    assert html.one("textarea", name=f"q{q['long-text'].id}")
    assert "(optional)" in html.one(data_question=str(q["short-text"].id)).text
    assert "(optional)" not in html.one(data_question=str(q["single"].id)).text
    assert html.one("button", data_action="send") and not html.find("button", data_action="back")


def test_every_type_answered_is_sent_kept_and_shown_back(guest, make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    q = survey_questions(survey)

    response = post(guest, invitation, filled(survey))

    assert response.status_code == 302
    assert response.headers["Location"] == url_for("surveys.sent", token=invitation.token)
    assert stored(survey) == {
        q["single"].id: (q["single"].options[1]["id"], ""),
        q["multiple"].id: ([q["multiple"].options[0]["id"], OTHER], "Beratungstag"),
        q["scale"].id: (4, ""), q["short-text"].id: ("Ausbildung in der Pflege", ""),
        q["long-text"].id: ("Zwei Betriebe gefunden.\nEin Netzwerktreffen.", ""), q["number"].id: (2.5, ""),
    }
    assert reload(invitation).status == InvitationStatus.completed
    thanks = guest.get(response.headers["Location"])
    text = main_text(thanks)
    assert "Thank you! Your answers have been sent." in text
    for shown in ("Charity", "Forum, Other: Beratungstag", "4 of 5", "Ausbildung in der Pflege", "2.5"):
        assert shown in text


def test_a_number_with_a_decimal_point_counts_as_well(guest, make_survey):
    survey = open_survey(make_survey)
    q = survey_questions(survey)

    post(guest, invite(survey), filled(survey) | {f"q{q['number'].id}": "2.5"})

    assert stored(survey)[q["number"].id] == (2.5, "")


# Each mistake: the question it concerns, what is posted instead, and the message next to it.
INVALID = [
    ("single", "", "Please answer this question."),
    ("single", "o-forged", "Please choose one of the answers shown."),
    ("multiple", ["o-forged"], "Please choose one of the answers shown."),
    ("multiple", [OTHER], "You chose “Other”: please say what."),
    ("scale", "", "Please answer this question."),
    ("scale", "7", "Please choose one of the answers shown."),
    ("number", "zwei", "Please enter a number, for example 12 or 2,5."),
    ("number", "1001", "Please enter a number from 0 to 1,000."),
    ("number", "-1", "Please enter a number from 0 to 1,000."),
    ("short-text", "x" * 501, "Please keep this under 500 characters."),
]


@pytest.mark.parametrize("kind, posted, message", INVALID)
def test_a_mistake_is_shown_next_to_its_question_and_nothing_typed_is_lost(guest, make_survey, kind, posted,
                                                                         message):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    question = survey_questions(survey)[kind]
    data = filled(survey) | {f"q{question.id}": posted}
    if kind == "multiple":
        data[f"q{question.id}-other"] = ""

    response = post(guest, invitation, data)

    assert response.status_code == 422
    assert field_error(response, f"q{question.id}") == message
    assert message in page(response).one(class_="error-summary").text
    form = page(response).one("form", class_="survey-form")
    values = form_values(form)
    for name, value in data.items():
        if isinstance(value, list) or name == f"q{question.id}" and kind in ("single", "scale"):
            continue
        assert values.get(name, "") == value, name
    q = survey_questions(survey)
    assert checked(form, f"q{q['single'].id}") == ({q["single"].options[1]["id"]} if kind != "single" else set())
    assert checked(form, f"q{q['multiple'].id}") == set(data[f"q{q['multiple'].id}"]) - {"o-forged"}
    assert stored(survey) == {} and reload(invitation).status == InvitationStatus.invited


def test_save_and_finish_later_keeps_answers_without_the_required_ones_and_the_link_resumes(guest, make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    q = survey_questions(survey)

    response = post(guest, invitation, {f"q{q['short-text'].id}": "Halb fertig", f"q{q['number'].id}": "7"},
                    action="save")

    assert response.headers["Location"] == url_for("surveys.saved", token=invitation.token)
    assert "Your answers are saved" in main_text(guest.get(response.headers["Location"]))
    assert reload(invitation).status == InvitationStatus.started
    resumed = guest.get(url_for("surveys.respond", token=invitation.token))
    assert resumed.status_code == 302 and resumed.headers["Location"] == section_url(invitation, resumed=1)
    back = guest.get(resumed.headers["Location"])
    assert "Welcome back: your answers so far are saved; you can change them until" in main_text(back)
    values = form_values(page(back).one("form", class_="survey-form"))
    assert values[f"q{q['short-text'].id}"] == "Halb fertig" and values[f"q{q['number'].id}"] == "7"
    assert page(guest.get(section_url(invitation))).find(id="welcome-back") is None


def test_sections_come_one_per_screen_with_back_and_continue(guest, make_survey):
    survey = make_survey()
    with write_transaction() as tx:
        section = building.add_section(survey, title="Results", by=TEST_ACTOR, now=tx.now)
        building_questions.add_question(survey, section.id, {"kind": "short-text", "text": "Your best result",
                                                             "required": True}, by=TEST_ACTOR, now=tx.now)
    survey = open_survey(lambda **_: survey)
    invitation = invite(survey)
    q = survey_questions(survey)
    best = f"q{responding.sections_of(survey.id)[1].questions[0].id}"

    first = page(guest.get(section_url(invitation)))
    assert "Section 1 of 2" in first.text and first.one("button", data_action="continue")
    # Part of the first section saved, then on to the second through the address bar.
    post(guest, invitation, {f"q{q['scale'].id}": "3"}, action="save")
    second = page(guest.get(section_url(invitation, 2)))
    assert "Section 2 of 2" in second.text and second.one("button", data_action="back")
    assert second.one("progress").get("value") == "2"

    sent = post(guest, invitation, {best: "Drei Stellen"}, position=2)

    # Section 1 still misses a required answer: back there, with the message next to it.
    assert sent.headers["Location"] == section_url(invitation, 1, check=1)
    again = guest.get(sent.headers["Location"])
    assert field_error(again, f"q{q['single'].id}") == "Please answer this question."
    assert reload(invitation).status == InvitationStatus.started
    back = post(guest, invitation, {best: "Vier Stellen"}, action="back", position=2)
    assert back.headers["Location"] == section_url(invitation, 1)
    forward = post(guest, invitation, filled(survey), action="continue")
    assert forward.headers["Location"] == section_url(invitation, 2)
    resumed = guest.get(url_for("surveys.respond", token=invitation.token))
    assert resumed.headers["Location"] == section_url(invitation, 2, resumed=1)  # where they left off
    done = post(guest, invitation, {best: "Vier Stellen"}, position=2)
    assert done.headers["Location"] == url_for("surveys.sent", token=invitation.token)
    assert reload(invitation).status == InvitationStatus.completed


def test_after_sending_the_link_shows_the_answers_to_change_and_keeps_one_response(guest, make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    q = survey_questions(survey)
    post(guest, invitation, filled(survey))

    summary = guest.get(url_for("surveys.respond", token=invitation.token))
    assert "You have answered this survey" in main_text(summary)
    assert page(summary).one("a", data_action="change").get("href") == section_url(invitation)
    form = page(guest.get(section_url(invitation))).one("form", class_="survey-form")
    assert form_values(form)[f"q{q['number'].id}"] == "2.5"  # as kept, in the reader's language
    assert page(guest.get(section_url(invitation))).one("button", data_action="save").text == "Save changes"

    emptied = post(guest, invitation, filled(survey) | {f"q{q['scale'].id}": ""}, action="save")
    assert emptied.status_code == 422  # once sent, the survey stays complete
    changed = post(guest, invitation, filled(survey) | {f"q{q['scale'].id}": "2"})

    assert changed.status_code == 302
    assert stored(survey)[q["scale"].id] == (2, "")
    assert len(responses_of(survey)) == 1
    assert reload(invitation).status == InvitationStatus.completed


def test_numbers_are_shown_back_the_german_way(client, make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    q = survey_questions(survey)
    post(client, invitation, filled(survey), action="save")

    form = page(client.get(section_url(invitation))).one("form", class_="survey-form")

    assert form_values(form)[f"q{q['number'].id}"] == "2,5"


@pytest.mark.parametrize("closing", ["status", "time"])
def test_a_closed_survey_says_so_and_a_late_answer_is_not_stored_but_shown(guest, make_survey, closing):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    with write_transaction() as tx:
        closed = db.session.merge(survey)
        if closing == "status":
            closed.status, closed.closed_at = SurveyStatus.closed, tx.now - timedelta(hours=1)
        else:
            closed.closes_at = tx.now - timedelta(hours=1)

    opened = guest.get(url_for("surveys.respond", token=invitation.token))
    assert opened.status_code == 410
    assert "This survey closed on" in main_text(opened)
    late = post(guest, invitation, filled(survey))

    assert late.status_code == 409
    assert "This survey closed on" in page(late).one(class_="error-summary").text
    assert form_values(page(late).one("form", class_="survey-form"))[f"q{survey_questions(survey)['short-text'].id}"] \
        == "Ausbildung in der Pflege"
    assert not page(late).find("button", data_action="send")
    assert stored(survey) == {} and reload(invitation).status == InvitationStatus.invited


def test_a_closed_page_names_a_feedback_form_as_such_and_writes_its_date_as_every_survey_page(
        app, guest, make_survey, make_event):
    event = make_event(title="Forum Fachkräfte")
    feedback = open_survey(make_survey, title="Feedback: Forum Fachkräfte", kind=SurveyKind.feedback,
                           event_id=event.id)
    survey = open_survey(make_survey)
    with write_transaction() as tx:
        closed_at = tx.now - timedelta(hours=1)
        for closing in (feedback, survey):
            closed = db.session.merge(closing)
            closed.status, closed.closed_at = SurveyStatus.closed, closed_at
    with app.test_request_context(headers=ENGLISH):
        written = when(closed_at)  # as the respondent note writes until when answers can change

    feedback_page = guest.get(url_for("surveys.respond", token=invite(feedback).token))
    assert feedback_page.status_code == 410
    assert page(feedback_page).one("h1").text == "This feedback form has closed"
    assert f"This feedback form closed on {written}." in main_text(feedback_page)
    assert "survey" not in main_text(feedback_page).replace(feedback.title, "")
    survey_page = guest.get(url_for("surveys.respond", token=invite(survey).token))
    assert page(survey_page).one("h1").text == "This survey has closed"
    assert f"This survey closed on {written}." in main_text(survey_page)


def test_a_forged_link_a_draft_survey_and_a_section_beyond_the_last_are_not_found(guest, make_survey):
    draft = invite(make_survey())
    invitation = invite(open_survey(make_survey))

    assert guest.get(url_for("surveys.respond", token="N1xWqhwQ1mChHY3Umq_vKQforged")).status_code == 404
    assert guest.post(url_for("surveys.save", token="forged", position=1), data={"action": "send"}).status_code == 404
    assert guest.get(url_for("surveys.respond", token=draft.token)).status_code == 404
    assert guest.get(section_url(draft)).status_code == 404
    assert guest.get(section_url(invitation, 2)).status_code == 404
    assert guest.get(section_url(invitation, 0)).status_code == 404


def test_an_anonymous_survey_says_so_and_its_response_names_no_invitation(guest, make_survey):
    survey = open_survey(make_survey, anonymous=True)
    invitation = invite(survey)

    intro = main_text(guest.get(url_for("surveys.respond", token=invitation.token)))
    assert "This survey is anonymous." in intro and "Your answers are stored without your name" in intro
    post(guest, invitation, filled(survey))

    [response] = responses_of(survey)
    assert response.invitation_id is None and response.submitted_at is not None
    assert reload(invitation).status == InvitationStatus.completed
    assert "Ausbildung in der Pflege" in main_text(guest.get(url_for("surveys.respond", token=invitation.token)))


def test_a_form_the_trap_refuses_comes_back_with_everything_typed(guest, make_survey):
    survey = open_survey(make_survey)
    invitation = invite(survey)
    data = filled(survey) | {"remarks": "http://spam.example"}

    response = post(guest, invitation, data)

    assert response.status_code == 422
    assert "Please send the form again" in page(response).one(class_="error-summary").text
    values = form_values(page(response).one("form", class_="survey-form"))
    assert values["remarks"] == ""
    q = survey_questions(survey)
    assert values[f"q{q['long-text'].id}"] == "Zwei Betriebe gefunden.\nEin Netzwerktreffen."
    assert values[f"q{q['number'].id}"] == "2,5"
    assert stored(survey) == {}
