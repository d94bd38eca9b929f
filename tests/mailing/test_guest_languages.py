"""A guest's mails in the language they signed up in, as the mails arrive over SMTP.

Olena signs up on a phone that speaks Ukrainian. Every later mail (the confirmation, the reminder,
the change of time staff make, her cancellation, the feedback request after she came) is written
in Ukrainian: its subject and its words are the Ukrainian catalog's (tests/i18n.translated: these
tests fail until the catalog has them), its HTML part says lang="uk", and every link in it
carries the language, so the page it opens speaks Ukrainian too, also in a browser set to German,
and the pages after it follow.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from app.checkin.services import check_in_registration
from app.database import utcnow
from app.registrations import reminders
from app.registrations.event_changes import update_event
from app.surveys import feedback
from app.surveys.feedback import FeedbackSettings
from tests.conftest import TEST_ACTOR
from tests.i18n import translated
from tests.pages import page, parse
from tests.rows import reload

from .reading import decode_qr, only_part, text_of
from .test_registration_mails import registration_of

OLENA = "olena@example.org"
TITLE = "Forum Arbeitsmarkt"
UKRAINIAN_PHONE = {"Accept-Language": "uk-UA,uk;q=0.9"}
GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9"}


def sign_up_on_the_page(client, event, email, *, query: str = "", headers=None):
    """Send the sign-up form as a browser does (`query`: what the form's address carries)."""
    response = client.post(f"/events/{event.slug}/register{query}", headers=headers or {},
                           data={"name": "Olena Kovalenko", "email": email, "affiliation": "volunteer",
                                 "consent": "y"})
    assert response.status_code == 302, response.status_code


def plain(message) -> str:
    return text_of(only_part(message, "text/plain"))


def html(message) -> str:
    return text_of(only_part(message, "text/html"))


def links_in(message) -> list[str]:
    """Every link a reader can follow: those of the text part, and the HTML part's hrefs."""
    text_links = [word for line in plain(message).splitlines() for word in line.split()
                  if word.startswith(("http://", "https://"))]
    html_links = [a.get("href") for a in parse(html(message)).find_all("a")
                  if a.get("href", "").startswith(("http://", "https://"))]
    return text_links + html_links


def language_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("lang", [])


def assert_written_in(message, locale: str, subject: str, words: str) -> None:
    """The mail's subject and words are the catalog's; its HTML and every link say the language."""
    assert message["Subject"] == translated(locale, subject, title=TITLE)
    assert translated(locale, words) in plain(message)
    assert parse(html(message)).one("html").get("lang") == locale
    links = links_in(message)
    assert links, "the mail has links"
    assert {url: language_of(url) for url in links} == {url: [locale] for url in links}


@pytest.fixture
def forum(make_event):
    """A forum in a week: its reminder falls due a day before."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=7)
    return make_event(title=TITLE, capacity=20, starts_at=starts, ends_at=starts + timedelta(hours=2))


@pytest.fixture
def olena(client, forum, mailbox):
    """Olena, signed up from a Ukrainian phone; her confirmation has arrived."""
    sign_up_on_the_page(client, forum, OLENA, headers=UKRAINIAN_PHONE)
    assert len(mailbox(OLENA)) == 1
    return registration_of(OLENA)


# --- what makes each later mail ---------------------------------------------------------------

def nothing_more(client, event, registration):
    """The confirmation came with the sign-up."""


def the_reminder_falls_due(client, event, registration):
    assert reminders.queue_due_reminders(now=event.starts_at - timedelta(hours=24)) == 1


def staff_move_the_event(client, event, registration):
    update_event(event.id, {"starts_at": event.starts_at + timedelta(hours=1),
                            "ends_at": event.ends_at + timedelta(hours=1)}, by=TEST_ACTOR)


def she_cancels_in_a_german_browser(client, event, registration):
    response = client.post(url_for("registrations.cancel", token=registration.manage_token),
                           headers=GERMAN_BROWSER)
    assert response.status_code == 302


def she_came_and_feedback_is_asked(client, event, registration):
    feedback.switch_on(event.id, FeedbackSettings(), by=TEST_ACTOR)
    check_in_registration(event.id, registration.id, TEST_ACTOR)
    assert feedback.send_due(now=event.ends_at + timedelta(hours=3)) == 1


@dataclass(frozen=True)
class LaterMail:
    cause: Callable
    subject: str  # the msgids of its subject and of a sentence of its text
    words: str


LATER_MAILS = {
    "confirmation": LaterMail(nothing_more, "Registration confirmed: %(title)s",
                              "Thank you for signing up. Your place is confirmed."),
    "reminder": LaterMail(the_reminder_falls_due, "Reminder: %(title)s",
                          "A reminder: you are registered for this event, and we look forward to seeing you."),
    "update": LaterMail(staff_move_the_event, "Changed: %(title)s", "The time or place of this event has changed:"),
    "cancellation": LaterMail(she_cancels_in_a_german_browser, "Registration cancelled: %(title)s",
                              "Your registration for this event has been cancelled."),
    "feedback": LaterMail(she_came_and_feedback_is_asked, "How was %(title)s? Two minutes of feedback",
                          "Thank you for coming to this event:"),
}


@pytest.mark.parametrize("kind", list(LATER_MAILS))
def test_a_guest_who_signed_up_in_ukrainian_gets_every_later_mail_in_ukrainian(client, forum, olena, mailbox,
                                                                               kind):
    later = LATER_MAILS[kind]

    later.cause(client, forum, olena)

    message = mailbox(OLENA)[-1]
    assert len(mailbox(OLENA)) == (1 if kind == "confirmation" else 2)
    assert reload(olena).locale == "uk"
    assert_written_in(message, "uk", later.subject, later.words)


def test_the_language_of_the_sign_up_address_wins_over_a_german_browser(client, forum, mailbox):
    sign_up_on_the_page(client, forum, OLENA, query="?lang=uk", headers=GERMAN_BROWSER)

    assert registration_of(OLENA).locale == "uk"
    [confirmation] = mailbox(OLENA)
    expected = LATER_MAILS["confirmation"]
    assert_written_in(confirmation, "uk", expected.subject, expected.words)


def test_signing_up_again_from_a_german_browser_mails_the_ticket_again_in_ukrainian(client, forum, olena,
                                                                                  mailbox):
    sign_up_on_the_page(client, forum, OLENA, headers=GERMAN_BROWSER)

    [_, again] = mailbox(OLENA)
    assert again["Subject"] == translated("uk", "Registration confirmed: %(title)s", title=TITLE)
    assert translated("uk", "You are already registered for this event. Here is your ticket again.") in plain(again)
    assert reload(olena).locale == "uk"


# --- the links ----------------------------------------------------------------------------------

def lang_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return page(response).one("html").get("lang")


def test_a_link_in_the_mail_opens_its_page_in_the_mails_language_and_the_pages_after_it_follow(
        app, olena, mailbox):
    [confirmation] = mailbox(OLENA)
    own_page = next(url for url in links_in(confirmation) if f"/r/{olena.manage_token}" in url)
    german_browser = app.test_client()

    parts = urlsplit(own_page)
    assert lang_of(german_browser.get(f"{parts.path}?{parts.query}", headers=GERMAN_BROWSER)) == "uk"

    # The next pages, without ?lang= in their address, speak Ukrainian too: the link chose it.
    assert lang_of(german_browser.get(url_for("events.upcoming"), headers=GERMAN_BROWSER)) == "uk"
    assert lang_of(german_browser.get(url_for("registrations.ticket", code=olena.ticket_code),
                                      headers=GERMAN_BROWSER)) == "uk"
    # Without the link the same browser reads German, as it asks.
    assert lang_of(app.test_client().get(url_for("events.upcoming"), headers=GERMAN_BROWSER)) == "de"


def test_the_qr_code_keeps_the_plain_ticket_address_the_door_reads(app, olena, mailbox):
    [confirmation] = mailbox(OLENA)
    [scanned] = decode_qr(only_part(confirmation, "image/png").get_payload(decode=True))

    assert scanned == f"{app.config['BASE_URL']}/t/{olena.ticket_code}"
