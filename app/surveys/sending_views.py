"""Sending a survey to its audience, reminding, the live counts, and the results with their CSV."""
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..affiliation import Affiliation
from ..auth.access import current_actor, staff_required
from ..forms import CheckboxesField, PodiumForm
from ..contacts.forms import KIND_CHOICES
from ..contacts.models import Contact, OrganisationKind
from ..csvexport import table_download
from ..database import parse_id, utcnow
from ..errors import DomainError
from ..extensions import db
from ..forms import ButtonForm, show_refusal
from ..network.models import WorkingGroup
from ..text import clean_line
from . import mails, sending
from .audience import make_survey_audience, resolve_survey_audience
from .building import get_survey
from .progress import counts_of
from .results import MIN_GROUP, ResultFilter, survey_results
from .results_csv import export_columns, response_rows

bp = Blueprint("survey_sending_staff", __name__, url_prefix="/staff/surveys")


class AudienceForm(PodiumForm):
    """Whom a survey asks: any mix of all contacts, tags, kinds of institution, a working group."""

    everyone = BooleanField(_l("All contacts"))
    tags = StringField(_l("Contacts with any of these tags (separated by commas)"), filters=[clean_line],
                       validators=[Optional(), Length(max=1000)])
    kinds = CheckboxesField(_l("Contacts from these kinds of institution"), choices=KIND_CHOICES,
                            validators=[Optional()])
    group_id = SelectField(_l("Members of a working group"), validators=[Optional()])


def _audience_form(survey, formdata=None) -> AudienceForm:
    audience = survey.audience or {}
    form = AudienceForm(formdata=formdata, everyone=audience.get("all", False),
                        tags=", ".join(audience.get("tags") or []), kinds=audience.get("kinds") or [],
                        group_id=str(audience.get("group_id") or ""))
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).order_by(WorkingGroup.name)).all()
    form.group_id.choices = [("", _("No working group"))] + [(str(gid), name) for gid, name in groups]
    return form


def _mail_server() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _sample(survey) -> Contact | None:
    """The first contact of the audience, to show the mail as they get it."""
    audience = resolve_survey_audience(survey.audience)
    return db.session.get(Contact, audience.contacts[0].id) if audience.contacts else None


def _send_page(survey, form=None, status=200):
    sample = _sample(survey)
    last_reminded = sending.last_reminded(survey)
    return render_template(
        "surveys/staff/send.html", survey=survey, form=form or _audience_form(survey), button=ButtonForm(),
        plan=sending.plan_sending(survey), not_sendable=sending.not_sendable_reason(survey),
        counts=counts_of([survey.id])[survey.id], preview=mails.preview(survey, sample), sample=sample,
        reminder_count=sending.reminder_count(survey), last_reminded=last_reminded,
        remind_wait=_within_a_day(last_reminded), mail_server=_mail_server(),
        kind_labels={kind.value: kind.label for kind in OrganisationKind}), status


def _within_a_day(last) -> bool:
    """Whether a reminder now would come within a day of the last one (the button then warns)."""
    return last is not None and utcnow() - last < sending.REMIND_INTERVAL


@bp.route("/<int:survey_id>/send", methods=["GET", "POST"])
@staff_required
def send(survey_id):
    """GET: whom the survey asks, how many that is, the mail's preview, the live counts.
    POST: open the survey and ask everyone of the audience not asked yet."""
    survey = get_survey(survey_id)
    if survey.is_feedback:
        return redirect(url_for("survey_sending_staff.results", survey_id=survey.id))
    if request.method == "GET":
        return _send_page(survey)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("survey_sending_staff.send", survey_id=survey.id))
    try:
        result = sending.send_survey(survey.id, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("survey_sending_staff.send", survey_id=survey.id))
    if result.queued and not _mail_server():
        flash(ngettext("%(num)s invitation is kept in the outbox: no mail server is configured, so it "
                       "is not sent.", "%(num)s invitations are kept in the outbox: no mail server is "
                       "configured, so they are not sent.", result.queued))
    elif result.queued:
        flash(ngettext("The survey is open: %(num)s invitation is on its way.",
                       "The survey is open: %(num)s invitations are on their way.", result.queued))
    else:
        flash(_("Nobody new to ask: every contact of the audience already has this survey."))
    return redirect(url_for("survey_sending_staff.send", survey_id=survey.id))


