"""The audit trail: who changed which event, registration, contact, series, working group or
institution, when, and what changed.

Like the outbox it stands below the features: a service records its change in the
transaction that makes it, so there is never a change without its entry, nor an
entry without its change. The door keeps its own, finer record of every scan
(checkin.models.CheckInRecord); this trail holds what staff do on their pages and
on the command line. Entries about a contact go when the contact is deleted (the
deletion itself is kept, without the person's details). A series, working group or
institution is named by its id only, without a foreign key: its entries outlive it, the
deletion among them.
"""
import enum
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from .database import EnumText, LabelledEnum, UTCDateTime, utcnow
from .extensions import db


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member on a page, a door device, or someone on the command line."""

    name: str
    device: str = ""
    user_id: int | None = None
    api_token_id: int | None = None


COMMAND_LINE = Actor(name="command line")


class AuditAction(LabelledEnum):
    event_created = "event_created", _lp("audit", "created")
    event_updated = "event_updated", _lp("audit", "changed")
    event_published = "event_published", _lp("audit", "published")
    event_unpublished = "event_unpublished", _lp("audit", "taken back to draft")
    event_cancelled = "event_cancelled", _lp("audit", "event cancelled")
    event_invite_key_renewed = "event_invite_key_renewed", _lp("audit", "secret sign-up link renewed")
    registration_added = "registration_added", _lp("audit", "registered by staff")
    registration_confirmed = "registration_confirmed", _lp("audit", "given a place by staff")
    registration_cancelled = "registration_cancelled", _lp("audit", "registration cancelled by staff")
    registration_promoted = "registration_promoted", _lp("audit", "moved up from the waitlist")
    contact_created = "contact_created", _lp("audit", "added")
    contact_updated = "contact_updated", _lp("audit", "changed")
    contact_imported = "contact_imported", _lp("audit", "imported")
    contact_resubscribed = "contact_resubscribed", _lp("audit", "receives invitations again")
    contact_deleted = "contact_deleted", _lp("audit", "deleted")
    registrations_anonymised = "registrations_anonymised", _lp("audit", "registrations anonymised after the "
                                                                         "retention period")
    registration_erased = "registration_erased", _lp("audit", "erased at the person's request")
    person_erased = "person_erased", _lp("audit", "a person's data erased at their request")
    institution_created = "institution_created", _lp("audit", "institution created")
    institution_updated = "institution_updated", _lp("audit", "institution changed")
    institution_deleted = "institution_deleted", _lp("audit", "institution deleted")
    organisation_matched = "organisation_matched", _lp("audit", "typed organisation matched to an institution")
    registrations_linked = "registrations_linked", _lp("audit", "sign-ups linked to the contact")
    series_created = "series_created", _lp("audit", "series created")
    series_changed = "series_changed", _lp("audit", "series changed")
    group_created = "group_created", _lp("audit", "working group created")
    group_updated = "group_updated", _lp("audit", "working group changed")
    group_member_added = "group_member_added", _lp("audit", "joined a working group")
    group_member_removed = "group_member_removed", _lp("audit", "left a working group")
    group_feed_renewed = "group_feed_renewed", _lp("audit", "working group's calendar link renewed")
    group_meeting_planned = "group_meeting_planned", _lp("audit", "working group meeting planned, members invited")
    event_institution_added = "event_institution_added", _lp("audit", "institution named")
    event_institution_changed = "event_institution_changed", _lp("audit", "institution changed")
    event_institution_removed = "event_institution_removed", _lp("audit", "institution removed")
    account_created = "account_created", _lp("audit", "account created")
    account_deactivated = "account_deactivated", _lp("audit", "account deactivated")
    account_reactivated = "account_reactivated", _lp("audit", "account reactivated")
    results_changed = "results_changed", _lp("audit", "results changed")
    result_file_added = "result_file_added", _lp("audit", "file added to the results")
    result_file_changed = "result_file_changed", _lp("audit", "file of the results changed")
    result_file_deleted = "result_file_deleted", _lp("audit", "file deleted from the results")
    # The survey builder (surveys.building): the survey, its sections and questions, their order.
    survey_created = "survey_created", _lp("audit", "survey created")
    survey_updated = "survey_updated", _lp("audit", "survey changed")
    survey_section_added = "survey_section_added", _lp("audit", "survey section added")
    survey_section_updated = "survey_section_updated", _lp("audit", "survey section changed")
    survey_section_removed = "survey_section_removed", _lp("audit", "survey section deleted")
    survey_question_added = "survey_question_added", _lp("audit", "survey question added")
    survey_question_updated = "survey_question_updated", _lp("audit", "survey question changed")
    survey_question_removed = "survey_question_removed", _lp("audit", "survey question deleted")
    survey_reordered = "survey_reordered", _lp("audit", "survey's order changed")


# Names of the facts an entry may hold beside changed fields (which the page's form names).
FACT_LABELS = {
    "guests_told": _l("Guests told by mail"),
    "message": _l("Word to the guests"),
    "file": _l("File"),
    "status": _l("Status"),
    "mailed": _l("Mailed"),
    "copied_from": _l("Copy of event no."),
    "contact_id": _l("Contact no."),
    "unsubscribed_at": _l("Unsubscribed"),
    "walk_in": _l("At the door, without signing up"),
    "registrations": _l("Registrations"),
    "mails": _l("Mails"),
    "contact": _l("Contact deleted"),
    "retention_months": _l("Retention period (months)"),
    "organisation": _l("Organisation as typed"),
    "series": _l("Series"),
    "group": _l("Working group"),
    "campaign_id": _l("Campaign no."),
    "invited": _l("Members invited"),
    "institution": _l("Institution"),
    "role": _l("Role"),
    "position": _l("Place in the list"),
    "account": _l("Account"),
    "results_summary": _l("Summary of the results"),
    "results_summary_visibility": _l("Summary visible to"),
    "results_minutes": _l("Minutes"),
    "results_minutes_visibility": _l("Minutes visible to"),
    "visibility": _l("Visible to"),
    # The survey builder's (surveys/building.py, building_questions.py).
    "survey": _l("Survey"),
    "anonymous": _l("Anonymous"),
    "closes_at": _l("Closes"),
    "section": _l("Section"),
    "sections": _l("Sections"),
    "questions": _l("Questions"),
    "question": _l("Question"),
    "question_kind": _l("Type of question"),
    "question_text": _l("Question"),
    "question_help": _l("Help text"),
    "question_required": _l("Answer required"),
    "question_options": _l("Choices"),
    "question_other": _l("“Other” offered"),
    "question_min": _l("Smallest number"),
    "question_max": _l("Largest number"),
    "question_low_label": _l("What 1 means"),
    "question_high_label": _l("What 5 means"),
    # Sending a survey, and an event's feedback form (surveys/sending.py, feedback.py).
    "audience": _l("Whom it asks"),
    "reminded": _l("Reminders sent"),
    "feedback": _l("Feedback form"),
}


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_event", "event_id", "id"),
        Index("ix_audit_entries_contact", "contact_id", "id"),
        Index("ix_audit_entries_series", "series_id", "id"),
        Index("ix_audit_entries_group", "group_id", "id"),
        Index("ix_audit_entries_institution", "institution_id", "id"),
        Index("ix_audit_entries_survey", "survey_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Kept as text so the entry stays readable after the user is deleted.
    actor: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[AuditAction] = mapped_column(EnumText(AuditAction, 40))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    # The network's subjects (no foreign key: the history stays when the subject is deleted).
    series_id: Mapped[int | None]
    group_id: Mapped[int | None]  # a working group's
    institution_id: Mapped[int | None]
    survey_id: Mapped[int | None]  # a survey's or a feedback form's
    # {field: [before, after]}, or facts of the step ({"file": "network.csv"}).
    changes: Mapped[dict] = mapped_column(JSON, default=dict)


def record(actor: Actor, action: AuditAction, *, at: datetime, changes: dict | None = None,
           event_id: int | None = None, registration_id: int | None = None,
           contact_id: int | None = None, series_id: int | None = None, group_id: int | None = None,
           institution_id: int | None = None, survey_id: int | None = None) -> AuditEntry:
    """Add an entry to the current transaction (no commit): it stands or falls with the change."""
    entry = AuditEntry(actor=actor.name[:200], user_id=actor.user_id, action=action, at=at,
                       changes=_plain(changes or {}), event_id=event_id, registration_id=registration_id,
                       contact_id=contact_id, series_id=series_id, group_id=group_id,
                       institution_id=institution_id, survey_id=survey_id)
    db.session.add(entry)
    return entry


def changed_fields(before: dict, after: dict) -> dict:
    """{field: [before, after]} for every field whose value differs; a field that was not there
    before (a new contact) and is empty now is no change."""
    return {name: [before.get(name), value] for name, value in after.items()
            if before.get(name) != value and not (name not in before and value in ("", [], None))}


def newest_entries(*conditions, limit: int) -> list[AuditEntry]:
    """The newest `limit` entries that meet the conditions, newest first (ordered and cut in SQL,
    along the indexes of (subject column, id))."""
    query = select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def entries_for_event(event_id: int, limit: int = 200) -> list[AuditEntry]:
    """The newest entries about an event and its registrations, newest first."""
    return newest_entries(AuditEntry.event_id == event_id, limit=limit)


def latest_entries(action: AuditAction, limit: int = 20) -> list[AuditEntry]:
    """The newest entries of one kind (e.g. the deletions of contacts, which have no page)."""
    return newest_entries(AuditEntry.action == action, limit=limit)


def entries_for_contact(contact_id: int, limit: int = 200) -> list[AuditEntry]:
    """The newest entries about a contact, newest first."""
    return newest_entries(AuditEntry.contact_id == contact_id, limit=limit)


def _plain(value):
    """`value` as JSON can hold it: times as ISO text, tuples as lists, enums as their text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
