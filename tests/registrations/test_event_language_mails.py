"""The confirmation mail of an event in several languages, as it arrives over SMTP: the title in
the guest's language where the event has it (subject, text, calendar), the event's time zone
named, the language it is held in; and the calendar invitation read by ical and by vobject."""
from flask import url_for

from tests.events.conftest import next_year_at
from tests.mailing.reading import (
    attachment,
    calendar_text,
    only_part,
    parse_with_ical,
    parse_with_vobject,
    text_of,
)
from tests.registrations.conftest import form_data

TITLE_AR = "منتدى سوق العمل"  # what staff typed (test data)
SUMMARY_AR = "لقاء حول العمل والتدريب."


def signed_up_in(client, mailbox, event, language: str, email: str):
    """Sign up through the event page read in `language`; the confirmation mail as it arrived."""
    response = client.post(url_for("registrations.register", slug=event.slug),
                           data=form_data(name="Rana Haddad", email=email),
                           headers={"Accept-Language": language})
    assert response.status_code == 302, response.text
    [message] = mailbox(email)
    return message


def test_an_arabic_guest_gets_the_arabic_title_in_mail_and_calendar(client, mailbox, make_event):
    event = make_event(title="Forum Arbeitsmarkt", summary="Wege in Arbeit.", title_ar=TITLE_AR,
                       summary_ar=SUMMARY_AR, capacity=10)

    message = signed_up_in(client, mailbox, event, "ar", "rana@example.org")

    # Whole, spaces and all (app/mailing/mime.MailPolicy keeps the encoded Subject on one line).
    assert message["Subject"].endswith(f": {TITLE_AR}")
    assert TITLE_AR in text_of(only_part(message, "text/plain"))
    assert "توقيت وسط أوروبا" in text_of(only_part(message, "text/plain"))  # the zone, as Arabic names it
    for calendar in (calendar_text(message), text_of(attachment(message, "invite.ics"))):
        [vevent] = parse_with_ical(calendar).events
        assert vevent.summary == TITLE_AR
        read = parse_with_vobject(calendar).vevent
        assert read.summary.value == TITLE_AR
        assert read.summary.params["LANGUAGE"] == ["ar"]
        assert read.description.params["LANGUAGE"] == ["ar"]  # the mail's own words


def test_a_guest_whose_language_the_event_lacks_gets_the_german_title(client, mailbox, make_event):
    event = make_event(title="Forum Arbeitsmarkt", title_ar=TITLE_AR, capacity=10)

    message = signed_up_in(client, mailbox, event, "fa", "parisa@example.org")

    assert "Forum Arbeitsmarkt" in message["Subject"] and TITLE_AR not in message["Subject"]
    calendar = calendar_text(message)
    assert parse_with_ical(calendar).events[0].summary == "Forum Arbeitsmarkt"
    read = parse_with_vobject(calendar).vevent
    assert read.summary.value == "Forum Arbeitsmarkt" and read.summary.params["LANGUAGE"] == ["de"]


def test_the_confirmation_names_the_language_and_the_interpreting(client, mailbox, make_event):
    event = make_event(title="Forum Arbeitsmarkt", interpreting="ar en", capacity=10)

    message = signed_up_in(client, mailbox, event, "en", "ben@example.org")

    for part in ("text/plain", "text/html"):
        text = text_of(only_part(message, part))
        assert "Language of the event: German" in text
        assert "Interpreting offered into: English and Arabic" in text  # the reader's own first
    assert "Central European" in text_of(only_part(message, "text/plain"))


def test_a_german_guest_of_a_german_event_reads_no_language_note(client, mailbox, make_event):
    event = make_event(title="Forum Arbeitsmarkt", starts_at=next_year_at(12, 3, 17), capacity=10)

    message = signed_up_in(client, mailbox, event, "de", "anna@example.org")

    lines = text_of(only_part(message, "text/plain")).splitlines()
    at = lines.index("Forum Arbeitsmarkt")
    assert lines[at + 1].endswith(" MEZ")  # the zone, as German abbreviates it in winter
    assert lines[at + 2:at + 4] == ["Rathaus Trier, Am Augustinerhof, 54290 Trier", ""]  # and nothing more
