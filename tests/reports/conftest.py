"""A year of the network with known figures: 2025 as it happened, and the turn of the year after it.

Every row is written as it stands after the fact (sign-ups, cancellations, check-ins at their
times), straight into the tables: the services refuse to sign anyone up for a past event. The
test that reads the figures (test_figures.py) counts each one from this list by hand.

2025 (times in Berlin):
- E1 forum, public, 10 March 18:00; IHK hosts, Caritas is partner; in the series.
    r1 Xaver (IHK, full-time) came; r2 Yara (Caritas, volunteer) came; r3 Zoe did not come;
    r4 Walter cancelled on 1 March; r5 Wilma cancelled after the start and did not come;
    r6 Vera was still on the waitlist; r7 a walk-in with an address came; r8 a walk-in without
    one came; r9 Anna signed up under her private address, staff linked it to her contact
    (Caritas, volunteer), came.
    Feedback form: r1 completed, r2 asked, r9 started.
- E3 information event, invitation only, 20 May; the employment agency co-hosts.
    r10 Xaver (IHK, full-time) came; r11 Clara, a contact (IHK, full-time), came; r12 Quentin
    waited, got a place and came.
- E4 working-group session (AK Ausbildung), 15 September; in the series.
    r13 Xaver (IHK, volunteer this time) came; r14 Yara did not come.
- E5 coordination meeting, record only, 5 November: contacts Anna (volunteer) and Bernd (Stadt
    Trier, nobody said) were present; Stadt Trier is named as present.
- E6 forum, called off (cancelled), 1 April; the employment agency hosts; r15 had signed up.
- E7 talk, still a draft, 1 July; r16 signed up.
- Survey "Akteursbefragung 2025", opened 1 October: four contacts asked, two completed.
2026:
- E8 forum, 1 January 00:30 in Berlin (31 December 23:30 UTC): 2026's, by the network's
  calendar. Caritas hosts. r17 Xaver came.
- E9 forum, 28 December, after the report's clock (NOW): still to come. r18 Yara signed up.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.affiliation import Affiliation
from app.contacts.models import Contact, Institution, OrganisationKind
from app.database import write_transaction
from app.events.models import EventStatus, Series
from app.events.services import create_event
from app.extensions import db
from app.network.models import EventInstitution, InstitutionRole, MeetingPresence, WorkingGroup
from app.registrations.models import Registration, RegistrationStatus, Source
from app.surveys.models import InvitationStatus, Survey, SurveyInvitation, SurveyKind, SurveyStatus
from tests.conftest import TEST_ACTOR

BERLIN = ZoneInfo("Europe/Berlin")
# The clock of every report in these tests: after the year, before its last sign-ups are due.
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=timezone.utc)


def berlin(year, month, day, hour=18, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(timezone.utc)


@dataclass
class Year:
    """The ids of the fixture year's rows, by the names the module's docstring uses."""

    events: dict = field(default_factory=dict)
    registrations: dict = field(default_factory=dict)
    institutions: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    series_id: int = 0
    group_id: int = 0
    survey_id: int = 0


@pytest.fixture
def year(app) -> Year:
    """The fixture year, committed."""
    found = Year()
    with write_transaction():
        institutions = {name: Institution(name=name, name_key=name.lower(), kind=kind) for name, kind in (
            ("IHK Trier", OrganisationKind.chamber), ("Caritas Trier", OrganisationKind.charity),
            ("Stadt Trier", OrganisationKind.city), ("Agentur für Arbeit", OrganisationKind.employment_agency))}
        contacts = {
            "anna": Contact(name="Anna Schmidt", email="anna@example.org", email_key="anna@example.org",
                            institution=institutions["Caritas Trier"], affiliation=Affiliation.volunteer),
            "bernd": Contact(name="Bernd Weber", email="bernd@example.org", email_key="bernd@example.org",
                             institution=institutions["Stadt Trier"]),
            "clara": Contact(name="Clara Becker", email="clara@example.org", email_key="clara@example.org",
                             institution=institutions["IHK Trier"], affiliation=Affiliation.professional),
            "dora": Contact(name="Dora Klein", email="dora@example.org", email_key="dora@example.org")}
        series = Series(slug="ausbildung-2025", title="Ausbildung und Arbeit 2025")
        group = WorkingGroup(slug="ak-ausbildung", name="AK Ausbildung")
        db.session.add_all([*institutions.values(), *contacts.values(), series, group])
        db.session.flush()
        found.institutions = {name: row.id for name, row in institutions.items()}
        found.contacts = {name: row.id for name, row in contacts.items()}
        found.series_id, found.group_id = series.id, group.id
        events = {
            "E1": _event("Forum Ausbildung", "forum", berlin(2025, 3, 10), series_id=series.id),
            "E3": _event("Infoabend Anerkennung", "info", berlin(2025, 5, 20), visibility="invitation"),
            "E4": _event("AK Ausbildung: Herbstsitzung", "working-group", berlin(2025, 9, 15),
                         visibility="invitation", working_group_id=group.id, series_id=series.id),
            "E5": _event("Koordinierungsrunde", "coordination", berlin(2025, 11, 5), visibility="record"),
            "E6": _event("Forum Wohnen", "forum", berlin(2025, 4, 1)),
            "E7": _event("Fachgespräch Sprache", "talk", berlin(2025, 7, 1)),
            "E8": _event("Neujahrsforum", "forum", berlin(2026, 1, 1, 0, 30)),
            "E9": _event("Forum Jahresende", "forum", berlin(2026, 12, 28)),
        }
        events["E6"].status = EventStatus.cancelled
        events["E7"].status = EventStatus.draft
        found.events = {name: event.id for name, event in events.items()}
        named = [("E1", "IHK Trier", InstitutionRole.host), ("E1", "Caritas Trier", InstitutionRole.partner),
                 ("E3", "Agentur für Arbeit", InstitutionRole.co_host), ("E5", "Stadt Trier", InstitutionRole.present),
                 ("E6", "Agentur für Arbeit", InstitutionRole.host), ("E8", "Caritas Trier", InstitutionRole.host)]
        db.session.add_all([EventInstitution(event_id=events[event].id, institution_id=institutions[name].id, role=role)
                            for event, name, role in named])
        db.session.add_all([MeetingPresence(event_id=events["E5"].id, contact_id=contacts[name].id)
                            for name in ("anna", "bernd")])
        rows = _registrations(events, institutions, contacts)
        db.session.add_all(rows.values())
        db.session.flush()
        found.registrations = {name: row.id for name, row in rows.items()}
        found.survey_id = _surveys(events, rows, contacts)
    return found


def _event(title, kind, starts_at, **fields):
    return create_event(title=title, kind=kind, starts_at=starts_at, publish=True, by=TEST_ACTOR, **fields)


def _registrations(events, institutions, contacts) -> dict[str, Registration]:
    ihk, caritas = institutions["IHK Trier"], institutions["Caritas Trier"]
    came = "came"

    def guest(event, name, email, *, status=RegistrationStatus.confirmed, affiliation=Affiliation.professional,
              institution=None, contact=None, checked_in=None, cancelled=None, waitlisted=False,
              source=Source.online):
        starts = events[event].starts_at
        return Registration(
            event_id=events[event].id, name=name, email=email or "", email_key=email, affiliation=affiliation,
            institution_id=institution.id if institution else None, contact_id=contact.id if contact else None,
            status=status, consent_at=starts - timedelta(days=20), consent_version="v1", source=source,
            created_at=starts - timedelta(days=20), waitlisted_at=starts - timedelta(days=19) if waitlisted else None,
            cancelled_at=cancelled, checked_in_at=starts + timedelta(minutes=5) if checked_in == came else None)

    cancelled = RegistrationStatus.cancelled
    return {
        "r1": guest("E1", "Xaver Roth", "xaver@example.org", institution=ihk, checked_in=came),
        "r2": guest("E1", "Yara Haddad", "yara@example.org", affiliation=Affiliation.volunteer, institution=caritas,
                    checked_in=came),
        "r3": guest("E1", "Zoe Lang", "zoe@example.org"),
        "r4": guest("E1", "Walter Fink", "walter@example.org", status=cancelled,
                    cancelled=berlin(2025, 3, 1)),
        "r5": guest("E1", "Wilma Fink", "wilma@example.org", status=cancelled,
                    cancelled=berlin(2025, 3, 10, 20)),
        "r6": guest("E1", "Vera Ost", "vera@example.org", status=RegistrationStatus.waitlisted,
                    affiliation=Affiliation.volunteer, waitlisted=True),
        "r7": guest("E1", "Walk In", "walk@example.org", affiliation=Affiliation.other, source=Source.walk_in,
                    checked_in=came),
        "r8": guest("E1", "Ohne Adresse", None, affiliation=Affiliation.other, source=Source.walk_in,
                    checked_in=came),
        "r9": guest("E1", "Anna Schmidt", "anna.privat@example.org", affiliation=Affiliation.volunteer,
                    institution=caritas, contact=contacts["anna"], checked_in=came),
        "r10": guest("E3", "Xaver Roth", "xaver@example.org", institution=ihk, checked_in=came,
                     source=Source.invitation),
        "r11": guest("E3", "Clara Becker", "clara@example.org", institution=ihk, checked_in=came),
        "r12": guest("E3", "Quentin Maas", "quentin@example.org", waitlisted=True, checked_in=came),
        "r13": guest("E4", "Xaver Roth", "xaver@example.org", affiliation=Affiliation.volunteer, institution=ihk,
                     checked_in=came),
        "r14": guest("E4", "Yara Haddad", "yara@example.org", affiliation=Affiliation.volunteer),
        "r15": guest("E6", "Paul Neu", "paul@example.org"),
        "r16": guest("E7", "Paula Neu", "paula@example.org"),
        "r17": guest("E8", "Xaver Roth", "xaver@example.org", institution=ihk, checked_in=came),
        "r18": guest("E9", "Yara Haddad", "yara@example.org", affiliation=Affiliation.volunteer),
    }


def _surveys(events, rows, contacts) -> int:
    """E1's feedback form (and one of the called-off E6, which counts nowhere) and the year's survey,
    plus a survey of 2026; returns the year's survey's id."""
    feedback = Survey(kind=SurveyKind.feedback, title="Feedback", event_id=events["E1"].id,
                      status=SurveyStatus.open, opened_at=berlin(2025, 3, 11))
    called_off = Survey(kind=SurveyKind.feedback, title="Feedback", event_id=events["E6"].id,
                        status=SurveyStatus.open, opened_at=berlin(2025, 4, 2))
    survey = Survey(title="Akteursbefragung 2025", status=SurveyStatus.closed, opened_at=berlin(2025, 10, 1))
    later = Survey(title="Akteursbefragung 2026", status=SurveyStatus.open, opened_at=berlin(2026, 2, 1))
    db.session.add_all([feedback, called_off, survey, later])
    db.session.flush()
    statuses = (InvitationStatus.completed, InvitationStatus.invited, InvitationStatus.started)
    db.session.add_all([SurveyInvitation(survey_id=feedback.id, registration_id=rows[name].id, status=status)
                        for name, status in zip(("r1", "r2", "r9"), statuses)])
    db.session.add(SurveyInvitation(survey_id=called_off.id, registration_id=rows["r15"].id,
                                    status=InvitationStatus.completed))
    answered = (InvitationStatus.completed, InvitationStatus.completed, InvitationStatus.started,
                InvitationStatus.invited)
    db.session.add_all([SurveyInvitation(survey_id=survey.id, contact_id=contact.id, status=status)
                        for contact, status in zip(contacts.values(), answered)])
    db.session.add(SurveyInvitation(survey_id=later.id, contact_id=contacts["anna"].id))
    return survey.id
