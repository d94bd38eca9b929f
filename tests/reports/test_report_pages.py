"""The report pages as staff read them, on the fixture year (tests/reports/conftest.py): the figures
and what each counts, the charts beside their tables, the CSV of every table, bad choices of period,
the figures of one event and one working group, and the attendance list before and after the
people of the event are anonymised."""
import csv
import io

import pytest
from flask import url_for
from flask_babel import force_locale
from pypdf import PdfReader

from app.auth.services import create_user
from app.contacts.models import Institution
from app.csvexport import csv_cell_text
from app.database import write_transaction
from app.events.services import create_event
from app.extensions import db
from app.privacy.retention import purge
from app.reports.csv_tables import TABLES
from app.reports.figures import DEFINITIONS
from tests.conftest import STAFF_PASSWORD, TEST_ACTOR
from tests.pages import field_error, main_text, page
from tests.reports.conftest import NOW, berlin
from tests.rows import fresh_reads

YEAR_2025 = {"span": "year", "year": "2025"}


def report_page(office, **args):
    response = office.get(url_for("reports_staff.index", **(YEAR_2025 | args)))
    assert response.status_code == 200, response.text
    return page(response)


def headline(root) -> dict[str, str]:
    """The big numbers at the top, by figure: what the page says (its data-value)."""
    return {figure.get("data-figure"): figure.one("dd", class_="report-figure__value").get("data-value")
            for figure in root.one("dl", class_="report-headline").find_all("div", class_="report-figure")}


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    delimiter = ";" if response.headers["Content-Disposition"].endswith('-excel.csv"') else ","
    return [{key: csv_cell_text(value) for key, value in row.items()}
            for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


# --- the report of the year --------------------------------------------------------------------

def test_the_page_shows_the_years_figures_each_with_its_definition(office, year):
    root = report_page(office)

    # As counted by hand in test_figures.py: E1, E3, E4, E5; 11 attendances of 8 people from 4
    # institutions; 7 of the 10 guests expected came.
    assert headline(root) == {"gatherings": "4", "attended": "11", "people": "8", "institutions": "4",
                              "attendance_rate": "0.7"}
    assert "70 %" in root.one("div", data_figure="attendance_rate").text
    assert root.one("p", data_period="").text == "2025"
    text = root.find("main").text
    for key in ("gatherings", "attended", "people", "institutions", "attendance_rate", "no_show_rate",
                "registrations", "walk_ins", "affiliation", "events_hosted", "top_events"):
        assert " ".join(english(DEFINITIONS[key]).split()) in text, key
    # The best-attended events: E1 (5 attendances), E3 (3), E5 (2 present), E4 (1).
    top = root.one("div", data_table="top-events").find("tbody").find_all("tr")
    cells = [tuple(tr.find("td", data_column=column).text for column in ("title", "attended")) for tr in top]
    assert cells == [
        ("Forum Ausbildung", "5"), ("Infoabend Anerkennung", "3"), ("Koordinierungsrunde", "2"),
        ("AK Ausbildung: Herbstsitzung", "1")]


def test_the_report_of_the_current_year_is_the_default(office, year):
    root = page(office.get(url_for("reports_staff.index")))

    # 2026 so far: E8, the new year's forum at 00:30 in Berlin, with Xaver; E9 is still to come.
    assert root.one("input", id="year").get("value") == root.one("p", data_period="").text
    assert root.one("input", id="span-0").get("checked") is not None


def test_every_chart_draws_the_numbers_of_the_table_beside_it(office, year):
    root = report_page(office)

    charts = root.find_all("figure", class_="chart")
    assert len(charts) == sum(table.chart for table in TABLES.values())
    for chart in charts:
        bars = [(g.get("data-label"), g.get("data-value")) for g in chart.find_all("g", class_="chart__row")]
        cells = [(row.find("th").text, row.find("td").get("data-value"))
                 for row in chart.one("table").find("tbody").find_all("tr")]
        assert bars == cells and bars, chart.get("id")
        # The text alternative says the same numbers.
        assert all(label in chart.one("desc").text for label, _ in bars)
    bars = root.one("figure", id="chart-participation").find_all("g", class_="chart__row")
    participation = {g.get("data-label"): g.get("data-value") for g in bars}
    assert participation["Registrations"] == "12" and participation["Walk-ins"] == "2"


@pytest.mark.parametrize("key", sorted(TABLES))
def test_the_csv_of_each_table_holds_the_numbers_on_the_page(office, year, key):
    table = page(office.get(url_for("reports_staff.index", **YEAR_2025))).one("div", data_table=key)
    links = {a.text: a.get("href") for a in table.one("div", data_downloads=key).find_all("a")}

    plain = office.get(links["CSV for other programs"])
    excel = office.get(links["Download for Excel"])

    assert plain.status_code == 200 and plain.mimetype == "text/csv"
    assert f'filename="report-2025-01-01-2025-12-31-{key}.csv"' in plain.headers["Content-Disposition"]
    rows, shown = read_csv(plain), read_csv(excel)
    body = table.find("tbody").find_all("tr")
    assert len(rows) == len(shown) == len(body) > 0
    if TABLES[key].chart:
        assert [(row["label"], row["value"]) for row in rows] == [
            (tr.find("th").text, tr.find("td").get("data-value")) for tr in body]
        return
    for row, readable, tr in zip(rows, shown, body):
        cells = [tr.find("th"), *tr.find_all("td")]
        titles = [th.text for th in table.find("thead").find_all("th")]
        assert [" ".join(readable[title].split()) for title in titles] == [cell.text for cell in cells]
        numbers = [cell for cell in tr.find_all("td") if cell.get("data-value") is not None]
        assert numbers  # each row of a table of figures has some
        for cell in numbers:
            assert row[cell.get("data-column")] == cell.get("data-value")


def test_the_page_reads_the_same_after_the_years_people_are_anonymised(office, year):
    before = main_text(office.get(url_for("reports_staff.index", **YEAR_2025)))
    fresh_reads()

    purge(now=NOW)

    assert main_text(office.get(url_for("reports_staff.index", **YEAR_2025))) == before


def test_a_name_that_looks_like_a_formula_is_plain_text_in_the_csv(office, year):
    with write_transaction():
        db.session.get(Institution, year.institutions["IHK Trier"]).name = "=HYPERLINK(\"http://x\")"

    response = office.get(url_for("reports_staff.index_csv", key="institutions", **YEAR_2025))

    cells = {row["institution"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)[1:]))}
    assert "'=HYPERLINK(\"http://x\")" in cells  # an apostrophe first: a spreadsheet shows it, runs nothing


