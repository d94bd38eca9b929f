"""The institution a sign-up counts for: guests type their organisation freely, and once staff
matched that text to an institution (network.matching), every sign-up with it counts for the
institution, later ones included. Matched by text.name_key, so "IHK  trier" is "IHK Trier"."""
from sqlalchemy import select

from ..extensions import db
from ..text import name_key
from .models import OrganisationMatch

KEY_MAX = 200  # the length of OrganisationMatch.name_key


def organisation_key(organisation: str) -> str:
    """A typed organisation as it is matched ("" for none)."""
    return name_key(organisation or "")[:KEY_MAX]


def institution_for(organisation: str) -> int | None:
    """The id of the institution staff matched this typed organisation to, if they did."""
    key = organisation_key(organisation)
    if not key:
        return None
    # Asked while a registration is half made (register() fills it in steps): nothing is flushed.
    with db.session.no_autoflush:
        return db.session.execute(select(OrganisationMatch.institution_id)
                                  .where(OrganisationMatch.name_key == key)).scalar_one_or_none()
