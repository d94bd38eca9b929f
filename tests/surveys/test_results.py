"""A survey's results: the page's charts and lists and the CSV agree with the answers given; groups
under five of an anonymous survey are not shown; a feedback form's results name its event."""
import csv
import io
import secrets
from datetime import timedelta

import pytest
from flask import url_for

from app.database import utcnow, write_transaction
from app.extensions import db
from app.surveys.models import SurveyAnswer, SurveyInvitation, SurveyKind, SurveyResponse, SurveyStatus
from app.surveys.results import number_rows
from tests.network.members import make_institution, make_person
from tests.pages import ENGLISH, main_text, page

from .conftest import survey_questions


@pytest.fixture
def request_headers():
    """The pages are read in English."""
    return ENGLISH


def opened(survey):
    with write_transaction():
        survey = db.session.merge(survey)
        survey.status = SurveyStatus.open
    return survey


def option(question, label: str) -> str:
    return next(o["id"] for o in question.options if o["label"] == label)


def respond(survey, answers: dict, *, person=None, kind=None, affiliation=None, complete=True, others=None):
    """A response as helper rows: `answers` by question type ("single": "Chamber", "multiple":
    ["Forum", "other"], "scale": 4, ...), choice labels turned into their ids."""
    questions = survey_questions(survey)
    now = utcnow()
    with write_transaction():
        invitation_id = None
        if person is not None:
            invitation = SurveyInvitation(survey_id=survey.id, contact_id=person.id, mailed_at=now,
                                          status="completed" if complete else "started")
            db.session.add(invitation)
            db.session.flush()
            invitation_id = invitation.id
        response = SurveyResponse(survey_id=survey.id, invitation_id=invitation_id,
                                  link_hash=secrets.token_hex(16) if survey.anonymous else None,
                                  institution_kind=kind, affiliation=affiliation,
                                  started_at=now - timedelta(hours=1), submitted_at=now if complete else None)
        db.session.add(response)
        db.session.flush()
        for type_, value in answers.items():
            question = questions[type_]
            if type_ == "single":
                value = value if value == "other" else option(question, value)
            elif type_ == "multiple":
                value = [item if item == "other" else option(question, item) for item in value]
            db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, value=value,
                                        other_text=(others or {}).get(type_, "")))
    return response


def chart(response, question) -> dict[str, str]:
    """A question's chart as the page draws it: label -> value, from the SVG; the table beside it
    must say the same."""
    figure = page(response).one(id=f"chart-{question.id}")
    drawn = {g.get("data-label"): g.get("data-value") for g in figure.find_all("g", class_="chart__row")}
    table = {row.one("th").text: row.one("td").get("data-value")
             for row in figure.one("tbody").find_all("tr")}
    assert drawn == table
    return drawn


def texts_and_names(li) -> tuple[str, str | None]:
    """A text answer as the page lists it: the text, and who wrote it (None: nobody named)."""
    by = li.find(class_="answer-texts__by")
    return li.one(class_="answer-texts__text").text, (by.text if by is not None else None)


def article(response, question):
    return page(response).one("article", **{"data-question": str(question.id)})


# --- what the page and the file say ---------------------------------------------------------

@pytest.fixture
def answered(make_survey):
    """A named survey with three complete responses and one part-way."""
    survey = opened(make_survey(title="Akteursbefragung"))
    caritas = make_institution("Caritas Trier", kind="charity")
    ihk = make_institution("IHK Trier", kind="chamber")
    respond(survey, {"single": "Chamber", "multiple": ["Forum", "Working group", "other"], "scale": 4,
                     "short-text": "Ausbildung", "long-text": "Mehr Praktika\nund Kontakte", "number": 12},
            others={"multiple": "Sprachcafé"}, person=make_person("Anna Arendt", institution_id=caritas.id),
            kind="charity", affiliation="professional")
    respond(survey, {"single": "Charity", "multiple": ["Expert talk"], "scale": 5, "number": 3},
            person=make_person("Ben Becker", institution_id=ihk.id), kind="chamber", affiliation="volunteer")
    respond(survey, {"single": "Chamber", "multiple": ["other"], "scale": 2, "number": 40.5},
            others={"multiple": "=HYPERLINK(\"http://evil.example\")"}, person=make_person("Cara Conrad"),
            affiliation="professional")
    respond(survey, {"single": "City", "scale": 1}, person=make_person("Dan Dorn"), complete=False)
    return survey


