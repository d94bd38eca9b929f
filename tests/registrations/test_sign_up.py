"""Signing up through the form: where a guest lands, what is stored, and what a
mistake in the form looks like."""
import io
from datetime import timedelta

import pytest
import zxingcpp
from flask import url_for
from PIL import Image

from app.database import utcnow
from tests.pages import ENGLISH, form_values, main_text, page
from tests.rows import mails_to, registration_count, registrations_of

from .conftest import form_data


def test_a_confirmed_guest_lands_on_a_page_that_says_what_happened(client, make_event, submit):
    event = make_event(title="Forum Fachkräfte", capacity=10)

    response = submit(event)

    (registration,) = registrations_of(event)
    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.signed_up", token=registration.manage_token))
    landing = client.get(response.location, headers=ENGLISH)
    assert landing.status_code == 200
    outcome = page(landing).one("section", class_="outcome")
    assert "You are registered" in outcome.text
    assert "anna@example.org" in outcome.text
    assert "Forum Fachkräfte" in outcome.text
    # The ticket itself stays what its QR code encodes.
    ticket = main_text(client.get(url_for("registrations.ticket", code=registration.ticket_code), headers=ENGLISH))
    assert "Anna Schmidt" in ticket
    assert "Status: confirmed" in ticket


def test_the_ticket_shows_a_qr_code_of_its_own_address(client, make_event, submit):
    event = make_event(capacity=10)
    submit(event)
    (registration,) = registrations_of(event)
    ticket = client.get(url_for("registrations.ticket", code=registration.ticket_code), headers=ENGLISH)

    qr = page(ticket).one("img", class_="qr")
    image = client.get(qr.get("src"))

    assert qr.get("src") == url_for("registrations.ticket_qr", code=registration.ticket_code)
    assert qr.get("alt")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    assert code.text == "http://podium.test" + url_for("registrations.ticket", code=registration.ticket_code)


def test_a_guest_beyond_capacity_lands_on_their_page_with_the_waitlist_position(client, make_event,
                                                                                 sign_up, submit):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    sign_up(event)

    response = submit(event)

    registration = registrations_of(event)[-1]
    assert registration.status == "waitlisted"
    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.manage", token=registration.manage_token))
    text = main_text(client.get(response.location, headers=ENGLISH))
    assert "You are number 2 on the waitlist" in text
    assert "on the waitlist" in text


def test_what_the_guest_entered_is_stored_with_their_consent(app, make_event, submit):
    event = make_event()
    before = utcnow()

    submit(event, email="Anna.Schmidt@Example.org", note="Ich komme mit Rollstuhl")

    (registration,) = registrations_of(event)
    assert registration.name == "Anna Schmidt"
    assert registration.email == "Anna.Schmidt@Example.org"
    assert registration.organisation == "Caritas Trier"
    assert registration.affiliation == "volunteer"
    assert registration.note == "Ich komme mit Rollstuhl"
    assert registration.locale == "en"
    # The wording and the period it stated (the event's, 12 months by default): app/consent.py.
    assert registration.consent_version == f"{app.config['CONSENT_VERSION']}/12"
    assert before - timedelta(seconds=1) <= registration.consent_at <= utcnow()


def test_the_guest_page_escapes_what_the_guest_typed(client, make_event, submit):
    event = make_event()
    submit(event, name="<script>alert(1)</script>")
    (registration,) = registrations_of(event)

    for url in (url_for("registrations.manage", token=registration.manage_token),
                url_for("registrations.ticket", code=registration.ticket_code)):
        response = client.get(url)
        assert "<script>alert(1)</script>" not in response.text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text, url


INVALID = {
    "missing name": ({"name": ""}, "name", "Please enter your name."),
    "blank name": ({"name": "   "}, "name", "Please enter your name."),
    "overlong name": ({"name": "A" * 201}, "name", "200"),
    "missing email": ({"email": ""}, "email", "Please enter your email address."),
    "bad email": ({"email": "anna(at)example.org"}, "email", "This does not look like an email address"),
    "missing consent": ({"consent": None}, "consent", "Please agree so that we can register you."),
}


