"""An event in several languages: staff give it a title and summary in a guest language, the
language it is held in and the languages it is interpreted into; a guest reads their language
where the event has it, the German words otherwise (marked as German, with a note that says which
language the event is held in); every time names the event's zone; the calendar file speaks the
reader's language."""
from datetime import timedelta

import vobject
from babel import Locale
from flask import url_for
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from app.events import services
from app.events.models import TEXT_LOCALES, EventText
from app.extensions import db
from tests.conftest import TEST_ACTOR
from tests.events.conftest import next_year_at
from tests.events.staff_forms import event_form, events_titled, shown_form
from tests.i18n import translated
from tests.pages import ENGLISH, field_error, page
from tests.rows import fresh_reads

ARABIC = {"Accept-Language": "ar"}
PERSIAN = {"Accept-Language": "fa"}
# Words staff typed (test data, not the site's own text).
TITLE_AR = "منتدى التدريب والعمل"
SUMMARY_AR = "طرق إلى التدريب المهني والعمل."


def text_rows() -> list[tuple[int, str, str, str]]:
    """Every EventText row as the database holds it: (event id, locale, title, summary)."""
    fresh_reads()
    rows = db.session.execute(select(EventText).order_by(EventText.event_id, EventText.locale)).scalars()
    return [(row.event_id, row.locale, row.title, row.summary) for row in rows]


def in_language(code: str, reader: str) -> str:
    """A language named in the reader's language, as Babel's CLDR data names it."""
    return Locale.parse(code).get_display_name(reader)


# --- staff write the words ---------------------------------------------------------------------

def test_every_guest_language_but_german_can_hold_an_events_words(app):
    assert set(TEXT_LOCALES) == set(app.config["LANGUAGES"]) - {"de"}


def test_staff_add_an_arabic_title_and_summary_and_the_languages(office):
    response = office.post(url_for("events_staff.create"), data=event_form(
        title_ar=TITLE_AR, summary_ar=SUMMARY_AR, language="de", interpreting=["fa", "ar"]))

    assert response.status_code == 302
    [event] = events_titled("Forum Ausbildung und Arbeit")
    assert text_rows() == [(event.id, "ar", TITLE_AR, SUMMARY_AR)]
    assert (event.language, event.interpreting) == ("de", "ar fa")
    form = page(office.get(response.location))
    title = form.one("input", name="title_ar")
    assert title.get("value") == TITLE_AR
    assert (title.get("lang"), title.get("dir")) == ("ar", "rtl")  # typed right to left
    assert form.one("textarea", name="summary_ar").get("dir") == "rtl"
    assert form.one("input", name="title_uk").get("dir") == "ltr"
    assert "open" in form.one("details", id="text-ar").attrs
    assert "open" not in form.one("details", id="text-fa").attrs  # empty: folded
    language = form.one("select", name="language")
    assert [o.text for o in language.find_all("option") if "selected" in o.attrs] == ["German"]
    checked = {box.get("value") for box in form.find_all("input", name="interpreting") if "checked" in box.attrs}
    assert checked == {"ar", "fa"}


def test_an_edit_of_the_arabic_title_is_in_the_history_and_on_the_public_page(app, office, make_event):
    event = make_event(title="Forum Arbeit", title_ar=TITLE_AR)
    guest = app.test_client()
    before = guest.get(url_for("registrations.event_page", slug=event.slug), headers=ARABIC)  # now cached
    assert page(before).one("h1").text == TITLE_AR

    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    response = office.post(url_for("events_staff.update", event_id=event.id),
                           data=form | {"title_ar": "منتدى العمل", "interpreting": ["ar", "fa"]})

    assert response.status_code == 302
    history = page(office.get(response.location)).one("section", class_="history").text
    assert f"Title (Arabic): {TITLE_AR} → منتدى العمل" in history
    assert "Interpreting offered into (optional): – → Arabic, Persian" in history
    after = guest.get(url_for("registrations.event_page", slug=event.slug), headers=ARABIC)
    assert page(after).one("h1").text == "منتدى العمل"


def test_clearing_title_and_summary_removes_that_language(office, make_event):
    event = make_event(title="Forum Arbeit", title_ar=TITLE_AR, summary_ar=SUMMARY_AR, title_en="Work forum")

    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    response = office.post(url_for("events_staff.update", event_id=event.id),
                           data=form | {"title_ar": "", "summary_ar": ""})

    assert response.status_code == 302
    assert text_rows() == [(event.id, "en", "Work forum", "")]


def test_a_summary_without_its_title_is_refused_and_kept(office):
    response = office.post(url_for("events_staff.create"), data=event_form(summary_ar=SUMMARY_AR))

    assert response.status_code == 422
    assert field_error(response, "title_ar") == "A summary needs a title in the same language."
    shown = page(response)
    assert "open" in shown.one("details", id="text-ar").attrs
    assert shown.one("textarea", name="summary_ar").text == SUMMARY_AR  # what was typed stays
    assert events_titled("Forum Ausbildung und Arbeit") == [] and text_rows() == []


def test_interpreting_into_the_events_own_language_is_refused(office):
    response = office.post(url_for("events_staff.create"),
                           data=event_form(language="ar", interpreting=["ar", "de"]))

    assert response.status_code == 422
    assert field_error(response, "interpreting") == ("The event is held in this language; "
                                                     "it needs no interpreting into it.")
    assert events_titled("Forum Ausbildung und Arbeit") == []