def test_the_results_page_charts_and_lists_exactly_the_complete_answers(office, answered):
    questions = survey_questions(answered)
    response = office.get(url_for("survey_sending_staff.results", survey_id=answered.id))

    assert response.status_code == 200
    text = main_text(response)
    assert "Counted: 3 complete responses. Not counted: 1 part-way responses" in text
    assert chart(response, questions["single"]) == {"Chamber": "2", "Charity": "1", "City": "0"}
    assert chart(response, questions["multiple"]) == {"Forum": "1", "Expert talk": "1", "Working group": "1",
                                                      "Other": "2"}
    others = [texts_and_names(li) for li in article(response, questions["multiple"]).one("ul", class_="other-texts")
              .find_all("li")]
    assert others == [("Sprachcafé", "Anna Arendt, Caritas Trier"),
                      ("=HYPERLINK(\"http://evil.example\")", "Cara Conrad")]
    assert chart(response, questions["scale"]) == {"1": "0", "2": "1", "3": "0", "4": "1", "5": "1"}
    assert "Mean: 3.67 (1 = not at all, 5 = very)" in article(response, questions["scale"]).text
    stats = {dd.get("data-stat"): dd.text for dd in article(response, questions["number"]).find_all("dd")}
    assert stats == {"count": "3", "min": "3", "max": "40.5", "mean": "18.5", "median": "12"}
    assert chart(response, questions["number"]) == {"3": "1", "12": "1", "40.5": "1"}
    # A named survey: who wrote each text, with their institution.
    assert [texts_and_names(li) for li in article(response, questions["short-text"]).find_all("li")] == [
        ("Ausbildung", "Anna Arendt, Caritas Trier")]
    assert [texts_and_names(li) for li in article(response, questions["long-text"]).find_all("li")] == [
        ("Mehr Praktika und Kontakte", "Anna Arendt, Caritas Trier")]
    assert ">Mehr Praktika\nund Kontakte</span>" in response.text  # the line break kept (pre-line)


def test_part_way_answers_count_when_asked_and_filters_narrow_to_a_group(office, answered):
    questions = survey_questions(answered)
    results_url = url_for("survey_sending_staff.results", survey_id=answered.id)

    with_partial = office.get(results_url, query_string={"partial": "1"})
    assert chart(with_partial, questions["single"]) == {"Chamber": "2", "Charity": "1", "City": "1"}
    assert chart(with_partial, questions["scale"])["1"] == "1"
    assert "Counted: 3 complete and 1 part-way responses" in main_text(with_partial)

    charities = office.get(results_url, query_string={"kind": "charity"})
    assert chart(charities, questions["single"]) == {"Chamber": "1", "Charity": "0", "City": "0"}
    # A person of no known institution counts as "other", as in the contacts list.
    other_kind = office.get(results_url, query_string={"kind": "other", "affiliation": "professional"})
    assert chart(other_kind, questions["number"]) == {"40.5": "1"}
    volunteers = office.get(results_url, query_string={"affiliation": "volunteer"})
    assert chart(volunteers, questions["scale"]) == {"1": "0", "2": "0", "3": "0", "4": "0", "5": "1"}
    # Not a kind nor an affiliation: no filter, no error.
    assert office.get(results_url, query_string={"kind": "x' OR 1=1", "affiliation": "[]"}).status_code == 200


def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_response_with_labels_and_other_texts_formula_escaped(office, answered):
    rows = read_csv(office.get(url_for("survey_sending_staff.results_csv", survey_id=answered.id)))

    assert [row["name"] for row in rows] == ["Anna Arendt", "Ben Becker", "Cara Conrad", "Dan Dorn"]
    assert [row["status"] for row in rows] == ["complete", "complete", "complete", "part-way"]
    anna, ben, cara, dan = rows
    assert (anna["institution"], anna["institution_kind"], anna["affiliation"]) == (
        "Caritas Trier", "charity", "professional")
    assert anna["q1 Which kind of institution do you work for?"] == "Chamber"
    assert anna["q2 Which of our formats did you attend?"] == "Forum; Working group; other"
    assert anna["q2 Which of our formats did you attend? (other)"] == "Sprachcafé"
    assert cara["q2 Which of our formats did you attend? (other)"] == "'=HYPERLINK(\"http://evil.example\")"
    assert [row["q3 How useful is the network for your work?"] for row in rows] == ["4", "5", "2", "1"]
    assert [row["q6 How many people did you place in training?"] for row in rows] == ["12", "3", "40.5", ""]
    assert anna["q5 What did the network help you achieve?"] == "Mehr Praktika\nund Kontakte"
    assert ben["q4 Your main project this year"] == "" and dan["submitted_at"] == ""

    excel = office.get(url_for("survey_sending_staff.results_csv", survey_id=answered.id, format="excel"))
    header = excel.data.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:3] == ["Response", "Status", "Started"]


