"""A guest's own data: from their page they ask for a link, which comes by mail to their address and
opens everything held under it (also for other events), as a page and a file, and erases it."""
import json
import re
from datetime import timedelta

import pytest
from flask import url_for
from flask_babel import force_locale

from app.consent import consent_text
from app.database import utcnow
from app.extensions import db
from app.formatting import day
from app.privacy import access_links
from app.registrations import guest_changes
from tests.pages import ENGLISH, field_error, main_text, page
from tests.rows import registrations_of, reload

from .conftest import whole_database

DATA_LINK = re.compile(r"http://podium\.test(/r/[^/\s]+/my-data)")


@pytest.fixture
def nadia(make_event, sign_up, held_event):
    """Nadia holds the only place of a coming event, with Omar waiting behind her, and came to a past
    event (signed up there with the same address). Pia has nothing to do with her."""
    past = held_event(ended=2, prefix="x-")
    coming = make_event(title="Forum Sprache", capacity=1, waitlist_enabled=True)
    registration = sign_up(coming, name="Nadia Rahimi", email="nadia@example.org", note="Farsi bitte")
    sign_up(coming, name="Omar Haddad", email="omar@example.org")
    sign_up(make_event(title="Forum Pia"), name="Pia Lang", email="pia@example.org")
    earlier = past.anna
    earlier.email, earlier.email_key, earlier.name = "nadia@example.org", "nadia@example.org", "Nadia R."
    db.session.commit()
    return registration, coming, past


def ask_for_link(client, registration):
    """Press the button on the guest's page, in English (the mail comes in the language of the page)."""
    return client.post(url_for("privacy.send_link", token=registration.manage_token), headers=ENGLISH)


def the_link(mailbox, address) -> str:
    """The data link in the newest mail to `address`."""
    [path] = DATA_LINK.findall(mailbox(address)[-1].get_body(("plain",)).get_content())
    return path


def test_the_guests_page_says_when_their_details_go_and_offers_the_link(client, nadia):
    registration, coming, _past = nadia

    section = page(client.get(url_for("registrations.manage", token=registration.manage_token),
                              headers=ENGLISH)).one("section", id="your-data")

    assert f"12 months after the event, from {day(coming.retention_ends_at, coming.zone)} on" in section.text
    assert section.one("form").get("action") == url_for("privacy.send_link", token=registration.manage_token)


def test_the_link_comes_by_mail_to_the_address_and_opens_everything_under_it(client, nadia, smtp, mailbox):
    registration, _coming, past = nadia

    asked = ask_for_link(client, registration)

    assert asked.status_code == 302
    assert "We have sent a link to nadia@example.org" in main_text(client.get(asked.location, headers=ENGLISH))
    mail = mailbox("nadia@example.org")[-1]
    assert mail["Subject"] == "Your data at Podium: Forum Sprache"
    assert "valid for 24 hours" in mail.get_body(("plain",)).get_content()
    response = client.get(the_link(mailbox, "nadia@example.org"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    text = main_text(response)
    assert "Forum Sprache" in text and past.event.title in text and "Farsi bitte" in text
    assert "Omar" not in text and "Pia" not in text


def test_the_page_shows_the_words_the_guest_agreed_to(client, nadia, smtp, mailbox):
    registration, _coming, _past = nadia
    ask_for_link(client, registration)

    shown = page(client.get(the_link(mailbox, "nadia@example.org"), headers=ENGLISH))

    wording = [details.one("p").text for details in shown.find_all("details", class_="consent-wording")]
    with force_locale("en"):
        agreed = consent_text(12)
    assert "deleted 12 months after the event" in agreed
    assert agreed in wording


def test_the_page_alone_does_not_open_the_other_events(client, nadia):
    registration, _coming, past = nadia

    own = main_text(client.get(url_for("registrations.manage", token=registration.manage_token)))

    assert past.event.title not in own


def test_the_file_holds_the_same(client, nadia, smtp, mailbox):
    registration, _coming, past = nadia
    ask_for_link(client, registration)

    download = client.get(the_link(mailbox, "nadia@example.org") + ".json")

    assert download.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(download.text)
    assert sorted(r["event"]["title"] for r in data["registrations"]) == sorted(["Forum Sprache", past.event.title])
    # The mails are there, but no key that would open the guest's pages in whoever's hands the file is.
    assert any("http://podium.test/r/…" in (mail["text"] or "") for mail in data["mails"])
    access_key = the_link(mailbox, "nadia@example.org").split("/")[2]
    keys = [registration.manage_token, registration.ticket_code, access_key]
    assert [key for key in keys if key in download.text] == []


def test_a_link_mailed_before_the_secret_key_was_rotated_still_opens(client, app, nadia):
    key = access_links.access_key(nadia[0], utcnow())
    app.config.update(SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]], SECRET_KEY="the-next-key-for-this-test")

    assert client.get(url_for("privacy.your_data", key=key)).status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get(url_for("privacy.your_data", key=key)).status_code == 404


