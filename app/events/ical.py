"""iCalendar files for events: iMIP invitations (REQUEST/CANCEL), downloads and the feed.

Pure functions of their inputs (DTSTAMP included), so a file can be made once and kept. A file is
written for a reader's language (`locale`): SUMMARY is the event's title in it where the event has
one, else its German title. For a reader of another language than German, SUMMARY and DESCRIPTION
say which language they are in (the LANGUAGE parameter, RFC 5545 3.2.10); a German reader's file
is German throughout and stays as it always was.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent

from .models import Event
from .texts import GERMAN, title_in

PRODID = "-//Podium//Veranstaltungen//DE"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = name
    address.params.update(params)
    return address


def _language(code: str | None, locale: str) -> dict | None:
    return {"LANGUAGE": code} if code and locale != GERMAN else None


def _vevent(event: Event, *, sequence: int, dtstamp: datetime, organizer: str | None,
            description: str, url: str | None, cancelled: bool, locale: str = GERMAN,
            description_language: str | None = None) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event.ical_uid)
    vevent.add("dtstamp", dtstamp)
    vevent.add("sequence", sequence)
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", event.ends_at)
    title = title_in(event, locale)
    vevent.add("summary", title.text, parameters=_language(title.language, locale))
    location = ", ".join(part for part in (event.venue, event.address) if part)
    if location:
        vevent.add("location", location)
    if description:
        vevent.add("description", description, parameters=_language(description_language, locale))
    if url:
        vevent.add("url", url)
    if organizer:
        vevent.add("organizer", _address(organizer, "Podium"))
    vevent.add("status", "CANCELLED" if cancelled or event.is_cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def invitation(event: Event, *, method: str, attendee: Attendee, organizer: str, sequence: int,
               dtstamp: datetime, description: str, url: str | None = None, locale: str = GERMAN) -> bytes:
    """An iMIP REQUEST (the guest takes part) or CANCEL (the guest's place or the event is gone),
    for a guest who reads `locale` (the language their mail and its `description` are written in)."""
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method}")
    cancelled = method == "CANCEL"
    vevent = _vevent(event, sequence=sequence, dtstamp=dtstamp, organizer=organizer,
                     description=description, url=url, cancelled=cancelled, locale=locale,
                     description_language=locale)
    params = {"role": "REQ-PARTICIPANT", "rsvp": "FALSE"}
    if not cancelled:
        params["partstat"] = "ACCEPTED"
    vevent.add("attendee", _address(attendee.email, attendee.name, **params))
    calendar = _calendar(method)
    calendar.add_component(vevent)
    return calendar.to_ical()


def event_file(event: Event, *, description: str, url: str, organizer: str | None = None,
               sequence: int | None = None, locale: str = GERMAN,
               description_language: str | None = None) -> bytes:
    """A single event to download ("Add to calendar"); PUBLISH, no attendee. `description_language`:
    the one language `description` is written in, if it is one."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_vevent(
        event, sequence=event.sequence if sequence is None else sequence, dtstamp=event.updated_at,
        organizer=organizer, description=description, url=url, cancelled=False, locale=locale,
        description_language=description_language,
    ))
    return calendar.to_ical()


def feed(events: list[tuple[Event, str, str]], *, name: str, locale: str = GERMAN) -> bytes:
    """A subscribable feed; `events` holds (event, description, url) triples."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for event, description, url in events:
        calendar.add_component(_vevent(event, sequence=event.sequence, dtstamp=event.updated_at,
                                       organizer=None, description=description, url=url,
                                       cancelled=False, locale=locale))
    return calendar.to_ical()
