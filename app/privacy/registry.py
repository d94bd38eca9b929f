"""Every column Podium stores, and whether it holds personal data: the one place that says so.

Each column of each table is in exactly one class:

- personal: names, addresses, free text, keys of personal links, anything that says who a
  guest or contact is or what they told us. It goes when the person's data goes.
- kept: about a guest's registration, but it identifies nobody once the personal columns
  are blank (how they took part, their status, whether and when they came). It stays after
  anonymisation, so that the figures of past years read the same.
- staff: names of the network's own people (staff users, door devices, speakers on an
  event page). They are not guests' data and are not under the guests' retention period.
- nothing: no personal data.

The anonymisation (privacy.anonymise) rewrites the rows of ANONYMISED_IN_PLACE by this
table: every personal column gets its `blank`, a value or a function of the old value. So a
personal column added to one of those tables is blanked as soon as it is classified here,
and tests/privacy/test_registry.py fails for any column of any table that is not.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from ..database import LabelledEnum
from ..links import new_link_token
from ..registrations.tickets import new_ticket_code


class Holds(LabelledEnum):
    """What a column holds, as far as privacy is concerned."""

    personal = "personal", _l("personal data of a guest or contact")
    kept = "kept", _l("kept for the figures: identifies nobody without the personal data")
    staff = "staff", _l("names of the network's own people")
    nothing = "nothing", _l("no personal data")


_NO_BLANK = object()


@dataclass(frozen=True)
class Rule:
    """One column's class, and for a personal column what anonymising writes into it."""

    holds: Holds
    blank: Any = _NO_BLANK  # a value, or a function of the old value

    @property
    def has_blank(self) -> bool:
        """Whether anonymising knows what to write here."""
        return self.blank is not _NO_BLANK

    def blanked(self, old):
        """The value that replaces `old` when the row is anonymised."""
        return self.blank(old) if callable(self.blank) else self.blank


def personal(blank: Any = _NO_BLANK) -> Rule:
    """A personal column; `blank` is what anonymising writes (tables rewritten in place need one)."""
    return Rule(Holds.personal, blank)


KEPT = Rule(Holds.kept)
STAFF = Rule(Holds.staff)
NOTHING = Rule(Holds.nothing)

# Facts of an audit entry that say nothing about the guest (states, whether they were mailed).
AUDIT_FACTS_KEPT = frozenset({"status", "mailed", "walk_in", "guests_told", "registrations", "mails"})
# Facts frozen into an outbox row that say nothing about its recipient.
MAIL_FACTS_KEPT = frozenset({"sequence", "repeated", "promoted", "had_place", "calendar", "campaign_id",
                             "recipient_id", "test"})


def _only(kept: frozenset[str]) -> Callable[[dict | None], dict]:
    return lambda facts: {name: value for name, value in (facts or {}).items() if name in kept}


@dataclass(frozen=True)
class Table:
    """A table: what its rows are, what becomes of their personal data, and each column's rule."""

    about: Any  # lazy text
    treatment: Any  # lazy text: when and how the personal columns go
    columns: Mapping[str, Rule] = field(default_factory=dict)


# Tables whose rows the anonymisation rewrites in place (the others go with their person, or
# hold nobody's data): each personal column of these needs a blank.
ANONYMISED_IN_PLACE = ("registrations", "outgoing_mails", "audit_entries")

