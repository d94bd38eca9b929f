"""What guests receive when staff change, cancel or enlarge an event, read from a real SMTP server."""
import re
from datetime import UTC

import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import entries_for_event
from app.extensions import db
from app.registrations.event_changes import plan_update, update_event
from app.registrations.models import Registration
from app.registrations.services import cancel_registration
from tests.conftest import TEST_ACTOR
from tests.events.staff_forms import berlin, local_input, shown_form
from tests.mailing.reading import (
    attachment,
    attachment_names,
    calendar_text,
    content_types,
    method_line,
    only_part,
    parse_with_ical,
    parse_with_vobject,
    text_of,
)
from tests.pages import field_error, form_values, main_text, page
from tests.rows import reload

ANNA, BEN, CLARA = "anna@example.org", "ben@example.org", "clara@example.org"


@pytest.fixture
def forum(make_event, sign_up, mailbox):
    """A published forum with two places: Anna and Ben confirmed, Clara waiting (Ben and Clara
    read English). Their sign-up mails have arrived."""
    event = make_event(title="Forum Ausbildung", capacity=2, starts_at=berlin(5, 6, 18), ends_at=berlin(5, 6, 20),
                       venue="IHK Trier", address="Herzogenbuscher Straße 12, 54292 Trier")
    sign_up(event, email=ANNA, name="Anna Schmidt")
    sign_up(event, email=BEN, name="Ben Miller", locale="en")
    sign_up(event, email=CLARA, name="Clara Weber", locale="en")
    for address in (ANNA, BEN, CLARA):
        assert len(mailbox(address)) == 1
    return reload(event)


def edit(office, event, tell_guests="yes", **changes):
    """Change the event through its form; when the page asks whether to mail the guests, answer
    `tell_guests` ("yes" or "no"; None leaves the question unanswered and returns it)."""
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    form.update(changes)
    response = office.post(url_for("events_staff.update", event_id=event.id), data=form)
    question = asked(response)
    if question is None or tell_guests is None:
        return response
    return office.post(question.get("action"), data={**form_values(question), "tell_guests": tell_guests})


def asked(response):
    """The form that asks whether to tell the guests about a change, if the page shows it."""
    return page(response).find("form", id="change-choice") if response.status_code == 200 else None


def cancel(office, event, **fields):
    data = {"message": "Der Referent ist erkrankt. Neuer Termin folgt.", "confirm": "y"} | fields
    return office.post(url_for("events_staff.cancel", event_id=event.id), data={k: v for k, v in data.items() if v})


def vevent(message):
    return parse_with_vobject(calendar_text(message)).vevent


def plain_text(message) -> str:
    return text_of(only_part(message, "text/plain"))


# --- a new time ----------------------------------------------------------------

def test_a_new_start_time_is_mailed_to_every_guest(office, forum, mailbox):
    response = edit(office, forum, starts_at=local_input(berlin(5, 6, 19, 30)),
                    ends_at=local_input(berlin(5, 6, 21, 30)))

    assert response.status_code == 302
    assert "3 guests are being told about the change by mail." in main_text(office.get(response.location))
    anna, ben, clara = (mailbox(address) for address in (ANNA, BEN, CLARA))
    assert [len(anna), len(ben), len(clara)] == [2, 2, 2]
    for before, after in (anna, ben):
        part = only_part(after, "text/calendar")
        assert part.get_param("method") == "REQUEST" and method_line(calendar_text(after)) == "REQUEST"
        assert vevent(after).uid.value == vevent(before).uid.value == forum.ical_uid
        assert int(vevent(after).sequence.value) == int(vevent(before).sequence.value) + 1
        assert vevent(after).dtstart.value == berlin(5, 6, 19, 30)
        assert vevent(after).dtstart.value.utcoffset().total_seconds() == 0
        [read_by_ical] = parse_with_ical(calendar_text(after)).events
        assert read_by_ical.uid == forum.ical_uid
        assert read_by_ical.sequence == int(vevent(before).sequence.value) + 1
        assert read_by_ical.dtstart == berlin(5, 6, 19, 30).astimezone(UTC)
        assert attachment_names(after) == ["invite.ics"]


