"""The network's own pages for staff: one place from which institutions, working groups,
series, recorded meetings and results are reached."""
from flask import Blueprint, render_template

from ..auth.access import staff_required

bp = Blueprint("network_staff", __name__, url_prefix="/staff/network")


@bp.get("/")
@staff_required
def index():
    """The network at a glance: where each of its records is kept."""
    return render_template("network/staff/index.html")
