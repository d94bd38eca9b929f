"""The institution a sign-up counts for: guests type their organisation freely, and once staff
matched that text to an institution (network.matching), every sign-up with it counts for the
institution, later ones included. Matched by text.name_key, so "IHK  trier" is "IHK Trier".

Every way a registration's organisation is written (the sign-up, staff adding a guest, a walk-in at
the door, the guest's own correction) goes through set_organisation, so none forgets the match; a
new guest's sign-up asks for the match inside its INSERT (new_guests.py)."""
from sqlalchemy import select

from ..extensions import db
from ..text import clean_line, name_key
from .models import OrganisationMatch, Registration


def institution_for(organisation: str) -> int | None:
    """The id of the institution staff matched this typed organisation to, if they did."""
    key = name_key(organisation)
    if not key:
        return None
    # Asked while a registration is half made (register() fills it in steps): nothing is flushed.
    with db.session.no_autoflush:
        return db.session.execute(select(OrganisationMatch.institution_id)
                                  .where(OrganisationMatch.name_key == key)).scalar_one_or_none()


def set_organisation(registration: Registration, organisation: str | None) -> None:
    """Write the typed organisation into the registration, cleaned, and the institution it counts
    for: the text's match, or none (a changed text leaves the old text's institution behind)."""
    registration.organisation = clean_line(organisation or "")
    registration.institution_id = institution_for(registration.organisation)
