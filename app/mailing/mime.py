"""The MIME tree of Podium's mails, built with the standard email package.

Flask-Mail 0.10 cannot put a `method=` parameter on an alternative part nor
nest multipart/related inside multipart/alternative, so the tree is made here;
Flask-Mail stays the transport (see sender.PreparedMessage).

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related
          text/html
          image/png            (Content-ID, referenced as cid: from the HTML)
        text/calendar; method=REQUEST; charset=utf-8
      invite.ics               (the same calendar, as an attachment)
"""
import re
import secrets
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache

# RFC 5322's limit of a header line: the Subject is folded only beyond it.
LONGEST_LINE = 998
# The longest Subject in UTF-8 bytes: encoded (base64 adds a third, each encoded word 12 characters)
# it stays well within one line. Longer ones are cut, with an ellipsis.
SUBJECT_BYTES = 500
# The METHOD property of an iCalendar file: a line of its own (a DESCRIPTION that mentions
# "METHOD:CANCEL" is not one), its name in any case, parameters allowed before the value.
METHOD_LINE = re.compile(rb"^METHOD(?:;[^:\r\n]*)?:([^\r\n]*)\r?$", re.MULTILINE | re.IGNORECASE)


class HeaderClasses(HeaderRegistry):
    """The email package's header classes, each made once.

    HeaderRegistry makes a new class (type()) every time a header is set or counted, and that
    was a fifth of the time it took to build a mail; the class depends on nothing but the name.
    """

    def __init__(self):
        super().__init__()
        self._made = {}

    def __getitem__(self, name):
        """The class of the header `name`, made on first use."""
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


class MailPolicy(policy.EmailPolicy):
    """The SMTP policy, but the Subject is kept on one line.

    Python's folder (3.11) breaks an encoded Subject at the space between two non-ASCII words and
    leaves that space outside the encoded words, where RFC 2047 readers drop it: "منتدى سوق العمل"
    arrived as "منتدىسوق العمل" (cpython gh-144156 is the same fault). Unfolded, the Subject is one
    run of encoded words with its spaces inside; build_message cuts it to fit (one_line_subject).
    """

    def header_store_parse(self, name, value):
        """As EmailPolicy's, but the headers of the MIME parts, the same in every mail
        (Content-Type: text/plain; charset="utf-8", ...), are parsed once: parsing them took a third
        of the time it took to build a mail. A parsed header never changes. Those that name a person
        (To, Subject) are not kept."""
        lower = name.lower()
        if isinstance(value, str) and not hasattr(value, "name") and (
                lower.startswith("content-") or lower == "mime-version"):
            return _part_header(self, name, value)
        return super().header_store_parse(name, value)

    def fold(self, name, value):
        """The header as a line (or lines), the Subject unfolded up to LONGEST_LINE."""
        return policy.EmailPolicy.fold(self._for(name), name, value)

    def fold_binary(self, name, value):
        """As fold(), for the bytes generator that smtplib uses."""
        return policy.EmailPolicy.fold_binary(self._for(name), name, value)

    def _for(self, name: str) -> policy.EmailPolicy:
        return self.clone(max_line_length=LONGEST_LINE) if name.lower() == "subject" else self


@lru_cache(maxsize=256)
def _part_header(mail_policy: MailPolicy, name: str, value: str):
    return policy.EmailPolicy.header_store_parse(mail_policy, name, value)


SEVEN_BIT = MailPolicy(linesep="\r\n", cte_type="7bit", header_factory=HeaderClasses())
# For a recipient whose address has non-ASCII characters before the @ (jörg@example.org): the
# headers carry raw UTF-8, which only a server that offers SMTPUTF8 (RFC 6531) may take.
UTF8_HEADERS = MailPolicy(linesep="\r\n", cte_type="7bit", utf8=True, header_factory=HeaderClasses())


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without angle brackets
    data: bytes
    subtype: str = "png"
    filename: str = "image.png"


@dataclass(frozen=True)
class CalendarPart:
    data: bytes  # an iCalendar file whose METHOD matches `method`
    method: str
    filename: str


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str
    calendar: CalendarPart | None = None
    images: tuple[InlineImage, ...] = ()
    headers: dict = field(default_factory=dict)


def one_line_subject(subject: str) -> str:
    """The subject, cut with "…" where its encoding would no longer fit on one line (MailPolicy)."""
    data = subject.encode()
    if len(data) <= SUBJECT_BYTES:
        return subject
    return data[:SUBJECT_BYTES - len("…".encode())].decode(errors="ignore").rstrip() + "…"


def build_message(content: MailContent, *, sender: str, recipient: str, message_id: str,
                  date, reply_to: str | None = None) -> EmailMessage:
    """The whole mail as an EmailMessage (policy SMTP: CRLF line ends)."""
    # 7bit: non-ASCII text goes out quoted-printable, which every relay accepts
    # (raw 8-bit data would need BODY=8BITMIME from the server).
    message = EmailMessage(policy=UTF8_HEADERS if needs_smtputf8(recipient) else SEVEN_BIT)
    message["Subject"] = one_line_subject(content.subject)
    message["From"] = sender
    message["To"] = with_ascii_domain(recipient)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    for name, value in content.headers.items():
        message[name] = value

    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    if content.images:
        html_part = message.get_payload()[1]
        for image in content.images:
            html_part.add_related(image.data, "image", image.subtype, cid=f"<{image.cid}>",
                                  filename=image.filename, disposition="inline")
    if content.calendar is not None:
        method = content.calendar.method.upper()
        file_method = calendar_method(content.calendar.data)
        if file_method != method:
            raise ValueError(f"calendar part says method={method} but its file says METHOD:{file_method}")
        message.add_alternative(content.calendar.data.decode("utf-8"), subtype="calendar",
                                params={"method": method})
        message.add_attachment(content.calendar.data, maintype="application", subtype="ics",
                               filename=content.calendar.filename)
    for part in message.walk():
        if part.is_multipart():
            part.set_boundary(new_boundary())
    return message


def calendar_method(data: bytes) -> str:
    """The METHOD of an iCalendar file, upper case; "" if it has none."""
    found = METHOD_LINE.search(data)
    return found.group(1).decode("utf-8", errors="replace").strip().upper() if found else ""


def new_boundary() -> str:
    """A boundary no part can contain: 128 random bits, drawn after the parts were written.

    Set here because the email package's own boundary is checked against the whole body with a
    regular expression compiled for each one, a millisecond per mail; a value nobody could
    foresee needs no check.
    """
    return f"podium-{secrets.token_hex(16)}"


def envelope_address(address: str) -> str:
    """The bare address of a header value such as 'Podium <podium@example.org>'."""
    return parseaddr(address)[1]


def with_ascii_domain(address: str) -> str:
    """The address with its domain in IDNA ("anna@bücher.de" -> "anna@xn--bcher-kva.de"), as the
    envelope carries it too."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def needs_smtputf8(address: str) -> bool:
    """Whether the part of `address` before the @ has characters outside ASCII. (A non-ASCII
    domain alone needs no SMTPUTF8: it travels as IDNA, xn--.)"""
    local = envelope_address(address).rpartition("@")[0]
    return not local.isascii()