def test_an_unknown_table_is_not_found(office, year):
    assert office.get(url_for("reports_staff.index_csv", key="secrets", **YEAR_2025)).status_code == 404


def test_narrowing_to_the_working_group_says_so_and_counts_its_session_only(office, year):
    root = report_page(office, group=str(year.group_id))

    assert headline(root)["gatherings"] == "1"
    assert "Working group: AK Ausbildung" in root.one("p", data_narrowing="").text
    # The downloads keep the choice.
    link = root.one("div", data_downloads="gatherings").find("a").get("href")
    assert f"group={year.group_id}" in link and "year=2025" in link


def test_every_definition_is_one_sentence():
    for key, definition in DEFINITIONS.items():
        text = str(definition)
        assert text.endswith(".") and text.count(". ") == 0 and ";" not in text, key


def test_the_events_still_to_come_are_told_once(office, year):
    with write_transaction():
        create_event(title="Zukunftsforum", kind="forum", starts_at=berlin(2099, 6, 1), publish=True, by=TEST_ACTOR)

    root = report_page(office, year="2099")

    note = root.one("p", data_figure="upcoming")
    assert note.get("data-value") == "1"
    assert " ".join(note.text.split()) == f"Still to come: 1. {english(DEFINITIONS['upcoming'])}"


@pytest.mark.parametrize(("key", "column"), [("rates", "value"), ("responses", "rate"), ("responses", "invited")])
def test_rates_stand_flush_right_like_the_counts(office, year, key, column):
    table = report_page(office).one("div", data_table=key).one("table")
    position = [th.text for th in table.find("thead").find_all("th")].index(
        next(english(c.title) for c in TABLES[key].columns if c.key == column))

    assert "num" in table.find("thead").find_all("th")[position].classes
    for cell in table.find("tbody").find_all("td", data_column=column):
        assert "num" in cell.classes and cell.get("data-value") is not None


def test_a_working_groups_report_leaves_out_the_kinds_that_did_not_occur(office, year):
    args = {"group_id": year.group_id, **YEAR_2025}
    root = page(office.get(url_for("reports_staff.group", **args)))

    for key, expected in (("gatherings", [("Working-group sessions", "1")]),
                          ("gatherings-by-kind", [("Working group", "1")])):
        chart = root.one("div", data_table=key)
        bars = [(g.get("data-label"), g.get("data-value")) for g in chart.find_all("g", class_="chart__row")]
        cells = [(tr.find("th").text, tr.find("td").get("data-value")) for tr in chart.find("tbody").find_all("tr")]
        rows = read_csv(office.get(url_for("reports_staff.group_csv", key=key, **args)))
        assert bars == cells == [(label, value) for label, value in expected], key
        assert [(row["label"], row["value"]) for row in rows] == expected, key
    pdf = office.get(url_for("reports_staff.group_pdf", **args))
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Working group" in text and "Podium discussion" not in text and "Public events" not in text


