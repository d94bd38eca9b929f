"""Every model, imported in one place so that Alembic and the schema test see all tables."""
from .audit import AuditEntry
from .auth.models import ApiToken, User
from .campaigns.models import Campaign, CampaignRecipient
from .checkin.models import CheckInRecord
from .contacts.models import Contact
from .events.models import Event
from .outbox import OutgoingMail
from .registrations.models import Registration

__all__ = ["ApiToken", "AuditEntry", "Campaign", "CampaignRecipient", "CheckInRecord", "Contact", "Event",
           "OutgoingMail", "Registration", "User"]
