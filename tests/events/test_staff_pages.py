"""Staff create, edit, duplicate, publish and unpublish events through their pages."""
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.events.models import Event
from app.extensions import db
from app.outbox import OutgoingMail
from app.registrations.models import Registration
from tests.events.staff_forms import berlin, event_form, events_titled, local_input, shown_form
from tests.pages import field_error, main_text, page
from tests.rows import reload


def event_count() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(Event.id))).scalar_one()


def cancelled(event: Event) -> Event:
    """The event as cancelled by staff at some earlier point."""
    event.status = "cancelled"
    db.session.commit()
    return event


def mail_count() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(OutgoingMail.id))).scalar_one()


# --- creating ---------------------------------------------------------------------

def test_a_new_event_is_saved_as_a_draft_with_every_field(office, client):
    response = office.post(url_for("events_staff.create"), data=event_form())

    [event] = events_titled("Forum Ausbildung und Arbeit")
    assert response.status_code == 302
    assert response.location == url_for("events_staff.edit", event_id=event.id)
    assert event.status == "draft"
    assert event.kind == "forum"
    assert event.starts_at == berlin(5, 6, 18) and event.ends_at == berlin(5, 6, 20)
    assert event.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    assert event.timezone == "Europe/Berlin"
    assert (event.venue, event.address) == ("IHK Trier, Großer Saal", "Herzogenbuscher Straße 12, 54292 Trier")
    assert event.capacity == 70 and event.waitlist_enabled
    assert event.speakers == ["Dr. Jan Glockauer, IHK Trier"]
    assert event.slug == f"forum-ausbildung-und-arbeit-{berlin(5, 6, 18):%Y-%m-%d}"
    assert "saved as a draft" in main_text(office.get(response.location))
    assert client.get(url_for("registrations.event_page", slug=event.slug)).status_code == 404


def test_an_empty_capacity_means_no_limit_and_the_waitlist_can_be_off(office):
    office.post(url_for("events_staff.create"), data=event_form(capacity="", waitlist_enabled=None))

    [event] = events_titled("Forum Ausbildung und Arbeit")
    assert event.capacity is None
    assert not event.waitlist_enabled


def test_registration_times_are_read_in_the_events_zone(office):
    office.post(url_for("events_staff.create"), data=event_form(
        registration_opens_at=local_input(berlin(3, 1, 9)), registration_closes_at=local_input(berlin(5, 5, 12))))

    [event] = events_titled("Forum Ausbildung und Arbeit")
    assert event.registration_opens_at == berlin(3, 1, 9)
    assert event.registration_closes_at == berlin(5, 5, 12)


def test_the_same_title_and_day_twice_gets_a_second_address(office):
    office.post(url_for("events_staff.create"), data=event_form())
    office.post(url_for("events_staff.create"), data=event_form())

    first, second = events_titled("Forum Ausbildung und Arbeit")
    assert second.slug == f"{first.slug}-2"


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": "   "}, "title", "Please give the event a title."),
    ({"title": None}, "title", "Please give the event a title."),
    ({"ends_at": local_input(berlin(5, 6, 17))}, "ends_at", "The event must end after it starts."),
    ({"ends_at": local_input(berlin(5, 6, 18))}, "ends_at", "The event must end after it starts."),
    ({"starts_at": ""}, "starts_at", "When does the event start?"),
    ({"starts_at": "next Tuesday"}, "starts_at", "Enter a date and time"),
    ({"starts_at": "0001-01-01T00:30", "ends_at": "0001-01-01T02:00"}, "starts_at", "between 2000 and 2100"),
    ({"ends_at": "9999-12-31T23:30"}, "ends_at", "between 2000 and 2100"),
    ({"registration_opens_at": "1999-12-31T23:00"}, "registration_opens_at", "between 2000 and 2100"),
    ({"capacity": "-5"}, "capacity", "from 0 to 100,000"),
    ({"capacity": "twelve"}, "capacity", "Enter a whole number of places"),
    ({"capacity": "2.5"}, "capacity", "Enter a whole number of places"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Unknown time zone"),
    ({"timezone": "localtime"}, "timezone", "Unknown time zone"),
    ({"kind": "party"}, "kind", "Not a valid choice"),
    ({"registration_opens_at": local_input(berlin(4, 1, 9)),
      "registration_closes_at": local_input(berlin(3, 1, 9))}, "registration_closes_at",
     "Registration must close after it opens."),
])
def test_a_form_with_a_mistake_says_so_next_to_the_field_and_keeps_the_input(office, overrides, field, message):
    data = event_form(venue="Kulturhaus Prüm", **overrides)

    response = office.post(url_for("events_staff.create"), data=data)

    assert response.status_code == 422
    assert message in field_error(response, field)
    shown = shown_form(response)
    assert shown["venue"] == "Kulturhaus Prüm"
    if field not in ("kind", "timezone"):  # a select cannot show a value it does not offer
        assert shown[field] == data.get(field, "").strip()
    assert event_count() == 0


