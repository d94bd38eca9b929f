"""A typed organisation that staff matched to an institution counts for it however the sign-up
came about: staff adding a guest by hand, a guest let in at the door without signing up, and a
guest correcting their organisation on their own page (which takes the new text's match, or none)."""
import pytest
from flask import url_for

from app.audit import Actor
from app.checkin import services as door
from app.database import write_transaction
from app.extensions import db
from app.registrations.models import OrganisationMatch
from app.text import name_key
from tests.pages import ENGLISH, form_values, page
from tests.rows import registrations_of, reload

from .members import make_institution


@pytest.fixture
def ihk():
    """The IHK, which staff matched "IHK Trier" to (however it is spelt)."""
    institution = make_institution("Industrie- und Handelskammer Trier", kind="chamber")
    with write_transaction():
        db.session.add(OrganisationMatch(name_key=name_key("IHK Trier"), institution_id=institution.id,
                                         created_by="Test Staff"))
    return institution


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Fachkräfte", capacity=10)


def test_a_guest_staff_add_by_hand_counts_for_the_matched_institution(staff, forum, ihk):
    response = staff.post(url_for("registrations_staff.create", event_id=forum.id), headers=ENGLISH, data={
        "name": "Heinz Müller", "email": "heinz@example.org", "organisation": "ihk  trier",
        "affiliation": "professional", "note": "", "locale": "de"})

    assert response.status_code == 302
    [added] = registrations_of(forum)
    assert (added.name, added.institution_id) == ("Heinz Müller", ihk.id)


def test_a_walk_in_counts_for_the_matched_institution(forum, ihk):
    door.register_walk_in(forum.id, {"name": "Eva Neu", "email": "", "organisation": "IHK Trier"},
                          Actor(name="Anna Door"))
    door.register_walk_in(forum.id, {"name": "Ben Neu", "email": "", "organisation": "Stadt Trier"},
                          Actor(name="Anna Door"))

    assert [(r.name, r.checked_in_at is not None, r.institution_id) for r in registrations_of(forum)] == [
        ("Eva Neu", True, ihk.id), ("Ben Neu", True, None)]


def save_organisation(client, registration, organisation):
    """The guest corrects their organisation on their own page, leaving the rest as it is."""
    form = page(client.get(url_for("registrations.edit", token=registration.manage_token), headers=ENGLISH))
    data = form_values(form.one("form", id="details")) | {"organisation": organisation}
    response = client.post(url_for("registrations.save", token=registration.manage_token), data=data,
                           headers=ENGLISH)
    assert response.status_code == 302
    return reload(registration)


def test_a_guest_who_corrects_their_organisation_counts_for_the_new_ones_match(client, forum, ihk, sign_up):
    anna = sign_up(forum, name="Anna Schmidt", email="anna@example.org", organisation="Caritas")
    assert reload(anna).institution_id is None

    corrected = save_organisation(client, anna, "IHK  Trier")
    assert (corrected.organisation, corrected.institution_id) == ("IHK  Trier", ihk.id)

    moved_on = save_organisation(client, anna, "Handwerkskammer Trier")
    assert (moved_on.organisation, moved_on.institution_id) == ("Handwerkskammer Trier", None)
