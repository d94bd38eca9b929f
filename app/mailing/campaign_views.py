"""Invitation campaigns (staff), the personal invitation link and unsubscribing (guests)."""
from collections import Counter

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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import staff_required
from ..errors import DomainError, NotFound
from ..events import services as events
from ..extensions import csrf, db, limiter
from ..formatting import event_short_date
from ..registrations.forms import RegistrationForm
from ..registrations.models import Affiliation
from ..registrations.views import landing_after_signup
from . import campaign_mails, campaigns
from .campaign_forms import ButtonForm, CampaignForm, TestMailForm
from .campaigns import RECIPIENT_STATE_LABELS, CampaignInvalid
from .models import ORGANISATION_KIND_LABELS, CampaignStatus, Contact, OrganisationKind

bp = Blueprint("campaigns", __name__)


# --- staff: writing a campaign ---------------------------------------------------------------

def _with_events(form: CampaignForm, campaign=None) -> CampaignForm:
    """Offer the events one may invite to (and the campaign's own, whatever its state)."""
    form.event_id.choices = [(e.id, f"{e.title} ({event_short_date(e)})")
                             for e in campaigns.events_to_invite_to(also=campaign.event_id if campaign else None)]
    return form


def _form_page(form, campaign=None, status=200):
    placeholders = ", ".join("{" + name + "}" for name in campaigns.PLACEHOLDERS)
    return render_template("staff/campaigns/form.html", form=form, campaign=campaign,
                           placeholders=placeholders), status


def _audience(form: CampaignForm) -> dict:
    return campaigns.make_audience(form.audience.data, tags=form.tags.data or "",
                                   kinds=form.kinds.data or [], emails=form.emails.data or "")


def _show_error(form: CampaignForm, exc: CampaignInvalid) -> None:
    """Put the error next to the field it is about."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.get("/staff/campaigns/")
@staff_required
def index():
    """All campaigns, newest first, with how far each has gone out."""
    found = campaigns.list_campaigns()
    return render_template("staff/campaigns/index.html", campaigns=found,
                           progress={c.id: campaigns.campaign_progress(c.id) for c in found})


@bp.get("/staff/campaigns/new")
@staff_required
def new():
    """An empty campaign form (for the event given as ?event_id=)."""
    form = _with_events(CampaignForm(event_id=request.args.get("event_id", type=int)))
    return _form_page(form)


@bp.post("/staff/campaigns/new")
@staff_required
def create():
    """Save a new campaign as a draft."""
    form = _with_events(CampaignForm())
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        campaign = campaigns.create_campaign(event_id=form.event_id.data, subject=form.subject.data,
                                             body=form.body.data, audience=_audience(form),
                                             created_by=current_user.display_name)
    except CampaignInvalid as exc:
        _show_error(form, exc)
        return _form_page(form, status=exc.status_code)
    flash(_("The campaign is saved. Look at the preview, send yourself a test mail, then send it."))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.get("/staff/campaigns/<int:campaign_id>/edit")
@staff_required
def edit(campaign_id):
    """The campaign form, filled in (drafts only)."""
    campaign = campaigns.get_campaign(campaign_id)
    if campaign.status != CampaignStatus.draft.value:
        flash(str(campaigns.CampaignAlreadySent()))
        return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    audience = campaign.audience
    form = CampaignForm(event_id=campaign.event_id, subject=campaign.subject, body=campaign.body,
                        audience=campaigns.audience_kind(audience), tags=", ".join(audience.get("tags") or []),
                        kinds=audience.get("kinds") or [], emails="\n".join(audience.get("emails") or []))
    return _form_page(_with_events(form, campaign), campaign)


@bp.post("/staff/campaigns/<int:campaign_id>/edit")
@staff_required
def update(campaign_id):
    """Change a draft campaign."""
    campaign = campaigns.get_campaign(campaign_id)
    form = _with_events(CampaignForm(), campaign)
    if not form.validate_on_submit():
        return _form_page(form, campaign, status=422)
    try:
        campaigns.update_campaign(campaign.id, event_id=form.event_id.data, subject=form.subject.data,
                                  body=form.body.data, audience=_audience(form))
    except CampaignInvalid as exc:
        _show_error(form, exc)
        return _form_page(form, campaigns.get_campaign(campaign_id), status=exc.status_code)
    except campaigns.CampaignAlreadySent as exc:
        flash(str(exc))
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    flash(_("The campaign is saved."))
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


# --- staff: one campaign, its preview, test mail, sending and reminders ----------------------

@bp.get("/staff/campaigns/<int:campaign_id>")
@staff_required
def show(campaign_id):
    """A campaign: its text, audience, progress and every recipient's state."""
    campaign = campaigns.get_campaign(campaign_id)
    rows = campaigns.recipient_rows(campaign)
    state = request.args.get("state") if request.args.get("state") in RECIPIENT_STATE_LABELS else None
    return render_template(
        "staff/campaigns/show.html", campaign=campaign, event=campaign.event,
        plan=campaigns.plan_sending(campaign), progress=campaigns.campaign_progress(campaign.id),
        rows=[r for r in rows if r.state == state] if state else rows, state=state,
        state_counts=Counter(r.state for r in rows), state_labels=RECIPIENT_STATE_LABELS,
        reminder_count=campaigns.reminder_count(campaign) if rows else 0,
        not_sendable=campaigns.not_sendable_reason(campaign.event),
        kind_labels=ORGANISATION_KIND_LABELS, form=TestMailForm(),
    )