# --- a choice that is no period --------------------------------------------------------------------

BAD_CHOICES = [
    ({"span": "year", "year": "twenty"}, "year", "Please choose a year between 2000 and 2100."),
    ({"span": "year", "year": "1999"}, "year", "Please choose a year between 2000 and 2100."),
    ({"span": "half", "year": "2025", "half": "3"}, "half", "Please choose the first or the second half"),
    ({"span": "custom", "start": "2025-05-01", "end": "2025-04-01"}, "end", "lies before its start"),
    ({"span": "custom", "start": "1 May", "end": "2025-06-01"}, "start", "Please enter a date as YYYY-MM-DD"),
    ({"span": "custom", "start": "2025-05-01", "end": ""}, "end", "both the first and the last day"),
    ({"span": "decade"}, "span", "Please choose a year, a half-year or two days."),
    ({"span": "year", "year": "2025", "kind": "party"}, "kind", "Please choose kinds of event from the list"),
    ({"span": "year", "year": "2025", "series": "999999"}, "series", "There is no such series."),
    ({"span": "year", "year": "2025", "group": "x"}, "group", "There is no such working group."),
    ({"span": "year", "year": "2025", "institution": "-1"}, "institution", "There is no such institution."),
]


@pytest.mark.parametrize(("args", "field", "message"), BAD_CHOICES)
def test_a_choice_that_is_no_report_gets_its_message_and_keeps_what_was_chosen(office, year, args, field,
                                                                                  message):
    response = office.get(url_for("reports_staff.index", **args))

    assert response.status_code == 422
    assert message in field_error(response, field)
    form = page(response).one("form", class_="report-choice")
    for name, value in args.items():
        if name in ("year", "start", "end"):
            assert form.one("input", name=name).get("value") == value
    assert not page(response).find_all("dl", class_="report-headline")


@pytest.mark.parametrize("endpoint", ["reports_staff.index_pdf", "reports_staff.index_csv"])
def test_the_downloads_refuse_a_bad_choice_the_same_way(office, year, endpoint):
    response = office.get(url_for(endpoint, key="gatherings", span="custom", start="2025-05-01",
                                  end="2025-04-01"))

    assert response.status_code == 422
    assert "lies before its start" in field_error(response, "end")


# --- one event, one working group ------------------------------------------------------------------

def test_an_events_figures_are_its_own(office, year):
    response = office.get(url_for("reports_staff.event", event_id=year.events["E1"]))

    assert response.status_code == 200
    root = page(response)
    assert root.find("h1").text == "Forum Ausbildung"
    # E1: r1-r6, r9 signed up (7); of the 5 expected (not r4, cancelled before, nor r6, waitlisted)
    # r1, r2, r9 came, r3 and r5 did not; the walk-ins r7, r8 came too. IHK and Caritas took part.
    assert headline(root) == {"attended": "5", "people": "5", "institutions": "2", "attendance_rate": "0.6"}
    assert not root.find_all("form", class_="report-choice")
    assert not root.find_all("figure", id="chart-gatherings")  # one event is one gathering


def test_an_events_figures_come_as_pdf_and_csv_too(office, year):
    event_id = year.events["E1"]
    pdf = office.get(url_for("reports_staff.event_pdf", event_id=event_id))
    table = office.get(url_for("reports_staff.event_csv", event_id=event_id, key="participation"))

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "report-event-" in table.headers["Content-Disposition"]
    assert {row["key"]: row["value"] for row in read_csv(table)}["registrations"] == "7"


def test_a_working_groups_figures_follow_the_chosen_period(office, year):
    url = url_for("reports_staff.group", group_id=year.group_id)

    in_2025 = page(office.get(url, query_string=YEAR_2025))
    in_2026 = page(office.get(url, query_string={"span": "year", "year": "2026"}))
    bad = office.get(url, query_string={"span": "year", "year": "soon"})

    assert in_2025.find("h1").text == "AK Ausbildung"
    assert headline(in_2025)["gatherings"] == "1" and headline(in_2025)["attended"] == "1"  # r13, Xaver
    assert headline(in_2026)["gatherings"] == "0"
    assert bad.status_code == 422 and field_error(bad, "year")
    # Only the period is asked for: the group is the narrowing.
    assert not in_2025.find_all("select", id="group")