def test_the_update_says_what_the_time_was_and_is_in_the_guests_language(office, forum, mailbox):
    edit(office, forum, starts_at=local_input(berlin(5, 7, 19, 30)), ends_at=local_input(berlin(5, 7, 21)))

    anna_text, ben_text = (plain_text(mailbox(address)[-1]) for address in (ANNA, BEN))
    weekday_before, weekday_after = f"{berlin(5, 6, 18):%A}", f"{berlin(5, 7, 18):%A}"  # English names
    assert "18:00" in anna_text and "19:30" in anna_text
    # The 24-hour clock in English too: no "6:00 PM" (a bare "PM" may stand in a link's random key).
    assert "18:00" in ben_text and not re.search(r"\d:\d\d\s?[AP]M", ben_text)
    assert weekday_before in ben_text and weekday_after in ben_text
    german = {"Monday": "Montag", "Tuesday": "Dienstag", "Wednesday": "Mittwoch", "Thursday": "Donnerstag",
              "Friday": "Freitag", "Saturday": "Samstag", "Sunday": "Sonntag"}
    assert german[weekday_before] in anna_text and german[weekday_after] in anna_text
    assert anna_text.index("18:00") < anna_text.index("19:30")  # before, then now


def test_the_waitlisted_guest_is_told_without_a_calendar_invitation(office, forum, mailbox):
    edit(office, forum, starts_at=local_input(berlin(5, 6, 19)), ends_at=local_input(berlin(5, 6, 21)))

    update = mailbox(CLARA)[-1]
    assert "text/calendar" not in content_types(update)
    assert attachment_names(update) == []
    assert "18:00" in plain_text(update) and "19:00" in plain_text(update)
    assert "You are still on the waitlist." in plain_text(update)


def test_a_guest_who_cancels_before_the_update_goes_out_gets_it_without_an_invitation(office, forum, mailbox):
    edit(office, forum, starts_at=local_input(berlin(5, 6, 19)), ends_at=local_input(berlin(5, 6, 21)))
    anna = db.session.execute(select(Registration).where(Registration.email == ANNA)).scalar_one()
    cancel_registration(anna.id)  # before the sender got to the update

    _, update, cancellation = mailbox(ANNA)

    # A REQUEST now would put the event back into the calendar the cancellation cleared.
    assert "text/calendar" not in content_types(update)
    assert only_part(cancellation, "text/calendar").get_param("method") == "CANCEL"


def test_a_new_place_is_mailed_too(office, forum, mailbox):
    edit(office, forum, venue="Handwerkskammer Trier", address="Loebstraße 18, 54292 Trier")

    update = mailbox(ANNA)[-1]
    assert "IHK Trier" in plain_text(update) and "Handwerkskammer Trier" in plain_text(update)
    assert vevent(update).location.value == "Handwerkskammer Trier, Loebstraße 18, 54292 Trier"


def test_a_new_title_raises_the_sequence_but_mails_nobody(office, client, forum, mailbox):
    sequence = forum.sequence

    edit(office, forum, title="Forum Ausbildung und Arbeit", description="Mehr Details.")

    assert reload(forum).sequence == sequence + 1
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [1, 1, 1]
    download = client.get(url_for("events.event_calendar", slug=forum.slug))
    assert f"SEQUENCE:{sequence + 1}" in download.text


# --- cancelling ----------------------------------------------------------------

def test_cancelling_asks_first(office, forum, mailbox):
    question = office.get(url_for("events_staff.cancel_form", event_id=forum.id))
    assert question.status_code == 200
    assert "2 confirmed guests" in main_text(question)

    response = cancel(office, forum, confirm=None)

    assert response.status_code == 422
    assert "Please confirm" in field_error(response, "confirm")
    assert page(response).one("textarea", name="message").text == "Der Referent ist erkrankt. Neuer Termin folgt."
    assert reload(forum).is_published
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [1, 1, 1]


def test_cancelling_mails_a_calendar_cancel_after_the_update(office, client, forum, mailbox, sign_up):
    edit(office, forum, starts_at=local_input(berlin(5, 6, 19)), ends_at=local_input(berlin(5, 6, 21)))
    update = mailbox(ANNA)[-1]

    response = cancel(office, forum)

    assert response.status_code == 302
    assert "3 guests are being told by mail" in main_text(office.get(response.location))
    cancellation = mailbox(ANNA)[-1]
    assert only_part(cancellation, "text/calendar").get_param("method") == "CANCEL"
    assert method_line(calendar_text(cancellation)) == "CANCEL"
    assert vevent(cancellation).status.value == "CANCELLED"
    assert vevent(cancellation).uid.value == vevent(update).uid.value == forum.ical_uid
    assert int(vevent(cancellation).sequence.value) > int(vevent(update).sequence.value)
    [read_by_ical] = parse_with_ical(text_of(attachment(cancellation, "cancel.ics"))).events
    assert read_by_ical.uid == forum.ical_uid
    assert "image/png" not in content_types(cancellation)
    assert "Der Referent ist erkrankt." in plain_text(cancellation)
    assert len(mailbox(BEN)) == 3