@pytest.mark.parametrize(("typed", "field", "message"), list(INVALID.values()), ids=list(INVALID))
def test_a_mistake_is_shown_next_to_its_field_and_keeps_what_was_typed(make_event, submit, typed, field,
                                                                        message):
    event = make_event()

    response = submit(event, **typed)

    assert response.status_code == 422
    form = page(response).one("form")
    control = form.one(name=field)
    error = form.one("p", class_="error")
    assert error.get("id") == f"{field}-error"
    assert message in error.text
    # Next to the field: in the same field box, and tied to it for screen readers.
    assert error.parent in list(control.ancestors())
    assert control.get("aria-invalid") == "true"
    assert f"{field}-error" in control.get("aria-describedby").split()
    typed_in = form_data(**typed)
    kept = form_values(form)
    for name in ("name", "email", "organisation", "affiliation", "note"):
        # Surrounding blanks are trimmed (a blank name comes back empty); nothing else changes.
        assert kept[name] == typed_in[name].strip(), name
    assert kept.get("consent") == typed_in.get("consent")
    assert registration_count() == 0


def test_several_mistakes_are_each_shown_at_their_field(make_event, submit):
    response = submit(make_event(), name="", email="nope", consent=None)

    assert response.status_code == 422
    errors = {p.get("id") for p in page(response).find_all("p", class_="error")}
    assert errors == {"name-error", "email-error", "consent-error"}


@pytest.mark.parametrize("again", ["anna@example.org", "ANNA@example.org", "Anna@Example.ORG"])
def test_the_same_address_again_creates_nothing_and_reveals_nothing(client, make_event, submit, again):
    event = make_event(title="Forum Fachkräfte")
    submit(event)
    (first,) = registrations_of(event)

    response = submit(event, email=again, name="Someone Else")

    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.mail_on_its_way", slug=event.slug))
    landing = client.get(response.location, headers=ENGLISH)
    text = main_text(landing)
    assert "is on its way" in text
    for secret in ("Anna Schmidt", "Someone Else", "anna@example.org", first.ticket_code,
                   first.manage_token):
        assert secret not in landing.text
    (registration,) = registrations_of(event)
    assert (registration.name, registration.ticket_code) == ("Anna Schmidt", first.ticket_code)


@pytest.mark.parametrize(("capacity", "mail"), [
    (5, "registration_confirmed"),
    (0, "registration_waitlisted"),
])
def test_the_same_address_again_is_mailed_its_current_state(make_event, submit, capacity, mail):
    event = make_event(capacity=capacity, waitlist_enabled=True)
    submit(event)

    submit(event, email="ANNA@example.org")

    mails = mails_to("anna@example.org")
    assert [m.kind for m in mails] == [mail, mail]
    assert mails[-1].params["repeated"] is True


def test_a_guest_can_sign_up_for_two_events_with_one_address(make_event, submit):
    first, second = make_event(), make_event()

    assert submit(first).status_code == 302
    assert submit(second).status_code == 302
    assert [r.status for r in registrations_of(first) + registrations_of(second)] == ["confirmed"] * 2


def test_a_full_event_without_waitlist_refuses_and_keeps_the_form(make_event, sign_up, submit):
    event = make_event(capacity=1, waitlist_enabled=False)
    sign_up(event)

    response = submit(event)

    assert response.status_code == 409
    html = page(response)
    assert "This event is fully booked." in html.one("section", id="register").text
    assert len(registrations_of(event)) == 1


@pytest.mark.parametrize("field", ["name", "organisation", "note"])
def test_a_nul_character_in_the_form_is_handled_like_any_other_input(make_event, submit, field):
    """Bots send them; PostgreSQL cannot store them. The guest gets an answer, never a crash."""
    event = make_event()

    response = submit(event, **{field: "Anna\x00 Schmidt"})

    # The control character becomes a space, like every other one: the guest is registered.
    assert response.status_code == 302
    [registration] = registrations_of(event)
    assert getattr(registration, field) == "Anna  Schmidt"
