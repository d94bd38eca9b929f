"""Staff pages of an event's place in the network: its hosts and partners, and who was present
at a recorded meeting. The public partial (network/_event_institutions.html) reads the same list
through the template global `event_institutions`."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..audit import AuditAction, entries_for_event
from ..auth.access import current_actor, staff_required
from ..contacts.institutions import institution_choices
from ..errors import DomainError
from ..events.services import get_event
from ..forms import show_refusal
from . import hosts
from .host_forms import EventInstitutionForm, RoleForm, role_choices

bp = Blueprint("event_network_staff", __name__, url_prefix="/staff/events")

INSTITUTION_ACTIONS = (AuditAction.event_institution_added, AuditAction.event_institution_changed,
                       AuditAction.event_institution_removed)
MOVES = {"up": -1, "down": 1}


@bp.app_template_global()
def event_institutions(event) -> hosts.PublicInstitutions:
    """The institutions an event's public page names, grouped by role (one query)."""
    return hosts.public_institutions(event.id)


def _page(event, form: EventInstitutionForm | None = None, status: int = 200):
    """The event's institutions, the form to name one more, and the history of the list."""
    if form is None:
        form = EventInstitutionForm(formdata=None)
    roles = hosts.roles_for(event)
    form.set_choices(institution_choices(), roles)
    history = [entry for entry in entries_for_event(event.id) if entry.action in INSTITUTION_ACTIONS]
    return render_template("network/staff/event_institutions.html", event=event, form=form,
                           links=hosts.event_institutions(event.id), roles=roles,
                           history=history), status


@bp.get("/<int:event_id>/institutions")
@staff_required
def institutions(event_id):
    """The institutions behind an event, in the order its page names them."""
    return _page(get_event(event_id))


@bp.post("/<int:event_id>/institutions")
@staff_required
def add(event_id):
    """Name one more institution on the event, in a role."""
    event = get_event(event_id)
    form = EventInstitutionForm()
    form.set_choices(institution_choices(), hosts.roles_for(event))
    if not form.validate_on_submit():
        return _page(event, form, 422)
    try:
        link = hosts.add_institution(event.id, int(form.institution_id.data), form.role.data, by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _page(get_event(event_id), form, exc.status_code)
    flash(_("%(name)s is named on the event (%(role)s).", name=link.institution.name, role=link.role.label))
    return _back(event.id)


@bp.post("/<int:event_id>/institutions/<int:institution_id>/role")
@staff_required
def change_role(event_id, institution_id):
    """Give a named institution another role."""
    event = get_event(event_id)
    form = RoleForm()
    form.role.choices = role_choices(hosts.roles_for(event))
    if not form.validate_on_submit():
        flash(_("Please choose one of the roles offered."))
        return _back(event.id)
    try:
        link = hosts.change_role(event.id, institution_id, form.role.data, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return _back(event.id)
    flash(_("%(name)s is now named as: %(role)s.", name=link.institution.name, role=link.role.label))
    return _back(event.id)


@bp.post("/<int:event_id>/institutions/<int:institution_id>/move")
@staff_required
def move(event_id, institution_id):
    """Move a named institution one place up or down the list."""
    event = get_event(event_id)
    step = MOVES.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    try:
        hosts.move_institution(event.id, institution_id, step, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
    return _back(event.id, anchor=f"institution-{institution_id}")


@bp.post("/<int:event_id>/institutions/<int:institution_id>/remove")
@staff_required
def remove(event_id, institution_id):
    """Take an institution off the event's list."""
    event = get_event(event_id)
    try:
        name = hosts.remove_institution(event.id, institution_id, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return _back(event.id)
    flash(_("%(name)s is no longer named on the event.", name=name))
    return _back(event.id)


def _back(event_id: int, anchor: str | None = None):
    return redirect(url_for("event_network_staff.institutions", event_id=event_id, _anchor=anchor))