def test_the_waitlisted_guest_is_told_of_the_cancellation_without_a_calendar(office, forum, mailbox):
    cancel(office, forum)

    cancellation = mailbox(CLARA)[-1]
    assert "text/calendar" not in content_types(cancellation)
    assert attachment_names(cancellation) == []
    assert "cancelled" in plain_text(cancellation).lower()


def test_a_cancelled_event_takes_no_sign_up_and_says_so(office, client, forum):
    cancel(office, forum)

    sign_up = client.post(url_for("registrations.register", slug=forum.slug),
                          data={"name": "Dora", "email": "dora@example.org", "affiliation": "volunteer",
                                "consent": "y"}, headers={"Accept-Language": "en"})
    public = client.get(url_for("registrations.event_page", slug=forum.slug), headers={"Accept-Language": "en"})

    assert sign_up.status_code == 409
    assert "This event has been cancelled." in main_text(sign_up)
    assert public.status_code == 200
    assert "This event has been cancelled." in main_text(public)
    assert reload(forum).is_cancelled


def test_an_event_is_cancelled_only_once(office, forum, mailbox):
    cancel(office, forum)
    again = cancel(office, forum)

    assert again.status_code == 409
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [2, 2, 2]


# --- capacity --------------------------------------------------------------------

def test_more_places_go_to_the_first_on_the_waitlist(office, make_event, sign_up, mailbox):
    event = make_event(capacity=1)
    sign_up(event, email=ANNA)
    sign_up(event, email=BEN)
    sign_up(event, email=CLARA)

    response = edit(office, event, capacity="2")

    assert response.status_code == 302
    assert "1 guest from the waitlist got a place" in main_text(office.get(response.location))
    event = reload(event)
    assert (event.confirmed_count, event.waitlist_count) == (2, 1)
    promotion = mailbox(BEN)[-1]
    assert only_part(promotion, "text/calendar").get_param("method") == "REQUEST"
    assert vevent(promotion).uid.value == event.ical_uid
    assert len(mailbox(CLARA)) == 1  # still waiting: only the waitlist notice


def test_capacity_below_the_confirmed_guests_is_refused_and_nothing_changes(office, forum, mailbox):
    sequence = forum.sequence

    response = edit(office, forum, capacity="1", title="Forum Ausbildung (klein)",
                    starts_at=local_input(berlin(5, 6, 19)))

    assert response.status_code == 422
    assert "2 guests already have a place" in field_error(response, "capacity")
    assert shown_form(response)["capacity"] == "1"
    event = reload(forum)
    assert (event.capacity, event.title, event.starts_at, event.sequence) == \
        (2, "Forum Ausbildung", berlin(5, 6, 18), sequence)
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [1, 1, 1]


def test_an_event_over_capacity_through_walk_ins_can_still_be_edited(app, make_event, sign_up):
    event = make_event(title="Forum", capacity=2)
    sign_up(event)
    sign_up(event)
    event.capacity = 1  # as if the door had let a guest in over capacity
    db.session.commit()

    result = update_event(event.id, {"title": "Forum Arbeit", "capacity": 1}, by=TEST_ACTOR)

    assert result.changed == ("title",)
    assert reload(event).title == "Forum Arbeit"


def test_a_change_to_a_draft_mails_nobody(app, make_event, smtp, deliver):
    event = make_event(publish=False)

    result = update_event(event.id, {"starts_at": berlin(5, 6, 19), "ends_at": berlin(5, 6, 21)}, by=TEST_ACTOR)

    assert result.told == 0
    assert deliver().handled == 0


# --- asking before mailing every guest ----------------------------------------------

def test_a_new_time_asks_first_how_many_are_told_and_saves_nothing(office, forum, mailbox):
    sequence = forum.sequence

    response = edit(office, forum, tell_guests=None, starts_at=local_input(berlin(5, 6, 19)),
                    ends_at=local_input(berlin(5, 6, 21)), title="Forum Ausbildung und Beruf")

    assert response.status_code == 200
    assert page(response).one(id="guests-to-tell").text == "3 guests will be mailed about the new time."
    answers = [b.text for b in asked(response).find_all("button")]
    assert answers == ["Save and tell them", "Save without mailing", "Back to the form"]
    [row] = page(response).one("table").one("tbody").find_all("tr")
    before, now = (cell.text for cell in row.find_all("td"))
    assert row.one("th").text == "Date and time" and "18:00" in before and "19:00" in now
    event = reload(forum)
    assert (event.starts_at, event.title, event.sequence) == (berlin(5, 6, 18), "Forum Ausbildung", sequence)
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [1, 1, 1]


