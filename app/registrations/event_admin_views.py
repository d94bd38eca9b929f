"""Staff pages to create, edit, duplicate, publish and cancel events."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import staff_required
from ..errors import DomainError
from ..events import services as events
from ..events.forms import CancelEventForm, EventForm
from . import event_changes

bp = Blueprint("event_admin", __name__, url_prefix="/staff/events")


def _form_page(form: EventForm, *, event=None, source=None, problem: str | None = None, status: int = 200):
    """The event form: new (no event), a duplicate of `source`, or editing `event`."""
    return render_template("staff/events/form.html", form=form, event=event, source=source,
                           problem=problem), status


def _show_refusal(form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, else above the form."""
    field = getattr(form, getattr(exc, "field", None) or "", None)
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.get("/new")
@staff_required
def new():
    """An empty form for a new event."""
    return _form_page(EventForm())


@bp.post("/new")
@staff_required
def create():
    """Save a new event as a draft."""
    form = EventForm()
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        event = events.create_draft(**form.event_fields())
    except DomainError as exc:
        _show_refusal(form, exc)
        return _form_page(form, status=exc.status_code)
    flash(_("The event has been saved as a draft. Publish it when it is ready."))
    return redirect(url_for("event_admin.edit", event_id=event.id))


@bp.get("/<int:event_id>/edit")
@staff_required
def edit(event_id):
    """The event's form, its state, and what can be done with it."""
    event = events.get_event(event_id)
    return _form_page(EventForm.for_event(event), event=event)


@bp.post("/<int:event_id>/edit")
@staff_required
def update(event_id):
    """Save changes; guests are mailed about a new time or place."""
    event = events.get_event(event_id)
    form = EventForm()
    if not form.validate_on_submit():
        return _form_page(form, event=event, status=422)
    try:
        result = event_changes.update_event(event.id, form.event_fields())
    except DomainError as exc:
        _show_refusal(form, exc)
        return _form_page(form, event=events.get_event(event_id), status=exc.status_code)
    flash(_saved_message(result))
    return redirect(url_for("event_admin.edit", event_id=event_id))


def _saved_message(result: event_changes.EventUpdate) -> str:
    parts = [_("Saved.") if result.changed else _("Nothing was changed.")]
    if result.told:
        parts.append(ngettext("%(num)s guest is being told about the change by mail.",
                              "%(num)s guests are being told about the change by mail.", result.told))
    if result.promoted:
        parts.append(ngettext("%(num)s guest from the waitlist got a place and is being mailed a ticket.",
                              "%(num)s guests from the waitlist got a place and are being mailed a ticket.",
                              len(result.promoted)))
    return " ".join(parts)


@bp.get("/<int:event_id>/duplicate")
@staff_required
def duplicate_form(event_id):
    """The form filled with a copy of an event, to adjust (usually the date) before saving."""
    source = events.get_event(event_id)
    return _form_page(EventForm.for_event(source), source=source)


@bp.post("/<int:event_id>/duplicate")
@staff_required
def duplicate(event_id):
    """Save the copy as a new draft: its own address and calendar entry, no registrations."""
    source = events.get_event(event_id)
    form = EventForm()
    if not form.validate_on_submit():
        return _form_page(form, source=source, status=422)
    try:
        copy = events.duplicate_event(source.id, **form.event_fields())
    except DomainError as exc:
        _show_refusal(form, exc)
        return _form_page(form, source=events.get_event(event_id), status=exc.status_code)
    flash(_("The copy has been saved as a draft. Publish it when it is ready."))
    return redirect(url_for("event_admin.edit", event_id=copy.id))


@bp.post("/<int:event_id>/publish")
@staff_required
def publish(event_id):
    """Make a draft public."""
    return _change_state(event_id, events.publish_event, _("The event is published."))


@bp.post("/<int:event_id>/unpublish")
@staff_required
def unpublish(event_id):
    """Take an event nobody has signed up for back to draft."""
    return _change_state(event_id, events.unpublish_event, _("The event is a draft again; the public no "
                                                             "longer sees it."))


def _change_state(event_id: int, change, done: str):
    event = events.get_event(event_id)
    try:
        change(event.id)
    except DomainError as exc:
        event = events.get_event(event_id)
        return _form_page(EventForm.for_event(event), event=event, problem=str(exc), status=exc.status_code)
    flash(done)
    return redirect(url_for("event_admin.edit", event_id=event_id))


@bp.get("/<int:event_id>/cancel")
@staff_required
def cancel_form(event_id):
    """Ask before cancelling: who will be told, and an optional word to them."""
    return _cancel_page(events.get_event(event_id), CancelEventForm())


@bp.post("/<int:event_id>/cancel")
@staff_required
def cancel(event_id):
    """Cancel the event and tell everyone registered."""
    event = events.get_event(event_id)
    form = CancelEventForm()
    if not form.validate_on_submit():
        return _cancel_page(event, form, 422)
    try:
        result = event_changes.cancel_event(event.id, message=form.message.data or "")
    except DomainError as exc:
        form.form_errors.append(str(exc))
        return _cancel_page(events.get_event(event_id), form, exc.status_code)
    flash(ngettext("The event is cancelled. %(num)s guest is being told by mail.",
                   "The event is cancelled. %(num)s guests are being told by mail.", result.told))
    return redirect(url_for("event_admin.edit", event_id=event_id))


def _cancel_page(event, form: CancelEventForm, status: int = 200):
    return render_template("staff/events/cancel.html", event=event, form=form), status
