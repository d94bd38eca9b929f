"""An audience by kinds of organisation means the kinds of the contacts' institutions: a contact
who belongs to no institution counts as "other", and a kind staff change on the institution's page
changes whom the campaign reaches."""
from app.campaigns.audience import make_audience, resolve_audience
from app.contacts import institutions
from tests.conftest import TEST_ACTOR

from .conftest import institution_id


def reached(*kinds) -> list[str]:
    return sorted(c.email for c in resolve_audience(make_audience("kinds", kinds=list(kinds))).contacts)


def test_other_takes_in_contacts_of_no_institution(make_contact):
    make_contact(email="a@example.org", institution="IHK Trier", kind="chamber")
    make_contact(email="b@example.org", institution="Firma X", kind="other")
    make_contact(email="c@example.org")

    assert reached("other") == ["b@example.org", "c@example.org"]
    assert reached("chamber") == ["a@example.org"]


def test_the_kind_set_on_the_institution_decides(make_contact):
    make_contact(email="a@example.org", institution="Willkommensnetz Schweich", kind="other")
    make_contact(email="b@example.org", institution="Willkommensnetz Schweich")
    assert reached("volunteer") == []

    institutions.update_institution(institution_id("Willkommensnetz Schweich"),
                                    {"name": "Willkommensnetz Schweich", "kind": "volunteer"}, by=TEST_ACTOR)

    assert reached("volunteer") == ["a@example.org", "b@example.org"]
    assert reached("other") == []
