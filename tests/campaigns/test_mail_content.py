"""What a campaign mail says: placeholders filled in, the staff's text kept safe in HTML, the
event's date in the event's zone and the contact's language; read back with the email package."""
from datetime import UTC, datetime

import pytest
from babel.dates import format_date
from markupsafe import Markup

from app.campaigns import services as campaigns
from app.campaigns.mails import html_paragraphs
from app.campaigns.placeholders import unknown_placeholders
from tests.mailing.reading import mime_tree

from .conftest import INVITATION_LINK, html_body, invitation_token, text_body

# 18:00 in Trier (CET), a Thursday.
STARTS = datetime(2030, 12, 5, 17, 0, tzinfo=UTC)


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Arbeit & Migration", starts_at=STARTS, timezone="Europe/Berlin")


def mail_to(smtp, address):
    (message,) = smtp.to(address)
    return message


def test_placeholders_are_filled_in_for_each_contact_in_their_language(forum, make_contact, make_campaign,
                                                                      smtp, deliver):
    make_contact(name="Anna Schmidt", email="anna@example.org", locale="de")
    make_contact(name="Ben Okafor", email="ben@example.org", locale="en")
    campaigns.send_campaign(make_campaign(forum, subject="{name}, Einladung: {event}",
                                          body="Hallo {name},\nam {date}: {event}.\n\n{link}",
                                          texts={"en": ("{name}, invitation: {event}",
                                                        "Hello {name},\non {date}: {event}.\n\n{link}")}).id)
    deliver()

    anna, ben = mail_to(smtp, "anna@example.org"), mail_to(smtp, "ben@example.org")

    assert anna["Subject"] == "Anna Schmidt, Einladung: Forum Arbeit & Migration"
    german_day = format_date(STARTS.date(), "full", locale="de")  # Donnerstag, 5. Dezember 2030
    english_day = format_date(STARTS.date(), "full", locale="en")  # Thursday, December 5, 2030
    anna_text, ben_text = text_body(anna), text_body(ben)
    assert f"Hallo Anna Schmidt,\nam {german_day}, 18:00" in anna_text
    assert f"Hello Ben Okafor,\non {english_day}, 18:00" in ben_text  # the 24-hour clock in English too
    assert ": Forum Arbeit & Migration." in anna_text
    assert INVITATION_LINK.search(anna_text.split("\n\n")[1])  # {link} is the personal link
    assert invitation_token(anna) != invitation_token(ben)


def test_the_html_part_keeps_line_breaks_and_paragraphs_and_links_the_link(forum, make_contact, make_campaign,
                                                                          smtp, deliver):
    make_contact(name="Anna", email="anna@example.org")
    campaigns.send_campaign(make_campaign(forum, body="Zeile eins\nZeile zwei\n\nAbsatz zwei: {link}").id)
    deliver()

    message = mail_to(smtp, "anna@example.org")
    html = html_body(message)
    link = f"http://podium.test/i/{invitation_token(message)}?lang=de"

    assert "<p>Zeile eins<br>\nZeile zwei</p>" in html
    assert f'<p>Absatz zwei: <a href="{link}">{link}</a></p>' in html
    assert "Forum Arbeit &amp; Migration" in html


def test_a_text_without_the_link_placeholder_still_carries_the_personal_link(forum, make_contact, make_campaign,
                                                                            smtp, deliver):
    make_contact(name="Ben", email="ben@example.org", locale="en")
    campaigns.send_campaign(make_campaign(forum, texts={"en": ("Invitation", "Dear {name}, see you there.")}).id)
    deliver()

    message = mail_to(smtp, "ben@example.org")
    token = invitation_token(message)

    assert f"Sign up here:\nhttp://podium.test/i/{token}?lang=en" in text_body(message)
    assert f'href="http://podium.test/i/{token}?lang=en"' in html_body(message)


def test_an_invitation_is_text_and_html_without_a_calendar(forum, make_contact, make_campaign, smtp, deliver):
    make_contact(email="anna@example.org")
    campaigns.send_campaign(make_campaign(forum).id)
    deliver()

    assert mime_tree(mail_to(smtp, "anna@example.org")) == ("multipart/alternative", ["text/plain", "text/html"])


def test_html_paragraphs_escape_everything_but_the_link():
    html = html_paragraphs("<b>{name}</b> & {link}\n{unknown}", {
        "name": "<i>Anna</i>", "event": "E", "date": "D", "link": "http://podium.test/i/x?a=1&b=2"})

    assert isinstance(html, Markup)
    assert html == ('<p>&lt;b&gt;<span dir="auto">&lt;i&gt;Anna&lt;/i&gt;</span>&lt;/b&gt; &amp; '
                    '<a href="http://podium.test/i/x?a=1&amp;b=2">http://podium.test/i/x?a=1&amp;b=2</a><br>\n'
                    '{unknown}</p>')


@pytest.mark.parametrize(("text", "unknown"), [
    ("Hallo {name}, {event} am {date}: {link}", []),
    ("Hallo {Name}", ["Name"]),
    ("{vorname} {nachname} {vorname}", ["vorname", "nachname"]),
    ("{ name }", [" name "]),
    ("{}", [""]),
    ("Preis: 5 € {link}", []),
])
def test_unknown_placeholders_are_found(text, unknown):
    assert unknown_placeholders(text) == unknown
