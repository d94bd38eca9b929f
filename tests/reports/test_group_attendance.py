"""A working group's attendance list over a period, on the fixture year (tests/reports/conftest.py)
and two more meetings of its group: who is listed, the marks per meeting, the totals, the people
whose details were deleted counted but never named, the PDF, and who may read it."""
import io
from datetime import timedelta

import pytest
from flask import url_for
from pypdf import PdfReader

from app.auth.services import create_user
from app.database import write_transaction
from app.extensions import db
from app.network.models import MeetingPresence
from app.privacy.retention import purge
from app.registrations.models import Registration, RegistrationStatus, Source
from tests.conftest import STAFF_PASSWORD
from tests.pages import field_error, main_text, page
from tests.reports.conftest import NOW, _event, berlin
from tests.reports.test_report_pages import YEAR_2025
from tests.rows import fresh_reads


@pytest.fixture
def meetings(year) -> dict[str, int]:
    """Beside E4 (15 September: Xaver came, Yara did not): M3, a meeting of the group recorded on
    20 October with Anna and Bernd present; M2, a session on 1 December where Xaver and Clara were
    checked in and Zoe never came; M4, a session in 2026 where Yara came. Their ids by name."""
    with write_transaction():
        group = {"working_group_id": year.group_id}
        found = {"M3": _event("AK Ausbildung: Gespräch", "coordination", berlin(2025, 10, 20), visibility="record",
                              **group),
                 "M2": _event("AK Ausbildung: Wintersitzung", "working-group", berlin(2025, 12, 1),
                              visibility="invitation", **group),
                 "M4": _event("AK Ausbildung: Frühjahr", "working-group", berlin(2026, 3, 2), **group)}
        db.session.add_all([MeetingPresence(event_id=found["M3"].id, contact_id=year.contacts[name])
                            for name in ("anna", "bernd")])
        ihk = year.institutions["IHK Trier"]
        db.session.add_all([
            _came(found["M2"], "Xaver Roth", "xaver@example.org", ihk),
            _came(found["M2"], "Clara Becker", "clara@example.org", ihk),
            _came(found["M2"], "Zoe Lang", "zoe@example.org", None, came=False),
            _came(found["M4"], "Yara Haddad", "yara@example.org", year.institutions["Caritas Trier"])])
    return {name: event.id for name, event in found.items()} | {"E4": year.events["E4"]}


def _came(event, name, email, institution_id, *, came=True) -> Registration:
    starts = event.starts_at
    return Registration(event_id=event.id, name=name, email=email, email_key=email, institution_id=institution_id,
                        status=RegistrationStatus.confirmed, consent_at=starts - timedelta(days=9),
                        consent_version="v1", source=Source.online, created_at=starts - timedelta(days=9),
                        checked_in_at=starts + timedelta(minutes=3) if came else None)


def group_list(office, group_id, **args):
    response = office.get(url_for("reports_staff.group_attendance", group_id=group_id, **(YEAR_2025 | args)))
    assert response.status_code == 200, response.text
    return page(response)


def grid(root):
    """The meetings (their data-meeting ids, in column order), each person's row as (name,
    institution, the ids of the meetings marked, total), and the totals row."""
    table = root.one("table", id="attendance")
    columns = [th.get("data-meeting") for th in table.find("thead").find_all("th", class_="attendance-grid__meeting")]
    rows = []
    for tr in table.find_all("tr", data_person=""):
        marked = [td.get("data-meeting") for td in tr.find_all("td", class_="attendance-grid__mark")
                  if td.get("data-mark") == "came"]
        rows.append((tr.find("th").text, tr.find_all("td")[0].text, marked, tr.find("td", class_="num").text))
    totals = [td.get("data-total") for td in table.one("tr", data_totals="").find_all("td")]
    return columns, rows, totals