def test_the_plain_csv_is_the_same_in_every_language_and_the_excel_one_reads_in_the_readers(office, answered):
    """The plain file: the survey's own choice labels, "Other" as the key `other`, numbers as stored,
    whatever language the app is read in. The Excel one: titles, "Other" and numbers as the reader
    reads them."""
    csv_url = url_for("survey_sending_staff.results_csv", survey_id=answered.id)
    english = read_csv(office.get(csv_url))
    with office.session_transaction() as session:
        session["staff_lang"] = "de"  # as the switch on a staff page remembers it
    german = read_csv(office.get(csv_url))
    assert german == english
    anna, _ben, cara, _dan = german
    assert anna["q2 Which of our formats did you attend?"] == "Forum; Working group; other"
    assert cara["q6 How many people did you place in training?"] == "40.5"

    excel = office.get(csv_url, query_string={"format": "excel"})
    rows = list(csv.reader(io.StringIO(excel.data.decode("utf-8-sig")), delimiter=";"))
    header, anna_row, _ben_row, cara_row = rows[0], rows[1], rows[2], rows[3]
    assert header[0] != "response"
    assert anna_row[header.index("Which of our formats did you attend?")] == "Forum; Working group; Sonstige"
    assert cara_row[header.index("How many people did you place in training?")] == "40,5"


# --- anonymous surveys ----------------------------------------------------------------------

def test_an_anonymous_survey_shows_no_group_under_five_and_its_csv_names_nobody(office, make_survey):
    survey = opened(make_survey(anonymous=True))
    questions = survey_questions(survey)
    for n in range(5):
        respond(survey, {"single": "Charity", "scale": 3, "short-text": f"Caritas {n}"}, kind="charity",
                affiliation="professional" if n < 4 else "volunteer")
    for n in range(5):
        respond(survey, {"single": "Chamber", "scale": 4, "short-text": f"Kammer {n}"}, kind="chamber",
                affiliation="professional")
    respond(survey, {"single": "City", "scale": 5, "short-text": "Rathaus"}, kind="city",
            affiliation="volunteer")
    results_url = url_for("survey_sending_staff.results", survey_id=survey.id)

    everyone = office.get(results_url)
    assert chart(everyone, questions["single"]) == {"Chamber": "5", "Charity": "5", "City": "1"}
    # Anonymous: the texts are listed without anybody's name, never.
    texts = article(everyone, questions["short-text"]).find_all("li")
    assert len(texts) == 11 and all(texts_and_names(li)[1] is None for li in texts)
    charities = office.get(results_url, query_string={"kind": "charity"})
    assert chart(charities, questions["single"]) == {"Chamber": "0", "Charity": "5", "City": "0"}
    small_groups = ({"kind": "city"}, {"affiliation": "volunteer"},
                    {"kind": "charity", "affiliation": "volunteer"},
                    {"kind": "charity", "affiliation": "professional"})
    for group in small_groups:
        hidden = office.get(results_url, query_string=group)
        assert "Fewer than five answers: not shown to keep them anonymous." in main_text(hidden), group
        assert page(hidden).find("figure") is None
        assert "Rathaus" not in main_text(hidden)
        # Nor how many answered: that would give away the small group's size.
        assert page(hidden).find(id="results-counted") is None and "Counted" not in main_text(hidden), group
    # Nine of the eleven are full-time: beside the whole, that group would show the other two.
    professionals = office.get(results_url, query_string={"affiliation": "professional"})
    assert "Fewer than five answers lie between this choice and a wider one" in main_text(professionals)
    assert page(professionals).find("figure") is None
    assert page(professionals).find(id="results-counted") is None

    rows = read_csv(office.get(url_for("survey_sending_staff.results_csv", survey_id=survey.id)))
    assert len(rows) == 11
    about_the_person = {"name", "institution", "institution_kind", "affiliation", "started_at",
                        "submitted_at"}
    assert not about_the_person & set(rows[0])
    assert sorted(row["q4 Your main project this year"] for row in rows) == sorted(
        [f"Caritas {n}" for n in range(5)] + [f"Kammer {n}" for n in range(5)] + ["Rathaus"])


