"""The development mailbox: without MAIL_SERVER mail is held, and staff open it in the browser."""
import email
import re
from email import policy

import pytest

from .pages import outbox_cells, state_label, visible_text
from .reading import decode_qr, parse_with_vobject


@pytest.fixture
def held_mail(app, make_event, sign_up, deliver, outbox):
    """A guest's confirmation, held because no mail server is configured."""
    assert not app.config["MAIL_SERVER"]
    registration = sign_up(make_event(title="Forum Ehrenamt", capacity=10),
                           name="Anna Schmidt", email="anna@example.org")
    deliver()
    [mail] = outbox()
    return mail, registration


def part_links(page_html: str) -> dict[str, str]:
    """Link text -> URL of the parts listed on a mail's page."""
    links = re.findall(r'<a href="(/staff/mails/\d+/parts/\d+)">([^<]*)</a>', page_html)
    return {visible_text(label): url for url, label in links}


def test_without_a_mail_server_mail_is_held_and_never_sent(make_event, sign_up, smtp_recorder,
                                                            deliver, outbox):
    sign_up(make_event(), email="anna@example.org")

    report = deliver()
    deliver()

    [mail] = outbox()
    assert report.held == 1
    assert mail.status == "held"
    assert mail.sent_at is None
    assert smtp_recorder.received == []


def test_staff_find_a_held_mail_in_the_outbox(staff, held_mail):
    mail, _registration = held_mail

    listing = staff.get("/staff/mails/")

    assert listing.status_code == 200
    _id, _created, to, subject, state, _attempts, _error = outbox_cells(listing.text, mail.id)
    assert to == "anna@example.org"
    assert subject == mail.subject
    assert "Forum Ehrenamt" in subject
    assert state == state_label("held")


def test_mail_page_shows_the_text_version(app, staff, held_mail):
    mail, registration = held_mail

    page = staff.get(f"/staff/mails/{mail.id}")

    assert page.status_code == 200
    shown = visible_text(page.text)
    assert "Anna Schmidt" in shown
    assert f"{app.config['BASE_URL']}/t/{registration.ticket_code}" in shown
    assert f"{app.config['BASE_URL']}/r/{registration.manage_token}" in shown
    assert mail.message_id in shown


def test_html_version_shows_the_qr_code_from_its_part(app, staff, held_mail):
    mail, registration = held_mail

    page = staff.get(f"/staff/mails/{mail.id}/html")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "cid:" not in page.text
    [image_url] = re.findall(r'<img[^>]+src="([^"]+)"', page.text)
    assert image_url.startswith(f"/staff/mails/{mail.id}/parts/")
    image = staff.get(image_url)
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert decode_qr(image.data) == [f"{app.config['BASE_URL']}/t/{registration.ticket_code}"]


def test_parts_list_links_to_the_calendar_request_and_the_qr_code(app, staff, held_mail):
    mail, registration = held_mail

    links = part_links(staff.get(f"/staff/mails/{mail.id}").text)

    calendar = staff.get(links["text/calendar; method=REQUEST"])
    assert calendar.status_code == 200
    assert calendar.mimetype == "text/calendar"
    parsed = parse_with_vobject(calendar.text)
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == registration.event.ical_uid
    [qr_link] = [url for label, url in links.items() if label.startswith("image/png")]
    qr = staff.get(qr_link)
    assert qr.mimetype == "image/png"
    assert decode_qr(qr.data) == [f"{app.config['BASE_URL']}/t/{registration.ticket_code}"]


def test_whole_mail_downloads_as_eml(staff, held_mail, outbox):
    mail, _registration = held_mail

    response = staff.get(f"/staff/mails/{mail.id}.eml")

    assert response.status_code == 200
    assert response.mimetype == "message/rfc822"
    assert response.data == outbox()[0].raw
    message = email.message_from_bytes(response.data, policy=policy.default)
    assert message["Message-ID"] == mail.message_id
    assert [a.addr_spec for a in message["To"].addresses] == ["anna@example.org"]


def test_a_queued_mail_can_be_opened_before_a_sender_has_composed_it(app, make_event, sign_up, staff,
                                                                     outbox):
    registration = sign_up(make_event(), email="anna@example.org")
    [mail] = outbox()
    assert mail.raw is None

    page = staff.get(f"/staff/mails/{mail.id}")

    assert page.status_code == 200
    assert f"/t/{registration.ticket_code}" in visible_text(page.text)
    assert outbox()[0].status == "queued"


def test_a_held_mail_goes_out_once_a_server_is_configured_and_staff_send_it(staff, held_mail, smtp,
                                                                            deliver, outbox):
    mail, _registration = held_mail

    staff.post(f"/staff/mails/{mail.id}/retry")
    deliver()
    deliver()

    assert outbox()[0].status == "sent"
    assert len(smtp.received) == 1
    assert smtp.messages[0]["Message-ID"] == mail.message_id


STATE_COLUMN = 4  # #, created, to, subject, state, attempts, last error


def test_mail_states_are_shown_in_the_staff_members_language(staff, held_mail):
    # Every user-facing string goes through Flask-Babel (DESIGN): a German page must not
    # show the English word for a mail's state.
    mail, _registration = held_mail

    german = outbox_cells(staff.get("/staff/mails/").text, mail.id)[STATE_COLUMN]
    staff.get("/lang/en")
    english = outbox_cells(staff.get("/staff/mails/").text, mail.id)[STATE_COLUMN]

    assert english == state_label("held", "en")
    assert german == state_label("held", "de")
    assert german != english


def test_retrying_a_sent_mail_does_not_claim_to_queue_it(staff, make_event, sign_up, smtp, deliver, outbox):
    sign_up(make_event(), email="anna@example.org")
    deliver()
    [mail] = outbox()
    staff.get("/lang/en")

    page = staff.post(f"/staff/mails/{mail.id}/retry", follow_redirects=True)

    assert outbox()[0].status == "sent"
    assert "The mail is queued again." not in page.text


def test_unknown_mail_is_not_found(staff, app):
    assert staff.get("/staff/mails/424242").status_code == 404


# --- who may open the mailbox ---------------------------------------------------

MAILBOX_PAGES = ["/staff/mails/", "/staff/mails/{id}", "/staff/mails/{id}/html", "/staff/mails/{id}.eml",
                 "/staff/mails/{id}/parts/0"]


@pytest.mark.parametrize("page", MAILBOX_PAGES)
def test_door_staff_may_not_read_the_mailbox(login, held_mail, page):
    mail, _registration = held_mail
    door = login("door")

    assert door.get(page.format(id=mail.id)).status_code == 403


def test_door_staff_may_not_retry_a_mail(login, held_mail, outbox):
    mail, _registration = held_mail
    door = login("door")

    assert door.post(f"/staff/mails/{mail.id}/retry").status_code == 403
    assert outbox()[0].status == "held"


@pytest.mark.parametrize("page", MAILBOX_PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, held_mail, page):
    mail, _registration = held_mail

    response = client.get(page.format(id=mail.id))

    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith("/staff/login")
