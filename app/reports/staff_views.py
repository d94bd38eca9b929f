"""The report pages for staff: the year's figures, per event and per working group, CSV and PDF.

Every report comes three ways from one choice in the query string: the page, the PDF of that page
(the same template with `printing` set, drawn by WeasyPrint) and the CSV of each of its tables
(csv_tables, the rows the page draws). The attendance list of an event, and that of a working group
over a period, come as a page to print and as a PDF.
"""
from dataclasses import dataclass, field

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from ..auth.access import staff_required
from ..checkin import services as checkin
from ..contacts.institutions import institution_choices
from ..csvexport import table_download
from ..database import utcnow
from ..events.services import get_event
from ..formatting import day
from ..forms import show_refusal
from ..network import groups
from ..network.meetings import people_present
from . import figures
from .csv_tables import TABLES, csv_filename, file_stem
from .forms import ReportForm
from .group_attendance import attendance_list as group_attendance_list
from .periods import InvalidPeriod, Period, network_zone

bp = Blueprint("reports_staff", __name__, url_prefix="/staff/reports")


@dataclass(frozen=True)
class Subject:
    """What a report is of: the network, one event or one working group."""

    endpoint: str  # its page; the PDF and CSV are at endpoint + "_pdf" and "_csv"
    eyebrow: str
    heading: str
    slug: str = ""  # in the names of its files
    url_args: dict = field(default_factory=dict)  # the ids its addresses need
    narrowing: bool = True  # whether the form offers kinds, series, groups and institutions
    event: object = None


@dataclass
class Choice:
    """The form as the query string filled it (None for an event: nothing to choose), and the report
    it names (no period while the form is wrong)."""

    form: ReportForm | None
    period: Period | None = None
    scope: figures.Scope | None = None

    @property
    def query(self) -> dict:
        """The same choice as query arguments, for the report's downloads."""
        return self.form.query(self.period) if self.form and self.period else {}


def _choice(subject: Subject) -> Choice:
    if subject.event is not None:  # the event's day, by the network's calendar as the figures count
        starts = subject.event.starts_at
        on = starts.astimezone(network_zone()).date()
        period = Period(on, on, day(starts, network_zone()))
        return Choice(None, period, figures.Scope(event_id=subject.event.id))
    form = ReportForm.from_args(request.args)
    valid = form.validate()
    try:
        period = form.period()
    except InvalidPeriod as exc:
        show_refusal(form, exc)
        return Choice(form)
    if not valid:
        return Choice(form)
    fixed = {"group_id": subject.url_args["group_id"]} if "group_id" in subject.url_args else {}
    return Choice(form, period, form.scope(**fixed))


def _render(subject: Subject, choice: Choice, report, *, printing: bool) -> str:
    return render_template("reports/report.html", subject=subject, choice=choice, report=report,
                           tables=TABLES, definitions=figures.DEFINITIONS, printing=printing,
                           made_at=utcnow())


def _page(subject: Subject):
    choice = _choice(subject)
    if choice.period is None:
        return _render(subject, choice, None, printing=False), 422
    return _render(subject, choice, figures.report(choice.period, choice.scope), printing=False)


def pdf_download(html: str, filename: str):
    """The page as a PDF download (pdf.py). WeasyPrint is imported on the first PDF: loaded at start,
    it would cost every web process and mail worker its time and memory (tens of MB) for pages
    staff print a few times a year."""
    from .pdf import pdf_download as drawn

    return drawn(html, filename)


def _pdf(subject: Subject):
    choice = _choice(subject)
    if choice.period is None:
        return _render(subject, choice, None, printing=False), 422
    report = figures.report(choice.period, choice.scope)
    html = _render(subject, choice, report, printing=True)
    return pdf_download(html, f"{file_stem(report, subject.slug)}.pdf")


def _csv(subject: Subject, key: str):
    table = TABLES.get(key) or abort(404)
    choice = _choice(subject)
    if choice.period is None:
        return _render(subject, choice, None, printing=False), 422
    report = figures.report(choice.period, choice.scope)
    return table_download(table.columns, table.rows(report), csv_filename(table, report, subject.slug),
                          excel=request.args.get("format") == "excel")


# --- the network's report -------------------------------------------------------------------------

def _network() -> Subject:
    return Subject("reports_staff.index", _("Reports"), _("What the network achieved"))


@bp.get("/")
@staff_required
def index():
    """The report of a period (the current year unless another is chosen), narrowed as chosen."""
    return _page(_network())


@bp.get("/report.pdf")
@staff_required
def index_pdf():
    """The same report as a PDF to hand to the board."""
    return _pdf(_network())


@bp.get("/<key>.csv")
@staff_required
def index_csv(key):
    """One table of the report as CSV; `format=excel` for a German Excel."""
    return _csv(_network(), key)


