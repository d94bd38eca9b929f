"""The report pages for staff: the year's figures, per event and per working group, CSV and PDF."""
from flask import Blueprint

bp = Blueprint("reports_staff", __name__, url_prefix="/staff/reports")
