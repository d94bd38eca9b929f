"""Staff pages to create, edit, duplicate, publish and cancel events."""
from flask import Blueprint

bp = Blueprint("event_admin", __name__, url_prefix="/staff/events")