# --- editing ----------------------------------------------------------------------

def test_the_edit_form_shows_times_in_the_events_own_zone(office, make_event):
    event = make_event(starts_at=berlin(7, 1, 18), ends_at=berlin(7, 1, 21), timezone="Europe/Berlin")

    shown = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    assert shown["starts_at"] == f"{berlin(7, 1, 18):%Y-%m-%d}T18:00"
    assert shown["ends_at"] == f"{berlin(7, 1, 18):%Y-%m-%d}T21:00"
    assert shown["timezone"] == "Europe/Berlin"


def test_editing_saves_what_was_changed(office, make_event):
    event = make_event(title="Arbeitskreis Sprache", capacity=20, starts_at=berlin(6, 3, 14),
                       ends_at=berlin(6, 3, 16), speakers=["Anna Berg, Stadt Trier"])
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    form.update(title="Arbeitskreis Sprache und Qualifizierung", capacity="25", venue="Rathaus, Raum 12",
                speakers="Anna Berg, Stadt Trier\nJan Roth, Volkshochschule Trier", description="Für **alle** Interessierten.")

    response = office.post(url_for("events_staff.update", event_id=event.id), data=form)

    assert response.status_code == 302
    event = reload(event)
    assert event.title == "Arbeitskreis Sprache und Qualifizierung"
    assert event.capacity == 25
    assert event.venue == "Rathaus, Raum 12"
    assert event.speakers == ["Anna Berg, Stadt Trier", "Jan Roth, Volkshochschule Trier"]
    assert event.description == "Für **alle** Interessierten."
    assert event.starts_at == berlin(6, 3, 14)  # untouched
    assert event.slug.startswith("arbeitskreis-sprache-")  # the address guests have stays


def test_saving_the_form_unchanged_changes_nothing_and_mails_nobody(office, make_event, sign_up):
    # make_event's times carry seconds: the form must not round them away (that would move the event).
    event = make_event(capacity=10)
    sign_up(event)
    sequence, mails = event.sequence, mail_count()

    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    response = office.post(url_for("events_staff.update", event_id=event.id), data=form)

    assert response.status_code == 302
    assert "Nothing was changed." in main_text(office.get(response.location))
    assert reload(event).sequence == sequence
    assert mail_count() == mails


def test_a_mistake_in_the_edit_form_changes_nothing(office, make_event):
    event = make_event(title="Forum Mobilität", starts_at=berlin(8, 1, 10), ends_at=berlin(8, 1, 15))
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    form.update(title="Forum Mobilität im ländlichen Raum", ends_at=local_input(berlin(8, 1, 9)))

    response = office.post(url_for("events_staff.update", event_id=event.id), data=form)

    assert response.status_code == 422
    assert "The event must end after it starts." in field_error(response, "ends_at")
    assert shown_form(response)["title"] == "Forum Mobilität im ländlichen Raum"
    assert reload(event).title == "Forum Mobilität"


def test_an_unknown_event_is_not_found(office):
    assert office.get(url_for("events_staff.edit", event_id=999)).status_code == 404
    assert office.post(url_for("events_staff.update", event_id=999), data=event_form()).status_code == 404


