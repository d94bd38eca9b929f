"""Meetings staff record afterwards (record-only events): the list, and recording one with its date,
place, kind, the institutions and people present, and notes."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..audit import entries_for_event
from ..auth.access import current_actor, staff_required
from ..contacts.institutions import institution_choices
from ..errors import DomainError, NotFound
from ..events.models import EventKind
from ..forms import field_labels
from . import groups, meetings, planning
from .meeting_forms import MeetingForm

bp = Blueprint("meetings_staff", __name__, url_prefix="/staff/meetings")


def _with_choices(form: MeetingForm) -> MeetingForm:
    form.working_group_id.choices = [(0, _("None"))] + meetings.group_choices()
    form.institution_ids.choices = institution_choices()
    form.contact_ids.choices = groups.contact_choices()
    return form


def _form_page(form: MeetingForm, event=None, status: int = 200):
    """The meeting's form; for a recorded one also what was changed, by whom."""
    labels = field_labels(form) | {"starts_at": _("Starts"), "ends_at": _("Ends")}
    value_labels = {"kind": {kind: kind.label for kind in EventKind},
                    "working_group_id": dict(meetings.group_choices())}
    return render_template("network/meetings/form.html", form=form, event=event,
                           history=entries_for_event(event.id) if event else [], field_labels=labels,
                           value_labels=value_labels), status


@bp.get("/")
@staff_required
def index():
    """The recorded meetings, newest first, with the institutions and people present."""
    page, rows = meetings.list_meetings(page=request.args.get("page", type=int))
    return render_template("network/meetings/index.html", page=page, rows=rows)


@bp.get("/new")
@staff_required
def new():
    """An empty form to record a meeting; from a working group's page, its members are ticked."""
    form = MeetingForm()
    group_id = request.args.get("group_id", type=int)
    if group_id:
        try:
            group = groups.get_group(group_id)
        except NotFound:
            group = None
        if group is not None:
            form = MeetingForm(data={"kind": EventKind.working_group, "working_group_id": group.id,
                                     "title": planning.default_title(group), "timezone": "Europe/Berlin",
                                     "contact_ids": [c.id for c in groups.members_of(group.id)]})
    return _form_page(_with_choices(form))


@bp.post("/new")
@staff_required
def create():
    """Record the meeting; nobody is mailed."""
    form = _with_choices(MeetingForm())
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        meetings.record_meeting(fields=form.meeting_fields(), institution_ids=form.institution_ids.data,
                                contact_ids=form.contact_ids.data, by=current_actor())
    except DomainError as exc:
        form.place_refusal(exc)
        return _form_page(form, status=exc.status_code)
    flash(_("The meeting is recorded."))
    return redirect(url_for("meetings_staff.index"))


@bp.get("/<int:event_id>/edit")
@staff_required
def edit(event_id):
    """A recorded meeting's form, filled in, and its history."""
    event = meetings.get_meeting(event_id)
    form = MeetingForm.for_meeting(
        event, institution_ids=[institution.id for institution in meetings.institutions_present(event.id)],
        contact_ids=[contact.id for contact in meetings.people_present(event.id)])
    return _form_page(_with_choices(form), event)


@bp.post("/<int:event_id>/edit")
@staff_required
def update(event_id):
    """Save changes to a recorded meeting."""
    event = meetings.get_meeting(event_id)
    form = _with_choices(MeetingForm())
    if not form.validate_on_submit():
        return _form_page(form, event, status=422)
    try:
        meetings.update_meeting(event.id, fields=form.meeting_fields(), by=current_actor(),
                                institution_ids=form.institution_ids.data, contact_ids=form.contact_ids.data)
    except DomainError as exc:
        form.place_refusal(exc)
        return _form_page(form, meetings.get_meeting(event_id), status=exc.status_code)
    flash(_("Saved."))
    return redirect(url_for("meetings_staff.edit", event_id=event_id))
