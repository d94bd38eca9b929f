"""What came of events: the results section staff fill in, its files, and the public review of
past events."""
from flask import Blueprint

bp = Blueprint("results", __name__)
staff_bp = Blueprint("results_staff", __name__, url_prefix="/staff/events")
