"""Template helpers: dates and times in a given zone and the reader's language.

Below every feature: it knows moments and zones, not events (events.display does that).
"""
import re
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_datetime_format, get_timezone_gmt, get_timezone_name
from flask import current_app, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from .i18n import direction_of, language_name, language_names, text_direction
from .richtext import render_markdown

# An en dash between no-break spaces.
NO_BREAK_DASH = "\u00a0–\u00a0"
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def _zone(zone: ZoneInfo | None) -> ZoneInfo:
    return zone or ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


# The 24-hour clock in every language, as people here read times (English "6:00 PM" would not be).
# Babel writes the pattern HH:mm with Latin digits and a colon in every language we speak, so it is
# strftime's, without the pattern's parse on every call (the door's answer to a scan names the time).
CLOCK = "%H:%M"


def date_sep() -> str:
    """What stands between a date and its time in the reader's language (", "; Arabic "، "), from
    Babel's date-time pattern ("{1}, {0}")."""
    pattern = get_datetime_format("medium", locale=get_locale())
    return pattern.replace("{1}", "").replace("{0}", "") or ", "


def when(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """Date and time, short ("03.12.26, 18:00"), in `zone` (default: the site's zone) and the
    reader's language."""
    if not moment:
        return ""
    local = moment.astimezone(_zone(zone))
    locale = get_locale()
    return f"{format_date(local, 'short', locale=locale)}{date_sep()}{local.strftime(CLOCK)}"


def clock(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """The time of day on the 24-hour clock ("18:00"), in `zone`."""
    return moment.astimezone(_zone(zone)).strftime(CLOCK) if moment else ""


def day(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """The date, medium length ("3. Dez. 2026"), in `zone` and the reader's language."""
    return format_date(moment.astimezone(_zone(zone)), "medium", locale=get_locale()) if moment else ""


def long_day(moment: datetime, zone: ZoneInfo) -> str:
    """The date spelt out with the weekday ("Donnerstag, 3. Dezember 2026")."""
    return format_date(moment.astimezone(zone), format="full", locale=get_locale())


def time_range(starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    """"18:00 – 20:00", with the end's date when it ends on another day.

    The spaces around the dash do not break: a line never ends in "18:00 –".
    """
    locale = get_locale()
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    end = local_end.strftime(CLOCK)
    if local_start.date() != local_end.date():
        end = f"{format_date(local_end, format='medium', locale=locale)} {end}"
    text = _("%(start)s – %(end)s", start=local_start.strftime(CLOCK), end=end)
    return text.replace(" – ", NO_BREAK_DASH)


def day_and_time_range(starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    """"Donnerstag, 3. Dezember 2026, 18:00 – 20:00": the day spelt out, then the times."""
    return f"{long_day(starts, zone)}{date_sep()}{time_range(starts, ends, zone)}"


def zone_name(moment: datetime, zone: ZoneInfo) -> str:
    """The zone's name at `moment` as the reader's language has it: its abbreviation where the
    language has one ("MEZ" in German, "GMT" in English, "UTC"), else its full name ("Central
    European Standard Time", "توقيت وسط أوروبا الرسمي"); never a bare offset ("+0100"), which is
    what Babel gives for a missing abbreviation and which tells a guest far less."""
    local, locale = moment.astimezone(zone), get_locale()
    short = get_timezone_name(local, "short", locale=locale)
    if short != get_timezone_gmt(local, "short", locale=locale):
        return short
    return get_timezone_name(local, "long", locale=locale)


def shown(value, zone: ZoneInfo | None = None) -> str:
    """A stored value as a person reads it: a time (ISO text too) in `zone`, a list joined,
    yes or no, and a dash for nothing."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(item, zone) for item in value)
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            return when(datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return when(value, zone)
    return str(value)


def lang_url(code: str) -> str:
    """The link that switches the page to language `code` and comes back here."""
    # Without the page's own ?lang=, which would outrank the choice (app.i18n.select_locale).
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    here = request.path + (f"?{urlencode(args)}" if args else "")
    return url_for("i18n.switch", code=code, next=here)


def number(value) -> str:
    """A count or a figure as the reader's language writes it (1.234 in German, 1,234 in English)."""
    return format_decimal(value)


def register(app) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(when=when, clock=clock, day=day, shown=shown, markdown=render_markdown,
                               number=number)
    app.jinja_env.globals.update(lang_url=lang_url, get_locale=get_locale, language_names=language_names,
                                 text_direction=text_direction, language_name=language_name,
                                 direction_of=direction_of, date_sep=date_sep)
