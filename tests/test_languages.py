"""Which language a page speaks: a link's ?lang=, the switch, the browser, German; guests have
five languages, staff pages two."""
import re

from tests.i18n import translated


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.text).group(0)


def test_a_link_with_a_language_opens_the_page_in_it_and_the_next_pages_follow(client, make_event):
    make_event(title="Forum Sprache")
    first = client.get("/events/?lang=uk", headers={"Accept-Language": "de"})
    assert html_tag(first) == '<html lang="uk" dir="ltr">'
    assert translated("uk", "Upcoming events") in first.text
    # The next page, without the parameter and with a German browser, stays Ukrainian.
    assert html_tag(client.get("/events/", headers={"Accept-Language": "de"})) == '<html lang="uk" dir="ltr">'


def test_arabic_and_persian_pages_are_written_right_to_left(client, make_event):
    make_event(title="Forum Sprache")
    arabic = client.get("/events/", headers={"Accept-Language": "ar-SY,ar;q=0.9"})
    assert html_tag(arabic) == '<html lang="ar" dir="rtl">'
    assert translated("ar", "Upcoming events") in arabic.text
    persian = client.get("/events/", headers={"Accept-Language": "fa-IR"})
    assert html_tag(persian) == '<html lang="fa" dir="rtl">'


def test_the_switch_names_every_language_in_itself_on_guest_pages(client, make_event):
    make_event()
    page = client.get("/events/").text
    for name in ("Deutsch", "English", "العربية", "فارسی", "Українська"):
        assert name in page


def test_switching_away_from_a_linked_language_wins_over_the_link(client, make_event):
    """The switch on a page opened with ?lang=ar leads to the chosen language, not back to Arabic."""
    make_event()
    page = client.get("/events/?lang=ar").text
    persian_link = re.search(r'href="(/lang/fa\?[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "lang%3Dar" not in persian_link and "lang=ar" not in persian_link.split("next=", 1)[1]
    followed = client.get(persian_link, follow_redirects=True)
    assert html_tag(followed) == '<html lang="fa" dir="rtl">'


def test_an_unknown_language_in_a_link_changes_nothing(client, make_event):
    make_event()
    response = client.get("/events/?lang=xx", headers={"Accept-Language": "en"})
    assert html_tag(response) == '<html lang="en" dir="ltr">'


def test_staff_pages_speak_german_or_english_whatever_the_guest_pages_speak(client, staff):
    client.get("/lang/ar?next=/events/")
    assert html_tag(client.get("/events/")) == '<html lang="ar" dir="rtl">'
    page = client.get("/staff/", follow_redirects=True, headers={"Accept-Language": "ar,en;q=0.5"})
    assert page.status_code == 200
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert "العربية" not in page.text  # the staff switch offers German and English only
    german = client.get("/staff/?lang=uk", follow_redirects=True, headers={"Accept-Language": "ar"})
    assert html_tag(german) == '<html lang="de" dir="ltr">'


def test_a_missing_staff_page_is_not_in_a_guest_language(client):
    client.get("/lang/fa?next=/events/")
    assert html_tag(client.get("/staff/nowhere")) == '<html lang="de" dir="ltr">'
    assert html_tag(client.get("/nowhere")) == '<html lang="fa" dir="rtl">'


def visible_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.text))


def test_date_and_time_are_joined_as_the_readers_language_joins_them(client, make_event):
    """Babel's pattern: "Sonntag, 20. Dezember 2026, 18:00" in German, an Arabic comma in Arabic."""
    event = make_event(title="Forum Sprache")
    arabic = visible_text(client.get(f"/events/{event.slug}/", headers={"Accept-Language": "ar"}))
    assert re.search(r"\d{4}، \d{2}:\d{2}", arabic)
    assert not re.search(r"\d{4}, \d{2}:\d{2}", arabic)
    german = visible_text(client.get(f"/events/{event.slug}/", headers={"Accept-Language": "de"}))
    assert re.search(r"\d{4}, \d{2}:\d{2}", german)


def test_a_ticket_opened_at_the_door_speaks_the_doors_languages(client, login, make_event, sign_up):
    registration = sign_up(make_event(capacity=10))
    ticket = f"/t/{registration.ticket_code}"
    assert html_tag(client.get(ticket, headers={"Accept-Language": "ar"})) == '<html lang="ar" dir="rtl">'
    login("door")
    assert html_tag(client.get(ticket, headers={"Accept-Language": "ar"})) == '<html lang="de" dir="ltr">'


def test_a_guest_link_does_not_undo_a_staff_members_choice(client, staff, make_event):
    event = make_event()
    client.get("/lang/en?next=/staff/")
    client.get(f"/events/{event.slug}/?lang=ar")
    assert html_tag(client.get("/staff/", follow_redirects=True, headers={"Accept-Language": "de"})) == \
        '<html lang="en" dir="ltr">'


def test_the_review_of_past_events_speaks_the_guest_languages(client):
    page = client.get("/results/?lang=ar")
    assert page.status_code == 200
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert translated("ar", "Review of past events") in page.text


def test_calendar_feeds_are_offered_in_the_pages_language(client, make_event):
    make_event()
    page = client.get("/events/", headers={"Accept-Language": "uk"}).text
    assert 'href="/events.ics?lang=uk"' in page
