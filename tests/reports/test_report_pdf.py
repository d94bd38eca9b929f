"""The report and the attendance list as PDFs: A4 pages, read back with pypdf (not by the code that
wrote them), holding the headline figures, the period in every page's header and the page numbers;
and WeasyPrint fetches nothing but Podium's own static files while it draws them."""
import io
from pathlib import Path

import pytest
from flask import current_app, url_for
from pypdf import PdfReader

from app.reports.pdf import StaticFilesOnly
from tests.reports.test_report_pages import YEAR_2025

A4 = (595, 842)  # points, rounded


def pdf_pages(response) -> list[str]:
    """The text of each page of the PDF in the response."""
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    for page in reader.pages:
        assert (round(page.mediabox.width), round(page.mediabox.height)) == A4
    return [page.extract_text() for page in reader.pages]


def test_the_years_pdf_holds_its_headline_figures_period_and_page_numbers(office, year):
    response = office.get(url_for("reports_staff.index_pdf", **YEAR_2025))

    pages = pdf_pages(response)
    first = pages[0]
    assert "What the network achieved" in first and "Made by Podium on" in first
    # The headline figures of 2025 (test_figures.py counts them by hand), each under its name.
    assert ("Gatherings 4 Guests who came 11 People reached 8 Institutions 4 Attendance rate 70 %"
            in " ".join(first.split()))
    # The period in every page's header, and "n / N" at its foot.
    for number, text in enumerate(pages, start=1):
        assert "What the network achieved 2025" in text
        assert f"{number} / {len(pages)}" in text
    everything = "\n".join(pages)
    assert "Forum Ausbildung" in everything  # the best-attended event
    # No form and no buttons on paper.
    assert "Show the report" not in everything and "Download for Excel" not in everything
    assert 'filename="report-2025-01-01-2025-12-31.pdf"' in response.headers["Content-Disposition"]


def test_a_narrowed_pdf_says_to_what(office, year):
    response = office.get(url_for("reports_staff.index_pdf", **YEAR_2025, series=str(year.series_id)))

    assert "Series: Ausbildung und Arbeit 2025" in pdf_pages(response)[0]


def test_the_attendance_list_pdf_names_who_came(office, year):
    response = office.get(url_for("reports_staff.attendance_pdf", event_id=year.events["E1"]))

    text = "\n".join(pdf_pages(response))
    assert "ATTENDANCE LIST" in text and "Forum Ausbildung" in text  # the eyebrow is in capitals
    for name in ("Anna Schmidt", "Xaver Roth", "Yara Haddad", "Walk In", "Ohne Adresse"):
        assert name in text
    assert "Zoe Lang" not in text


# --- what WeasyPrint may load ------------------------------------------------------------------

@pytest.fixture
def fetcher(app):
    return StaticFilesOnly("http://localhost/static/", current_app.static_folder)


def test_the_pdf_gets_our_own_stylesheets_from_disk(fetcher):
    response = fetcher("http://localhost/static/report-print.css")

    assert response.read() == (Path(current_app.static_folder) / "report-print.css").read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize("url", [
    "http://example.org/static/podium.css",  # another host
    "https://localhost/static/podium.css",  # another scheme: not what the page was served from
    "file:///etc/passwd",
    "http://localhost/static/../../config.py",  # out of the static folder
    "http://localhost/static/%2e%2e/config.py",
    "http://localhost/staff/reports/",  # one of our pages, not a static file
    "http://localhost/static/nothing-here.css",
    "data:text/css,body{}",
])
def test_the_pdf_fetches_nothing_else(fetcher, url):
    with pytest.raises(ValueError):
        fetcher(url)
