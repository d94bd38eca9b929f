"""The confirmation mail as it arrives over SMTP, read by independent parsers."""
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from app.registrations.models import Registration

from .reading import (
    CALENDAR_FILE_TYPES,
    TICKET_MAIL_TREE,
    attachment,
    calendar_text,
    content_id,
    decode_qr,
    method_line,
    mime_tree,
    only_part,
    parse_with_ical,
    parse_with_vobject,
    text_of,
)

ORGANIZER = "veranstaltungen@netzwerk.example"



@dataclass
class Arrived:
    registration: Registration
    message: object  # email.message.EmailMessage as received
    row: object  # its OutgoingMail


@pytest.fixture
def confirmation(app, make_event, sign_up, smtp, deliver, outbox):
    """Sign one guest up for an event (at calendar sequence 3) and receive their mail."""
    app.config["ORGANIZER_EMAIL"] = ORGANIZER

    def receive(locale="de", **guest) -> Arrived:
        event = make_event(title="Forum Arbeitsmarkt", capacity=10, sequence=3)
        registration = sign_up(event, locale=locale, **guest)
        already = len(smtp.received)
        deliver()
        [message] = [received.message for received in smtp.received[already:]]
        [row] = outbox(registration_id=registration.id)
        return Arrived(registration, message, row)

    return receive


# --- the MIME tree and the headers ------------------------------------------

def test_confirmation_has_the_imip_mime_tree(confirmation):
    arrived = confirmation(name="Anna Schmidt", email="anna@example.org")

    assert mime_tree(arrived.message) == TICKET_MAIL_TREE
    assert attachment(arrived.message, "invite.ics").get_content_type() in CALENDAR_FILE_TYPES


def test_html_shows_the_qr_code_by_content_id(confirmation):
    message = confirmation().message

    image = only_part(message, "image/png")
    cid = content_id(image)
    assert cid
    assert f'src="cid:{cid}"' in text_of(only_part(message, "text/html"))
    assert "data:image" not in text_of(only_part(message, "text/html"))


