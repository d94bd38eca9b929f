"""Matching what guests typed as their organisation to institutions: staff see each text once
(however it was spelt) with suggestions, match it or make an institution of it, and from then on
every sign-up with that text counts for the institution, those before and those to come."""
import pytest
from flask import url_for
from sqlalchemy import func, select

from app.audit import AuditAction, AuditEntry
from app.contacts.models import Institution
from app.extensions import db
from app.network import matching
from app.registrations.models import OrganisationMatch, Registration
from tests.contacts.pages import row_texts
from tests.pages import ENGLISH, page
from tests.rows import fresh_reads

from .members import make_institution


@pytest.fixture
def request_headers():
    return ENGLISH


@pytest.fixture
def typed(make_event, sign_up):
    """Sign-ups whose organisation was typed in three spellings of two names, and the institutions
    Podium has."""
    forum = make_event(title="Forum Fachkräfte")
    for n, organisation in enumerate(["IHK Trier", "ihk  trier", "IHK-Trier", "Caritasverband Trier e.V.", ""]):
        sign_up(forum, email=f"guest{n}@example.org", organisation=organisation)
    return {"ihk": make_institution("IHK Trier", kind="chamber"),
            "long": make_institution("Industrie- und Handelskammer Koblenz (IHK)", kind="chamber"),
            "caritas": make_institution("Caritas Trier", kind="charity"),
            "hwk": make_institution("Handwerkskammer Trier", kind="chamber")}


def institution_of_each() -> dict[str, int | None]:
    """The institution each registration counts for, by what the guest typed."""
    fresh_reads()
    return {r.organisation: r.institution_id
            for r in db.session.execute(select(Registration).order_by(Registration.id)).scalars()}


def sections(response) -> list[str]:
    return [section.one("h2").text for section in page(response).find_all("section", class_="panel")]


def test_the_page_lists_each_typed_organisation_once_with_suggestions(office, typed):
    response = office.get(url_for("institutions_staff.organisations"))

    assert response.status_code == 200
    assert sections(response) == ["“IHK Trier” 3 sign-ups", "“Caritasverband Trier e.V.” 1 sign-up"]
    ihk = page(response).one("section", id="organisation-1")
    suggestions = [item.one("span").text for item in ihk.one("ul", class_="suggestions").find_all("li")]
    assert suggestions[0] == "IHK Trier Chamber (IHK, HWK) · the same name"
    assert "Industrie- und Handelskammer Koblenz (IHK) Chamber (IHK, HWK) · abbreviation" in suggestions
    caritas = page(response).one("section", id="organisation-2")
    assert caritas.one("ul", class_="suggestions").find("span").text == "Caritas Trier Charity · similar name"
    index = page(office.get(url_for("institutions_staff.index")))
    assert index.one("a", id="organisations-link").text == "Organisations typed at sign-up (2)"


def test_matching_counts_every_spelling_for_the_institution_now_and_later(office, typed, make_event, sign_up):
    response = office.post(url_for("institutions_staff.match"),
                           data={"organisation": "IHK Trier", "institution_id": str(typed["ihk"].id)})

    assert response.status_code == 302
    shown = office.get(response.location)
    assert page(shown).one("p", class_="flash").text == "“IHK Trier” counts for the institution now: 3 sign-ups."
    assert sections(shown) == ["“Caritasverband Trier e.V.” 1 sign-up"]
    ihk = typed["ihk"].id
    assert institution_of_each() == {"IHK Trier": ihk, "ihk  trier": ihk, "IHK-Trier": ihk,
                                     "Caritasverband Trier e.V.": None, "": None}
    [match] = db.session.execute(select(OrganisationMatch)).scalars()
    assert (match.name_key, match.institution_id) == ("ihk trier", ihk)
    [entry] = db.session.execute(select(AuditEntry).where(AuditEntry.action == AuditAction.organisation_matched)
                                 ).scalars()
    assert entry.institution_id == ihk
    assert entry.changes == {"organisation": "IHK Trier", "registrations": 3}

    later = sign_up(make_event(title="Podium Wohnen"), email="later@example.org", organisation="I.H.K. Trier")
    unmatched = sign_up(make_event(title="Talk"), email="other@example.org", organisation="IHK Koblenz")

    fresh_reads()
    assert db.session.get(Registration, later.id).institution_id is None, "another spelling is another text"
    assert db.session.get(Registration, unmatched.id).institution_id is None
    again = sign_up(make_event(title="Forum Zwei"), email="again@example.org", organisation="Ihk trier")
    fresh_reads()
    assert db.session.get(Registration, again.id).institution_id == ihk
    listing = office.get(url_for("institutions_staff.index"))
    assert [row for row in row_texts(listing, "institutions") if row[0] == "IHK Trier"] == [
        ["IHK Trier", "Chamber (IHK, HWK)", "", "0", "0", "4"]]
    institution_page = page(office.get(url_for("institutions_staff.show", institution_id=ihk)))
    assert len(institution_page.one(id="registrations").one("tbody").find_all("tr")) == 4
    assert institution_page.one(id="typed-names").text == "ihk trier"


def test_an_organisation_becomes_an_institution_of_its_own(office, typed):
    response = office.post(url_for("institutions_staff.institution_from_text"),
                           data={"organisation": "Caritasverband Trier e.V.", "kind": "charity"})

    assert response.status_code == 302
    fresh_reads()
    made = db.session.execute(select(Institution).where(Institution.name == "Caritasverband Trier e.V.")).scalar_one()
    assert made.kind == "charity"
    assert institution_of_each()["Caritasverband Trier e.V."] == made.id
    assert sections(office.get(url_for("institutions_staff.organisations"))) == ["“IHK Trier” 3 sign-ups"]


def test_matching_to_an_institution_that_is_not_there_changes_nothing(office, typed):
    before = institution_of_each()

    response = office.post(url_for("institutions_staff.match"),
                           data={"organisation": "IHK Trier", "institution_id": "4711"})
    unchosen = office.post(url_for("institutions_staff.match"),
                           data={"organisation": "IHK Trier", "institution_id": ""})

    assert response.status_code == 422 and unchosen.status_code == 422
    assert "Please choose an institution from the list." in page(response).one(role="alert").text
    assert "Please choose an institution." in page(unchosen).one(role="alert").text
    assert institution_of_each() == before
    assert db.session.execute(select(func.count(OrganisationMatch.id))).scalar_one() == 0


def test_abbreviations_are_suggested(app):
    red_cross = make_institution("Deutsches Rotes Kreuz Trier-Saarburg", kind="charity")
    make_institution("Stadtverwaltung Trier", kind="city")

    suggestions = matching.suggest("DRK", list(db.session.execute(select(Institution)).scalars()))

    assert [(s.institution.id, s.abbreviation) for s in suggestions] == [(red_cross.id, True)]
