"""Mails in Arabic and Persian as clients show them: the HTML part right to left (dir and lang on
<html>, <body> and the mail's own box, sides named as clients understand them), a plain-text
part whose links stand whole on lines of their own, and subjects that decode to exactly the
catalog's words (RFC 2047), in Ukrainian too.
"""
import email
from email.header import decode_header, make_header
from email.policy import compat32

import pytest
from flask import url_for

from app.mailing.direction import LRM, RLM, MailDirection, plain_text_in
from app.registrations.event_changes import update_event
from tests.conftest import TEST_ACTOR
from tests.i18n import translated
from tests.pages import parse

from .reading import only_part, text_of
from .test_registration_mails import registration_of

TITLE = "Forum Arbeitsmarkt"
VENUE_LINE = "Rathaus Trier, Am Augustinerhof, 54290 Trier"  # make_event's venue and address
# Long enough that the encoded subject is folded over several lines.
LONG_TITLE = "Arbeitsmarkt für Geflüchtete: Ausbildung, Anerkennung und Sprachkurse in der Region Trier"


def sign_up_in(client, event, language: str, email_address: str) -> None:
    """The sign-up form sent from a browser that speaks `language`."""
    response = client.post(f"/events/{event.slug}/register", headers={"Accept-Language": language},
                           data={"name": "Amal Haddad", "email": email_address, "affiliation": "other",
                                 "consent": "y"})
    assert response.status_code == 302


def html_of(message):
    return parse(text_of(only_part(message, "text/html")))


def plain(message) -> str:
    return text_of(only_part(message, "text/plain"))


def style_of(element) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in element.get("style", "").split(";") if ":" in item)
    return {name.strip(): value.strip() for name, value in pairs}


def mail_box(root):
    """The mail's own box: the one element inside <body>, which Gmail keeps with its attributes."""
    [box] = [child for child in root.one("body").children if not isinstance(child, str)]
    return box


@pytest.fixture
def confirmation_in(client, make_event, mailbox):
    """confirmation_in(language): the confirmation of a guest who signed up in `language`."""
    event = make_event(title=TITLE, capacity=10)

    def receive(language: str):
        address = f"guest-{language}@example.org"
        sign_up_in(client, event, language, address)
        [message] = mailbox(address)
        return message

    return receive


# --- the HTML part ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["ar", "fa"])
def test_the_html_part_is_right_to_left_where_every_client_looks(confirmation_in, language):
    root = html_of(confirmation_in(language))

    for element in (root.one("html"), root.one("body"), mail_box(root)):
        assert element.get("dir") == "rtl", element.tag
    assert root.one("html").get("lang") == mail_box(root).get("lang") == language
    assert style_of(mail_box(root))["direction"] == "rtl"
    assert style_of(mail_box(root))["text-align"] == "right"  # clients ignore text-align:start
    heading = root.one("h1")
    assert heading.get("dir") == "auto" and style_of(heading)["text-align"] == "right"
    assert TITLE in heading.text


def test_a_german_mail_stays_left_to_right(confirmation_in):
    root = html_of(confirmation_in("de"))

    html = root.one("html")
    assert (html.get("lang"), html.get("dir"), mail_box(root).get("dir")) == ("de", "ltr", "ltr")
    assert style_of(mail_box(root))["text-align"] == "left"


def test_the_table_of_what_changed_mirrors_in_arabic(client, make_event, mailbox):
    event = make_event(title=TITLE, capacity=10)
    sign_up_in(client, event, "ar", "amal@example.org")
    mailbox("amal@example.org")

    update_event(event.id, {"venue": "IHK Trier"}, by=TEST_ACTOR)
    [_, update] = mailbox("amal@example.org")

    table = html_of(update).one("table")
    assert table.get("dir") == "rtl"
    assert {style_of(th)["text-align"] for th in table.find_all("th")} == {"right"}
    labels = [td for td in table.find_all("td") if "padding-left" in style_of(td)]
    assert labels and not [td for td in table.find_all("td") if "padding-right" in style_of(td)]


# --- the plain-text part ------------------------------------------------------------------------

def test_each_link_of_an_arabic_mail_stands_whole_on_a_line_of_its_own(confirmation_in):
    message = confirmation_in("ar")
    lines = plain(message).splitlines()

    links = [line for line in lines if "://" in line]
    hrefs = {a.get("href") for a in html_of(message).find_all("a") if "://" in a.get("href", "")}
    # The same links as the HTML part's buttons, each the whole line: nothing before or after it,
    # no invisible mark a client might take into the link.
    assert set(links) == hrefs and len(links) == 2
    assert all(link.endswith("?lang=ar") for link in links)


