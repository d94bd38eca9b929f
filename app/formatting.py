"""Template helpers: dates in the event's own zone and the reader's language."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import current_app, request, url_for
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _

from .events.models import Event
from .richtext import render_markdown


def _zone(zone: ZoneInfo | None) -> ZoneInfo:
    return zone or ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def when(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """Date and time, short, in `zone` (default: the site's zone) and the reader's language."""
    return format_datetime(moment, "short", tzinfo=_zone(zone), locale=get_locale()) if moment else ""


def clock(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """The time of day, short, in `zone` and the reader's language."""
    return format_time(moment, "short", tzinfo=_zone(zone), locale=get_locale()) if moment else ""


def day(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    return format_date(moment.astimezone(_zone(zone)), "medium", locale=get_locale()) if moment else ""


def event_date(event: Event) -> str:
    return format_date(event.local_starts_at, format="full", locale=get_locale())


def event_short_date(event: Event) -> str:
    return format_date(event.local_starts_at, format="medium", locale=get_locale())


def event_time_range(event: Event) -> str:
    locale = get_locale()
    start = format_time(event.local_starts_at, format="short", locale=locale)
    end = format_time(event.local_ends_at, format="short", locale=locale)
    same_day = event.local_starts_at.date() == event.local_ends_at.date()
    if not same_day:
        end = f"{format_date(event.local_ends_at, format='medium', locale=locale)} {end}"
    return _("%(start)s – %(end)s", start=start, end=end)


def places_label(event: Event) -> str:
    if event.is_cancelled:
        return pgettext("event status", "cancelled")
    if event.capacity is None:
        return _("places available")
    left = event.places_left
    if left:
        return ngettext("%(num)s place left", "%(num)s places left", left)
    return _("full – waitlist open") if event.waitlist_enabled else _("full")


def lang_url(code: str) -> str:
    return url_for("i18n.switch", code=code, next=request.full_path.rstrip("?"))


def register(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(event_date=event_date, event_short_date=event_short_date,
                                 event_time_range=event_time_range, places_label=places_label,
                                 when=when, clock=clock, day=day, markdown=render_markdown)
    app.jinja_env.globals.update(lang_url=lang_url, get_locale=get_locale)
