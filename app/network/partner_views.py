"""The pages of a partner account: the events its institution hosts or co-hosts, their
registrations and attendance, and their export; nothing else."""
from flask import Blueprint

bp = Blueprint("partner", __name__, url_prefix="/partner")