@bp.get("/staff/campaigns/<int:campaign_id>/progress")
@staff_required
def progress(campaign_id):
    """How far the invitations have gone out, as JSON (polled by the campaign page)."""
    campaign = campaigns.get_campaign(campaign_id)
    return jsonify(campaigns.campaign_progress(campaign.id).as_dict())


def _preview_contact(campaign) -> tuple[Contact | None, list[Contact]]:
    sample = campaigns.audience_sample(campaign)
    contact_id = request.args.get("contact", type=int)
    contact = db.session.get(Contact, contact_id) if contact_id else None
    return contact or (sample[0] if sample else None), sample


@bp.get("/staff/campaigns/<int:campaign_id>/preview")
@staff_required
def preview(campaign_id):
    """The mail as one chosen recipient will get it."""
    campaign = campaigns.get_campaign(campaign_id)
    contact, sample = _preview_contact(campaign)
    content = campaign_mails.preview(campaign, contact) if contact else None
    return render_template("staff/campaigns/preview.html", campaign=campaign, contact=contact, sample=sample,
                           content=content, form=TestMailForm(contact_id=contact.id if contact else ""))


@bp.get("/staff/campaigns/<int:campaign_id>/preview.html")
@staff_required
def preview_html(campaign_id):
    """The HTML part of the preview, shown in a frame that may not run scripts."""
    campaign = campaigns.get_campaign(campaign_id)
    contact, _sample = _preview_contact(campaign)
    if contact is None:
        raise NotFound()
    response = Response(campaign_mails.preview(campaign, contact).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@bp.post("/staff/campaigns/<int:campaign_id>/test")
@staff_required
def test_mail(campaign_id):
    """Mail the invitation to oneself, through the outbox; not counted as a recipient."""
    campaign = campaigns.get_campaign(campaign_id)
    form = TestMailForm()
    if not form.validate_on_submit():
        return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    contact = db.session.get(Contact, int(form.contact_id.data)) if (form.contact_id.data or "").isdigit() else None
    campaigns.send_test_mail(campaign.id, email=current_user.email, name=current_user.display_name,
                             locale=contact.locale if contact else str(get_locale()),
                             contact_id=contact.id if contact else None)
    flash(_("A test mail to %(email)s is on its way.", email=current_user.email))
    if contact:
        return redirect(url_for("campaigns.preview", campaign_id=campaign.id, contact=contact.id))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.get("/staff/campaigns/<int:campaign_id>/send")
@staff_required
def confirm_send(campaign_id):
    """Ask before sending, saying how many contacts will be mailed."""
    campaign = campaigns.get_campaign(campaign_id)
    return render_template("staff/campaigns/send.html", campaign=campaign, plan=campaigns.plan_sending(campaign),
                           not_sendable=campaigns.not_sendable_reason(campaign.event), form=ButtonForm())


@bp.post("/staff/campaigns/<int:campaign_id>/send")
@staff_required
def send(campaign_id):
    """Invite every contact of the audience who has not been invited yet."""
    campaign = campaigns.get_campaign(campaign_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("campaigns.confirm_send", campaign_id=campaign.id))
    try:
        result = campaigns.send_campaign(campaign.id)
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("campaigns.confirm_send", campaign_id=campaign_id))
    if result.queued:
        flash(ngettext("%(num)s invitation is on its way.", "%(num)s invitations are on their way.",
                       result.queued))
    else:
        flash(_("Nobody new to invite: every contact of the audience already has this invitation."))
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@bp.get("/staff/campaigns/<int:campaign_id>/remind")
@staff_required
def confirm_remind(campaign_id):
    """Ask before reminding, saying how many recipients will get a reminder."""
    campaign = campaigns.get_campaign(campaign_id)
    return render_template("staff/campaigns/remind.html", campaign=campaign,
                           count=campaigns.reminder_count(campaign),
                           not_sendable=campaigns.not_sendable_reason(campaign.event), form=ButtonForm())


