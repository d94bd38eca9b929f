"""How an event's date, time, place and places read, in the reader's language (template filters)."""
from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext

from ..consent import consent_text, recorded_version
from ..formatting import day, day_and_time_range, long_day, time_range
from .models import Event


def event_date(event: Event) -> str:
    """The day the event starts, spelt out ("Donnerstag, 3. Dezember 2026")."""
    return long_day(event.starts_at, event.zone)


def event_short_date(event: Event) -> str:
    """The day the event starts, short ("03.12.2026")."""
    return day(event.starts_at, event.zone)


def event_time_range(event: Event) -> str:
    """From and until, in the event's zone ("18:00 – 20:00")."""
    return time_range(event.starts_at, event.ends_at, event.zone)


def event_when(event: Event) -> str:
    """Day and time together, as a mail or a list names them."""
    return day_and_time_range(event.starts_at, event.ends_at, event.zone)


def map_url(event: Event) -> str:
    """OpenStreetMap's search for the event's address (or its venue, when it has no address)."""
    return "https://www.openstreetmap.org/search?query=" + quote(event.address or event.venue, safe="")


def places_label(event: Event) -> str:
    """What a guest wants to know about the places: how many are left, or why none."""
    if event.is_cancelled:
        return pgettext("event status", "cancelled")
    if event.capacity is None:
        return _("places available")
    left = event.places_left
    if left:
        return ngettext("%(num)s place left", "%(num)s places left", left)
    return _("full – waitlist open") if event.waitlist_enabled else _("full")


def event_consent_text(event: Event) -> str:
    """The consent text of the event's sign-up form: the current wording, with the event's own
    retention period (the one the purge keeps)."""
    return consent_text(event.retention_months)


def event_consent_version(event: Event) -> str:
    """The version a guest who agrees now records ("2026-12-1/12"), shown beside the text."""
    return recorded_version(event.retention_months)


def register(app) -> None:
    """Make the event filters available to every template."""
    app.jinja_env.filters.update(event_date=event_date, event_short_date=event_short_date,
                                 event_time_range=event_time_range, places_label=places_label,
                                 map_url=map_url, consent_text=event_consent_text,
                                 consent_version=event_consent_version)
