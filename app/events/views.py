"""Public event lists and calendar files."""
from flask import Blueprint, Response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..database import utcnow
from ..links import absolute_url
from ..pagecache import cached_page, next_change
from . import ical, services
from .texts import summary_in

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    """The front page is the event list."""
    return redirect(url_for("events.upcoming"))


@bp.get("/events/")
def upcoming():
    """Upcoming published events, soonest first."""

    def render(**context):
        events = services.upcoming_events()
        html = render_template("events/list.html", events=events, past=False, **context)
        return html, next_change(utcnow(), *(e.ends_at for e in events))

    return cached_page(services.public_version, render)


@bp.get("/events/past/")
def past():
    """Events that have taken place, newest first."""

    def render(**context):
        html = render_template("events/list.html", events=services.past_events(), past=True, **context)
        return html, services.next_event_end(utcnow())

    return cached_page(services.public_version, render)


def calendar_description(event) -> str:
    """What a calendar entry of the event says: its summary (in the reader's language where the
    event has it) and the link to sign up."""
    url = absolute_url("registrations.event_page", slug=event.slug)
    details = _("Details and registration: %(url)s", url=url)
    return f"{summary_in(event, str(get_locale())).text}\n\n{details}".strip()


def calendar_description_language(event) -> str | None:
    """The one language calendar_description is written in, or None when its summary is German
    inside the reader's other language."""
    locale = str(get_locale())
    summary = summary_in(event, locale)
    return locale if not summary.text or summary.language == locale else None


def calendar_download(event, *, sequence: int | None = None) -> Response:
    """The event as a calendar file to download (with a guest's own SEQUENCE, if given), in the
    reader's language."""
    data = ical.event_file(event, description=calendar_description(event),
                           description_language=calendar_description_language(event),
                           url=absolute_url("registrations.event_page", slug=event.slug), sequence=sequence,
                           locale=str(get_locale()))
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@bp.get("/events.ics")
def feed():
    """A subscribable feed of upcoming published events."""
    events = [e for e in services.upcoming_events() if e.is_published]
    entries = [(e, calendar_description(e), absolute_url("registrations.event_page", slug=e.slug))
               for e in events]
    data = ical.feed(entries, name=_("Podium events"), locale=str(get_locale()))
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@bp.get("/events/<slug>.ics")
def event_calendar(slug):
    """One event as a calendar file ("Add to calendar")."""
    return calendar_download(services.get_published(slug))