def test_a_copy_keeps_the_words_and_languages(make_event):
    event = make_event(title="Forum Arbeit", title_ar=TITLE_AR, language="ar", interpreting="de fa")

    copy = services.duplicate_event(event.id, by=TEST_ACTOR, starts_at=event.starts_at + timedelta(days=7),
                                    ends_at=event.ends_at + timedelta(days=7))

    assert (copy.title_ar, copy.language, copy.interpreting) == (TITLE_AR, "ar", "de fa")
    assert sorted(row[0] for row in text_rows()) == sorted([event.id, copy.id])


# --- guests read them ---------------------------------------------------------------------------

def test_an_arabic_reader_gets_the_arabic_title_and_summary(client, make_event):
    event = make_event(title="Forum Arbeit", summary="Wege in Arbeit.", title_ar=TITLE_AR, summary_ar=SUMMARY_AR)

    shown = page(client.get(url_for("registrations.event_page", slug=event.slug, lang="ar")))

    assert (shown.one("html").get("lang"), shown.one("html").get("dir")) == ("ar", "rtl")
    heading = shown.one("h1")
    assert heading.text == TITLE_AR and heading.find("bdi") is None  # the page's own language
    assert shown.one("p", class_="lead").text == SUMMARY_AR
    assert shown.one("title").text.startswith(TITLE_AR)
    assert "Forum Arbeit" not in shown.one("main").text


def test_a_persian_reader_gets_the_german_title_marked_and_told_the_language(client, make_event):
    event = make_event(title="Forum Arbeit", summary="Wege in Arbeit.", title_ar=TITLE_AR)

    shown = page(client.get(url_for("registrations.event_page", slug=event.slug), headers=PERSIAN))

    german = shown.one("h1").one("bdi")
    assert (german.text, german.get("lang"), german.get("dir")) == ("Forum Arbeit", "de", "ltr")
    assert shown.one("p", class_="lead").one("bdi").get("lang") == "de"
    assert shown.one("p", class_="event-languages").text == translated(
        "fa", "Language of the event: %(language)s", language=in_language("de", "fa"))


def test_the_note_names_the_language_and_the_interpreting_readers_first(client, make_event):
    event = make_event(title="Forum Arbeit", interpreting="ar en")

    note = page(client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)).one(
        "p", class_="event-languages").text

    assert note == "Language of the event: German Interpreting offered into: English and Arabic"


def test_a_german_reader_of_a_german_event_needs_no_note(client, make_event):
    event = make_event(title="Forum Arbeit")

    shown = page(client.get(url_for("registrations.event_page", slug=event.slug)))

    assert shown.find("p", class_="event-languages") is None
    assert shown.one("h1").find("bdi") is None


def test_the_list_shows_each_title_in_the_readers_language_in_one_query_for_all(client, make_event):
    for n in range(1, 6):
        make_event(title=f"Forum {n}", title_ar=f"منتدى {n}", starts_at=next_year_at(3, n, 17))
    make_event(title="Forum ohne Übersetzung", starts_at=next_year_at(3, 9, 17))
    fresh_reads()
    statements = []

    def count(connection, cursor, statement, *args):
        if "event_texts" in statement:
            statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
    try:
        shown = page(client.get(url_for("events.upcoming"), headers=ARABIC))
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)

    titles = [heading.text for heading in shown.find_all("h2")]
    assert titles == [f"منتدى {n}" for n in range(1, 6)] + ["Forum ohne Übersetzung"]
    assert shown.find_all("h2")[-1].one("bdi").get("lang") == "de"
    assert len(statements) == 1, statements


# --- the time zone, named ------------------------------------------------------------------------

def test_times_name_the_events_zone_in_the_readers_language(client, make_event):
    winter = make_event(title="Winterforum", starts_at=next_year_at(12, 3, 17))
    summer = make_event(title="Sommerforum", starts_at=next_year_at(7, 3, 16))

    def zone(event, headers):
        shown = page(client.get(url_for("registrations.event_page", slug=event.slug), headers=headers))
        return shown.one("p", class_="when").one("span", class_="zone").text

    assert zone(winter, {}) == "MEZ" and zone(summer, {}) == "MESZ"
    # Where a language has no abbreviation (Babel would give "+0100"), the full name.
    assert zone(winter, ENGLISH) == "Central European Standard Time"
    assert zone(winter, ARABIC) == "توقيت وسط أوروبا الرسمي"
    assert "+01" not in zone(winter, PERSIAN)


# --- the calendar file ---------------------------------------------------------------------------

def test_the_calendar_file_speaks_the_readers_language_where_the_event_does(client, make_event):
    event = make_event(title="Forum Arbeit", summary="Wege in Arbeit.", title_ar=TITLE_AR, summary_ar=SUMMARY_AR)
    address = url_for("events.event_calendar", slug=event.slug)

    arabic = client.get(address, headers=ARABIC).text
    persian = client.get(address, headers=PERSIAN).text

    [entry] = IcsCalendarStream.calendar_from_ics(arabic).events
    assert entry.summary == TITLE_AR and entry.description.startswith(SUMMARY_AR)
    read = vobject.readOne(arabic, validate=True).vevent
    assert read.summary.value == TITLE_AR and read.summary.params["LANGUAGE"] == ["ar"]
    german = vobject.readOne(persian, validate=True).vevent
    assert german.summary.value == "Forum Arbeit" and german.summary.params["LANGUAGE"] == ["de"]
    # German words inside a Persian text: no one language to name.
    assert german.description.value.startswith("Wege in Arbeit.") and "LANGUAGE" not in german.description.params
    assert IcsCalendarStream.calendar_from_ics(persian).events[0].summary == "Forum Arbeit"

