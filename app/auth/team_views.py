"""The team page: the accounts of staff, door and partners (admins only)."""
from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/staff/team")
