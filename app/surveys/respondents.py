"""Who answered a named survey: the contact asked (a survey) or the guest who came (a feedback
form), by their name and institution. Never asked of an anonymous survey: its responses keep no
link to a person, and its results and file name nobody.
"""
from dataclasses import dataclass

from sqlalchemy import select

from ..contacts.models import Contact, Institution
from ..extensions import db
from ..registrations.models import Registration
from .models import SurveyInvitation


@dataclass(frozen=True)
class Respondent:
    """A person who answered, as staff read them: name and institution (either may be empty)."""

    name: str = ""
    institution: str = ""


def respondents(invitation_ids: list[int]) -> dict[int, Respondent]:
    """The person behind each invitation, by its id."""
    if not invitation_ids:
        return {}
    query = (select(SurveyInvitation.id, Contact.name, Institution.name.label("institution"),
                    Registration.name.label("guest"), Registration.organisation)
             .outerjoin(Contact, Contact.id == SurveyInvitation.contact_id)
             .outerjoin(Institution, Institution.id == Contact.institution_id)
             .outerjoin(Registration, Registration.id == SurveyInvitation.registration_id)
             .where(SurveyInvitation.id.in_(invitation_ids)))
    return {row.id: Respondent(row.name or row.guest or "", row.institution or row.organisation or "")
            for row in db.session.execute(query)}