def test_the_list_marks_who_came_to_which_of_the_groups_meetings_with_totals(office, year, meetings):
    root = group_list(office, year.group_id)

    ids = {name: str(event_id) for name, event_id in meetings.items()}
    columns, rows, totals = grid(root)
    # The group's meetings of 2025 by date; not M4 (2026) nor the gatherings of other groups.
    assert columns == [ids["E4"], ids["M3"], ids["M2"]]
    # Xaver came to E4 and M2 (one person: one row); Yara (E4) and Zoe (M2) signed up and did not come.
    assert rows == [("Anna Schmidt", "Caritas Trier", [ids["M3"]], "1"),
                    ("Bernd Weber", "Stadt Trier", [ids["M3"]], "1"),
                    ("Clara Becker", "IHK Trier", [ids["M2"]], "1"),
                    ("Xaver Roth", "IHK Trier", [ids["E4"], ids["M2"]], "2")]
    assert totals == ["1", "2", "2", "5"]
    text = root.find("main").text
    assert "Yara" not in text and "Zoe" not in text
    assert root.one("p", data_period="").text == "2025"
    assert root.one("div", data_figure="came").find("dd").get("data-value") == "4"
    assert not root.find_all("tr", data_anonymised="")


def test_the_period_chooses_the_meetings(office, year, meetings):
    root = group_list(office, year.group_id, year="2026")
    bad = office.get(url_for("reports_staff.group_attendance", group_id=year.group_id, span="year", year="soon"))

    columns, rows, totals = grid(root)
    assert columns == [str(meetings["M4"])]
    assert rows == [("Yara Haddad", "Caritas Trier", [str(meetings["M4"])], "1")] and totals == ["1", "1"]
    assert bad.status_code == 422 and field_error(bad, "year")


def test_people_whose_details_were_deleted_are_counted_and_not_named(office, year, meetings):
    fresh_reads()
    purge(now=NOW)  # every sign-up of 2025 is past its retention period; the presences stay

    root = group_list(office, year.group_id)

    _columns, rows, totals = grid(root)
    assert [row[0] for row in rows] == ["Anna Schmidt", "Bernd Weber"]
    line = root.one("tr", data_anonymised="")
    # Xaver (at E4 and M2) and Clara: two people, three attendances.
    assert "and 2 people whose details were deleted after the retention period" in line.text
    assert [td.get("data-value") for td in line.find_all("td", class_="attendance-grid__count")] == ["1", "0", "2"]
    assert totals == ["1", "2", "2", "5"]  # the same as before
    shown = main_text(office.get(url_for("reports_staff.group_attendance", group_id=year.group_id, **YEAR_2025)))
    assert "Xaver" not in shown and "Clara" not in shown


def test_the_pdf_lists_the_same_people_across_an_a4_page(office, year, meetings):
    response = office.get(url_for("reports_staff.group_attendance_pdf", group_id=year.group_id, **YEAR_2025))

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="attendance-group-{year.group_id}-2025-01-01-2025-12-31.pdf"' in (
        response.headers["Content-Disposition"])
    reader = PdfReader(io.BytesIO(response.data))
    assert all((round(p.mediabox.width), round(p.mediabox.height)) == (842, 595) for p in reader.pages)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for name in ("AK Ausbildung", "2025", "Anna Schmidt", "Bernd Weber", "Clara Becker", "Xaver Roth"):
        assert name in text
    assert "Yara" not in text and "Show the list" not in text


def test_the_group_report_and_the_groups_page_link_to_the_list(office, year):
    report = page(office.get(url_for("reports_staff.group", group_id=year.group_id, **YEAR_2025)))
    group = page(office.get(url_for("groups_staff.show", group_id=year.group_id)))

    assert report.one("a", data_link="attendance-list").get("href") == url_for(
        "reports_staff.group_attendance", group_id=year.group_id, **YEAR_2025)
    assert group.one("a", data_link="attendance-list").get("href") == url_for(
        "reports_staff.group_attendance", group_id=year.group_id)


def test_only_staff_read_the_list(client, login, year):
    urls = [url_for("reports_staff.group_attendance", group_id=year.group_id),
            url_for("reports_staff.group_attendance_pdf", group_id=year.group_id)]
    for url in urls:
        assert client.get(url).status_code == 302, url  # to the login
    create_user("partner@podium.test", role="partner", institution_id=year.institutions["IHK Trier"],
                password=STAFF_PASSWORD)
    assert client.post("/staff/login", data={"email": "partner@podium.test",
                                            "password": STAFF_PASSWORD}).status_code == 302
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_door_users_are_refused_the_list(login, year):
    door = login("door")
    for endpoint in ("reports_staff.group_attendance", "reports_staff.group_attendance_pdf"):
        assert door.get(url_for(endpoint, group_id=year.group_id)).status_code == 403


def test_an_unknown_group_has_no_list(office, year):
    assert office.get(url_for("reports_staff.group_attendance", group_id=999_999)).status_code == 404
