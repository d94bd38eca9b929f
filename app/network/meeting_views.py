"""Meetings staff record afterwards (record-only events): the list, and recording one with its date,
place, kind, the institutions and people present, and notes."""
from flask import Blueprint

bp = Blueprint("meetings_staff", __name__, url_prefix="/staff/meetings")
