"""Staff pages for invitation campaigns: write one, preview it, send a test mail, send it,
watch it go out, remind those who have not answered."""
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
from ..contacts.models import Contact, OrganisationKind
from ..contacts.services import get_contact
from ..database import parse_id
from ..errors import DomainError, NotFound
from ..events.display import event_short_date
from ..forms import ButtonForm, show_refusal
from ..i18n import language_name
from ..paging import read_sort
from . import mails, services
from .audience import audience_kind, audience_sample, make_audience
from .forms import CampaignForm, RecipientFilterForm, TestMailForm
from .placeholders import PLACEHOLDERS, default_body, default_subject
from .progress import RECIPIENT_SORTS, RecipientState, campaign_progress, campaign_state, recipient_list
from .texts import OTHER_LANGUAGES, field_name, language_shares, text_languages, text_locale

bp = Blueprint("campaigns_staff", __name__, url_prefix="/staff/campaigns")

RECIPIENTS_PER_PAGE = 100


def _mail_server() -> bool:
    """Whether mails are sent; without a server the outbox keeps them (development)."""
    return bool(current_app.config.get("MAIL_SERVER"))


# --- writing a campaign ---------------------------------------------------------------------

def _with_events(form: CampaignForm, campaign=None) -> CampaignForm:
    """Offer the events one may invite to (and the campaign's own, whatever its state)."""
    form.event_id.choices = [(e.id, f"{e.title} ({event_short_date(e)})")
                             for e in services.events_to_invite_to(also=campaign.event_id if campaign else None)]
    return form


def _form_page(form, campaign=None, status=200):
    placeholders = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    return render_template("campaigns/staff/form.html", form=form, campaign=campaign, placeholders=placeholders,
                           other_languages=OTHER_LANGUAGES,
                           subject=mails.shown_subject(campaign) if campaign else None), status


def _written_texts(campaign) -> dict:
    """The campaign's texts in other languages as the form's fields hold them."""
    written = {}
    for text in campaign.texts:
        written[field_name("subject", text.locale)] = text.subject
        written[field_name("body", text.locale)] = text.body
    return written


def _test_mail_form(campaign) -> TestMailForm:
    """The test mail's button, with a choice among the languages the campaign has a text in (the one
    this page speaks first, if the campaign has it)."""
    languages = text_languages(campaign)
    form = TestMailForm(language=text_locale(languages, str(get_locale())))
    form.language.choices = [(code, language_name(code)) for code in languages]
    return form


def _audience(form: CampaignForm) -> dict:
    return make_audience(form.audience.data, tags=form.tags.data or "",
                                   kinds=form.kinds.data or [], emails=form.emails.data or "")


@bp.get("/")
@staff_required
def index():
    """All campaigns, newest first, with how far each has gone out."""
    found = services.list_campaigns()
    progress = {c.id: campaign_progress(c.id) for c in found}
    return render_template("campaigns/staff/index.html", campaigns=found, progress=progress,
                           states={c.id: campaign_state(c, progress[c.id]) for c in found},
                           subjects={c.id: mails.shown_subject(c) for c in found},
                           show_held=not _mail_server() or any(p.held for p in progress.values()))


@bp.get("/new")
@staff_required
def new():
    """An empty campaign form (for the event given as ?event_id=)."""
    form = _with_events(CampaignForm(event_id=request.args.get("event_id", type=int), subject=default_subject(),
                                     body=default_body()))
    return _form_page(form)


