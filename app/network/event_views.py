"""Staff pages of an event's place in the network: its hosts and partners, and who was present
at a recorded meeting."""
from flask import Blueprint

bp = Blueprint("event_network_staff", __name__, url_prefix="/staff/events")