def test_calendar_part_says_request_in_utf8_like_its_file(confirmation):
    message = confirmation().message

    part = only_part(message, "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert method_line(calendar_text(message)) == part.get_param("method")
    assert method_line(text_of(attachment(message, "invite.ics"))) == "REQUEST"


def test_headers_carry_the_outbox_message_id_guest_and_organizer(confirmation):
    arrived = confirmation(email="anna@example.org")
    message = arrived.message

    assert message["Message-ID"]
    assert message["Message-ID"] == arrived.row.message_id
    assert [a.addr_spec for a in message["To"].addresses] == ["anna@example.org"]
    assert [a.addr_spec for a in message["Reply-To"].addresses] == [ORGANIZER]
    assert message["Date"]


def test_mail_is_in_english_when_the_guest_chose_english(confirmation):
    arrived = confirmation(locale="en")

    assert arrived.message["Subject"] == "Registration confirmed: Forum Arbeitsmarkt"
    assert 'lang="en"' in text_of(only_part(arrived.message, "text/html"))


def test_mail_is_in_german_by_default(confirmation):
    # Fails until translations/de is compiled: the German subject must not be the English one.
    arrived = confirmation()

    subject = arrived.message["Subject"]
    assert subject != "Registration confirmed: Forum Arbeitsmarkt"
    assert "Anmeldung" in subject
    assert "Forum Arbeitsmarkt" in subject
    assert 'lang="de"' in text_of(only_part(arrived.message, "text/html"))


def test_each_mail_has_a_content_id_of_its_own(confirmation):
    # RFC 2045 §7: Content-IDs are world-unique. A client that caches inline images by
    # Content-ID would otherwise show one ticket's QR code in another ticket's mail.
    first = confirmation(email="anna@example.org").message
    second = confirmation(email="anna@example.org").message

    assert content_id(only_part(first, "image/png")) != content_id(only_part(second, "image/png"))


def test_umlauts_arrive_intact_and_the_transport_is_declared(confirmation, smtp):
    # An SMTP client may send 8-bit bytes only after declaring BODY=8BITMIME (RFC 6152);
    # otherwise the mail must be 7-bit clean (quoted-printable or base64 parts).
    arrived = confirmation(name="Jürgen Müßig", email="juergen@example.org")

    [received] = smtp.received
    [options] = smtp.mail_options
    eight_bit = any(byte > 127 for byte in received.data)
    assert not eight_bit or "BODY=8BITMIME" in options
    assert "Jürgen Müßig" in text_of(only_part(arrived.message, "text/plain"))
    assert "Jürgen Müßig" in text_of(only_part(arrived.message, "text/html"))


# --- the calendar, read by ical and by vobject --------------------------------

CALENDAR_SOURCES = {
    "inline part": lambda message: calendar_text(message),
    "invite.ics": lambda message: text_of(attachment(message, "invite.ics")),
}


@pytest.fixture(params=list(CALENDAR_SOURCES))
def invitation(request, confirmation, app):
    """A confirmation and the text of one of its two calendar copies."""
    arrived = confirmation(name="Anna Schmidt", email="anna@example.org")
    return arrived, CALENDAR_SOURCES[request.param](arrived.message)


def manage_link(app, registration) -> str:
    return f"{app.config['BASE_URL']}/r/{registration.manage_token}"


def test_invitation_reads_in_the_ical_package(app, invitation):
    arrived, text = invitation
    registration, event = arrived.registration, arrived.registration.event
    calendar = parse_with_ical(text)

    assert calendar.method == "REQUEST"
    [vevent] = calendar.events
    assert vevent.uid == event.ical_uid
    assert vevent.sequence == 3
    assert vevent.dtstart == event.starts_at and vevent.dtstart.utcoffset().total_seconds() == 0
    assert vevent.dtend == event.ends_at and vevent.dtend.utcoffset().total_seconds() == 0
    assert vevent.dtstamp is not None
    assert vevent.summary == "Forum Arbeitsmarkt"
    assert vevent.location == "Rathaus Trier, Am Augustinerhof, 54290 Trier"
    assert manage_link(app, registration) in vevent.description
    assert vevent.organizer.uri.lower() == f"mailto:{ORGANIZER}"
    [attendee] = vevent.attendees
    assert attendee.uri.lower() == "mailto:anna@example.org"
    assert attendee.status == "ACCEPTED"


def test_invitation_reads_in_vobject(app, invitation):
    arrived, text = invitation
    registration, event = arrived.registration, arrived.registration.event
    calendar = parse_with_vobject(text)

    assert calendar.method.value == "REQUEST"
    vevent = calendar.vevent
    assert vevent.uid.value == event.ical_uid
    assert int(vevent.sequence.value) == 3
    assert vevent.dtstart.value == event.starts_at and vevent.dtstart.value.utcoffset().total_seconds() == 0
    assert vevent.dtend.value == event.ends_at and vevent.dtend.value.utcoffset().total_seconds() == 0
    assert vevent.dtstamp.value is not None
    assert vevent.summary.value == "Forum Arbeitsmarkt"
    assert vevent.location.value == "Rathaus Trier, Am Augustinerhof, 54290 Trier"
    assert manage_link(app, registration) in vevent.description.value
    assert vevent.organizer.value.lower() == f"mailto:{ORGANIZER}"
    assert vevent.attendee.value.lower() == "mailto:anna@example.org"
    assert vevent.attendee.params["PARTSTAT"] == ["ACCEPTED"]


def test_calendar_keeps_punctuation_and_umlauts_of_title_and_place(app, make_event, sign_up, smtp,
                                                                   deliver):
    title = "Forum: Arbeit, Bildung; Zukunft – Süd"
    event = make_event(title=title, venue="Bürgerhaus Süd; Saal 2", address="Straße 1, 54290 Trier",
                       capacity=10)
    sign_up(event, email="anna@example.org")
    deliver()

    [message] = smtp.messages
    text = calendar_text(message)
    [vevent] = parse_with_ical(text).events
    assert vevent.summary == title
    assert vevent.location == "Bürgerhaus Süd; Saal 2, Straße 1, 54290 Trier"
    assert parse_with_vobject(text).vevent.summary.value == title


# --- the QR code --------------------------------------------------------------

def test_qr_code_opens_the_guests_ticket(app, client, confirmation):
    arrived = confirmation(name="Anna Schmidt")
    registration = arrived.registration

    [url] = decode_qr(only_part(arrived.message, "image/png").get_payload(decode=True))
    assert url == f"{app.config['BASE_URL']}/t/{registration.ticket_code}"
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Anna Schmidt" in page.text