def test_latin_lines_of_an_arabic_text_are_marked_right_to_left_and_arabic_lines_are_left_alone(
        confirmation_in):
    lines = plain(confirmation_in("ar")).splitlines()

    assert f"{RLM}{TITLE}{LRM}" in lines
    assert f"{RLM}{VENUE_LINE}{LRM}" in lines
    assert translated("ar", "Thank you for signing up. Your place is confirmed.") in lines
    assert TITLE not in lines and VENUE_LINE not in lines


def test_lines_that_would_read_wrongly_marked_keep_no_mark():
    text = "54290 Trier\nanna@example.org\nmailto:anna@example.org\n-- \nForum!"
    arabic, german = MailDirection.of("ar"), MailDirection.of("de")

    # A number first would move behind the words ("Trier 54290"); addresses and the signature
    # line are clicked or recognised as they are.
    assert plain_text_in(text, arabic).split("\n") == [
        "54290 Trier", "anna@example.org", "mailto:anna@example.org", "-- ", f"{RLM}Forum!{LRM}"]
    assert plain_text_in(text, german) == text


def test_the_outbox_shows_an_arabic_text_part_right_to_left(staff, make_event, sign_up, deliver, outbox):
    event = make_event(title=TITLE, capacity=10)
    registration = sign_up(event, email="amal@example.org", locale="ar")
    deliver()
    [mail] = outbox(registration_id=registration.id)

    shown = parse(staff.get(url_for("mailing_staff.show", mail_id=mail.id)).get_data(as_text=True))

    text = shown.one("pre", class_="mail-text")
    assert (text.get("lang"), text.get("dir")) == ("ar", "rtl")
    assert translated("ar", "Thank you for signing up. Your place is confirmed.") in text.text


# --- the subject ----------------------------------------------------------------------------------

def raw_subject(received) -> str:
    """The Subject header as it travelled (folded, encoded), before any decoding."""
    return email.message_from_bytes(received.data, policy=compat32)["Subject"]


@pytest.mark.parametrize("language", ["ar", "fa", "uk"])
def test_the_subject_travels_encoded_and_decodes_to_exactly_the_catalogs_words(
        client, make_event, smtp, deliver, language):
    event = make_event(title=LONG_TITLE, capacity=10)
    sign_up_in(client, event, language, "guest@example.org")
    deliver()
    [received] = smtp.received

    expected = translated(language, "Registration confirmed: %(title)s", title=LONG_TITLE)
    raw = raw_subject(received)
    assert raw.isascii() and "=?utf-8?" in raw.lower()
    # One line, not folded: Python's folder would leave the space between two non-ASCII words
    # outside the encoded words, and readers drop it (app/mailing/mime.MailPolicy).
    assert "\n" not in raw.strip() and len(raw) < 998
    # Read as today's email package and as older readers (decode_header) read it.
    assert received.message["Subject"] == expected
    assert str(make_header(decode_header(raw))) == expected
    assert registration_of("guest@example.org").locale == language



def test_a_very_long_arabic_subject_is_cut_whole_words_and_spaces_intact():
    """Python's folder would drop the space between two encoded words; the Subject stays on one
    line instead, cut with an ellipsis where its encoding would no longer fit."""
    from email import message_from_bytes, policy
    from email.utils import make_msgid

    from app.database import utcnow
    from app.mailing.mime import MailContent, build_message

    subject = "تذكير: " + " ".join(["منتدى سوق العمل في ترير"] * 30)
    message = build_message(MailContent(subject=subject, text="نص", html="<p>نص</p>"),
                            sender="podium@example.org", recipient="guest@example.org",
                            message_id=make_msgid(), date=utcnow())
    raw = message.as_bytes()
    header = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    subject_line = next(line for line in header.split("\r\n") if line.startswith("Subject:"))
    assert header.split("\r\n")[header.split("\r\n").index(subject_line) + 1][:1] not in (" ", "\t")
    assert len(subject_line) <= 998
    received = message_from_bytes(raw, policy=policy.default)["Subject"]
    assert received.endswith("…") and len(received) < len(subject)
    assert subject.startswith(received[:-1])  # nothing lost or joined before the cut
