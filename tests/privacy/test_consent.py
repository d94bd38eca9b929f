"""The consent text and the retention period cannot disagree: the form states the event's own period,
each registration records the wording and the period it agreed to, and the period cannot grow past
what guests were promised."""
import hashlib

import pytest
from flask import url_for

from app.consent import TEXTS, consent_text, text_of
from tests.events.staff_forms import event_form, events_titled, shown_form
from tests.pages import ENGLISH, field_error, page
from tests.registrations.conftest import form_data
from tests.rows import registrations_of, reload

# Every wording ever shown, as a fingerprint of its English text (for 1 and for 12 months). A guest's
# registration names one of these: a changed text needs a new version, never an edit of an old one.
FINGERPRINTS = {
    "2026-11-2": ["53822153ddce76cf", "53822153ddce76cf"],
    "2026-12-1": ["48bd501b07883709", "175adddaa92551db"],
}


def fingerprints(version: str) -> list[str]:
    return [hashlib.sha256(consent_text(months, version).encode()).hexdigest()[:16] for months in (1, 12)]


def test_no_wording_that_guests_agreed_to_has_changed(app):
    assert {version: fingerprints(version) for version in TEXTS} == FINGERPRINTS


def test_the_form_shows_the_newest_wording(app):
    assert app.config["CONSENT_VERSION"] == list(TEXTS)[-1]


def test_the_check_sees_a_changed_wording(app, monkeypatch):
    """The negative control: an edit of the current text in place is caught."""
    version = app.config["CONSENT_VERSION"]
    original = TEXTS[version]
    monkeypatch.setitem(TEXTS, version, lambda months: original(months).replace("erase", "delete"))

    assert fingerprints(version) != FINGERPRINTS[version]


def test_the_sign_up_form_states_the_events_own_period_and_the_guest_records_it(app, client, make_event):
    event = make_event(retention_months=6)

    event_page = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)
    shown = page(event_page).one("p", id="consent-text").text
    client.post(url_for("registrations.register", slug=event.slug), data=form_data(), headers=ENGLISH)

    assert "are deleted 6 months after the event" in shown
    assert f"Version {app.config['CONSENT_VERSION']}/6" in shown
    [registration] = registrations_of(event)
    assert registration.consent_version == f"{app.config['CONSENT_VERSION']}/6"
    assert shown.startswith(text_of(registration.consent_version))


def test_a_single_month_reads_as_one(client, make_event):
    event = make_event(retention_months=1)

    event_page = client.get(url_for("registrations.event_page", slug=event.slug), headers=ENGLISH)
    shown = page(event_page).one("p", id="consent-text").text

    assert "deleted 1 month after the event" in shown


def test_what_guests_agreed_to_before_stays_readable(app):
    assert "deleted twelve months after the event" in text_of("2026-11-2")
    assert text_of("staff") is None and text_of("walk-in") is None and text_of(None) is None


def test_a_new_event_keeps_registrations_for_the_configured_period(office):
    form = office.get(url_for("events_staff.new"))
    assert page(form).one("input", name="retention_months").get("value") == "12"

    office.post(url_for("events_staff.create"), data=event_form(retention_months="6"))
    office.post(url_for("events_staff.create"), data=event_form(title="Ohne Angabe"))

    assert events_titled("Forum Ausbildung und Arbeit")[0].retention_months == 6
    assert events_titled("Ohne Angabe")[0].retention_months == 12


@pytest.mark.parametrize("app_config", [{"RETENTION_MONTHS": 24}])
def test_the_default_comes_from_the_configuration(make_event):
    assert make_event().retention_months == 24


def test_the_period_cannot_grow_once_someone_signed_up(office, make_event, sign_up):
    event = make_event(retention_months=12)
    sign_up(event)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    longer = office.post(url_for("events_staff.update", event_id=event.id), data=form | {"retention_months": "24"})

    assert longer.status_code == 422
    assert "deleted 12 months after the event" in field_error(longer, "retention_months")
    assert reload(event).retention_months == 12

    shorter = office.post(url_for("events_staff.update", event_id=event.id), data=form | {"retention_months": "6"})

    assert shorter.status_code == 302
    assert reload(event).retention_months == 6
    history = office.get(url_for("events_staff.edit", event_id=event.id)).text
    assert "12 → 6" in history


def test_the_period_may_grow_while_nobody_has_signed_up(office, make_event):
    event = make_event(retention_months=12)
    form = shown_form(office.get(url_for("events_staff.edit", event_id=event.id)))

    response = office.post(url_for("events_staff.update", event_id=event.id), data=form | {"retention_months": "24"})

    assert response.status_code == 302
    assert reload(event).retention_months == 24


@pytest.mark.parametrize("months", ["0", "121", "zwölf"])
def test_a_period_outside_one_month_to_ten_years_is_refused_at_the_field(office, months):
    response = office.post(url_for("events_staff.create"), data=event_form(retention_months=months))

    assert response.status_code == 422
    assert field_error(response, "retention_months")
    assert events_titled("Forum Ausbildung und Arbeit") == []
