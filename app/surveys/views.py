"""Answering a survey or a feedback form through one's personal link (/s/<token>)."""
from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/s")
