"""Staff pages for the contact network: list, edit, CSV import and export."""
from flask import Blueprint

bp = Blueprint("contacts", __name__, url_prefix="/staff/contacts")
