"""A person's data file names the surveys and feedback forms they were asked to answer, with their
answers where the survey was named, and none from an anonymous one."""
from app.contacts.models import Contact
from app.database import utcnow
from app.extensions import db
from app.privacy.export import person_data
from app.privacy.person import find_person
from app.surveys.models import (InvitationStatus, QuestionKind, Survey, SurveyAnswer, SurveyInvitation,
                                SurveyKind, SurveyQuestion, SurveyResponse, SurveySection)


def survey_with_answer(title: str, answer: str, *, anonymous=False, kind=SurveyKind.survey, event_id=None,
                       **invited) -> None:
    survey = Survey(title=title, anonymous=anonymous, kind=kind, event_id=event_id)
    db.session.add(survey)
    db.session.flush()
    section = SurveySection(survey_id=survey.id)
    db.session.add(section)
    db.session.flush()
    question = SurveyQuestion(survey_id=survey.id, section_id=section.id, kind=QuestionKind.long_text,
                              text="What came of the network's work for you?")
    invitation = SurveyInvitation(survey_id=survey.id, status=InvitationStatus.completed, **invited)
    db.session.add_all([question, invitation])
    db.session.flush()
    response = SurveyResponse(survey_id=survey.id, invitation_id=None if anonymous else invitation.id,
                              submitted_at=utcnow())
    db.session.add(response)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, value=answer))
    db.session.commit()


def test_the_file_has_the_persons_surveys_and_their_named_answers(make_event, sign_up):
    event = make_event(title="Forum Ausbildung")
    guest = sign_up(event, email="anna@example.org")
    contact = Contact(name="Anna Schmidt", email="anna@example.org", email_key="anna@example.org")
    db.session.add(contact)
    db.session.commit()
    survey_with_answer("Akteursbefragung 2026", "Two apprenticeships", contact_id=contact.id)
    survey_with_answer("Anonyme Umfrage", "Something nobody may tie to Anna", anonymous=True, contact_id=contact.id)
    survey_with_answer("Feedback", "The talk on recognition", kind=SurveyKind.feedback, event_id=event.id,
                       registration_id=guest.id)

    surveys = person_data(find_person("anna@example.org"), utcnow())["surveys"]

    assert [(s["survey"], s["anonymous"], s["status"], [a["answer"] for a in s["answers"]]) for s in surveys] == [
        ("Akteursbefragung 2026", False, "completed", ["Two apprenticeships"]),
        ("Anonyme Umfrage", True, "completed", []),
        ("Feedback", False, "completed", ["The talk on recognition"])]
