"""app.mailing.mime on its own: the one place that builds the MIME tree and its method= parameter."""
import email
from datetime import UTC, datetime
from email import policy

import pytest

from app.mailing.mime import CalendarPart, InlineImage, MailContent, build_message

from .reading import calendar_text, method_line, mime_tree, only_part, text_of


def calendar_file(method: str, description: str = "Ihre Anmeldung") -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Podium tests//DE", f"METHOD:{method}",
        "BEGIN:VEVENT", "UID:forum-1@podium", "DTSTAMP:20261101T090000Z", "SEQUENCE:0",
        "DTSTART:20261203T170000Z", "DTEND:20261203T190000Z", "SUMMARY:Forum",
        f"DESCRIPTION:{description}", "END:VEVENT", "END:VCALENDAR", "",
    ]
    return "\r\n".join(lines).encode()


def build(calendar: CalendarPart | None = None, images=(), subject="Forum", recipient="anna@example.org"):
    content = MailContent(subject=subject, text="Hallo Anna", html='<p>Hallo <img src="cid:qr@test"></p>',
                          calendar=calendar, images=images)
    message = build_message(content, sender="Podium <podium@example.org>", recipient=recipient,
                            message_id="<1@podium.test>", date=datetime(2026, 11, 1, tzinfo=UTC),
                            reply_to="veranstaltungen@example.org")
    # Read back what would go over the wire, not the object that wrote it.
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


QR = InlineImage("qr@test", b"\x89PNG\r\n\x1a\nnot really", filename="ticket.png")


# --- the method= parameter must say what the file says ---------------------------------

@pytest.mark.parametrize("file_method, part_method", [
    ("REQUEST", "CANCEL"),
    ("CANCEL", "REQUEST"),
    ("PUBLISH", "REQUEST"),
    ("REQUEST", "REQ"),  # a prefix of the file's METHOD is not the file's METHOD
])
def test_refuses_a_calendar_part_whose_method_the_file_does_not_say(file_method, part_method):
    with pytest.raises(ValueError):
        build(CalendarPart(calendar_file(file_method), part_method, "invite.ics"))


def test_refuses_a_method_that_appears_only_in_the_files_text():
    # The file is a REQUEST; "METHOD:CANCEL" inside its DESCRIPTION does not make it a CANCEL.
    request = calendar_file("REQUEST", description="Bitte nicht verwechseln mit METHOD:CANCEL")

    with pytest.raises(ValueError):
        build(CalendarPart(request, "CANCEL", "cancel.ics"))


def test_refuses_a_calendar_file_without_a_method():
    no_method = calendar_file("REQUEST").replace(b"METHOD:REQUEST\r\n", b"")

    with pytest.raises(ValueError):
        build(CalendarPart(no_method, "REQUEST", "invite.ics"))


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_method_parameter_is_the_files_method_in_upper_case(method):
    message = build(CalendarPart(calendar_file(method), method.lower(), "invite.ics"))

    part = only_part(message, "text/calendar")
    assert part.get_param("method") == method
    assert method_line(calendar_text(message)) == method
    assert part.get_content_charset() == "utf-8"


# --- the tree ------------------------------------------------------------------------------

def test_tree_with_calendar_and_inline_image():
    message = build(CalendarPart(calendar_file("REQUEST"), "REQUEST", "invite.ics"), images=(QR,))

    assert mime_tree(message) == ("multipart/mixed", [
        ("multipart/alternative", [
            "text/plain",
            ("multipart/related", ["text/html", "image/png"]),
            "text/calendar",
        ]),
        "attachment invite.ics",
    ])
    image = only_part(message, "image/png")
    assert image["Content-ID"] == "<qr@test>"
    assert image.get_content_disposition() == "inline"
    assert image.get_payload(decode=True) == QR.data


def test_calendar_attachment_is_the_same_file_as_the_calendar_part():
    data = calendar_file("CANCEL")
    message = build(CalendarPart(data, "CANCEL", "cancel.ics"))

    [attached] = [p for p in message.walk() if p.get_content_disposition() == "attachment"]
    assert attached.get_filename() == "cancel.ics"
    assert attached.get_payload(decode=True) == data
    assert calendar_text(message).replace("\r\n", "\n") == data.decode().replace("\r\n", "\n")


def test_tree_without_calendar_or_image_is_just_text_and_html():
    message = build()

    assert mime_tree(message) == ("multipart/alternative", ["text/plain", "text/html"])
    assert text_of(only_part(message, "text/plain")).strip() == "Hallo Anna"


def test_headers_are_set_once_each():
    message = build()

    for name in ("Subject", "From", "To", "Reply-To", "Date", "Message-ID"):
        assert len(message.get_all(name)) == 1, name
    assert message["Message-ID"] == "<1@podium.test>"
    assert message["Reply-To"] == "veranstaltungen@example.org"


@pytest.mark.parametrize("field", ["subject", "recipient"])
def test_refuses_header_injection(field):
    # The sender relies on this (PreparedMessage.has_bad_headers answers False).
    with pytest.raises(ValueError):
        build(**{field: "Forum\r\nBcc: everyone@example.org"})