# --- duplicating ------------------------------------------------------------------

def test_duplicating_makes_a_draft_copy_with_its_own_address_and_calendar_uid(office, make_event, sign_up):
    original = make_event(title="Fachforum Sprache", capacity=70, starts_at=berlin(9, 10, 10),
                          ends_at=berlin(9, 10, 15), speakers=["Moderation: Miriam Kremer"], sequence=4)
    sign_up(original)
    sign_up(original)

    shown = shown_form(office.get(url_for("events_staff.duplicate_form", event_id=original.id)))
    assert shown["title"] == "Fachforum Sprache"
    shown["starts_at"], shown["ends_at"] = local_input(berlin(10, 8, 10)), local_input(berlin(10, 8, 15))
    response = office.post(url_for("events_staff.duplicate", event_id=original.id), data=shown)

    original, copy = events_titled("Fachforum Sprache")
    assert response.status_code == 302
    assert response.location == url_for("events_staff.edit", event_id=copy.id)
    assert copy.status == "draft"
    assert copy.slug != original.slug and copy.ical_uid != original.ical_uid
    assert copy.starts_at == berlin(10, 8, 10)
    assert (copy.capacity, copy.speakers, copy.venue) == (70, ["Moderation: Miriam Kremer"], original.venue)
    assert (copy.confirmed_count, copy.waitlist_count, copy.sequence) == (0, 0, 0)
    assert db.session.execute(select(func.count(Registration.id))
                              .where(Registration.event_id == copy.id)).scalar_one() == 0
    assert original.confirmed_count == 2 and original.is_published


def test_a_cancelled_event_can_be_duplicated_to_plan_it_anew(office, make_event):
    original = cancelled(make_event(title="Podium Integration"))

    response = office.post(url_for("events_staff.duplicate", event_id=original.id),
                           data=shown_form(office.get(url_for("events_staff.duplicate_form", event_id=original.id))))

    assert response.status_code == 302
    assert [e.status for e in events_titled("Podium Integration")] == ["cancelled", "draft"]


# --- publishing -------------------------------------------------------------------

def test_publishing_and_unpublishing_show_and_hide_the_event(office, client, make_event):
    event = make_event(title="Infoabend Ausbildung", publish=False)
    public_page = url_for("registrations.event_page", slug=event.slug)
    assert client.get(public_page).status_code == 404

    response = office.post(url_for("events_staff.publish", event_id=event.id))
    assert response.status_code == 302
    assert reload(event).is_published
    assert client.get(public_page).status_code == 200
    assert "Infoabend Ausbildung" in client.get(url_for("events.upcoming")).text

    response = office.post(url_for("events_staff.unpublish", event_id=event.id))
    assert response.status_code == 302
    assert reload(event).status == "draft"
    assert client.get(public_page).status_code == 404


def test_an_event_with_registrations_cannot_go_back_to_draft(office, client, make_event, sign_up):
    event = make_event(title="Forum Arbeit", capacity=1)
    sign_up(event)
    sign_up(event)  # the waitlist counts too

    response = office.post(url_for("events_staff.unpublish", event_id=event.id))

    assert response.status_code == 409
    assert "2 people have signed up for this event" in page(response).one(class_="alert").text
    assert reload(event).is_published
    assert client.get(url_for("registrations.event_page", slug=event.slug)).status_code == 200


def test_a_cancelled_event_cannot_be_published_or_edited(office, make_event):
    event = cancelled(make_event())

    published = office.post(url_for("events_staff.publish", event_id=event.id))
    edited = office.post(url_for("events_staff.update", event_id=event.id), data=event_form(title="Neu"))

    assert published.status_code == 409 and "cannot be published again" in main_text(published)
    assert edited.status_code == 409 and "can no longer be changed" in main_text(edited)
    assert reload(event).status == "cancelled" and reload(event).title != "Neu"


# --- the description --------------------------------------------------------------

