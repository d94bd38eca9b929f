"""Invitation campaigns (staff), the personal invitation link and unsubscribing (guests)."""
from flask import Blueprint

bp = Blueprint("campaigns", __name__)
