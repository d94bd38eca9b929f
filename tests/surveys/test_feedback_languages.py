"""The feedback form in each guest's language: staff switch it on in German or English, and a guest
reads the default questions in their own language; a question staff reworded stays as they wrote
it, marked as theirs. Staff's pages keep the stored texts.

The Ukrainian expectations come from the catalog (tests.i18n.translated): they fail until the
Ukrainian catalog has the form's default texts."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from flask_babel import force_locale, gettext, pgettext
from sqlalchemy import select

from app.checkin.services import check_in_registration
from app.database import utcnow, write_transaction
from app.extensions import db
from app.surveys import building, building_questions, feedback, responding
from app.surveys.feedback_texts import for_reader
from app.surveys.models import InvitationStatus, SurveyInvitation, SurveyQuestion
from tests.conftest import TEST_ACTOR
from tests.i18n import translated
from tests.mailing.reading import only_part, text_of
from tests.pages import main_text, page
from tests.rows import fresh_reads

SETTINGS = {"send_after_hours": "2", "remind_after_days": "4", "anonymity": "anonymous"}
QUESTIONS = ["Overall, how was the event?", "What was most useful?", "What should we change?",
             "Would you come again?"]
ANSWERS = ("Yes", "Maybe", "No")
INTRO = ("Thank you for coming. A few short questions, two minutes: your answers help us make the next "
         "event better.")
REWORDED = "Was hat Ihnen am meisten geholfen?"


def answer_label(locale: str, msgid: str) -> str:
    """A default answer ("Yes", context "feedback answer") as the `locale` catalog has it."""
    with force_locale(locale):
        text = pgettext("feedback answer", msgid)
    assert text != msgid, f"the {locale} catalog has no translation of {msgid!r}"
    return text


@pytest.fixture
def forum(make_event):
    in_a_week = utcnow().replace(microsecond=0) + timedelta(days=7)
    return make_event(title="Forum Arbeitsmarkt", starts_at=in_a_week)


def came(event, registration) -> None:
    assert check_in_registration(event.id, registration.id, TEST_ACTOR).registration.checked_in_at


def questions_of(event) -> list[SurveyQuestion]:
    fresh_reads()
    survey = feedback.form_of(event.id)
    return list(db.session.execute(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
                                   .order_by(SurveyQuestion.position)).scalars())


def switch_on(office, event) -> None:
    """Staff switch the form on on the event's feedback page (in the language they work in)."""
    response = office.post(url_for("feedback_staff.edit", event_id=event.id), data=SETTINGS)
    assert response.status_code == 302


def link_for(event, mailbox, address: str) -> str:
    """The path (with its ?lang=) of the personal link in the feedback request `address` received."""
    feedback.send_due(now=event.ends_at + timedelta(hours=3))
    texts = [text_of(only_part(mail, "text/plain")) for mail in mailbox(address)]
    [link] = {link for text in texts for link in re.findall(r"https?://\S+/s/[\w-]+\?lang=\w+", text)}
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def main_part(response):
    """The page without its header (whose language switch names each language in itself)."""
    return page(response).one("main")


def question_on(response, question: SurveyQuestion):
    return page(response).one("div", data_question=str(question.id))


