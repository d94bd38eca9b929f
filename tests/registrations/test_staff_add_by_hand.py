"""Staff register a guest by hand: with or without the mail, duplicates, a full event."""
import pytest
from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.registrations.models import Registration
from app.registrations.services import cancel_registration
from tests.mailing.reading import calendar_text, method_line, only_part, text_of
from tests.pages import ENGLISH, main_text, page
from tests.rows import fresh_reads, outbox_rows, registrations_of

from .conftest import counts_of


def guest(**overrides) -> dict:
    data = {"name": "Heinz Müller", "email": "heinz.mueller@example.org", "organisation": "HWK Trier",
            "affiliation": "professional", "note": "Rief am Telefon an", "locale": "de", "send_mail": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def add(staff):
    def post(event, **fields):
        return staff.post(url_for("registrations_staff.create", event_id=event.id), data=guest(**fields),
                          headers=ENGLISH)

    return post


def registration_count() -> int:
    fresh_reads()
    return db.session.execute(select(func.count(Registration.id))).scalar_one()


def test_the_form_opens_with_the_mail_ticked(staff, make_event):
    event = make_event()

    response = staff.get(url_for("registrations_staff.new", event_id=event.id), headers=ENGLISH)

    assert response.status_code == 200
    form = page(response).one("main").one("form")
    assert "checked" in form.one("input", name="send_mail").attrs
    assert form.find("input", name="over_capacity") is None  # places are left
    # How the guest takes part is asked, never assumed: the network's figures count it.
    assert [r for r in form.find_all("input", name="affiliation") if "checked" in r.attrs] == []


def test_how_the_guest_takes_part_must_be_chosen(add, make_event):
    event = make_event()

    response = add(event, affiliation=None)

    assert response.status_code == 422
    assert registrations_of(event) == []


def test_added_with_mail_the_guest_gets_the_confirmation(add, make_event, smtp, deliver):
    event = make_event(title="Forum Arbeitsmarkt", capacity=10)

    response = add(event)

    assert response.status_code == 302
    assert response.headers["Location"] == url_for("registrations_staff.index", event_id=event.id)
    [heinz] = registrations_of(event)
    assert (heinz.name, heinz.email, heinz.organisation, heinz.affiliation, heinz.note) == (
        "Heinz Müller", "heinz.mueller@example.org", "HWK Trier", "professional", "Rief am Telefon an")
    assert (heinz.status, heinz.source, heinz.consent_version, heinz.locale) == (
        "confirmed", "staff", "staff", "de")
    assert heinz.email_key == "heinz.mueller@example.org"
    assert counts_of(event) == (1, 0)
    [row] = outbox_rows(registration_id=heinz.id)
    assert row.kind == "registration_confirmed"
    deliver()
    [message] = smtp.to("heinz.mueller@example.org")
    assert method_line(calendar_text(message)) == "REQUEST"
    assert "Forum Arbeitsmarkt" in message["Subject"]
    assert heinz.ticket_code in text_of(only_part(message, "text/plain"))


def test_added_without_mail_nothing_is_sent(add, staff, make_event):
    event = make_event(capacity=10)

    response = add(event, send_mail=None)

    [heinz] = registrations_of(event)
    assert heinz.is_confirmed
    assert outbox_rows() == []
    assert "No mail was sent" in main_text(staff.get(response.headers["Location"], headers=ENGLISH))


def test_the_mail_is_in_the_language_staff_chose(add, make_event, smtp, deliver):
    event = make_event(capacity=10)

    add(event, locale="en")
    deliver()

    [message] = smtp.to("heinz.mueller@example.org")
    assert message["Subject"].startswith("Registration confirmed")


def test_a_duplicate_address_is_refused_next_to_the_field(add, make_event, sign_up):
    event = make_event(capacity=10)
    sign_up(event, name="Heinz Müller", email="Heinz.Mueller@example.org")
    count, mails = registration_count(), len(outbox_rows())

    response = add(event, name="Heinz M.", email="heinz.mueller@EXAMPLE.org")

    assert response.status_code == 422
    field = page(response).one("input", name="email").parent
    assert "already registered for this event" in field.one("p", class_="error").text
    assert "Heinz Müller" in field.text  # who holds the address
    # What staff typed is kept.
    assert page(response).one("input", name="name").get("value") == "Heinz M."
    assert (registration_count(), len(outbox_rows())) == (count, mails)
    assert counts_of(event) == (1, 0)


def test_an_address_whose_registration_was_cancelled_can_be_added_again(add, make_event, sign_up):
    event = make_event(capacity=10, sequence=2)
    old = sign_up(event, name="Heinz Müller", email="heinz.mueller@example.org")
    old_ticket = old.ticket_code
    cancel_registration(old.id)

    response = add(event)

    assert response.status_code == 302
    [heinz] = registrations_of(event)
    assert heinz.is_confirmed and heinz.source == "staff"
    assert heinz.ticket_code != old_ticket
    assert heinz.sequence_offset == 2  # above the CANCEL the guest was sent
    assert counts_of(event) == (1, 0)


@pytest.mark.parametrize("fields, field_name", [
    ({"name": ""}, "name"),
    ({"email": ""}, "email"),
    ({"email": "not an address"}, "email"),
])
def test_form_errors_stand_next_to_the_field(add, make_event, fields, field_name):
    event = make_event()

    response = add(event, **fields)

    assert response.status_code == 422
    assert page(response).one("input", name=field_name).parent.find("p", class_="error")
    assert registration_count() == 0


def test_a_full_event_puts_the_guest_on_the_waitlist_unless_confirmed_over_capacity(
        add, staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna")
    form = page(staff.get(url_for("registrations_staff.new", event_id=event.id), headers=ENGLISH))
    assert form.find("input", name="over_capacity") is not None

    add(event, email="one@example.org")
    add(event, email="two@example.org", over_capacity="y")

    assert {r.email: r.status for r in registrations_of(event)} == {
        "guest1@example.org": "confirmed", "one@example.org": "waitlisted", "two@example.org": "confirmed"}
    assert counts_of(event) == (2, 1)
    [waiting] = [r for r in registrations_of(event) if r.email == "one@example.org"]
    assert [m.kind for m in outbox_rows(registration_id=waiting.id)] == ["registration_waitlisted"]


def test_full_without_waitlist_asks_for_over_capacity(add, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=False)
    sign_up(event, name="Anna")

    refused = add(event)

    assert refused.status_code == 409
    assert "over capacity" in page(refused).one(class_="error-summary").text
    assert page(refused).one("input", name="over_capacity")
    assert page(refused).one("input", name="email").get("value") == "heinz.mueller@example.org"
    assert registration_count() == 1

    accepted = add(event, over_capacity="y")

    assert accepted.status_code == 302
    assert counts_of(event) == (2, 0)


def test_a_cancelled_event_takes_nobody(add, make_event, app):
    event = make_event(capacity=10)
    event.status = "cancelled"
    db.session.commit()

    response = add(event)

    assert response.status_code == 409
    assert "cancelled" in page(response).one(class_="error-summary").text
    assert registration_count() == 0


def test_a_draft_event_takes_guests_from_staff(add, make_event):
    """Speakers and partners are often registered before the event is published."""
    event = make_event(capacity=10, publish=False)

    assert add(event, send_mail=None).status_code == 302
    assert counts_of(event) == (1, 0)
