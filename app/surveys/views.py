"""Answering a survey or a feedback form through one's personal link (/s/<token>).

One section per screen (/s/<token>/<n>, n from 1), the same on a phone and a desktop, so that
it works without JavaScript: each screen is a form that saves its section. Its buttons:
continue (required answers checked), save and finish later (kept as they are), back, and on the
last screen send. After sending, the link shows the answers with a way to change each section
until the survey closes.
"""
from flask import Blueprint, redirect, render_template, request, url_for

from ..errors import NotFound
from . import responding
from .feedback_texts import ReadForm, for_reader
from .answer_forms import REQUIRED, AnswerForm, SectionAnswers, answer_text, read_section, shown_value
from .models import InvitationStatus, SurveyInvitation
from .responding import Section, SurveyClosed

bp = Blueprint("surveys", __name__, url_prefix="/s")

ACTIONS = ("continue", "save", "back", "send")


@bp.get("/<token>")
def respond(token):
    """The start: the introduction before the first answer; later, where the person left off;
    after sending, their answers to look at and change."""
    invitation = responding.open_link(token)
    survey = invitation.survey
    reason = responding.closed_reason(survey)
    if reason:
        return _closed_page(invitation, reason, 410)
    sections = responding.sections_of(survey.id)
    response = responding.response_of(invitation, token)
    if response is not None and response.submitted_at is not None:
        return _answers_page(invitation, token, sections, response, just_sent=False)
    if response is not None:
        answers = responding.answers_of(response)
        position = responding.resume_at(sections, answers)
        return redirect(url_for("surveys.section", token=token, position=position, resumed=1))
    read = for_reader(survey, sections)
    return render_template("surveys/intro.html", survey=read.survey, token=token, sections=read.sections)


@bp.get("/<token>/<int:position>")
def section(token, position):
    """One section's questions, with what was answered before; `?check=1` marks the required
    questions still unanswered (after a "send" that found them), `?resumed=1` welcomes back a
    person who returns to answers they saved."""
    invitation = responding.open_link(token)
    reason = responding.closed_reason(invitation.survey)
    if reason:
        return _closed_page(invitation, reason, 410)
    sections = responding.sections_of(invitation.survey_id)
    current = _section_at(sections, position)
    response = responding.response_of(invitation, token)
    kept = responding.answers_of(response)
    read = SectionAnswers(
        typed={q.id: shown_value(q, kept[q.id].value) for q in current.questions if q.id in kept},
        others={q.id: kept[q.id].other_text for q in current.questions if q.id in kept})
    if request.args.get("check"):
        read.errors = {question_id: str(REQUIRED) for question_id in responding.missing_in(current, kept)}
    welcome_back = bool(request.args.get("resumed")) and response is not None and response.submitted_at is None
    return _section_page(invitation, token, sections, current, AnswerForm(formdata=None), read, response,
                         welcome_back=welcome_back)


@bp.post("/<token>/<int:position>")
def save(token, position):
    """Save the section's answers and go on (continue, back), stop (save), or send the survey."""
    invitation = responding.open_link(token)
    sections = responding.sections_of(invitation.survey_id)
    current = _section_at(sections, position)
    response = responding.response_of(invitation, token)
    submitted = response is not None and response.submitted_at is not None
    form = AnswerForm()
    action = form.action.data if form.action.data in ACTIONS else "continue"
    if action == "continue" and position == len(sections):
        action = "send"
    # Once sent, the survey stays complete: every save checks the required answers.
    read = read_section(current.questions, request.form, require=submitted or action in ("continue", "send"))
    reason = responding.closed_reason(invitation.survey)
    if reason:
        form.form_errors.append(reason)
        return _section_page(invitation, token, sections, current, form, read, response, 409, closed=True)
    if not form.validate_on_submit() or read.errors:
        return _section_page(invitation, token, sections, current, form, read, response, 422)
    try:
        saved = responding.save_section(token, current.section.id, read.values, read.others,
                                        send=action == "send")
    except SurveyClosed as exc:
        form.form_errors.append(str(exc))
        return _section_page(invitation, token, sections, current, form, read, response, 409, closed=True)
    if action == "back":
        return redirect(url_for("surveys.section", token=token, position=max(position - 1, 1)))
    if action == "continue":
        return redirect(url_for("surveys.section", token=token, position=position + 1))
    if action == "save":
        return redirect(url_for("surveys.respond" if submitted else "surveys.saved", token=token))
    if not saved.completed:
        return redirect(url_for("surveys.section", token=token, position=saved.incomplete_at, check=1))
    return redirect(url_for("surveys.sent", token=token))


@bp.get("/<token>/saved")
def saved(token):
    """After "save and finish later": the answers are kept, and how to come back."""
    invitation = responding.open_link(token)
    reason = responding.closed_reason(invitation.survey)
    if reason:
        return _closed_page(invitation, reason, 410)
    return render_template("surveys/saved.html", survey=_read(invitation).survey, token=token)


@bp.get("/<token>/sent")
def sent(token):
    """After sending: thanks, and the answers as they were sent, each section to change."""
    invitation = responding.open_link(token)
    reason = responding.closed_reason(invitation.survey)
    if reason:
        return _closed_page(invitation, reason, 410)
    response = responding.response_of(invitation, token)
    if response is None or response.submitted_at is None:
        return redirect(url_for("surveys.respond", token=token))
    sections = responding.sections_of(invitation.survey_id)
    return _answers_page(invitation, token, sections, response, just_sent=True)


def _section_at(sections: list[Section], position: int) -> Section:
    if not 1 <= position <= len(sections):
        raise NotFound(SurveyInvitation.not_found)
    return sections[position - 1]


def _read(invitation: SurveyInvitation, sections: list[Section] | None = None) -> ReadForm:
    """The link's form in its reader's words (feedback_texts)."""
    if sections is None:
        sections = responding.sections_of(invitation.survey_id)
    return for_reader(invitation.survey, sections)


def _section_page(invitation, token, sections, current: Section, form, read: SectionAnswers, response,
                  status=200, *, closed=False, welcome_back=False):
    shown = _read(invitation, sections)
    questions = shown.sections[current.position - 1].questions
    return render_template(
        "surveys/respond.html", survey=shown.survey, token=token, form=form, position=current.position,
        count=len(sections), section=current.section, questions=questions, answers=read.typed,
        others=read.others, errors=read.errors, disabled=False, closed=closed, welcome_back=welcome_back,
        submitted=response is not None and response.submitted_at is not None), status


def _answers_page(invitation, token, sections, response, *, just_sent: bool):
    kept = responding.answers_of(response)
    read = _read(invitation, sections)
    shown = {q.id: answer_text(q, kept[q.id].value, kept[q.id].other_text)
             for part in read.sections for q in part.questions if q.id in kept}
    return render_template("surveys/thanks.html", survey=read.survey, token=token, sections=read.sections,
                           shown=shown, just_sent=just_sent)


def _closed_page(invitation, reason: str, status: int):
    answered = invitation.status == InvitationStatus.completed
    return render_template("surveys/closed.html", survey=_read(invitation).survey, reason=reason,
                           answered=answered), status
