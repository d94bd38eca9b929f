"""The refs the figures count people by once their sign-ups are anonymised (privacy.models): given on
anonymising, the same for every row of one person, forgotten when the person is erased or has
nothing left but anonymised rows."""
from sqlalchemy import select

from app.database import utcnow, write_transaction
from app.extensions import db
from app.privacy.anonymise import anonymise_registrations
from app.privacy.models import PersonRef
from app.privacy.person import erase_person
from app.privacy.retention import forget_person_refs
from app.registrations.models import Registration
from tests.conftest import TEST_ACTOR
from tests.rows import fresh_reads, reload


def kept_refs() -> dict[str, str]:
    fresh_reads()
    return dict(db.session.execute(select(PersonRef.identity, PersonRef.ref)).all())


def anonymise(*registrations) -> None:
    with write_transaction() as tx:
        anonymise_registrations(Registration.id.in_([registration.id for registration in registrations]), tx.now)


def test_a_persons_rows_get_one_ref_however_they_typed_their_address(make_event, sign_up):
    first = sign_up(make_event(), email="Xaver@Example.org")
    second = sign_up(make_event(), email="xaver@example.org ")
    anonymise(first)

    refs = kept_refs()
    assert list(refs) == ["xaver@example.org"] and reload(first).person_ref == refs["xaver@example.org"]
    assert reload(second).person_ref is None  # not anonymised: counted by its address, which finds the ref

    anonymise(second)

    assert reload(second).person_ref == reload(first).person_ref
    assert len(refs["xaver@example.org"]) == 32


def test_erasing_a_person_forgets_their_ref_at_once(make_event, sign_up):
    first = sign_up(make_event(), email="xaver@example.org")
    second = sign_up(make_event(), email="xaver@example.org")
    anonymise(first)
    ref = kept_refs()["xaver@example.org"]

    erase_person("xaver@example.org", by=TEST_ACTOR)

    assert kept_refs() == {}
    # Both rows still count as one person, and nothing says whose rows they are.
    assert reload(first).person_ref == reload(second).person_ref == ref


def test_the_ref_of_someone_with_a_live_sign_up_is_kept_until_they_have_none(make_event, sign_up):
    first = sign_up(make_event(), email="yara@example.org")
    second = sign_up(make_event(), email="yara@example.org")
    anonymise(first)

    assert forget_person_refs() == 0
    assert list(kept_refs()) == ["yara@example.org"]

    anonymise(second)

    assert forget_person_refs() == 1
    assert kept_refs() == {}


def test_a_walk_in_without_address_gets_a_ref_of_its_own_and_none_is_kept(make_event):
    event = make_event()
    walk_ins = [Registration(event_id=event.id, name=f"Gast {n}", email="", email_key=None, status="confirmed",
                             consent_at=utcnow(), consent_version="walk-in", source="walk-in") for n in (1, 2)]
    db.session.add_all(walk_ins)
    db.session.commit()

    anonymise(*walk_ins)

    first, second = (reload(walk_in).person_ref for walk_in in walk_ins)
    assert first and second and first != second
    assert kept_refs() == {}
