"""The event form as staff fill it in, and as a page shows it (for the event pages and the
tests of changes that guests are told about)."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from tests.pages import form_values, page
from tests.rows import fresh_reads

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = datetime.now(UTC).year + 1  # always ahead, so that sign-up is open


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Trier next year, as an aware datetime."""
    return datetime(YEAR, month, day, hour, minute, tzinfo=BERLIN)


def local_input(moment: datetime) -> str:
    """What <input type="datetime-local"> sends for this moment in Berlin."""
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def event_form(**overrides) -> dict:
    """The event form as staff fill it in; `None` leaves a field out."""
    data = {
        "title": "Forum Ausbildung und Arbeit", "kind": "forum", "visibility": "public",
        "summary": "Wege in Ausbildung und Arbeit.",
        "description": "Mit **Kammern** und Agentur für Arbeit.",
        "starts_at": local_input(berlin(5, 6, 18)), "ends_at": local_input(berlin(5, 6, 20)),
        "timezone": "Europe/Berlin", "venue": "IHK Trier, Großer Saal",
        "address": "Herzogenbuscher Straße 12, 54292 Trier", "capacity": "70", "waitlist_enabled": "y",
        "registration_opens_at": "", "registration_closes_at": "",
        "speakers": "Dr. Jan Glockauer, IHK Trier",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def shown_form(response) -> dict:
    """What the browser would send back for the page's event form, unchanged (selects included)."""
    form = next(f for f in page(response).find_all("form") if f.find("input", name="title"))
    values = form_values(form)
    for select_element in form.find_all("select"):
        chosen = [o for o in select_element.find_all("option") if "selected" in o.attrs]
        values[select_element.get("name")] = chosen[0].get("value") if chosen else ""
    return values


def events_titled(title: str) -> list[Event]:
    """The events with this title, as the database holds them now, oldest first."""
    fresh_reads()
    return list(db.session.execute(select(Event).where(Event.title == title).order_by(Event.id)).scalars())
