"""Building a survey: its sections and questions, their order, and the preview."""
from flask import Blueprint

bp = Blueprint("surveys_staff", __name__, url_prefix="/staff/surveys")