@bp.post("/new")
@staff_required
def create():
    """Save a new campaign as a draft."""
    form = _with_events(CampaignForm())
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        campaign = services.create_campaign(event_id=form.event_id.data, subject=form.subject.data,
                                            body=form.body.data, audience=_audience(form),
                                            created_by=current_user.display_name, texts=form.other_texts())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, status=exc.status_code)
    flash(_("The campaign is saved. Look at the preview, send yourself a test mail, then send it."))
    return redirect(url_for("campaigns_staff.show", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/edit")
@staff_required
def edit(campaign_id):
    """The campaign form, filled in (drafts only)."""
    campaign = services.get_campaign(campaign_id)
    if not campaign.is_draft:
        flash(str(services.CampaignAlreadySent()))
        return redirect(url_for("campaigns_staff.show", campaign_id=campaign.id))
    audience = campaign.audience
    form = CampaignForm(event_id=campaign.event_id, subject=campaign.subject, body=campaign.body,
                        audience=audience_kind(audience), tags=", ".join(audience.get("tags") or []),
                        kinds=audience.get("kinds") or [], emails="\n".join(audience.get("emails") or []),
                        **_written_texts(campaign))
    return _form_page(_with_events(form, campaign), campaign)


@bp.post("/<int:campaign_id>/edit")
@staff_required
def update(campaign_id):
    """Change a draft campaign."""
    campaign = services.get_campaign(campaign_id)
    form = _with_events(CampaignForm(), campaign)
    if not form.validate_on_submit():
        return _form_page(form, campaign, status=422)
    try:
        services.update_campaign(campaign.id, event_id=form.event_id.data, subject=form.subject.data,
                                 body=form.body.data, audience=_audience(form), texts=form.other_texts())
    except services.CampaignAlreadySent as exc:
        flash(str(exc))
        return redirect(url_for("campaigns_staff.show", campaign_id=campaign_id))
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, services.get_campaign(campaign_id), status=exc.status_code)
    flash(_("The campaign is saved."))
    return redirect(url_for("campaigns_staff.show", campaign_id=campaign_id))


# --- one campaign, its preview, test mail, sending and reminders ---------------------------

@bp.get("/<int:campaign_id>")
@staff_required
def show(campaign_id):
    """A campaign: its text, audience, progress and every recipient's state."""
    campaign = services.get_campaign(campaign_id)
    filters = RecipientFilterForm(request.args)
    state = request.args.get("state")
    state = state if state in RecipientState.__members__.values() else None
    sort = read_sort(request.args.get("sort"), RECIPIENT_SORTS, "invited")
    recipients = recipient_list(campaign, state=RecipientState(state) if state else None,
                                query=filters.q.data or "", sort=sort, size=RECIPIENTS_PER_PAGE,
                                number=request.args.get("page", 1, type=int))
    progress = campaign_progress(campaign.id)
    plan = services.plan_sending(campaign)
    list_args = {name: value for name, value in (("state", state), ("q", filters.q.data),
                                                 ("sort", sort.arg if sort.key != "invited" else None)) if value}
    return render_template(
        "campaigns/staff/show.html", campaign=campaign, event=campaign.event, subject=mails.shown_subject(campaign),
        plan=plan, shares=language_shares(campaign, plan.locales), languages=text_languages(campaign),
        progress=progress, campaign_state=campaign_state(campaign, progress),
        recipients=recipients, state=state, states=list(RecipientState), filters=filters, sort=sort,
        list_args=list_args, reminder_count=services.reminder_count(campaign) if progress.total else 0,
        not_sendable=services.not_sendable_reason(campaign.event), mail_server=_mail_server(),
        kind_labels={kind: kind.label for kind in OrganisationKind}, form=_test_mail_form(campaign),
    )


@bp.get("/<int:campaign_id>/progress")
@staff_required
def progress(campaign_id):
    """How far the invitations have gone out, as JSON (polled by the campaign page)."""
    campaign = services.get_campaign(campaign_id)
    return jsonify(campaign_progress(campaign.id).as_dict())


def _preview_contact(campaign) -> tuple[Contact | None, list[Contact]]:
    sample = audience_sample(campaign)
    contact = _contact_or_none(request.args.get("contact", type=int))
    return contact or (sample[0] if sample else None), sample


def _contact_or_none(contact_id: int | None) -> Contact | None:
    try:
        return get_contact(contact_id) if contact_id else None
    except NotFound:
        return None


@bp.get("/<int:campaign_id>/preview")
@staff_required
def preview(campaign_id):
    """The mail as one chosen recipient will get it."""
    campaign = services.get_campaign(campaign_id)
    contact, sample = _preview_contact(campaign)
    content = mails.preview(campaign, contact) if contact else None
    return render_template("campaigns/staff/preview.html", campaign=campaign, contact=contact, sample=sample,
                           content=content, subject=content.subject if content else mails.shown_subject(campaign),
                           text_locale=text_locale(text_languages(campaign), contact.locale) if contact else None,
                           form=TestMailForm(contact_id=contact.id if contact else ""))


@bp.get("/<int:campaign_id>/preview.html")
@staff_required
def preview_html(campaign_id):
    """The HTML part of the preview, shown in a frame that may not run scripts."""
    campaign = services.get_campaign(campaign_id)
    contact, _sample = _preview_contact(campaign)
    if contact is None:
        raise NotFound()
    response = Response(mails.preview(campaign, contact).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@bp.post("/<int:campaign_id>/test")
@staff_required
def test_mail(campaign_id):
    """Mail the invitation to oneself, through the outbox; not counted as a recipient."""
    campaign = services.get_campaign(campaign_id)
    form = TestMailForm()
    if not form.validate_on_submit():
        return redirect(url_for("campaigns_staff.show", campaign_id=campaign.id))
    contact_id = parse_id(form.contact_id.data)
    contact = _contact_or_none(contact_id) if contact_id is not None else None
    try:
        services.send_test_mail(campaign.id, email=current_user.email, name=current_user.display_name,
                                locale=form.language.data or (contact.locale if contact else str(get_locale())),
                                contact_id=contact.id if contact else None)
    except services.NoTestMailAfterSending as exc:
        flash(str(exc))
        return redirect(url_for("campaigns_staff.show", campaign_id=campaign.id))
    if _mail_server():
        flash(_("A test mail to %(email)s is on its way.", email=current_user.email))
    else:
        flash(_("The test mail to %(email)s is kept in the outbox: no mail server is configured, so it is not "
                "sent.", email=current_user.email))
    if contact:
        return redirect(url_for("campaigns_staff.preview", campaign_id=campaign.id, contact=contact.id))
    return redirect(url_for("campaigns_staff.show", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/send")
@staff_required
def confirm_send(campaign_id):
    """Ask before sending, saying how many contacts will be mailed."""
    campaign = services.get_campaign(campaign_id)
    plan = services.plan_sending(campaign)
    return render_template("campaigns/staff/send.html", campaign=campaign, plan=plan,
                           shares=language_shares(campaign, plan.locales),
                           subject=mails.shown_subject(campaign), mail_server=_mail_server(),
                           not_sendable=services.not_sendable_reason(campaign.event), form=ButtonForm())


@bp.post("/<int:campaign_id>/send")
@staff_required
def send(campaign_id):
    """Invite every contact of the audience who has not been invited yet."""
    campaign = services.get_campaign(campaign_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id))
    try:
        result = services.send_campaign(campaign.id)
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("campaigns_staff.confirm_send", campaign_id=campaign_id))
    if result.queued and not _mail_server():
        flash(ngettext("%(num)s invitation is kept in the outbox: no mail server is configured, so it is not "
                       "sent.", "%(num)s invitations are kept in the outbox: no mail server is configured, so "
                       "they are not sent.", result.queued))
    elif result.queued:
        flash(ngettext("%(num)s invitation is on its way.", "%(num)s invitations are on their way.",
                       result.queued))
    else:
        flash(_("Nobody new to invite: every contact of the audience already has this invitation."))
    return redirect(url_for("campaigns_staff.show", campaign_id=campaign_id))


@bp.get("/<int:campaign_id>/remind")
@staff_required
def confirm_remind(campaign_id):
    """Ask before reminding, saying how many recipients will get a reminder."""
    campaign = services.get_campaign(campaign_id)
    return render_template("campaigns/staff/remind.html", campaign=campaign, subject=mails.shown_subject(campaign),
                           count=services.reminder_count(campaign),
                           not_sendable=services.not_sendable_reason(campaign.event), form=ButtonForm())


@bp.post("/<int:campaign_id>/remind")
@staff_required
def remind(campaign_id):
    """Remind everyone invited who has not answered, once."""
    campaign = services.get_campaign(campaign_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("campaigns_staff.confirm_remind", campaign_id=campaign.id))
    try:
        count = services.remind_campaign(campaign.id)
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("campaigns_staff.show", campaign_id=campaign_id))
    if count:
        flash(ngettext("%(num)s reminder is on its way.", "%(num)s reminders are on their way.", count))
    else:
        flash(_("Nobody to remind: everyone invited has answered, unsubscribed or been reminded."))
    return redirect(url_for("campaigns_staff.show", campaign_id=campaign_id))
