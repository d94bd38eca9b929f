"""Staff pages of the institutions: the list, one institution with its people and events, and
matching the organisations guests typed to institutions."""
from flask import Blueprint

bp = Blueprint("institutions_staff", __name__, url_prefix="/staff/institutions")
