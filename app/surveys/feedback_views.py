"""An event's feedback form for staff: switching it on, its questions and timing."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..audit import entries_for_event
from ..auth.access import current_actor, staff_required
from ..database import utcnow
from ..errors import DomainError
from ..events.services import get_event
from ..forms import ButtonForm, field_labels, show_refusal
from . import feedback
from .feedback_forms import FeedbackSettingsForm

bp = Blueprint("feedback_staff", __name__, url_prefix="/staff/events")



def _page(event, form: FeedbackSettingsForm | None = None, *, problem: str | None = None, status: int = 200):
    """The event's feedback: its state, its settings, and what staff changed."""
    now = utcnow()
    state = feedback.state_of(event, now)
    form = form or FeedbackSettingsForm.for_survey(state.survey)
    # What staff did to the form: switching, settings, closing, and its questions in the builder.
    history = [entry for entry in entries_for_event(event.id) if entry.survey_id is not None]
    return render_template("surveys/feedback/edit.html", event=event, state=state, form=form,
                           button=ButtonForm(formdata=None), refusal=feedback.refusal_for(event, now),
                           problem=problem, history=history, labels=_history_labels(form),
                           latest_days=feedback.LATEST.days, open_days=feedback.OPEN_AFTER_EVENT.days,
                           now=now), status


def _history_labels(form: FeedbackSettingsForm) -> dict:
    return field_labels(form) | {"anonymous": _("Anonymous"), "feedback": _("Feedback form")}


@bp.route("/<int:event_id>/feedback", methods=["GET", "POST"])
@staff_required
def edit(event_id):
    """The event's feedback form: off or on, when it goes out, how many answered; a POST switches it
    on with its settings, or changes them before it goes out."""
    event = get_event(event_id)
    if request.method == "GET":
        return _page(event)
    form = FeedbackSettingsForm()
    if not form.validate_on_submit():
        return _page(event, form, status=422)
    switching_on = feedback.form_of(event.id) is None
    try:
        if switching_on:
            feedback.switch_on(event.id, form.settings(), by=current_actor())
        else:
            feedback.change_settings(event.id, form.settings(), by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _page(get_event(event_id), form, status=exc.status_code)
    flash(_("Feedback is switched on.") if switching_on else _("The feedback settings are saved."))
    return _back(event.id)


@bp.post("/<int:event_id>/feedback/off")
@staff_required
def switch_off(event_id):
    """Switch the form off (and delete it) while nobody has been asked."""
    return _button(event_id, lambda: feedback.switch_off(event_id, by=current_actor()),
                   _("Feedback is switched off; the form and its questions are deleted."))


@bp.post("/<int:event_id>/feedback/close")
@staff_required
def close(event_id):
    """Close a sent form now: no more answers, no more reminders."""
    return _button(event_id, lambda: feedback.close(event_id, by=current_actor()),
                   _("The feedback form is closed: it takes no more answers."))


def _button(event_id: int, step, done: str):
    event = get_event(event_id)
    if not ButtonForm().validate_on_submit():
        return _page(event, problem=_("The form had expired. Please try again."), status=400)
    try:
        step()
    except DomainError as exc:
        return _page(get_event(event_id), problem=str(exc), status=exc.status_code)
    flash(done)
    return _back(event.id)


def _back(event_id: int):
    return redirect(url_for("feedback_staff.edit", event_id=event_id))
