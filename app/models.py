"""Every model, imported in one place so that Alembic and the schema test see all tables."""
from .audit import AuditEntry
from .auth.models import ApiToken, User
from .campaigns.models import Campaign, CampaignRecipient
from .checkin.models import CheckInRecord
from .contacts.models import Contact, Institution
from .events.models import Event, Series
from .network.models import (EventInstitution, EventResult, MeetingPresence, ResultFile, WorkingGroup,
                             WorkingGroupMember)
from .outbox import OutgoingMail
from .privacy.models import PersonRef
from .registrations.models import OrganisationMatch, Registration
from .surveys.models import (Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse,
                             SurveySection)

__all__ = ["ApiToken", "AuditEntry", "Campaign", "CampaignRecipient", "CheckInRecord", "Contact", "Event",
           "EventInstitution", "EventResult", "Institution", "MeetingPresence", "OrganisationMatch",
           "OutgoingMail", "PersonRef", "Registration", "ResultFile", "Series", "Survey", "SurveyAnswer",
           "SurveyInvitation", "SurveyQuestion", "SurveyResponse", "SurveySection", "User", "WorkingGroup",
           "WorkingGroupMember"]