def test_the_event_and_group_pages_link_to_their_figures(office, year):
    event_page = page(office.get(url_for("events_staff.edit", event_id=year.events["E1"])))
    group_page = page(office.get(url_for("groups_staff.show", group_id=year.group_id)))

    links = {a.text: a.get("href") for a in event_page.find_all("a")}
    assert links["Figures"] == url_for("reports_staff.event", event_id=year.events["E1"])
    assert links["Attendance list"] == url_for("reports_staff.attendance", event_id=year.events["E1"])
    group_links = {a.get("href") for a in group_page.find_all("a")}
    assert url_for("reports_staff.group", group_id=year.group_id) in group_links


# --- the attendance list ----------------------------------------------------------------------------

def attendance_list(office, event_id):
    response = office.get(url_for("reports_staff.attendance", event_id=event_id))
    assert response.status_code == 200
    root = page(response)
    rows = root.find_all("tr", data_person="")
    return root, [(tr.find("th").text, tr.find_all("td")[1].text) for tr in rows]


def test_the_attendance_list_names_who_came_with_their_institution(office, year):
    root, people = attendance_list(office, year.events["E1"])

    assert people == [("Anna Schmidt", "Caritas Trier"), ("Ohne Adresse", ""), ("Walk In", ""),
                      ("Xaver Roth", "IHK Trier"), ("Yara Haddad", "Caritas Trier")]
    assert root.one("div", data_figure="came").find("dd").get("data-value") == "5"
    assert "Zoe Lang" not in root.text  # signed up, did not come


def test_a_recorded_meeting_lists_the_contacts_present(office, year):
    _root, people = attendance_list(office, year.events["E5"])

    assert people == [("Anna Schmidt", "Caritas Trier"), ("Bernd Weber", "Stadt Trier")]


def test_once_anonymised_the_attendance_list_gives_the_count_and_no_names(office, year):
    fresh_reads()
    purge(now=NOW)

    root, people = attendance_list(office, year.events["E1"])

    assert people == []
    assert root.one("div", data_figure="came").find("dd").get("data-value") == "5"
    assert "anonymised" in root.one("p", data_anonymised="").text
    shown = main_text(office.get(url_for("reports_staff.attendance", event_id=year.events["E1"])))
    for name in ("Xaver", "Yara", "Anna", "Walk In", "Ohne Adresse"):
        assert name not in shown


# --- who may read the figures -----------------------------------------------------------------------

def routes(year) -> list[str]:
    event_id, group_id = year.events["E1"], year.group_id
    return [url_for("reports_staff.index"), url_for("reports_staff.index_pdf"),
            url_for("reports_staff.index_csv", key="gatherings"),
            url_for("reports_staff.event", event_id=event_id),
            url_for("reports_staff.event_pdf", event_id=event_id),
            url_for("reports_staff.event_csv", event_id=event_id, key="gatherings"),
            url_for("reports_staff.group", group_id=group_id),
            url_for("reports_staff.group_pdf", group_id=group_id),
            url_for("reports_staff.group_csv", group_id=group_id, key="gatherings"),
            url_for("reports_staff.attendance", event_id=event_id),
            url_for("reports_staff.attendance_pdf", event_id=event_id)]


def test_only_staff_read_the_figures(client, login, year):
    for url in routes(year):
        assert client.get(url).status_code == 302, url  # to the login
    create_user("partner@podium.test", role="partner", institution_id=year.institutions["IHK Trier"],
                password=STAFF_PASSWORD)
    partner = client
    assert partner.post("/staff/login", data={"email": "partner@podium.test",
                                             "password": STAFF_PASSWORD}).status_code == 302
    for url in routes(year):
        assert partner.get(url).status_code == 403, url


def test_door_users_are_refused(login, year):
    door = login("door")
    for url in routes(year):
        assert door.get(url).status_code == 403, url


def test_an_unknown_event_or_group_is_not_found(office, year):
    assert office.get(url_for("reports_staff.event", event_id=999_999)).status_code == 404
    assert office.get(url_for("reports_staff.group", group_id=999_999)).status_code == 404
    assert office.get(url_for("reports_staff.attendance", event_id=999_999)).status_code == 404


def english(text) -> str:
    """A lazy string as the English page shows it (outside a page, German is the default)."""
    with force_locale("en"):
        return str(text)
