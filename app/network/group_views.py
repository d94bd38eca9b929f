"""Working groups: staff pages (members, convenor, planning a meeting) and the members' calendar feed."""
from flask import Blueprint

bp = Blueprint("groups_staff", __name__, url_prefix="/staff/groups")
public_bp = Blueprint("groups", __name__, url_prefix="/groups")