def test_a_ukrainian_guest_reads_and_answers_a_german_form_in_ukrainian(app, staff, forum, sign_up, mailbox):
    olena = sign_up(forum, name="Olena Kovalenko", email="olena@example.org", locale="uk")
    came(forum, olena)
    switch_on(staff, forum)
    questions = questions_of(forum)
    with force_locale("de"):
        stored_as_staff_wrote_them = [gettext(text) for text in QUESTIONS]
    assert [q.text for q in questions] == stored_as_staff_wrote_them
    guest = app.test_client()

    intro = guest.get(link_for(forum, mailbox, "olena@example.org"))

    assert intro.status_code == 200
    assert page(intro).one("h1").text == translated("uk", "Feedback: %(title)s", title="Forum Arbeitsmarkt")
    assert page(intro).one("div", class_="survey__intro").text == translated("uk", INTRO)
    path = urlsplit(intro.request.url).path
    shown = guest.get(f"{path}/1")
    assert shown.status_code == 200
    for question, text in zip(questions, QUESTIONS):
        assert translated("uk", text) in question_on(shown, question).text
        assert question.text not in main_text(shown)
    scale = question_on(shown, questions[0])
    assert [end.text for end in scale.find_all("span", class_="scale__end")] == [
        translated("uk", "poor"), translated("uk", "excellent")]
    choices = question_on(shown, questions[3]).find_all("label", class_="check")
    assert [choice.text for choice in choices] == [answer_label("uk", label) for label in ANSWERS]
    assert not main_part(shown).find_all(lang="de")  # nothing here is staff's own words

    answers = {f"q{questions[0].id}": "5", f"q{questions[1].id}": "Дуже корисна розмова",
               f"q{questions[2].id}": "", f"q{questions[3].id}": "yes", "action": "send"}
    sent = guest.post(f"{path}/1", data=answers)

    assert sent.status_code == 302
    fresh_reads()
    invitation = db.session.execute(select(SurveyInvitation).where(
        SurveyInvitation.registration_id == olena.id)).scalar_one()
    assert invitation.status == InvitationStatus.completed
    thanks = guest.get(sent.location)
    questions_shown = [term.text for term in page(thanks).find_all("dt")]
    assert questions_shown == [translated("uk", text) for text in QUESTIONS]
    assert page(thanks).one("dd", data_question=str(questions[3].id)).text == answer_label("uk", "Yes")
    results = main_text(staff.get(url_for("survey_sending_staff.results", survey_id=invitation.survey_id)))
    assert questions[0].text in results and translated("uk", QUESTIONS[0]) not in results


def test_a_question_staff_reworded_is_shown_as_they_wrote_it_and_the_others_in_ukrainian(
        app, staff, forum, sign_up, mailbox):
    olena = sign_up(forum, name="Olena Kovalenko", email="olena@example.org", locale="uk")
    came(forum, olena)
    switch_on(staff, forum)
    questions = questions_of(forum)
    edited = staff.post(url_for("surveys_staff.edit_question", survey_id=questions[1].survey_id,
                                question_id=questions[1].id), data={"kind": "long-text", "text": REWORDED})
    assert edited.status_code == 302
    guest = app.test_client()
    path = urlsplit(guest.get(link_for(forum, mailbox, "olena@example.org")).request.url).path

    shown = guest.get(f"{path}/1")

    assert shown.status_code == 200
    main = main_part(shown)
    [own_words] = main.find_all(lang="de")
    assert own_words.text == REWORDED and own_words.get("dir") == "auto"
    assert main.one("div", data_question=str(questions[1].id)).find(lang="de") is own_words
    for position in (0, 2, 3):
        assert translated("uk", QUESTIONS[position]) in question_on(shown, questions[position]).text
    assert page(shown).one("h1").text == translated("uk", "Feedback: %(title)s", title="Forum Arbeitsmarkt")


def test_an_english_speaking_staff_members_form_reads_german_to_a_german_guest(
        app, office, forum, sign_up, mailbox):
    jonas = sign_up(forum, name="Jonas Becker", email="jonas@example.org", locale="de")
    came(forum, jonas)
    switch_on(office, forum)
    questions = questions_of(forum)
    assert [q.text for q in questions] == QUESTIONS  # stored in English, as the staff member wrote them
    guest = app.test_client()

    intro = guest.get(link_for(forum, mailbox, "jonas@example.org"))

    assert page(intro).one("div", class_="survey__intro").text == translated("de", INTRO)
    shown = guest.get(f"{urlsplit(intro.request.url).path}/1")
    for question, text in zip(questions, QUESTIONS):
        assert translated("de", text) in question_on(shown, question).text
    choices = question_on(shown, questions[3]).find_all("label", class_="check")
    assert [choice.text for choice in choices] == [answer_label("de", label) for label in ANSWERS]
    assert "Overall" not in main_text(shown)


def test_an_ordinary_surveys_texts_are_shown_as_staff_wrote_them(app, make_survey):
    """Only a feedback form has defaults: a survey question that happens to read like one stays."""
    survey = make_survey(questions=False)
    with write_transaction() as tx:
        [section] = building.sections_of(survey.id)
        building_questions.add_question(survey, section.id, {"kind": "long-text", "text": QUESTIONS[2]},
                                        by=TEST_ACTOR, now=tx.now)

    with force_locale("de"):
        read = for_reader(survey, responding.sections_of(survey.id))

    [question] = read.sections[0].questions
    assert (str(question.text), question.text.edited) == (QUESTIONS[2], True)
