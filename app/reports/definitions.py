"""What each figure of the report counts, in one sentence each: the page prints these beside the
numbers, so they must say exactly what reports.figures computes. Change both together.

The keys are the names of the Report's fields (and of InstitutionFigures' for the table per
institution).
"""
from flask_babel import lazy_gettext as _l

DEFINITIONS = {
    "gatherings": _l(
        "Gatherings are the published events that began in the period (by the calendar of the network's "
        "time zone) and have begun by now; cancelled events and drafts are none. Each counts once: an event "
        "of a working group (or of the kind working group) is a working-group session, else a record-only "
        "event is a record-only meeting, else an invitation-only event is one, else it is a public event."),
    "gatherings_by_kind": _l("The same gatherings by the kind of event staff chose."),
    "upcoming": _l("Published events in the period that have not begun yet; they count in no other figure."),
    "registrations": _l(
        "Sign-ups for the gatherings, online, through an invitation or entered by staff, whatever became of "
        "them; guests added at the door are counted as walk-ins instead."),
    "waitlisted": _l("Of the registrations, those still on the waitlist when the event began: they never had "
                     "a place."),
    "cancelled_before": _l("Of the registrations, those cancelled (by the guest or by staff) before the event "
                           "began."),
    "expected": _l("The guests expected: registrations less those still waitlisted and those cancelled before "
                   "the event."),
    "attended_registered": _l("Of the guests expected, those who were checked in."),
    "attended": _l("Attendances: guests checked in at the door (walk-ins included) and people marked present "
                   "at a recorded meeting, each once per gathering."),
    "checked_in": _l("Guests checked in at the door, walk-ins included."),
    "presences": _l("People marked present at a recorded meeting."),
    "walk_ins": _l("Guests who came without a sign-up and were registered and checked in at the door."),
    "attendance_rate": _l("The guests expected who were checked in, as a share of the guests expected "
                          "(registered less cancelled before the event and still waitlisted)."),
    "no_show_rate": _l("The guests expected who were not checked in, as a share of the guests expected."),
    "people": _l(
        "Distinct people with at least one attendance: the same person at several gatherings counts once, "
        "also after their sign-ups have been anonymised; a walk-in without an address counts once per "
        "attendance."),
    "institutions": _l(
        "Distinct institutions that took part: those the people reached were matched to (at sign-up, or as "
        "a contact present at a meeting), and those named on a gathering as host, co-host, partner, "
        "speaker's institution or present."),
    "affiliation": _l(
        "The people reached, full-time or volunteer as they said at their latest attendance in the period "
        "where they said one (a contact present at a meeting: as staff set it on the contact)."),
    "per_institution": _l("Every institution counted above, with what it did in the period."),
    "events_hosted": _l("Gatherings the institution hosted or co-hosted."),
    "events_named": _l("Gatherings the institution is named on in any role (host, co-host, partner, speaker's "
                       "institution, present)."),
    "people_sent": _l("Distinct people reached who were matched to the institution."),
    "attendances": _l("Attendances of people matched to the institution."),
    "top_events": _l("The ten gatherings with the most attendances; registered counts their sign-ups as "
                     "above."),
    "feedback": _l("Guests asked for feedback on the gatherings, and how many of them sent a complete "
                   "answer."),
    "surveys": _l("Surveys opened in the period (in a report of the whole network only): contacts asked, and "
                  "how many sent a complete answer."),
}