@bp.get("/<int:survey_id>/preview.html")
@staff_required
def preview_html(survey_id):
    """The invitation's HTML part, shown on the send page in a frame that may not run scripts."""
    survey = get_survey(survey_id)
    response = Response(mails.preview(survey, _sample(survey)).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = ("default-src 'none'; img-src 'self'; "
                                                   "style-src 'unsafe-inline'")
    return response


@bp.post("/<int:survey_id>/audience")
@staff_required
def audience(survey_id):
    """Change whom the survey asks; nothing is sent yet."""
    survey = get_survey(survey_id)
    if survey.is_feedback:
        return redirect(url_for("survey_sending_staff.results", survey_id=survey.id))
    form = _audience_form(survey, formdata=request.form)
    if not form.validate_on_submit():
        return _send_page(survey, form, 422)
    try:
        chosen = make_survey_audience(everyone=form.everyone.data, tags=form.tags.data or "",
                                      kinds=form.kinds.data or [], group_id=parse_id(form.group_id.data))
        sending.save_audience(survey.id, chosen, by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _send_page(get_survey(survey_id), form, exc.status_code)
    flash(_("The audience is saved. Check the count and the preview, then send."))
    return redirect(url_for("survey_sending_staff.send", survey_id=survey.id))


@bp.post("/<int:survey_id>/remind")
@staff_required
def remind(survey_id):
    """Remind everyone asked who has not completed the survey, at most once a day."""
    survey = get_survey(survey_id)
    if ButtonForm().validate_on_submit():
        try:
            count = sending.remind_survey(survey.id, by=current_actor())
        except DomainError as exc:
            flash(str(exc))
        else:
            flash(ngettext("%(num)s reminder is on its way.", "%(num)s reminders are on their way.", count)
                  if count else
                  _("Nobody to remind: everyone asked has completed the survey or unsubscribed."))
    return redirect(url_for("survey_sending_staff.send", survey_id=survey.id))


@bp.post("/<int:survey_id>/close")
@staff_required
def close(survey_id):
    """Stop taking answers now."""
    survey = get_survey(survey_id)
    if ButtonForm().validate_on_submit():
        try:
            sending.close_survey(survey.id, by=current_actor())
        except DomainError as exc:
            flash(str(exc))
        else:
            flash(_("The survey is closed: it takes no more answers."))
            if survey.anonymous:
                flash(_("The answers can no longer be linked to anyone's link."))
    return redirect(url_for("survey_sending_staff.results", survey_id=survey.id))


@bp.get("/<int:survey_id>/counts")
@staff_required
def counts(survey_id):
    """Invited, started and completed, as JSON (polled by the send and results pages)."""
    survey = get_survey(survey_id)
    found = counts_of([survey.id])[survey.id]
    return jsonify(invited=found.invited, started=found.started, completed=found.completed,
                   status=str(survey.status))


@bp.get("/<int:survey_id>/results")
@staff_required
def results(survey_id):
    """Per question a chart or the answers, for all responses or a group of them."""
    survey = get_survey(survey_id)
    chosen = ResultFilter.read(request.args)
    return render_template(
        "surveys/staff/results.html", survey=survey, results=survey_results(survey, chosen), chosen=chosen,
        counts=counts_of([survey.id])[survey.id], min_group=MIN_GROUP, kinds=list(OrganisationKind),
        affiliations=list(Affiliation))


@bp.get("/<int:survey_id>/results.csv")
@staff_required
def results_csv(survey_id):
    """Every answer, one row per response; `format=excel` for a German Excel."""
    survey = get_survey(survey_id)
    zone = survey.event.zone if survey.event else ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return table_download(export_columns(survey, zone), response_rows(survey),
                          f"survey-{survey.id}-answers.csv", excel=request.args.get("format") == "excel")