def test_a_new_place_is_asked_about_as_a_place(office, forum):
    response = edit(office, forum, tell_guests=None, venue="Handwerkskammer Trier")

    assert page(response).one(id="guests-to-tell").text == "3 guests will be mailed about the new place."
    assert "IHK Trier" in main_text(response) and "Handwerkskammer Trier" in main_text(response)


def test_back_to_the_form_keeps_everything_typed_and_saves_nothing(office, forum, mailbox):
    question = asked(edit(office, forum, tell_guests=None, starts_at=local_input(berlin(5, 6, 19)),
                          ends_at=local_input(berlin(5, 6, 21)), title="Forum Ausbildung und Beruf",
                          speakers="Dr. Jan Glockauer, IHK Trier\nMiriam Kremer, Moderation"))

    response = office.post(question.get("action"), data={**form_values(question), "back": "1"})

    assert response.status_code == 200
    shown = shown_form(response)
    assert shown["title"] == "Forum Ausbildung und Beruf"
    assert shown["starts_at"] == local_input(berlin(5, 6, 19))
    assert shown["speakers"] == "Dr. Jan Glockauer, IHK Trier\nMiriam Kremer, Moderation"
    assert shown["timezone"] == "Europe/Berlin"
    assert (reload(forum).title, reload(forum).starts_at) == ("Forum Ausbildung", berlin(5, 6, 18))
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [1, 1, 1]


def test_saving_without_mailing_saves_and_raises_the_sequence_but_mails_nobody(office, client, forum, mailbox):
    sequence = forum.sequence

    response = edit(office, forum, tell_guests="no", address="Herzogenbuscher Straße 14, 54292 Trier")

    assert response.status_code == 302
    assert "The guests were not mailed about it." in main_text(office.get(response.location))
    event = reload(forum)
    assert event.address == "Herzogenbuscher Straße 14, 54292 Trier"
    assert event.sequence == sequence + 1  # calendars that fetch the event again take the change
    assert f"SEQUENCE:{sequence + 1}" in client.get(url_for("events.event_calendar", slug=forum.slug)).text
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [1, 1, 1]
    [entry, *_] = entries_for_event(forum.id)
    assert entry.changes["mailed"] is False
    assert "guests_told" not in entry.changes


def test_save_and_tell_them_mails_and_the_history_says_how_many(office, forum, mailbox):
    response = edit(office, forum, tell_guests="yes", venue="Handwerkskammer Trier")

    assert response.status_code == 302
    assert [len(mailbox(address)) for address in (ANNA, BEN, CLARA)] == [2, 2, 2]
    [entry, *_] = entries_for_event(forum.id)
    assert entry.changes["guests_told"] == 3
    assert entry.changes["venue"] == ["IHK Trier", "Handwerkskammer Trier"]
    history = page(office.get(url_for("events_staff.edit", event_id=forum.id))).one("section", class_="history")
    assert "Guests told by mail: 3" in history.text


def test_the_question_comes_after_the_form_is_checked(office, forum):
    response = edit(office, forum, tell_guests=None, starts_at=local_input(berlin(5, 6, 19)),
                    ends_at=local_input(berlin(5, 6, 17)))

    assert response.status_code == 422
    assert asked(response) is None
    assert "The event must end after it starts." in field_error(response, "ends_at")


def test_a_new_time_without_guests_is_saved_at_once(office, make_event):
    event = make_event(title="Forum ohne Anmeldungen", starts_at=berlin(5, 6, 18), ends_at=berlin(5, 6, 20))

    response = edit(office, event, tell_guests=None, starts_at=local_input(berlin(5, 6, 19)))

    assert response.status_code == 302
    assert reload(event).starts_at == berlin(5, 6, 19)


def test_the_service_saves_a_typo_fix_without_mail(app, forum, deliver):
    result = update_event(forum.id, {"venue": "IHK Trier, Saal 1"}, by=TEST_ACTOR, tell_guests=False)

    assert result.told == 0
    assert reload(forum).venue == "IHK Trier, Saal 1"
    assert deliver().handled == 0


def test_the_plan_counts_guests_to_tell_only_for_a_new_time_or_place(app, forum, make_event):
    assert plan_update(forum.id, {"venue": "HWK Trier"}).guests_to_tell == 3
    assert plan_update(forum.id, {"title": "Forum Beruf"}).guests_to_tell == 0
    assert plan_update(make_event(publish=False).id, {"venue": "HWK Trier"}).guests_to_tell == 0
    assert reload(forum).venue == "IHK Trier"  # a plan saves nothing
