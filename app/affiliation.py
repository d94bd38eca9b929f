"""How a person takes part in the network's work: full-time, volunteer, or neither.

A guest says so at sign-up; a contact has it as a property of the person (staff set it, or it
is taken from their latest sign-up). The figures of the network count it.
"""
from flask_babel import lazy_gettext as _l

from .database import LabelledEnum


class Affiliation(LabelledEnum):
    """Full-time or volunteer (the network's "haupt- oder ehrenamtlich")."""

    professional = "professional", _l("Professional")
    volunteer = "volunteer", _l("Volunteer")
    other = "other", _l("Other / private")
