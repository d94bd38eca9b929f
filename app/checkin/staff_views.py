"""Staff pages of the door: who came, who did not, and the door log, with a CSV export."""
from flask import Blueprint, render_template

from ..auth.access import staff_required
from ..csvexport import csv_download, local_time
from ..events.services import get_event
from . import services

bp = Blueprint("checkin_staff", __name__, url_prefix="/staff/events")

CSV_HEADER = ["name", "organisation", "email", "affiliation", "attended", "checked_in_at", "checked_in_by",
              "source"]


@bp.get("/<int:event_id>/attendance")
@staff_required
def attendance(event_id):
    """Who came, when, let in by whom; and who did not come."""
    event = get_event(event_id)
    came, missing = services.attendance(event.id)
    return render_template("checkin/staff/attendance.html", event=event, came=came, missing=missing,
                           history=services.history(event.id))


@bp.get("/<int:event_id>/attendance.csv")
@staff_required
def attendance_csv(event_id):
    """The attendance list as CSV (UTF-8 with BOM, for spreadsheets)."""
    event = get_event(event_id)
    came, missing = services.attendance(event.id)
    rows = ([r.name, r.organisation, r.email, r.affiliation, "yes" if r.checked_in_at else "no",
             local_time(r.checked_in_at, event.zone), r.checked_in_by, r.source] for r in came + missing)
    return csv_download(CSV_HEADER, rows, f"attendance-{event.slug}.csv")