def test_the_description_is_markdown_without_scripts_or_script_links(office, client, make_event):
    event = make_event(publish=True)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))
    form["description"] = ("Ein **wichtiges** Treffen.\n\n"
                           "- Kammern\n- Agentur\n\n"
                           "<script>alert('x')</script>\n\n"
                           "[Programm](https://example.org/programm) und [Trick](javascript:alert(1))\n\n"
                           '<a href="javascript:alert(2)" onclick="alert(3)">roh</a>')
    office.post(url_for("events_staff.update", event_id=event.id), data=form)

    response = client.get(url_for("registrations.event_page", slug=event.slug))
    description = page(response).one("div", class_="description")

    assert description.one("strong").text == "wichtiges"
    assert [li.text for li in description.find_all("li")] == ["Kammern", "Agentur"]
    assert description.find("script") is None
    links = description.find_all("a")
    assert "https://example.org/programm" in [a.get("href") for a in links]
    assert not [a for a in links if "javascript" in (a.get("href") or "").lower() or a.get("onclick")]
    assert "<script" not in response.text.split('class="description"', 1)[1].split("</div>", 1)[0]


# --- who may ----------------------------------------------------------------------

STAFF_PAGES = [
    ("GET", "events_staff.new"), ("POST", "events_staff.create"),
    ("GET", "events_staff.edit"), ("POST", "events_staff.update"),
    ("GET", "events_staff.duplicate_form"), ("POST", "events_staff.duplicate"),
    ("POST", "events_staff.publish"), ("POST", "events_staff.unpublish"),
    ("GET", "events_staff.cancel_form"), ("POST", "events_staff.cancel"),
]


def _url(endpoint, event):
    return url_for(endpoint) if endpoint in ("events_staff.new", "events_staff.create") else \
        url_for(endpoint, event_id=event.id)


@pytest.mark.parametrize("method, endpoint", STAFF_PAGES)
def test_the_door_role_is_refused_every_event_page(login, make_event, method, endpoint):
    event = make_event(title="Forum Arbeit")
    door = login("door")

    response = door.open(_url(endpoint, event), method=method, data=event_form(title="Übernommen", confirm="y"))

    assert response.status_code == 403
    assert [e.status for e in events_titled("Forum Arbeit")] == ["published"]
    assert events_titled("Übernommen") == []


@pytest.mark.parametrize("method, endpoint", STAFF_PAGES)
def test_without_login_every_event_page_asks_to_log_in(client, make_event, method, endpoint):
    event = make_event()

    response = client.open(_url(endpoint, event), method=method, data=event_form())

    assert response.status_code == 302
    assert response.location.startswith(url_for("auth.login"))


def test_an_admin_may_manage_events(login):
    assert login("admin").get(url_for("events_staff.new")).status_code == 200


def test_the_dashboard_links_to_new_and_to_each_events_form(office, make_event):
    event = make_event(title="Forum Arbeit")

    links = [a.get("href") for a in page(office.get(url_for("events_staff.dashboard"))).find_all("a")]

    assert url_for("events_staff.new") in links
    assert url_for("events_staff.edit", event_id=event.id) in links


def test_times_are_stored_in_utc_whatever_the_events_zone(office):
    office.post(url_for("events_staff.create"), data=event_form(
        timezone="America/New_York", starts_at=f"{berlin(5, 6, 0):%Y}-05-06T18:00",
        ends_at=f"{berlin(5, 6, 0):%Y}-05-06T20:00"))

    [event] = events_titled("Forum Ausbildung und Arbeit")
    assert event.timezone == "America/New_York"
    assert event.starts_at.astimezone(UTC).hour == 22  # 18:00 EDT


# --- the dashboard ----------------------------------------------------------------

def dashboard_titles(response, heading_id: str) -> list[str]:
    """The event titles in the dashboard's section under the heading `heading_id`, top to bottom."""
    section = page(response).one("section", aria_labelledby=heading_id)
    return [a.text for a in section.find_all("a", class_="event-title")]


