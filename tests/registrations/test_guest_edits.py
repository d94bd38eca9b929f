"""A guest corrects their details on their own page (/r/<token>/edit): name, organisation, how
they take part and the note at once; a new address only after a link mailed to it was used.
No calendar mail goes out for any of it, and the staff history records none of it."""
import re
from datetime import timedelta

import pytest
from flask import url_for
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.database import utcnow
from app.extensions import db
from app.registrations import guest_changes
from tests.pages import ENGLISH, field_error, form_values, main_text, page
from tests.rows import mails_to, outbox_rows, reload

from .conftest import form_data

CONFIRM_LINK = re.compile(r"http://podium\.test(/r/new-address/[A-Za-z0-9_.-]+)")


@pytest.fixture
def anna(make_event, sign_up):
    event = make_event(title="Forum Fachkräfte", capacity=5)
    return sign_up(event, name="Anna Schmit", email="anna@example.org", organisation="Caritas",
                   affiliation="professional", note="")


def edit_url(registration) -> str:
    return url_for("registrations.edit", token=registration.manage_token)


def the_form(client, registration) -> dict:
    response = client.get(edit_url(registration), headers=ENGLISH)
    assert response.status_code == 200, (response.status_code, response.location, main_text(response)[:300])
    return form_values(page(response).one("form", id="details"))


def save(client, registration, **changes):
    data = the_form(client, registration) | changes
    return client.post(url_for("registrations.save", token=registration.manage_token), data=data,
                       headers=ENGLISH)


def history_entries() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


def mails_after_sign_up(address: str) -> list[str]:
    return [m.kind for m in mails_to(address)][1:]


def test_the_own_page_offers_to_correct_the_details(client, anna):
    html = page(client.get(url_for("registrations.manage", token=anna.manage_token), headers=ENGLISH))

    assert html.one("a", href=edit_url(anna)).text == "Correct my details"


def test_the_form_shows_what_is_stored(client, anna):
    values = the_form(client, anna)

    assert values == {"csrf_token": values["csrf_token"], "name": "Anna Schmit", "email": "anna@example.org",
                      "organisation": "Caritas", "affiliation": "professional", "note": "", "locale": "de"}


def test_corrections_are_saved_without_a_calendar_mail_or_a_history_entry(client, anna):
    entries = history_entries()

    response = save(client, anna, name="Anna Schmidt", organisation="Caritas Trier", affiliation="volunteer",
                    note="Ich komme mit Rollstuhl.")

    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.manage", token=anna.manage_token))
    stored = reload(anna)
    assert (stored.name, stored.organisation, stored.affiliation, stored.note) == (
        "Anna Schmidt", "Caritas Trier", "volunteer", "Ich komme mit Rollstuhl.")
    assert (stored.email, stored.status, stored.ticket_code, stored.calendar_sequence) == (
        "anna@example.org", "confirmed", anna.ticket_code, anna.calendar_sequence)
    assert mails_after_sign_up("anna@example.org") == []
    assert history_entries() == entries
    shown = client.get(response.location, headers=ENGLISH)
    assert "Your changes are saved." in main_text(shown)
    assert "Anna Schmidt" in page(shown).one("dl", class_="details").text


def test_the_ticket_shows_the_corrected_name(client, anna):
    ticket = url_for("registrations.ticket", code=anna.ticket_code)
    assert "Anna Schmit" in main_text(client.get(ticket))

    save(client, anna, name="Anna Schmidt")

    assert "Anna Schmidt" in main_text(client.get(ticket))


def test_a_mistake_keeps_what_was_typed_and_saves_nothing(client, anna):
    response = save(client, anna, name="", organisation="Caritas Trier")

    assert response.status_code == 422
    assert field_error(response, "name") == "Please enter your name."
    assert page(response).one("div", class_="error-summary") is not None
    assert form_values(page(response).one("form", id="details"))["organisation"] == "Caritas Trier"
    assert reload(anna).organisation == "Caritas"


def test_a_new_address_is_only_used_after_its_link_was_opened(client, anna, mailbox):
    response = save(client, anna, email="anna.schmidt@caritas.example", name="Anna Schmidt")

    assert response.status_code == 302
    shown = main_text(client.get(response.location, headers=ENGLISH))
    assert "We have sent a link to anna.schmidt@caritas.example" in shown
    stored = reload(anna)
    assert (stored.name, stored.email) == ("Anna Schmidt", "anna@example.org")  # the rest is saved
    (mail,) = mailbox("anna.schmidt@caritas.example")
    text = mail.get_body(("plain",)).get_content()
    link = CONFIRM_LINK.search(text).group(1)
    # The address may be mistyped: the mail shows nothing of Anna's but the event.
    for secret in (anna.manage_token, anna.ticket_code, "anna@example.org", "Anna"):
        assert secret not in mail.as_string(), secret

    asked = client.get(link, headers=ENGLISH)

    assert asked.status_code == 200
    assert "anna.schmidt@caritas.example" in main_text(asked)
    assert reload(anna).email == "anna@example.org"  # opening the link changes nothing
    form = page(asked).one("form", method="post")
    confirmed = client.post(form.get("action"), data=form_values(form), headers=ENGLISH)

    assert confirmed.status_code == 302
    stored = reload(anna)
    assert (stored.email, stored.email_key) == ("anna.schmidt@caritas.example", "anna.schmidt@caritas.example")
    assert "Your address is now anna.schmidt@caritas.example" in main_text(
        client.get(confirmed.location, headers=ENGLISH))
    confirmation, notice = mailbox("anna@example.org")  # the notice in Anna's language, German
    assert "Adresse" in notice["Subject"]
    assert "anna.schmidt@caritas.example" in notice.get_body(("plain",)).get_content()
    # No new calendar invitation to either address.
    kinds = [m.kind for m in outbox_rows()]
    assert kinds == ["registration_confirmed", "registration_email_change", "registration_email_changed"]


