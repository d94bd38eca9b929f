"""Sending a survey to its audience, reminding, the live counts, and the results with their CSV."""
from flask import Blueprint

bp = Blueprint("survey_sending_staff", __name__, url_prefix="/staff/surveys")