def test_the_dashboard_lists_upcoming_events_soonest_first_and_past_ones_apart(office, make_event, set_event):
    now = datetime.now(UTC).replace(microsecond=0)
    make_event(title="In zehn Tagen", starts_at=now + timedelta(days=10))
    make_event(title="Übermorgen", starts_at=now + timedelta(days=2))
    make_event(title="Entwurf in fünf Tagen", starts_at=now + timedelta(days=5), publish=False)
    set_event(make_event(title="Abgesagt in drei Tagen", starts_at=now + timedelta(days=3)), status="cancelled")
    make_event(title="Vor einem Monat", starts_at=now - timedelta(days=30))
    make_event(title="Gestern", starts_at=now - timedelta(days=1))

    response = office.get(url_for("events_staff.dashboard"))

    assert dashboard_titles(response, "upcoming-heading") == [
        "Übermorgen", "Abgesagt in drei Tagen", "Entwurf in fünf Tagen", "In zehn Tagen"]
    assert dashboard_titles(response, "past-heading") == ["Gestern", "Vor einem Monat"]


def test_each_dashboard_row_has_its_state_figures_and_actions(staff, make_event, sign_up):
    event = make_event(title="Forum Arbeit", capacity=1)
    sign_up(event)
    sign_up(event)
    draft = make_event(title="Forum Entwurf", publish=False)

    rows = {row.get("id"): row for row in page(staff.get(url_for("events_staff.dashboard"))).find_all("tr")}

    row = rows[f"event-{event.id}"]
    assert row.one("span", class_="badge").text == "veröffentlicht"  # German, as the browser asks
    figures = {cell.get("data-label"): cell.text for cell in row.find_all("td", class_="num")}
    assert figures == {"Bestätigt": "1", "Warteliste": "1", "Plätze": "1"}
    links = [a.get("href") for a in row.one("td", class_="actions-cell").find_all("a")]
    assert links == [url_for("registrations_staff.index", event_id=event.id),
                     url_for("events_staff.edit", event_id=event.id),
                     url_for("checkin.page", event_id=event.id),
                     url_for("checkin_staff.attendance", event_id=event.id)]
    assert rows[f"event-{draft.id}"].one("span", class_="badge").text == "Entwurf"


def test_past_events_come_a_page_at_a_time(office, make_event):
    now = datetime.now(UTC).replace(microsecond=0)
    for n in range(27):
        make_event(title=f"Vergangen {n:02}", starts_at=now - timedelta(days=n + 1))

    first = office.get(url_for("events_staff.dashboard"))
    second = office.get(url_for("events_staff.dashboard", page=2))

    assert dashboard_titles(first, "past-heading") == [f"Vergangen {n:02}" for n in range(25)]
    assert dashboard_titles(second, "past-heading") == ["Vergangen 25", "Vergangen 26"]
    assert url_for("events_staff.dashboard", page=2) in [
        a.get("href") for a in page(first).one("nav", class_="pagination").find_all("a")]


# --- every page in the staff frame --------------------------------------------------

def staff_pages_of(event, registration) -> list[str]:
    return [
        url_for("events_staff.dashboard"), url_for("events_staff.new"),
        url_for("events_staff.edit", event_id=event.id), url_for("events_staff.duplicate_form", event_id=event.id),
        url_for("events_staff.cancel_form", event_id=event.id),
        url_for("registrations_staff.index", event_id=event.id),
        url_for("registrations_staff.new", event_id=event.id),
        url_for("registrations_staff.cancel_confirm", event_id=event.id, registration_id=registration.id),
        url_for("checkin_staff.attendance", event_id=event.id),
    ]


def test_every_staff_page_leads_to_every_staff_area(office, make_event, sign_up):
    event = make_event(title="Forum Arbeit")
    areas = [url_for("events_staff.dashboard"), url_for("contacts_staff.index"), url_for("network_staff.index"),
             url_for("campaigns_staff.index"), url_for("surveys_staff.index"), url_for("reports_staff.index"),
             url_for("mailing_staff.index"), url_for("checkin.events")]

    for path in staff_pages_of(event, sign_up(event)):
        response = office.get(path)
        nav = page(response).one("nav", class_="site-nav")
        assert response.status_code == 200, path
        assert [a.get("href") for a in nav.find_all("a")][:8] == areas, path
        assert nav.one("a", aria_current="page").get("href") == url_for("events_staff.dashboard"), path


