"""Staff pages of the door: who came, who did not, and the door log, with a CSV export."""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from ..auth.access import staff_required
from ..csvexport import Column, local_time, table_download
from ..events.services import get_event
from ..paging import read_sort
from . import door_log, services

bp = Blueprint("checkin_staff", __name__, url_prefix="/staff/events")


def _columns(zone) -> list[Column]:
    """The attendance export: who came, first in the order of arrival, then who did not."""
    return [
        Column("name", _l("Name"), lambda r: r.name),
        Column("organisation", _l("Organisation"), lambda r: r.organisation),
        Column("email", _l("Email"), lambda r: r.email),
        Column("affiliation", _l("Takes part as"), lambda r: r.affiliation, lambda r: r.affiliation.label),
        Column("attended", _l("Attended"), lambda r: "yes" if r.is_checked_in else "no",
               lambda r: _l("yes") if r.is_checked_in else _l("no")),
        Column("checked_in_at", _l("Checked in at"), lambda r: local_time(r.checked_in_at, zone)),
        Column("checked_in_by", _l("Let in by"), lambda r: r.checked_in_by),
        Column("source", _l("Came through"), lambda r: r.source, lambda r: r.source.label),
    ]


@bp.get("/<int:event_id>/attendance")
@staff_required
def attendance(event_id):
    """Who came, when, let in by whom; who did not come; and the door log, a page at a time."""
    event = get_event(event_id)
    came, missing = services.attendance(event.id)
    sort = read_sort(request.args.get("sort"), door_log.LOG_SORTS, door_log.LOG_DEFAULT_SORT)
    log = door_log.door_log(event.id, sort=sort, page=request.args.get("page", type=int))
    return render_template("checkin/staff/attendance.html", event=event, came=came, missing=missing,
                           log=log, sort=sort)


@bp.get("/<int:event_id>/attendance.csv")
@staff_required
def attendance_csv(event_id):
    """The attendance list as CSV; `format=excel` for a German Excel."""
    event = get_event(event_id)
    came, missing = services.attendance(event.id)
    return table_download(_columns(event.zone), came + missing, f"attendance-{event.slug}.csv",
                          excel=request.args.get("format") == "excel")
