"""How an event reads to its reader: its title and summary in the reader's language where it has
them, the language it is held in, its date, time (with its zone named), place and places
(template filters and globals)."""
from urllib.parse import quote

from babel.lists import format_list
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _
from jinja2 import pass_eval_context
from markupsafe import Markup

from ..consent import consent_text, recorded_version
from ..formatting import date_sep, day, long_day, time_range, zone_name
from ..i18n import direction_of, language_name
from .models import Event
from .texts import Wording, interpreting_for, summary_in, title_in


def _reader() -> str:
    """The language of the page or mail being written."""
    return str(get_locale())


def _marked(eval_ctx, wording: Wording):
    """Words as a page shows them: in <bdi> with their language and direction when they are not
    in the page's language (a German title inside an Arabic page keeps its order, and is read
    out as German); plain in a plain-text mail (no autoescape: no markup)."""
    if not eval_ctx.autoescape or wording.language == _reader():
        return wording.text
    return Markup('<bdi lang="{}" dir="{}">{}</bdi>').format(
        wording.language, direction_of(wording.language), wording.text)


@pass_eval_context
def event_title(eval_ctx, event: Event):
    """The event's title for this reader (template global), marked when it is in another language."""
    return _marked(eval_ctx, title_in(event, _reader()))


@pass_eval_context
def event_summary(eval_ctx, event: Event):
    """The event's summary for this reader (maybe empty), marked when it is in another language."""
    return _marked(eval_ctx, summary_in(event, _reader()))


def event_title_text(event: Event) -> str:
    """The event's title for this reader as plain text: for <title>, attributes and mail subjects."""
    return title_in(event, _reader()).text


def event_language_note(event: Event) -> list[str]:
    """What a guest needs to know of the event's language: the language it is held in, when that
    is not the reader's (or interpreting is offered), and the languages it is interpreted into,
    the reader's first. Nothing for a German reader of an event held in German alone."""
    reader = _reader()
    offered = interpreting_for(event, reader)
    lines = []
    if event.language != reader or offered:
        lines.append(_("Language of the event: %(language)s", language=language_name(event.language)))
    if offered:
        names = format_list([language_name(code) for code in offered], locale=get_locale())
        lines.append(_("Interpreting offered into: %(languages)s", languages=names))
    return lines


def event_date(event: Event) -> str:
    """The day the event starts, spelt out ("Donnerstag, 3. Dezember 2026")."""
    return long_day(event.starts_at, event.zone)


def event_short_date(event: Event) -> str:
    """The day the event starts, short ("03.12.2026")."""
    return day(event.starts_at, event.zone)


def event_time_range(event: Event) -> str:
    """From and until, in the event's zone ("18:00 – 20:00")."""
    return time_range(event.starts_at, event.ends_at, event.zone)


def event_zone(event: Event) -> str:
    """The event's time zone as the reader's language names it on its day ("MEZ")."""
    return zone_name(event.starts_at, event.zone)


def event_times(event: Event) -> str:
    """From and until, and the zone they are in ("18:00 – 20:00 Uhr MEZ")."""
    return f"{event_time_range(event)} {event_zone(event)}"


def event_when(event: Event) -> str:
    """Day, times and zone together, as a mail names them."""
    return f"{event_date(event)}{date_sep()}{event_times(event)}"


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
    """Make the event filters and globals available to every template."""
    app.jinja_env.filters.update(event_date=event_date, event_short_date=event_short_date,
                                 event_time_range=event_time_range, event_zone=event_zone,
                                 event_times=event_times, event_when=event_when, places_label=places_label,
                                 map_url=map_url, consent_text=event_consent_text,
                                 consent_version=event_consent_version)
    app.jinja_env.globals.update(event_title=event_title, event_summary=event_summary,
                                 event_title_text=event_title_text, event_language_note=event_language_note)
