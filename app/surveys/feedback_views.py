"""An event's feedback form for staff: switching it on, its questions and timing."""
from flask import Blueprint

bp = Blueprint("feedback_staff", __name__, url_prefix="/staff/events")