@bp.post("/staff/campaigns/<int:campaign_id>/remind")
@staff_required
def remind(campaign_id):
    """Remind everyone invited who has not answered, once."""
    campaign = campaigns.get_campaign(campaign_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("campaigns.confirm_remind", campaign_id=campaign.id))
    try:
        count = campaigns.remind_campaign(campaign.id)
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    if count:
        flash(ngettext("%(num)s reminder is on its way.", "%(num)s reminders are on their way.", count))
    else:
        flash(_("Nobody to remind: everyone invited has answered, unsubscribed or been reminded."))
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


# --- guests: the personal invitation link ----------------------------------------------------

def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _invitation_page(recipient, form, status=200):
    event = recipient.campaign.event
    return render_template("campaigns/invitation.html", recipient=recipient, event=event, form=form,
                           refusal=events.signup_refusal(event)), status


def _published_recipient(token):
    recipient = campaigns.get_recipient_by_token(token)
    events.get_published(recipient.campaign.event.slug)  # a draft event is not there for guests
    return recipient


@bp.get("/i/<token>")
def invitation(token):
    """The sign-up form, filled in with the invited contact's details."""
    recipient = _published_recipient(token)
    contact = recipient.contact
    volunteer = contact.organisation_kind == OrganisationKind.volunteer.value
    form = RegistrationForm(data={
        "name": contact.name, "email": contact.email, "organisation": contact.organisation,
        "affiliation": Affiliation.volunteer.value if volunteer else Affiliation.professional.value,
    })
    return _invitation_page(recipient, form)


@bp.post("/i/<token>")
@limiter.limit(_signup_limit)
def accept(token):
    """Sign up through the invitation; the registration is tied to it."""
    recipient = _published_recipient(token)
    event = recipient.campaign.event
    form = RegistrationForm()
    if events.signup_closed_reason(event):
        return _invitation_page(recipient, form, 409)
    if not form.validate_on_submit():
        return _invitation_page(recipient, form, 422)
    try:
        result = campaigns.accept_invitation(token, form.data, locale=str(get_locale()))
    except DomainError as exc:
        form.form_errors.append(str(exc))
        return _invitation_page(campaigns.get_recipient_by_token(token), form, exc.status_code)
    return landing_after_signup(result)


# --- guests: unsubscribing -------------------------------------------------------------------

@bp.get("/u/<token>")
def unsubscribe_page(token):
    """A page with a button; opening it changes nothing (mail scanners follow links)."""
    contact = campaigns.get_contact_by_unsubscribe_token(token)
    return render_template("campaigns/unsubscribe.html", contact=contact, token=token)


# Exempt from CSRF, and only this endpoint: a mail provider's one-click unsubscribe
# (RFC 8058) POSTs "List-Unsubscribe=One-Click" to the URL in the mail's header, with
# no session and no page before it, so no CSRF token can exist. Nothing is at risk:
# the unguessable token in the URL is the whole authority, no cookie is involved,
# and the only thing the request can do is unsubscribe that one contact.
@bp.post("/u/<token>")
@csrf.exempt
def unsubscribe(token):
    """Unsubscribe from invitations: one click in the mail program, or the button on the page."""
    contact = campaigns.unsubscribe(token)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return Response(_("You are unsubscribed: you will get no more invitations from us."),
                        mimetype="text/plain")
    return render_template("campaigns/unsubscribe.html", contact=contact, token=token)