def test_a_link_older_than_a_day_has_expired(client, app, nadia):
    registration = nadia[0]
    key = access_links.access_key(registration, utcnow() - timedelta(hours=25))

    response = client.get(url_for("privacy.your_data", key=key), headers=ENGLISH)

    assert response.status_code == 410
    assert "valid for 24 hours" in main_text(response)


def test_a_forged_link_or_one_for_an_old_address_opens_nothing(client, nadia):
    registration = nadia[0]
    key = access_links.access_key(registration, utcnow())
    assert client.get(url_for("privacy.your_data", key=key)).status_code == 200

    assert client.get(url_for("privacy.your_data", key=key[:-2] + "xx")).status_code == 404
    change = guest_changes.EmailChange(registration.id, guest_changes.fingerprint(registration.email_key),
                                       "nadia@example.net")
    guest_changes.confirm_email_change(guest_changes.email_change_key(change, utcnow()))
    assert client.get(url_for("privacy.your_data", key=key)).status_code == 404


def test_a_guest_without_an_address_is_offered_no_link(client, held_event):
    past = held_event(ended=1)
    walk_in = next(r for r in registrations_of(past.event) if not r.email)

    section = page(client.get(url_for("registrations.manage", token=walk_in.manage_token))).one(
        "section", id="your-data")

    assert section.find("form") is None


def test_erasing_asks_first_then_cancels_gives_the_place_on_and_erases(client, nadia, smtp, mailbox):
    registration, coming, past = nadia
    own_page = url_for("registrations.manage", token=registration.manage_token)
    ask_for_link(client, registration)
    link = the_link(mailbox, "nadia@example.org")
    mailed = len(mailbox("nadia@example.org"))
    before = whole_database()

    question = client.get(page(client.get(link)).one("a", class_="danger").get("href"), headers=ENGLISH)
    unticked = client.post(question.request.path, data={}, headers=ENGLISH)

    assert "Your registration for Forum Sprache is cancelled" in page(question).one(id="what-goes").text
    assert unticked.status_code == 422
    assert field_error(unticked, "confirm") == "Please confirm that your data is to be erased."
    assert whole_database() == before

    done = client.post(question.request.path, data={"confirm": "y"}, headers=ENGLISH)

    assert done.status_code == 200
    assert page(done).one(id="erased").find("h1").text == "Your data is erased"
    assert [(r.name, r.email, r.note, r.status) for r in registrations_of(coming)] == [
        ("", "", "", "cancelled"), ("Omar Haddad", "omar@example.org", "", "confirmed")]
    assert reload(past.anna).name == "" and reload(past.anna).status == "confirmed"
    assert mailbox("omar@example.org")[-1]["Subject"].endswith("Forum Sprache")
    assert len(mailbox("nadia@example.org")) == mailed, "nothing more is mailed to an erased address"
    assert client.get(own_page).status_code == 404
    assert client.get(link).status_code == 404
    assert "Nadia" not in json.dumps([row for rows in whole_database().values() for row in rows], default=str)