def test_an_anonymous_group_is_hidden_when_part_way_answers_would_tell_few_apart(office, make_survey):
    survey = opened(make_survey(anonymous=True))
    for _n in range(6):
        respond(survey, {"single": "Charity", "scale": 3}, kind="charity")
    respond(survey, {"single": "City", "scale": 1}, kind="charity", complete=False)
    for _n in range(6):
        respond(survey, {"single": "Chamber", "scale": 4}, kind="chamber")
    results_url = url_for("survey_sending_staff.results", survey_id=survey.id)

    for partial in ("", "1"):
        hidden = office.get(results_url, query_string={"kind": "charity", "partial": partial})
        assert page(hidden).find(id="results-hidden") is not None
    assert page(office.get(results_url, query_string={"kind": "chamber"})).find("figure") is not None


# --- a feedback form ------------------------------------------------------------------------

def test_a_feedback_forms_results_name_its_event_and_offer_no_sending(office, make_event, make_survey):
    event = make_event(title="Forum Fachkräfte", starts_at=utcnow() - timedelta(days=2))
    survey = opened(make_survey(title="Feedback: Forum Fachkräfte", kind=SurveyKind.feedback,
                                event_id=event.id))
    questions = survey_questions(survey)
    for score in (5, 4, 4):
        respond(survey, {"single": "Chamber", "scale": score, "long-text": "Mehr Zeit für Fragen"})

    response = office.get(url_for("survey_sending_staff.results", survey_id=survey.id))

    assert response.status_code == 200
    text = main_text(response)
    assert "After the event Forum Fachkräfte" in text
    assert chart(response, questions["scale"]) == {"1": "0", "2": "0", "3": "0", "4": "2", "5": "1"}
    assert page(response).find("a", href=url_for("feedback_staff.edit", event_id=event.id)) is not None
    assert page(response).find("a", href=url_for("survey_sending_staff.send", survey_id=survey.id)) is None
    sending_page = office.get(url_for("survey_sending_staff.send", survey_id=survey.id))
    assert sending_page.status_code == 302
    assert sending_page.location.endswith(url_for("survey_sending_staff.results", survey_id=survey.id))


def test_many_different_whole_numbers_are_charted_in_whole_ranges_that_neither_overlap_nor_leave_any_out(app):
    assert number_rows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [
        ("0 – 2", 3), ("3 – 5", 3), ("6 – 8", 3), ("9 – 10", 2)]
    assert number_rows([5, 6, 9, 10, 12, 14, 17, 20, 22, 22]) == [
        ("5 – 8", 2), ("9 – 12", 3), ("13 – 16", 1), ("17 – 20", 2), ("21 – 22", 2)]
    assert number_rows([2, 2, 7]) == [("2", 2), ("7", 1)]
    assert number_rows([]) == []
    for values in ([5, 6, 9, 10, 12, 14, 17, 20, 22, 22], list(range(1, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 100],
                   [3.0, 4, 5, 6, 7, 8, 9, 10, 11.0], [-7, -3, 0, 2, 4, 8, 15, 16, 23, 42, 1234]):
        rows = number_rows(values)
        ranges = [tuple(int(end.replace(",", "")) for end in label.split(" – ")) for label, _count in rows]
        ranges = [(bounds[0], bounds[-1]) for bounds in ranges]
        assert all(first <= last for first, last in ranges), values
        assert all(ranges[i][1] + 1 == ranges[i + 1][0] for i in range(len(ranges) - 1)), values  # no overlap, no gap
        assert ranges[0][0] == min(values) and ranges[-1][1] == max(values), values
        assert [count for _label, count in rows] == [
            sum(1 for value in values if first <= value <= last) for first, last in ranges], values
        assert len(rows) <= 5


def test_fractional_numbers_are_charted_in_five_ranges_of_equal_width(app):
    rows = number_rows([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5.5])
    assert [label for label, _count in rows] == ["0.5 – 1.5", "1.5 – 2.5", "2.5 – 3.5", "3.5 – 4.5", "4.5 – 5.5"]
    assert sum(count for _label, count in rows) == 10
