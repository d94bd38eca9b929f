"""The actors' survey in a real browser: one person answers every type of question through their
personal link on a phone (390x844), with one mistake on the way, saves part-way, comes back through
the same link, finishes and sends; staff then find exactly those answers on the results page and in
its CSV. And the builder: a question dragged to another place stays there after a reload, and the
arrow buttons do the same without any script.
"""
import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.audit import Actor
from app.auth.services import create_user
from app.contacts import services as contacts
from app.database import write_transaction
from app.extensions import db
from app.surveys import building, building_questions, sending
from app.surveys.audience import make_survey_audience
from app.surveys.models import InvitationStatus, SurveyInvitation, SurveyResponse
from tests.conftest import STAFF_PASSWORD

from .conftest import DESKTOP, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OFFICE = Actor(name="Maria Büro")
STAFF_EMAIL = "buero@podium.test"
ROLE = "In welcher Rolle sind Sie im Netzwerk aktiv?"
FIELDS = "In welchen Handlungsfeldern sind Sie tätig?"
INSTITUTION = "Für welche Institution antworten Sie?"
HOW_MANY = "Wie viele Geflüchtete haben Sie 2026 begleitet?"
RESULTS = "Welche konkreten Ergebnisse hat Ihre Arbeit 2026 gebracht?"
SATISFIED = "Wie zufrieden sind Sie mit dem Austausch im Netzwerk?"
# Sections and their questions: (kind, text, fields), the six types across three sections.
SURVEY = [
    ("Über Sie", [
        ("single", ROLE, {"required": True, "options": ["Hauptamtlich", "Ehrenamtlich", "Im Betrieb"]}),
        ("multiple", FIELDS, {"required": True, "allow_other": True,
                              "options": ["Sprache", "Ausbildung", "Arbeit", "Wohnen"]}),
        ("short-text", INSTITUTION, {}),
    ]),
    ("Ihre Arbeit 2026", [
        ("number", HOW_MANY, {"required": True, "min_number": 0, "max_number": 2000}),
        ("long-text", RESULTS, {"required": True}),
    ]),
    ("Das Netzwerk", [
        ("scale", SATISFIED, {"required": True, "low_label": "gar nicht", "high_label": "sehr"}),
    ]),
]


def build_survey(title: str = "Netzwerkbefragung 2026", sections=SURVEY) -> int:
    """A draft survey with these sections and questions, built through the builder's services."""
    with write_transaction() as tx:
        survey = building.create_survey(title=title, intro="Einmal im Jahr fragen wir nach Ihrer Arbeit.",
                                        by=OFFICE, now=tx.now)
        for n, (title, questions) in enumerate(sections):
            if n == 0:
                section = building.sections_of(survey.id)[0]
                building.update_section(survey, section.id, title=title, by=OFFICE, now=tx.now)
            else:
                section = building.add_section(survey, title=title, by=OFFICE, now=tx.now)
            for kind, text, extra in questions:
                fields = dict(extra, kind=kind, text=text,
                              options=[{"label": label} for label in extra.get("options", [])])
                building_questions.add_question(survey, section.id, fields, by=OFFICE, now=tx.now)
        return survey.id


@pytest.fixture
def survey(app):
    """The survey sent to one contact of a charity: its id and the contact's personal link."""
    create_user(STAFF_EMAIL, role="staff", password=STAFF_PASSWORD, name="Maria Büro")
    contacts.create_contact({"name": "Leila Haddad", "email": "leila.haddad@caritas-trier.example",
                             "institution_name": "Caritasverband Trier", "institution_kind": "charity",
                             "tags": "Netzwerk", "locale": "de"}, by=OFFICE)
    survey_id = build_survey()
    sending.save_audience(survey_id, make_survey_audience(everyone=True), by=OFFICE)
    sending.send_survey(survey_id, by=OFFICE)
    token = db.session.execute(select(SurveyInvitation.token)).scalar_one()
    db.session.remove()
    return {"id": survey_id, "token": token}


def question(page, text: str):
    """The question on the page whose text (legend or label) is `text`."""
    return page.locator("[data-question]", has_text=text)


