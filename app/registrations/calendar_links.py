"""Links that add an event to Google Calendar or Outlook (no request leaves Podium until clicked)."""
from urllib.parse import urlencode

from ..events.display import event_title_text
from ..events.models import Event


def calendar_links(event: Event, description: str) -> dict[str, str]:
    """Links that open the event in Google Calendar and in Outlook on the web, with its title in
    the reader's language where it has one."""
    title = event_title_text(event)
    location = ", ".join(part for part in (event.venue, event.address) if part)
    google = urlencode({
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{event.starts_at:%Y%m%dT%H%M%SZ}/{event.ends_at:%Y%m%dT%H%M%SZ}",
        "details": description,
        "location": location,
    })
    outlook = urlencode({
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": description,
        "location": location,
    })
    return {
        "google": f"https://calendar.google.com/calendar/render?{google}",
        "outlook": f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook}",
    }
