"""An event's public page is cached by the event's version (pagecache): what it shows of an
institution named on it, or of its series, must show anew once staff change that institution or
series, without anyone touching the event."""
import pytest
from flask import url_for

from app.contacts import institutions as records
from app.events import series
from app.events.services import event_version
from app.network import hosts
from tests.conftest import TEST_ACTOR
from tests.pages import ENGLISH, page
from tests.rows import fresh_reads

from .members import make_institution


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Sprache und Arbeit")


@pytest.fixture
def ihk(forum):
    """The IHK, hosting the forum."""
    institution = make_institution("IHK Trier", website="https://www.ihk-trier.de")
    hosts.add_institution(forum.id, institution.id, "host", by=TEST_ACTOR)
    return institution


def public_page(client, event):
    response = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)
    assert response.status_code == 200
    return response


def hosted_by(response) -> list[tuple[str, str | None]]:
    """The hosts the page names, each with the address its name links to (None: no link)."""
    section = page(response).find("section", class_="event-institutions")
    if section is None:
        return []
    return [(li.text.strip(), li.find("a").get("href") if li.find("a") else None)
            for li in section.one("ul").find_all("li")]


def fields_of(institution, **changes) -> dict:
    return {"name": institution.name, "kind": str(institution.kind), "place": institution.place,
            "website": institution.website, "notes": institution.notes, **changes}


def test_a_renamed_host_shows_its_new_name_on_the_cached_page(client, forum, ihk):
    assert hosted_by(public_page(client, forum)) == [("IHK Trier", "https://www.ihk-trier.de")]

    records.update_institution(ihk.id, fields_of(ihk, name="Industrie- und Handelskammer Trier"), by=TEST_ACTOR)

    assert hosted_by(public_page(client, forum)) == [("Industrie- und Handelskammer Trier",
                                                      "https://www.ihk-trier.de")]


def test_a_hosts_new_website_is_linked_on_the_cached_page(client, forum, ihk):
    public_page(client, forum)

    records.update_institution(ihk.id, fields_of(ihk, website="www.ihk.de/trier"), by=TEST_ACTOR)

    assert hosted_by(public_page(client, forum)) == [("IHK Trier", "https://www.ihk.de/trier")]


def test_a_deleted_host_is_gone_from_the_cached_page(client, forum, ihk, make_event):
    other = make_event(title="Forum ohne Gastgeber")
    untouched = event_version(other.slug)
    public_page(client, forum)

    records.delete_institution(ihk.id, by=TEST_ACTOR)
    fresh_reads()

    assert hosted_by(public_page(client, forum)) == []
    assert event_version(other.slug) == untouched, "an event that did not name it keeps its cached page"


def test_a_renamed_series_shows_its_new_title_on_its_events_cached_pages(client, make_event):
    made = series.create_series(title="Ausbildung und Arbeit 2026", by=TEST_ACTOR)
    forum = make_event(title="Forum Pflege")
    series.add_event(made.id, forum.id, by=TEST_ACTOR)
    assert "Ausbildung und Arbeit 2026" in page(public_page(client, forum)).one("p", class_="series-link").text

    series.update_series(made.id, title="Ausbildung und Arbeit 2026/27", description="", by=TEST_ACTOR)

    link = page(public_page(client, forum)).one("p", class_="series-link").one("a")
    assert link.text == "Ausbildung und Arbeit 2026/27"