def press(page, action: str) -> None:
    """Press one of the section's buttons (continue, save, back, send) and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f"button[data-action={action}]").click()


def test_a_respondent_answers_every_type_on_a_phone_and_staff_see_exactly_that(
        app, live_server, chromium, survey):
    context = chromium().new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    link = f"{live_server}/s/{survey['token']}"

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Netzwerkbefragung 2026")
    page.locator("[data-action=start]").click()
    expect(page).to_have_url(f"{link}/1")
    expect(page.locator(".survey__step")).to_have_text("Section 1 of 3")
    question(page, ROLE).get_by_label("Ehrenamtlich").check()
    question(page, FIELDS).get_by_label("Sprache").check()
    question(page, FIELDS).get_by_label("Wohnen").check()
    question(page, FIELDS).get_by_label("Other", exact=True).check()
    question(page, FIELDS).get_by_label("Other, namely:").fill("Freizeit und Sport")
    question(page, INSTITUTION).locator("input").fill("Willkommensinitiative Trier-West")
    press(page, "continue")

    # The mistake: words where a number belongs. The message sits at the question; nothing typed is lost.
    expect(page).to_have_url(f"{link}/2")
    question(page, HOW_MANY).locator("input").fill("ungefähr vierzig")
    question(page, RESULTS).locator("textarea").fill("Drei Ausbildungsverträge im Handwerk.\nEin Sprachcafé.")
    press(page, "continue")

    expect(page.locator(".error-summary")).to_contain_text("Please check your answers")
    number = question(page, HOW_MANY)
    expect(number.locator(".error")).to_have_text(re.compile("Please enter a number"))
    expect(number.locator("input")).to_have_value("ungefähr vierzig")
    expect(number.locator("input")).to_have_attribute("aria-invalid", "true")
    expect(question(page, RESULTS).locator("textarea")).to_have_value(
        "Drei Ausbildungsverträge im Handwerk.\nEin Sprachcafé.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Corrected, then saved part-way: the person stops here and comes back through the link later.
    number.locator("input").fill("42")
    press(page, "save")
    expect(page).to_have_url(f"{link}/saved")
    with app.app_context():
        assert db.session.execute(select(SurveyInvitation.status)).scalar_one() == InvitationStatus.started

    page.goto(link)
    expect(page).to_have_url(f"{link}/3?resumed=1")  # on where they left off, told their answers are kept
    expect(page.get_by_role("status")).to_contain_text("Welcome back")
    press(page, "back")
    expect(question(page, HOW_MANY).locator("input")).to_have_value("42")
    press(page, "continue")
    question(page, SATISFIED).get_by_label("4").check()
    press(page, "send")

    expect(page).to_have_url(f"{link}/sent")
    for shown in ("Ehrenamtlich", "Freizeit und Sport", "Willkommensinitiative Trier-West", "42",
                  "Drei Ausbildungsverträge im Handwerk."):
        expect(page.locator("main")).to_contain_text(shown)
    assert errors == []
    context.close()
    with app.app_context():
        assert db.session.execute(select(SurveyInvitation.status)).scalar_one() == InvitationStatus.completed
        assert db.session.execute(select(SurveyResponse.submitted_at)).scalar_one() is not None

    # Staff: the results page and its CSV say what she answered.
    staff = chromium().new_context(viewport=DESKTOP, locale="en-US")
    page = staff.new_page()
    log_in(page, live_server, STAFF_EMAIL, STAFF_PASSWORD, lands_on="/staff/")
    page.goto(f"{live_server}/staff/surveys/{survey['id']}/results")
    expect(page.locator("#results-counted")).to_contain_text("Counted: 1 complete")
    results = {text: page.locator("article.question-result", has_text=text)
               for text in (ROLE, FIELDS, INSTITUTION, HOW_MANY, RESULTS, SATISFIED)}
    expect(results[ROLE].locator("table")).to_contain_text("Ehrenamtlich")
    expect(results[FIELDS].locator(".other-texts .answer-texts__text")).to_have_text("Freizeit und Sport")
    expect(results[INSTITUTION].locator(".answer-texts .answer-texts__text")).to_have_text(
        "Willkommensinitiative Trier-West")
    # A named survey says who wrote what.
    expect(results[FIELDS].locator(".other-texts [data-by]")).to_have_text("Leila Haddad, Caritasverband Trier")
    expect(results[HOW_MANY].locator("[data-stat=max]")).to_have_text("42")
    expect(results[RESULTS].locator(".answer-texts")).to_contain_text("Drei Ausbildungsverträge im Handwerk.")
    expect(results[SATISFIED].locator("[data-mean]")).to_have_attribute("data-mean", re.compile(r"^4(\.0)?$"))

    download = page.request.get(f"{live_server}/staff/surveys/{survey['id']}/results.csv")
    rows = list(csv.DictReader(io.StringIO(download.text().lstrip("\ufeff"))))
    staff.close()
    assert len(rows) == 1
    row = rows[0]
    answer = {text: next(value for key, value in row.items() if key.endswith(f" {text}")) for text in
              (ROLE, FIELDS, INSTITUTION, HOW_MANY, RESULTS, SATISFIED)}
    assert row["status"] == "complete" and row["name"] == "Leila Haddad"
    assert row["institution"] == "Caritasverband Trier" and row["institution_kind"] == "charity"
    chosen, _, other = answer.pop(FIELDS).rpartition("; ")
    assert chosen == "Sprache; Wohnen" and other == "other"  # the plain file's key, in every language
    assert answer == {ROLE: "Ehrenamtlich", INSTITUTION: "Willkommensinitiative Trier-West", HOW_MANY: "42",
                      RESULTS: "Drei Ausbildungsverträge im Handwerk.\nEin Sprachcafé.", SATISFIED: "4"}
    assert next(value for key, value in row.items() if key.endswith("(other)")) == "Freizeit und Sport"


def order_on_the_page(page) -> list[str]:
    """The questions' texts in the order the builder shows them, section after section."""
    return page.locator(".builder-question .builder-question__text").all_inner_texts()


