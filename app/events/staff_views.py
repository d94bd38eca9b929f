"""Staff pages for events: the dashboard, and creating, editing, duplicating, publishing and
cancelling an event (changes that guests must hear of go through registrations.event_changes)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit import entries_for_event
from ..auth.access import current_actor, staff_required
from ..errors import DomainError
from ..forms import field_labels, show_refusal
from ..i18n import EVENT_LANGUAGES, language_name
from ..links import absolute_url
from ..registrations import event_changes
from ..registrations.calendar_links import calendar_links
from ..registrations.forms import RegistrationForm
from ..registrations.models import RegistrationStatus
from ..registrations.services import names_by_id
from . import services
from .forms import CancelEventForm, EventForm, visibility_hint
from .models import TEXT_LOCALES, EventKind, EventStatus, EventVisibility
from .services import signup_over, signup_refusal
from .views import calendar_description

bp = Blueprint("events_staff", __name__, url_prefix="/staff")

# How the history names stored values of the event and of its registrations.
VALUE_LABELS = {"kind": {kind: kind.label for kind in EventKind},
                "visibility": {visibility: visibility.label for visibility in EventVisibility},
                "status": {status: status.label for status in (*EventStatus, *RegistrationStatus)}}


@bp.get("/")
@staff_required
def dashboard():
    """The events that are coming, soonest first, and apart from them the past ones, newest first."""
    return render_template("events/staff/dashboard.html", upcoming=services.staff_upcoming(),
                           past=services.staff_past(page=request.args.get("page", type=int)))


# The form's buttons that show something instead of saving, and the answer to "tell the guests?".
PREVIEW, BACK, TELL_GUESTS = "preview", "back", "tell_guests"


def _form_page(form: EventForm, *, event=None, source=None, problem: str | None = None, status: int = 200,
               description_preview: bool = False):
    """The event form: new (no event), a duplicate of `source`, or editing `event` with its history;
    with `description_preview`, the description as guests will read it, below its field."""
    history = entries_for_event(event.id) if event is not None else []
    return render_template("events/staff/form.html", form=form, event=event, source=source, problem=problem,
                           history=history, field_labels=field_labels(form),
                           value_labels=VALUE_LABELS | _language_labels(history),
                           guest_names=names_by_id(entry.registration_id for entry in history),
                           description_preview=description_preview, visibility_hint=visibility_hint,
                           invitation_link=invitation_link(event), text_locales=TEXT_LOCALES), status


def _language_labels(history) -> dict:
    """How the history names the language of an event, and the languages it was interpreted into."""
    names = {code: language_name(code) for code in EVENT_LANGUAGES}
    interpreted = {codes: ", ".join(names.get(code, code) for code in codes.split())
                   for entry in history for codes in entry.changes.get("interpreting") or [] if codes}
    return {"language": names, "interpreting": interpreted}


def invitation_link(event) -> str | None:
    """The secret sign-up link of an invitation-only event (absolute, to copy into a mail), else None."""
    if event is None or not event.is_invitation_only:
        return None
    return absolute_url("registrations.event_page", slug=event.slug, key=event.invite_key)


def _saved_new(event) -> str:
    """What staff read once a new event (or a copy) is saved."""
    if event.is_record_only:
        return _("The event is recorded. It has no public page and takes no sign-ups.")
    return _("The event has been saved as a draft. Publish it when it is ready.")


def _shows_instead_of_saving(form: EventForm, **context):
    """The form again, as typed, when a button asked for a preview or to go back; else None."""
    if PREVIEW in request.form or BACK in request.form:
        return _form_page(form, description_preview=PREVIEW in request.form, **context)
    return None


@bp.get("/events/new")
@staff_required
def new():
    """An empty form for a new event."""
    return _form_page(EventForm())


@bp.post("/events/new")
@staff_required
def create():
    """Save a new event as a draft."""
    form = EventForm()
    if (shown := _shows_instead_of_saving(form)) is not None:
        return shown
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        event = services.create_draft(by=current_actor(), **form.event_fields())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, status=exc.status_code)
    flash(_saved_new(event))
    return redirect(url_for("events_staff.edit", event_id=event.id))


@bp.get("/events/<int:event_id>/edit")
@staff_required
def edit(event_id):
    """The event's form, its state, what can be done with it, and what was done."""
    event = services.get_event(event_id)
    return _form_page(EventForm.for_event(event), event=event)


@bp.get("/events/<int:event_id>/preview")
@staff_required
def preview(event_id):
    """The public page of an event as guests will see it, for staff only: a draft's too."""
    event = services.get_event(event_id)
    return render_template("events/staff/preview.html", event=event, form=RegistrationForm(formdata=None),
                           refusal=_("This is a preview: guests can sign up here once the event is published.")
                           if event.is_draft else signup_refusal(event),
                           over=signup_over(event),
                           invite_key=event.invite_key if event.is_invitation_only else None,
                           calendar_links=calendar_links(event, calendar_description(event)))


