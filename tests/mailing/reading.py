"""Reading a received mail with independent tools: the email package, ical, vobject, zxing-cpp."""
import io
from email.message import EmailMessage

import vobject
import zxingcpp
from ical.calendar_stream import IcsCalendarStream
from PIL import Image

CALENDAR_FILE_TYPES = {"text/calendar", "application/ics"}


def mime_tree(part: EmailMessage):
    """The MIME structure as nested (type, [children]) tuples; an attachment reads 'attachment <name>'."""
    if part.is_multipart():
        return (part.get_content_type(), [mime_tree(child) for child in part.iter_parts()])
    if part.get_content_disposition() == "attachment":
        return f"attachment {part.get_filename()}"
    return part.get_content_type()


def leaves(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if not part.is_multipart()]


def only_part(message: EmailMessage, content_type: str) -> EmailMessage:
    """The one inline leaf of this type (attachments aside)."""
    found = [part for part in leaves(message)
             if part.get_content_type() == content_type and part.get_content_disposition() != "attachment"]
    assert len(found) == 1, f"expected one {content_type} part, found {len(found)}"
    return found[0]


def attachment(message: EmailMessage, filename: str) -> EmailMessage:
    found = [part for part in leaves(message)
             if part.get_content_disposition() == "attachment" and part.get_filename() == filename]
    assert len(found) == 1, f"expected one attachment {filename}, found {len(found)}"
    return found[0]


def attachment_names(message: EmailMessage) -> list[str]:
    return [part.get_filename() for part in leaves(message) if part.get_content_disposition() == "attachment"]


def content_types(message: EmailMessage) -> list[str]:
    return [part.get_content_type() for part in leaves(message)]


def text_of(part: EmailMessage) -> str:
    """A part's text, decoded by the email package (whatever the transfer encoding)."""
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def calendar_text(message: EmailMessage) -> str:
    return text_of(only_part(message, "text/calendar"))


def method_line(calendar: str) -> str:
    """The value of the VCALENDAR's METHOD line, as the file says it."""
    lines = [line for line in calendar.splitlines() if line.upper().startswith("METHOD:")]
    assert len(lines) == 1, f"expected one METHOD line, found {lines}"
    return lines[0].split(":", 1)[1]


def parse_with_ical(calendar: str):
    return IcsCalendarStream.calendar_from_ics(calendar)


def parse_with_vobject(calendar: str):
    return vobject.readOne(calendar, validate=True)


def decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def content_id(part: EmailMessage) -> str:
    return (part["Content-ID"] or "").strip().strip("<>")


# The MIME tree of every mail that carries a ticket (confirmation, reminder): DESIGN.md's.
TICKET_MAIL_TREE = (
    "multipart/mixed", [
        ("multipart/alternative", [
            "text/plain",
            ("multipart/related", ["text/html", "image/png"]),
            "text/calendar",
        ]),
        "attachment invite.ics",
    ],
)