@pytest.fixture
def draft(app):
    """A staff member and a draft survey of three questions in one section, and two in another."""
    create_user(STAFF_EMAIL, role="staff", password=STAFF_PASSWORD, name="Maria Büro")
    survey_id = build_survey("Bedarfe der Ehrenamtlichen 2027", [
        ("Teil eins", [("short-text", "Erste Frage", {}), ("short-text", "Zweite Frage", {}),
                       ("long-text", "Dritte Frage", {})]),
        ("Teil zwei", [("number", "Vierte Frage", {}), ("scale", "Fünfte Frage", {})]),
    ])
    db.session.remove()
    return survey_id


def test_a_question_dragged_by_its_handle_stays_where_it_was_dropped(app, live_server, chromium, draft):
    context = chromium().new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, STAFF_EMAIL, STAFF_PASSWORD, lands_on="/staff/")
    page.goto(f"{live_server}/staff/surveys/{draft}/")
    assert order_on_the_page(page) == ["Erste Frage", "Zweite Frage", "Dritte Frage", "Vierte Frage",
                                       "Fünfte Frage"]

    # "Dritte Frage" by its handle onto the upper half of "Erste Frage": it goes first.
    third = page.locator(".builder-question", has_text="Dritte Frage")
    first = page.locator(".builder-question", has_text="Erste Frage")
    third.locator("[data-handle=question]").drag_to(first, target_position={"x": 40, "y": 4})

    expect(page.locator("#builder-status")).to_have_text("The new order is saved.")
    assert order_on_the_page(page)[:3] == ["Dritte Frage", "Erste Frage", "Zweite Frage"]
    page.reload()
    assert order_on_the_page(page) == ["Dritte Frage", "Erste Frage", "Zweite Frage", "Vierte Frage",
                                       "Fünfte Frage"]

    # Across sections: "Fünfte Frage" dropped at the top of the first section.
    fifth = page.locator(".builder-question", has_text="Fünfte Frage")
    top = page.locator(".builder-question", has_text="Dritte Frage")
    fifth.locator("[data-handle=question]").drag_to(top, target_position={"x": 40, "y": 4})
    expect(page.locator("#builder-status")).to_have_text("The new order is saved.")
    page.reload()
    sections = page.locator(".builder-section")
    expect(sections.nth(0).locator(".builder-question__text")).to_have_text(
        ["Fünfte Frage", "Dritte Frage", "Erste Frage", "Zweite Frage"])
    expect(sections.nth(1).locator(".builder-question__text")).to_have_text(["Vierte Frage"])
    assert errors == []
    context.close()


def test_the_arrow_buttons_move_questions_without_any_script(app, live_server, chromium, draft):
    browser = chromium()
    login = browser.new_context(viewport=DESKTOP, locale="en-US")
    log_in(login.new_page(), live_server, STAFF_EMAIL, STAFF_PASSWORD, lands_on="/staff/")
    context = browser.new_context(viewport=DESKTOP, locale="en-US", java_script_enabled=False,
                                  storage_state=login.storage_state())
    login.close()
    page = context.new_page()
    page.goto(f"{live_server}/staff/surveys/{draft}/")

    with page.expect_navigation():
        page.locator(".builder-question", has_text="Erste Frage").get_by_role(
            "button", name="Move down: Erste Frage").click()
    assert order_on_the_page(page)[:3] == ["Zweite Frage", "Erste Frage", "Dritte Frage"]

    # The last question of a section moves on into the next one.
    with page.expect_navigation():
        page.locator(".builder-question", has_text="Dritte Frage").get_by_role(
            "button", name="Move down: Dritte Frage").click()
    page.reload()
    sections = page.locator(".builder-section")
    expect(sections.nth(0).locator(".builder-question__text")).to_have_text(["Zweite Frage", "Erste Frage"])
    expect(sections.nth(1).locator(".builder-question__text")).to_have_text(
        ["Dritte Frage", "Vierte Frage", "Fünfte Frage"])
    context.close()