@bp.post("/events/<int:event_id>/edit")
@staff_required
def update(event_id):
    """Save changes; before a new time or place is saved, ask whether to mail the guests about it."""
    event = services.get_event(event_id)
    form = EventForm()
    if (shown := _shows_instead_of_saving(form, event=event)) is not None:
        return shown
    if not form.validate_on_submit():
        return _form_page(form, event=event, status=422)
    choice = request.form.get(TELL_GUESTS)
    try:
        if choice is None:
            plan = event_changes.plan_update(event.id, form.event_fields())
            if plan.guests_to_tell:
                return _ask_about_mail(event, plan)
        result = event_changes.update_event(event.id, form.event_fields(), by=current_actor(),
                                            tell_guests=choice != "no")
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, event=services.get_event(event_id), status=exc.status_code)
    flash(_saved_message(result, mailed=choice != "no"))
    return redirect(url_for("events_staff.edit", event_id=event_id))


def _ask_about_mail(event, plan: event_changes.PlannedUpdate):
    """Nothing is saved yet: the page carries what was typed, and asks whether to tell the guests."""
    typed = [(name, value) for name, value in request.form.items(multi=True)
             if name not in ("csrf_token", PREVIEW, BACK, TELL_GUESTS)]
    return render_template("events/staff/confirm_change.html", event=services.get_event(event.id), plan=plan,
                           typed=typed)


def _saved_message(result: event_changes.EventUpdate, *, mailed: bool) -> str:
    parts = [_("Saved.") if result.changed else _("Nothing was changed.")]
    if not mailed and result.changed:
        parts.append(_("The guests were not mailed about it."))
    if result.told:
        parts.append(ngettext("%(num)s guest is being told about the change by mail.",
                              "%(num)s guests are being told about the change by mail.", result.told))
    if result.promoted:
        parts.append(ngettext("%(num)s guest from the waitlist got a place and is being mailed a ticket.",
                              "%(num)s guests from the waitlist got a place and are being mailed a ticket.",
                              len(result.promoted)))
    return " ".join(parts)


@bp.get("/events/<int:event_id>/duplicate")
@staff_required
def duplicate_form(event_id):
    """The form filled with a copy of an event, to adjust (usually the date) before saving."""
    source = services.get_event(event_id)
    return _form_page(EventForm.for_event(source), source=source)


@bp.post("/events/<int:event_id>/duplicate")
@staff_required
def duplicate(event_id):
    """Save the copy as a new draft: its own address and calendar entry, no registrations."""
    source = services.get_event(event_id)
    form = EventForm()
    if (shown := _shows_instead_of_saving(form, source=source)) is not None:
        return shown
    if not form.validate_on_submit():
        return _form_page(form, source=source, status=422)
    try:
        copy = services.duplicate_event(source.id, by=current_actor(), **form.event_fields())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, source=services.get_event(event_id), status=exc.status_code)
    flash(_("The copy is recorded. It has no public page and takes no sign-ups.") if copy.is_record_only
          else _("The copy has been saved as a draft. Publish it when it is ready."))
    return redirect(url_for("events_staff.edit", event_id=copy.id))


@bp.post("/events/<int:event_id>/publish")
@staff_required
def publish(event_id):
    """Make a draft public."""
    return _change_state(event_id, services.publish_event, _("The event is published."))


@bp.post("/events/<int:event_id>/unpublish")
@staff_required
def unpublish(event_id):
    """Take an event nobody has signed up for back to draft."""
    return _change_state(event_id, services.unpublish_event,
                         _("The event is a draft again; the public no longer sees it."))


def _change_state(event_id: int, change, done: str):
    event = services.get_event(event_id)
    try:
        change(event.id, by=current_actor())
    except DomainError as exc:
        event = services.get_event(event_id)
        return _form_page(EventForm.for_event(event), event=event, problem=str(exc), status=exc.status_code)
    flash(done)
    return redirect(url_for("events_staff.edit", event_id=event_id))


@bp.post("/events/<int:event_id>/invite-link")
@staff_required
def new_invite_link(event_id):
    """Give an invitation-only event a new secret sign-up link; the old one stops working."""
    return _change_state(event_id, services.renew_invite_key,
                         _("The event has a new secret sign-up link. The old link no longer works."))


@bp.get("/events/<int:event_id>/cancel")
@staff_required
def cancel_form(event_id):
    """Ask before cancelling: who will be told, and an optional word to them."""
    return _cancel_page(services.get_event(event_id), CancelEventForm())


@bp.post("/events/<int:event_id>/cancel")
@staff_required
def cancel(event_id):
    """Cancel the event and tell everyone registered."""
    event = services.get_event(event_id)
    form = CancelEventForm()
    if not form.validate_on_submit():
        return _cancel_page(event, form, 422)
    try:
        result = event_changes.cancel_event(event.id, message=form.message.data or "", by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _cancel_page(services.get_event(event_id), form, exc.status_code)
    if result.event.is_record_only:
        flash(_("The event is cancelled. It is a record only: nobody is mailed."))
    else:
        flash(ngettext("The event is cancelled. %(num)s guest is being told by mail.",
                       "The event is cancelled. %(num)s guests are being told by mail.", result.told))
    return redirect(url_for("events_staff.edit", event_id=event_id))


def _cancel_page(event, form: CancelEventForm, status: int = 200):
    return render_template("events/staff/cancel.html", event=event, form=form), status
