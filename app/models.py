"""Every model, imported in one place so that Alembic and the schema test see all tables."""
from .auth.models import ApiToken, User
from .checkin.models import CheckInRecord
from .events.models import Event
from .mailing.models import Campaign, CampaignRecipient, Contact
from .outbox import OutgoingMail
from .registrations.models import Registration

__all__ = ["ApiToken", "Campaign", "CampaignRecipient", "CheckInRecord", "Contact", "Event", "OutgoingMail",
           "Registration", "User"]