def test_the_same_address_in_other_letters_needs_no_confirmation(client, anna):
    save(client, anna, email="Anna@Example.org")

    assert reload(anna).email == "Anna@Example.org"
    assert mails_after_sign_up("Anna@Example.org") == []


def confirmation_key(anna, new_email="new@example.org", at=None) -> str:
    change = guest_changes.EmailChange(anna.id, guest_changes.fingerprint(anna.email_key), new_email)
    return guest_changes.email_change_key(change, at or utcnow())


def confirm(client, key):
    return client.post(url_for("registrations.confirm_email", key=key), headers=ENGLISH)


def test_an_expired_link_is_refused_and_changes_nothing(client, anna):
    key = confirmation_key(anna, at=utcnow() - guest_changes.EMAIL_LINK_VALID - timedelta(minutes=1))

    shown = client.get(url_for("registrations.confirm_email_form", key=key), headers=ENGLISH)
    posted = confirm(client, key)

    for response in (shown, posted):
        assert response.status_code == 410
        assert "This confirmation link has expired" in main_text(response)
        assert page(response).find("form", method="post") is None
    assert reload(anna).email == "anna@example.org"


def test_a_link_just_within_its_time_works(client, anna):
    key = confirmation_key(anna, at=utcnow() - guest_changes.EMAIL_LINK_VALID + timedelta(minutes=1))

    assert confirm(client, key).status_code == 302
    assert reload(anna).email == "new@example.org"


def signed_elsewhere(anna) -> str:
    """A link signed with another key, as someone without Podium's SECRET_KEY would make one."""
    payload = {"r": anna.id, "from": guest_changes.fingerprint(anna.email_key), "to": "evil@example.org",
               "at": int(utcnow().timestamp())}
    return URLSafeSerializer("not-podiums-secret", salt="podium.registration.email-change").dumps(payload)


@pytest.mark.parametrize("forge", ["tampered", "signed elsewhere", "truncated", "garbage"])
def test_a_forged_link_is_refused_and_changes_nothing(client, anna, forge):
    key = confirmation_key(anna)
    signature = key.rpartition(".")[2]
    keys = {
        # The address in the link changed by hand: the signature no longer fits.
        "tampered": confirmation_key(anna, "evil@example.org").rpartition(".")[0] + "." + signature,
        "signed elsewhere": signed_elsewhere(anna),
        "truncated": key[:-3],
        "garbage": "not-a-link",
    }

    shown = client.get(url_for("registrations.confirm_email_form", key=keys[forge]), headers=ENGLISH)
    posted = confirm(client, keys[forge])

    for response in (shown, posted):
        assert response.status_code == 400
        assert "This confirmation link is not valid" in main_text(response)
        assert "anna@example.org" not in response.text
    assert reload(anna).email == "anna@example.org"


def test_the_confirmation_page_shows_nothing_of_the_guest(client, anna):
    """Whoever opens it may have been sent the link by a typo: they see the event and the new address."""
    response = client.get(url_for("registrations.confirm_email_form", key=confirmation_key(anna)), headers=ENGLISH)

    assert response.status_code == 200
    assert "new@example.org" in main_text(response)
    assert "Forum Fachkräfte" in main_text(response)
    for secret in ("anna@example.org", "Anna", anna.manage_token, anna.ticket_code):
        assert secret not in response.text, secret
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_link_works_once(client, anna):
    key = confirmation_key(anna)
    assert confirm(client, key).status_code == 302

    again = confirm(client, key)

    assert again.status_code == 400
    assert "not valid" in main_text(again)
    assert len(mails_to("anna@example.org")) == 2  # the sign-up, and one notice


def test_an_older_link_to_another_address_no_longer_fits(client, anna):
    first, second = confirmation_key(anna, "first@example.org"), confirmation_key(anna, "second@example.org")
    confirm(client, second)

    assert confirm(client, first).status_code == 400
    assert reload(anna).email == "second@example.org"


def test_an_address_already_registered_for_the_event_is_refused(client, anna, sign_up):
    sign_up(anna.event, email="ben@example.org")

    response = confirm(client, confirmation_key(anna, "Ben@example.org"))

    assert response.status_code == 409
    assert "already registered for this event" in main_text(response)
    assert reload(anna).email == "anna@example.org"


def test_a_cancelled_registration_offers_no_corrections(client, anna):
    client.post(url_for("registrations.cancel", token=anna.manage_token))

    own_page = page(client.get(url_for("registrations.manage", token=anna.manage_token)))
    response = client.post(url_for("registrations.save", token=anna.manage_token),
                           data=form_data(name="Anna Schmidt"), headers=ENGLISH)

    assert own_page.find("a", href=edit_url(anna)) is None
    assert client.get(edit_url(anna)).status_code == 302
    assert response.status_code == 409
    assert reload(anna).name == "Anna Schmit"


@pytest.mark.parametrize(("method", "endpoint"), [
    ("GET", "registrations.edit"),
    ("POST", "registrations.save"),
])
def test_an_unknown_guest_page_is_not_found(client, anna, method, endpoint):
    response = client.open(url_for(endpoint, token="no-such-token"), method=method, data=form_data())

    assert response.status_code == 404
    assert "Anna" not in response.text


def test_the_link_of_a_registration_that_is_gone_is_refused(client, anna):
    key = confirmation_key(anna)
    db.session.delete(reload(anna))
    db.session.commit()

    assert confirm(client, key).status_code == 400
