"""Series of events: the public page and feed of a series, and the staff pages that make one
(recurring dates included)."""
from flask import Blueprint

bp = Blueprint("series", __name__, url_prefix="/series")
staff_bp = Blueprint("series_staff", __name__, url_prefix="/staff/series")
