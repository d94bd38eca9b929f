"""What the door sees after an action: a look, a headline, a sentence, and the guest's details.

Colour is never the only sign: every status has its own headline ("Checked in", "Already in",
"Wrong event" ...), and the page puts an icon beside it. An undo is neutral: it lets nobody in.
"""
from functools import cache

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..events.models import Event
from ..formatting import clock
from . import services as s

COLOURS = {
    s.CHECKED_IN: "green",
    s.UNDONE: "neutral",
    s.ALREADY: "amber",
    s.NOT_CHECKED_IN: "amber",
    s.UNKNOWN: "red",
    s.WRONG_EVENT: "red",
    s.CANCELLED: "red",
    s.NOT_CONFIRMED: "red",
}


# The one or two words the door reads first, big: what happened.
HEADLINES = {
    s.CHECKED_IN: _l("Checked in"),
    s.ALREADY: _l("Already in"),
    s.WRONG_EVENT: _l("Wrong event"),
    s.CANCELLED: _l("Cancelled"),
    s.NOT_CONFIRMED: _l("Not confirmed"),
    s.UNDONE: _l("Check-in undone"),
    s.NOT_CHECKED_IN: _l("Not checked in"),
}


# The sentence of each status that names nobody; the others are made in message().
SENTENCES = {
    s.CHECKED_IN: _l("Checked in"),
    s.CANCELLED: _l("This registration has been cancelled."),
    s.NOT_CONFIRMED: _l("On the waitlist: no confirmed place."),
    s.UNDONE: _l("Check-in undone."),
    s.NOT_CHECKED_IN: _l("This guest was not checked in."),
    s.UNKNOWN: _l("Unknown ticket."),
}


@cache
def _words(language: str, status: str) -> tuple[str, str]:
    """A status's headline and its sentence that names nobody, in `language`: the request's, which
    gettext speaks. A door asks for the same few words all day; looking each up cost a tenth of
    the work of letting a guest in."""
    return str(HEADLINES.get(status, _l("Unknown ticket"))), str(SENTENCES.get(status, SENTENCES[s.UNKNOWN]))


def headline(result: s.ScanResult) -> str:
    """The headline of the result, in the reader's language (only that one is translated)."""
    return _words(str(get_locale()), result.status)[0]


def message(result: s.ScanResult, event: Event | s.Door) -> str:
    """The sentence the door reads after an action, in its language (times on the event's clock)."""
    registration = result.registration
    if result.status == s.ALREADY:
        return _("Already checked in at %(time)s by %(who)s",
                 time=clock(registration.checked_in_at, event.zone), who=registration.checked_in_by or "?")
    if result.status == s.WRONG_EVENT:
        return _("This ticket is for another event: %(title)s", title=registration.event_title)
    return _words(str(get_locale()), result.status)[1]


def registration_json(registration: s.Guest | None) -> dict | None:
    """A registration as the check-in API shows it."""
    if registration is None:
        return None
    return {
        "id": registration.id,
        "name": registration.name,
        "organisation": registration.organisation,
        "status": registration.status,
        "event": {"id": registration.event_id, "title": registration.event_title},
        "checked_in_at": registration.checked_in_at.isoformat() if registration.checked_in_at else None,
        "checked_in_by": registration.checked_in_by,
    }


def answer(result: s.ScanResult, event: Event | s.Door) -> dict:
    """The whole answer to a scan, an undo or a walk-in: status, look, words, guest."""
    registration = result.registration
    sentence = message(result, event)
    return {
        "status": result.status,
        "colour": COLOURS[result.status],
        "headline": headline(result),
        "message": sentence,
        # The sentence under the headline and the name, where it adds something.
        "detail": None if result.status in (s.CHECKED_IN, s.UNDONE) else sentence,
        "registration": registration_json(registration),
        "checked_in_at": registration.checked_in_at.isoformat() if registration and registration.checked_in_at else None,
        "checked_in_by": registration.checked_in_by if registration else None,
    }


def over_capacity(name: str, organisation: str = "") -> dict:
    """The banner while the door is asked whether to let a guest in beyond the places
    (without JavaScript: the walk-in form's checkbox asks)."""
    return {
        "status": "over_capacity",
        "colour": "amber",
        "headline": _("The event is full"),
        "detail": _("Let this guest in anyway? Tick the box in the form below and send it again."),
        "registration": {"name": name, "organisation": organisation},
    }


def counts_json(counts: s.DoorCounts) -> dict:
    """The live figures as the check-in API shows them."""
    return {"checked_in": counts.checked_in, "confirmed": counts.confirmed, "capacity": counts.capacity}
