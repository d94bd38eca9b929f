"""Staff pages for events and their registrations (full editing comes later)."""
from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..auth.access import staff_required
from ..events.models import Event
from ..events.services import get_event
from ..extensions import db
from . import services
from .models import STATUS_LABELS

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@staff_required
def dashboard():
    """All events with their sign-up figures, newest first."""
    events = db.session.execute(select(Event).order_by(Event.starts_at.desc())).scalars()
    return render_template("staff/dashboard.html", events=list(events))


@bp.get("/events/<int:event_id>/registrations")
@staff_required
def registrations(event_id):
    """Who signed up for one event."""
    event = get_event(event_id)
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    return render_template("staff/registrations.html", event=event, status=status,
                           statuses=STATUS_LABELS,
                           registrations=services.registrations_for_event(event.id, status))