TABLES: dict[str, Table] = {
    "registrations": Table(
        _l("A guest's registration for an event."),
        _l("Anonymised when the event's retention period is over, or at once when the person asks: the "
           "personal columns are blanked, old ticket and page links lead nowhere, the rest counts in the "
           "figures."),
        {
            "id": NOTHING, "event_id": NOTHING,
            "name": personal(""), "email": personal(""), "email_key": personal(None),
            "organisation": personal(""), "note": personal(""), "contact_id": personal(None),
            "ticket_code": personal(lambda _old: new_ticket_code()),
            "manage_token": personal(lambda _old: new_link_token()),
            "affiliation": KEPT, "institution_id": KEPT, "locale": KEPT, "status": KEPT, "source": KEPT,
            "consent_at": KEPT, "consent_version": KEPT,
            "created_at": KEPT, "waitlisted_at": KEPT, "cancelled_at": KEPT, "checked_in_at": KEPT,
            "checked_in_by": STAFF, "person_ref": KEPT,
            "sequence_offset": NOTHING, "updated_at": NOTHING, "reminded_at": NOTHING, "anonymised_at": NOTHING,
        }),
    "outgoing_mails": Table(
        _l("Every mail Podium sent or is to send, with its stored body."),
        _l("A mail about a registration is anonymised with it: address, subject, body and personal facts "
           "go, and it is never sent again. A campaign mail goes when its person is erased."),
        {
            "id": NOTHING, "kind": NOTHING, "locale": KEPT, "registration_id": NOTHING,
            "recipient": personal(""), "subject": personal(None), "raw": personal(None),
            "params": personal(_only(MAIL_FACTS_KEPT)), "last_error": personal(None),
            "message_id": NOTHING, "status": NOTHING, "attempts": NOTHING, "next_attempt_at": NOTHING,
            "claimed_at": NOTHING, "claimed_by": NOTHING, "created_at": NOTHING, "sent_at": NOTHING,
            "anonymised_at": NOTHING,
        }),
    "audit_entries": Table(
        _l("The history of what staff changed on events, registrations and contacts."),
        _l("Entries about a registration keep only states when it is anonymised; a contact's entries go "
           "with the contact."),
        {
            "id": NOTHING, "at": NOTHING, "action": NOTHING, "event_id": NOTHING, "registration_id": NOTHING,
            "contact_id": NOTHING, "series_id": NOTHING, "group_id": NOTHING, "institution_id": NOTHING,
            "survey_id": NOTHING,
            "user_id": NOTHING, "actor": STAFF, "changes": personal(_only(AUDIT_FACTS_KEPT)),
        }),
    "checkin_records": Table(
        _l("The door log: every check-in and undo."),
        _l("Holds no guest data (the guest is the registration it points to); kept as the record of "
           "when people came."),
        {
            "id": NOTHING, "event_id": NOTHING, "registration_id": NOTHING, "action": KEPT, "at": KEPT,
            "method": KEPT, "nonce": NOTHING, "user_id": NOTHING, "api_token_id": NOTHING,
            "actor": STAFF, "device": STAFF,
        }),
    "contacts": Table(
        _l("The address book of the network."),
        _l("Kept while the person is part of the network; deleted by staff or when the person asks, "
           "with their invitations."),
        {
            "id": NOTHING, "created_at": NOTHING, "updated_at": NOTHING,
            "name": personal(), "email": personal(), "email_key": personal(), "tags": personal(),
            "locale": personal(), "source": personal(),
            "source_at": personal(), "unsubscribed_at": personal(), "unsubscribe_token": personal(),
            "consent_source": personal(), "consent_version": personal(), "consent_at": personal(),
            "institution_id": personal(), "affiliation": personal(),
        }),
    "institutions": Table(
        _l("The institutions of the network: chambers, authorities, schools, charities, initiatives."),
        _l("Organisations, not people; kept while staff keep them."),
        {
            "id": NOTHING, "name": NOTHING, "name_key": NOTHING, "kind": NOTHING, "place": NOTHING,
            "website": NOTHING, "notes": STAFF, "created_at": NOTHING, "updated_at": NOTHING,
        }),
    "organisation_matches": Table(
        _l("Organisations as guests typed them, matched by staff to an institution."),
        _l("The text of an organisation, never a person's; kept while the institution exists."),
        {
            "id": NOTHING, "name_key": NOTHING, "institution_id": NOTHING, "created_by": STAFF,
            "created_at": NOTHING,
        }),
    "event_institutions": Table(
        _l("Which institutions host, co-host or partner an event, or were present at a meeting."),
        _l("Organisations, not people; kept with the event."),
        {"id": NOTHING, "event_id": NOTHING, "institution_id": NOTHING, "role": NOTHING, "position": NOTHING}),
    "series": Table(
        _l("Series of events, with their public page."),
        _l("Hold no personal data."),
        {"id": NOTHING, "slug": NOTHING, "title": NOTHING, "description": NOTHING, "created_at": NOTHING,
         "updated_at": NOTHING}),
    "working_groups": Table(
        _l("The standing working groups of the network."),
        _l("The convenor is a contact and is unset when the contact is deleted."),
        {"id": NOTHING, "slug": NOTHING, "name": NOTHING, "purpose": NOTHING, "convenor_id": personal(),
         "feed_token": NOTHING, "created_at": NOTHING, "updated_at": NOTHING}),
    "working_group_members": Table(
        _l("Who belongs to which working group."),
        _l("Deleted with the contact."),
        {"id": NOTHING, "group_id": NOTHING, "contact_id": personal(), "joined_at": personal()}),
    "meeting_presences": Table(
        _l("Who was present at a meeting staff recorded."),
        _l("Deleted with the contact; the meeting's figures keep the number of people present only while "
           "the contact exists."),
        {"id": NOTHING, "event_id": NOTHING, "contact_id": personal(), "recorded_by": STAFF,
         "created_at": NOTHING}),
    "event_results": Table(
        _l("What came of an event: summary and minutes."),
        _l("Written by staff about the meeting; kept with the event. Minutes that name people are the "
           "staff's to keep or edit."),
        {"id": NOTHING, "event_id": NOTHING, "summary": STAFF, "summary_visibility": NOTHING, "minutes": STAFF,
         "minutes_visibility": NOTHING, "updated_by": STAFF, "created_at": NOTHING, "updated_at": NOTHING}),
    "result_files": Table(
        _l("Files of an event's results: slides, minutes, photos."),
        _l("Kept with the event; staff delete a file that should not be kept."),
        {"id": NOTHING, "event_id": NOTHING, "filename": STAFF, "title": STAFF, "content_type": NOTHING,
         "size": NOTHING, "data": STAFF, "visibility": NOTHING, "uploaded_by": STAFF, "created_at": NOTHING}),
    "campaign_recipients": Table(
        _l("Who was invited by which campaign, with their personal sign-up link."),
        _l("Deleted with the contact; the link to a registration is cut when the registration is "
           "anonymised."),
        {
            "id": NOTHING, "campaign_id": NOTHING, "contact_id": NOTHING, "mail_id": NOTHING,
            "reminder_mail_id": NOTHING, "created_at": NOTHING,
            "token": personal(), "registration_id": personal(None),
        }),
    "campaigns": Table(
        _l("Invitation campaigns: their text and audience."),
        _l("A pasted list of addresses in the audience loses the address of a person who is erased."),
        {
            "id": NOTHING, "event_id": NOTHING, "subject": NOTHING, "body": NOTHING, "status": NOTHING,
            "created_at": NOTHING, "updated_at": NOTHING, "sent_at": NOTHING,
            "audience": personal(), "created_by": STAFF,
        }),
    "campaign_texts": Table(
        _l("A campaign's text in another language."),
        _l("Holds no personal data."),
        {"id": NOTHING, "campaign_id": NOTHING, "locale": NOTHING, "subject": NOTHING, "body": NOTHING}),
    "event_texts": Table(
        _l("An event's title and summary in another language."),
        _l("Holds no personal data."),
        {"id": NOTHING, "event_id": NOTHING, "locale": NOTHING, "title": NOTHING, "summary": NOTHING}),
    "events": Table(
        _l("The events, as published."),
        _l("Hold no guest data; speakers are named in their role, as on the public page."),
        {
            "id": NOTHING, "slug": NOTHING, "title": NOTHING, "kind": NOTHING, "summary": NOTHING,
            "description": NOTHING, "starts_at": NOTHING, "ends_at": NOTHING, "timezone": NOTHING,
            "venue": NOTHING, "address": NOTHING, "capacity": NOTHING, "waitlist_enabled": NOTHING,
            "registration_opens_at": NOTHING, "registration_closes_at": NOTHING, "status": NOTHING,
            "visibility": NOTHING, "invite_key": NOTHING, "series_id": NOTHING, "working_group_id": NOTHING,
            "ical_uid": NOTHING, "sequence": NOTHING, "confirmed_count": NOTHING,
            "waitlist_count": NOTHING, "created_at": NOTHING, "updated_at": NOTHING,
            "retention_months": NOTHING, "speakers": STAFF, "language": NOTHING, "interpreting": NOTHING,
        }),
    "person_refs": Table(
        _l("The random ref the figures count a person by once their sign-ups are anonymised, beside "
           "the person's address (as Podium matches addresses)."),
        _l("Forgotten by the retention purge once the person has no registration left that is not "
           "anonymised and no contact, and at once when the person has their data erased; the ref on "
           "their anonymised registrations then names nobody."),
        {"id": NOTHING, "identity": personal(), "ref": KEPT, "created_at": NOTHING}),
    "surveys": Table(
        _l("Surveys staff build, and the feedback forms of events: their text and audience."),
        _l("Hold no personal data: the audience names tags, kinds of institution or a working group, "
           "never a person."),
        {"id": NOTHING, "kind": NOTHING, "title": NOTHING, "intro": NOTHING, "event_id": NOTHING,
         "anonymous": NOTHING, "status": NOTHING, "audience": NOTHING, "opened_at": NOTHING,
         "closes_at": NOTHING, "closed_at": NOTHING, "send_after_hours": NOTHING,
         "remind_after_days": NOTHING, "created_by": STAFF, "created_at": NOTHING, "updated_at": NOTHING}),
    "survey_sections": Table(
        _l("The sections of a survey."),
        _l("Written by staff; hold no personal data."),
        {"id": NOTHING, "survey_id": NOTHING, "title": NOTHING, "intro": NOTHING, "position": NOTHING}),
    "survey_questions": Table(
        _l("The questions of a survey, with their choices."),
        _l("Written by staff; hold no personal data."),
        {"id": NOTHING, "survey_id": NOTHING, "section_id": NOTHING, "position": NOTHING, "kind": NOTHING,
         "text": NOTHING, "help": NOTHING, "required": NOTHING, "options": NOTHING, "allow_other": NOTHING,
         "min_number": NOTHING, "max_number": NOTHING, "low_label": NOTHING, "high_label": NOTHING}),
    "survey_invitations": Table(
        _l("Who was asked to answer a survey or an event's feedback form, with the key of their personal "
           "link, and whether they answered."),
        _l("The link to a contact is cut when the contact is deleted, the link to a registration when it is "
           "anonymised; whether and when someone answered stays, for the response rates, and names nobody "
           "once those links are cut."),
        {"id": NOTHING, "survey_id": NOTHING, "token": personal(), "contact_id": personal(None),
         "registration_id": personal(None), "locale": KEPT, "status": KEPT, "mailed_at": KEPT,
         "reminders": KEPT, "reminded_at": KEPT, "started_at": KEPT, "completed_at": KEPT,
         "created_at": NOTHING}),
    "survey_responses": Table(
        _l("The answers of one person to one survey, saved part-way or complete."),
        _l("A named response points to its invitation, and so to the person while the invitation names "
           "them; an anonymous one never does, and the hash that lets its person resume it is cut when "
           "the survey closes. Kind of institution and full-time or volunteer are kept for the results."),
        {"id": NOTHING, "survey_id": NOTHING, "invitation_id": personal(None), "link_hash": personal(None),
         "institution_kind": KEPT, "affiliation": KEPT, "started_at": KEPT, "updated_at": NOTHING,
         "submitted_at": KEPT}),
    "survey_answers": Table(
        _l("Each answer to each question of a survey."),
        _l("Personal in a named survey (the response names the person through its invitation); in an "
           "anonymous survey they hold no link to the person. They go with the survey."),
        {"id": NOTHING, "response_id": NOTHING, "question_id": NOTHING, "value": personal(),
         "other_text": personal()}),
    "users": Table(
        _l("Staff and door accounts."),
        _l("Kept while the account exists."),
        {
            "id": NOTHING, "role": NOTHING, "active": NOTHING, "created_at": NOTHING, "institution_id": NOTHING,
            "email": STAFF, "name": STAFF, "password_hash": STAFF,
        }),
    "api_tokens": Table(
        _l("Bearer tokens of door devices and scripts."),
        _l("Kept until revoked; the name may name the person holding the device."),
        {
            "id": NOTHING, "role": NOTHING, "event_id": NOTHING, "token_hash": NOTHING, "created_at": NOTHING,
            "revoked_at": NOTHING, "name": STAFF,
        }),
}


def rule(table: str, column: str) -> Rule:
    """The rule of one column. :raises KeyError: for a column nobody classified."""
    return TABLES[table].columns[column]


def columns_holding(table: str, holds: Holds) -> list[str]:
    """The columns of `table` in one class, in the registry's order."""
    return [name for name, found in TABLES[table].columns.items() if found.holds == holds]


def blanked_values(table: str, row) -> dict:
    """What anonymising writes into `row` of `table`: {column: blank} for every personal column."""
    return {name: found.blanked(getattr(row, name)) for name, found in TABLES[table].columns.items()
            if found.holds == Holds.personal and found.has_blank}


def unclassified(metadata) -> list[str]:
    """Every "table.column" of the SQLAlchemy metadata that the registry does not classify, and
    every one it classifies that no longer exists (a renamed column must be classified again)."""
    present = {f"{table.name}.{column.name}" for table in metadata.sorted_tables for column in table.columns}
    known = {f"{table}.{column}" for table, rules in TABLES.items() for column in rules.columns}
    return sorted(f"{name}: not classified" for name in present - known) + \
        sorted(f"{name}: classified, but not in the schema" for name in known - present)
