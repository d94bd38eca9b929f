"""The network's own pages for staff: one place from which institutions, working groups,
series, recorded meetings and results are reached."""
from flask import Blueprint

bp = Blueprint("network_staff", __name__, url_prefix="/staff/network")