# --- time zones ---------------------------------------------------------------------

def zone_options(response) -> list[str]:
    return [option.get("value") for option in page(response).one("select", name="timezone").find_all("option")]


def test_the_time_zone_list_is_short_with_berlin_first(office):
    zones = zone_options(office.get(url_for("events_staff.new")))

    assert zones[0] == "Europe/Berlin"
    assert len(zones) <= 12
    assert {"Europe/Luxembourg", "Europe/Paris", "Europe/Brussels", "UTC"} <= set(zones)
    option = page(office.get(url_for("events_staff.new"))).one("option", value="Europe/Luxembourg")
    assert option.text == "Luxembourg (Europe/Luxembourg)"


def test_an_event_in_another_known_zone_keeps_it_in_the_list(office, make_event):
    event = make_event(timezone="America/New_York")

    response = office.get(url_for("events_staff.edit", event_id=event.id))

    assert "America/New_York" in zone_options(response)
    assert shown_form(response)["timezone"] == "America/New_York"
    assert len(zone_options(response)) <= 13
    saved = office.post(url_for("events_staff.update", event_id=event.id), data=shown_form(response))
    assert saved.status_code == 302 and reload(event).timezone == "America/New_York"


# --- previews -----------------------------------------------------------------------

def test_staff_preview_a_drafts_public_page_and_the_public_still_gets_404(office, client, login, make_event):
    event = make_event(title="Infoabend Anerkennung", publish=False, summary="Wie werden Abschlüsse anerkannt?")

    preview = office.get(url_for("events_staff.preview", event_id=event.id))

    assert preview.status_code == 200
    assert page(preview).one("h1").text == "Infoabend Anerkennung"
    banner = page(preview).one(class_="preview-banner")
    assert "Preview" in banner.text and "not public yet" in banner.text
    assert "Wie werden Abschlüsse anerkannt?" in main_text(preview)
    assert page(preview).find("form", action=url_for("registrations.register", slug=event.slug)) is None
    assert url_for("events_staff.preview", event_id=event.id) in [
        a.get("href") for a in page(office.get(url_for("events_staff.edit", event_id=event.id))).find_all("a")]
    assert client.get(url_for("registrations.event_page", slug=event.slug)).status_code == 404


def test_the_preview_is_for_staff_only(client, login, make_event):
    event = make_event(publish=False)

    assert client.get(url_for("events_staff.preview", event_id=event.id)).status_code == 302  # to the login
    assert login("door").get(url_for("events_staff.preview", event_id=event.id)).status_code == 403


@pytest.mark.parametrize("where", ["new", "edit"])
def test_the_description_preview_shows_it_rendered_and_keeps_everything_typed(office, make_event, where):
    event = make_event(title="Forum Arbeit", capacity=30)
    typed = event_form(title="Forum Arbeit und Sprache", description="Mit **Kammern**:\n\n- IHK\n- HWK",
                       venue="Kulturhaus Prüm", capacity="45", preview="1")
    url = url_for("events_staff.create") if where == "new" else url_for("events_staff.update", event_id=event.id)

    response = office.post(url, data=typed)

    assert response.status_code == 200
    shown = page(response).one("section", id="description-preview")
    assert shown.one("strong").text == "Kammern"
    assert [li.text for li in shown.find_all("li")] == ["IHK", "HWK"]
    values = shown_form(response)
    for name in ("title", "description", "venue", "capacity", "starts_at", "timezone", "speakers"):
        assert values[name] == typed[name].strip(), name
    assert events_titled("Forum Arbeit und Sprache") == []  # nothing saved
    assert reload(event).capacity == 30


def test_the_preview_button_keeps_the_form_on_the_description(office):
    button = page(office.get(url_for("events_staff.new"))).one("button", name="preview")

    assert button.get("formaction") == url_for("events_staff.create") + "#description-field"