# --- one event --------------------------------------------------------------------------------------

def _event(event_id: int) -> Subject:
    event = get_event(event_id)
    return Subject("reports_staff.event", _("Figures of an event"), event.title,
                   slug=f"event-{event.id}", url_args={"event_id": event.id}, narrowing=False, event=event)


@bp.get("/events/<int:event_id>")
@staff_required
def event(event_id):
    """The figures of one event."""
    return _page(_event(event_id))


@bp.get("/events/<int:event_id>/report.pdf")
@staff_required
def event_pdf(event_id):
    """The figures of one event as a PDF."""
    return _pdf(_event(event_id))


@bp.get("/events/<int:event_id>/<key>.csv")
@staff_required
def event_csv(event_id, key):
    """One table of an event's figures as CSV."""
    return _csv(_event(event_id), key)


# --- one working group ----------------------------------------------------------------------------

def _group(group_id: int) -> Subject:
    group = groups.get_group(group_id)
    return Subject("reports_staff.group", _("Figures of a working group"), group.name,
                   slug=f"group-{group.id}", url_args={"group_id": group.id}, narrowing=False)


@bp.get("/groups/<int:group_id>")
@staff_required
def group(group_id):
    """The figures of one working group's meetings in a period."""
    return _page(_group(group_id))


@bp.get("/groups/<int:group_id>/report.pdf")
@staff_required
def group_pdf(group_id):
    """The figures of one working group as a PDF."""
    return _pdf(_group(group_id))


@bp.get("/groups/<int:group_id>/<key>.csv")
@staff_required
def group_csv(group_id, key):
    """One table of a working group's figures as CSV."""
    return _csv(_group(group_id), key)


# --- the attendance list of a working group --------------------------------------------------------

def _group_list(group_id: int) -> Subject:
    group = groups.get_group(group_id)
    return Subject("reports_staff.group_attendance", _("Attendance list"), group.name,
                   slug=f"group-{group.id}", url_args={"group_id": group.id}, narrowing=False)


def _group_list_page(subject: Subject, choice: Choice, *, printing: bool) -> str:
    found = None
    if choice.period is not None:
        found = group_attendance_list(subject.url_args["group_id"], choice.period, utcnow())
    return render_template("reports/group_attendance.html", subject=subject, choice=choice, attendance=found,
                           printing=printing, made_at=utcnow())


@bp.get("/groups/<int:group_id>/attendance")
@staff_required
def group_attendance(group_id):
    """Who came to which of a working group's meetings in a period, to print."""
    subject = _group_list(group_id)
    choice = _choice(subject)
    return _group_list_page(subject, choice, printing=False), 200 if choice.period else 422


@bp.get("/groups/<int:group_id>/attendance.pdf")
@staff_required
def group_attendance_pdf(group_id):
    """A working group's attendance list as a PDF (A4 across)."""
    subject = _group_list(group_id)
    choice = _choice(subject)
    if choice.period is None:
        return _group_list_page(subject, choice, printing=False), 422
    period = choice.period
    return pdf_download(_group_list_page(subject, choice, printing=True),
                        f"attendance-group-{group_id}-{period.start.isoformat()}-{period.end.isoformat()}.pdf")


# --- the attendance list of an event ----------------------------------------------------------------

@dataclass(frozen=True)
class Attendee:
    """One person who came: their name and where they come from."""

    name: str
    institution: str


def _attendance(event) -> tuple[list[Attendee], int]:
    """Who came (checked in, or recorded as present), by name, and how many more came whose
    details have been anonymised."""
    if event.is_record_only:
        present = people_present(event.id)
        return [Attendee(c.name, c.institution.name if c.institution else "") for c in present], 0
    came, _missing = checkin.attendance(event.id)
    names = dict(institution_choices()) if any(r.institution_id for r in came) else {}
    shown = [Attendee(r.name, names.get(r.institution_id) or r.organisation)
             for r in came if not r.is_anonymised]
    return sorted(shown, key=lambda a: a.name.lower()), len(came) - len(shown)


def _attendance_page(event_id: int, *, printing: bool) -> str:
    event = get_event(event_id)
    people, anonymised = _attendance(event)
    return render_template("reports/attendance.html", event=event, people=people, anonymised=anonymised,
                           printing=printing, made_at=utcnow())


@bp.get("/events/<int:event_id>/attendance")
@staff_required
def attendance(event_id):
    """The list of who came to an event, to print (only counts once its people are anonymised)."""
    return _attendance_page(event_id, printing=False)


@bp.get("/events/<int:event_id>/attendance.pdf")
@staff_required
def attendance_pdf(event_id):
    """The attendance list as a PDF."""
    return pdf_download(_attendance_page(event_id, printing=True), f"attendance-event-{event_id}.pdf")
