"""What each figure of the report counts, in one sentence each: the page prints these beside the
numbers, so they must say exactly what reports.figures computes. Change both together.

The keys are the names of the Report's fields (and of InstitutionFigures' for the table per
institution).
"""
from flask_babel import lazy_gettext as _l

DEFINITIONS = {
    "gatherings": _l(
        "Published events (no drafts, none called off) that began in the period up to now, by the calendar of "
        "the network's time zone, each counted once: as a working-group session if it belongs to a working "
        "group or is of that kind, else as a record-only meeting (no sign-up), an invitation-only event or a "
        "public event."),
    "gatherings_by_kind": _l("The same gatherings by the kind of event staff chose, leaving out the kinds that "
                             "did not occur."),
    "upcoming": _l("Published events of the period that have not begun yet count in no other figure of this "
                   "report."),
    "registrations": _l(
        "Sign-ups for the gatherings (online, through an invitation or entered by staff), whatever became of "
        "them, not counting the guests added at the door, who are walk-ins."),
    "waitlisted": _l("Registrations that were still on the waitlist when the event began, so never had a "
                     "place."),
    "cancelled_before": _l("Registrations cancelled (by the guest or by staff) before the event began."),
    "expected": _l("The guests expected: registrations less those still waitlisted and those cancelled before "
                   "the event."),
    "attended_registered": _l("The guests expected who were checked in."),
    "attended": _l("Attendances: guests checked in at the door (walk-ins included) and people marked present "
                   "at a recorded meeting, each once per gathering."),
    "checked_in": _l("Guests checked in at the door, walk-ins included."),
    "presences": _l("People marked present at a recorded meeting."),
    "walk_ins": _l("Guests who came without a sign-up and were registered and checked in at the door."),
    "attendance_rate": _l("The guests expected who were checked in, as a share of the guests expected "
                          "(registered less cancelled before the event and still waitlisted)."),
    "no_show_rate": _l("The guests expected who were not checked in, as a share of the guests expected."),
    "people": _l(
        "Distinct people with at least one attendance, each counted once however many gatherings they came to "
        "(also after their sign-ups were anonymised), except walk-ins without an address, who count once per "
        "attendance."),
    "institutions": _l(
        "Distinct institutions that took part: those the people reached were matched to (at sign-up, or as "
        "a contact present at a meeting) and those named on a gathering in any role (host, co-host, partner, "
        "speaker's institution, present)."),
    "affiliation": _l(
        "The people reached, each as full-time or volunteer by what they last said at an attendance in the "
        "period (for a contact present at a meeting, what staff set on the contact), or as other or not known "
        "where they never said either."),
    "per_institution": _l("Every institution counted above, with what it did in the period."),
    "events_hosted": _l("Gatherings the institution hosted or co-hosted."),
    "events_named": _l("Gatherings the institution is named on in any role (host, co-host, partner, speaker's "
                       "institution, present)."),
    "people_sent": _l("Distinct people reached who were matched to the institution."),
    "attendances": _l("Attendances of people matched to the institution."),
    "top_events": _l("The ten gatherings with the most attendances (the earlier first among equals), with their "
                     "sign-ups counted as registrations are above."),
    "feedback": _l("Guests asked for feedback on the gatherings, and how many of them sent a complete "
                   "answer."),
    "surveys": _l("Surveys opened in the period (in a report of the whole network only): contacts asked, and "
                  "how many sent a complete answer."),
}
