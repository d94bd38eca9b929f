"""The guest's path: event page with sign-up form, the page after signing up, ticket, own page
(corrections, a new address, cancellation)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..database import utcnow
from ..errors import DomainError, NotFound, http_error_page
from ..events import services as events
from ..events.views import calendar_description, calendar_download
from ..extensions import csrf, limiter
from ..forms import show_refusal
from ..links import absolute_url
from ..pagecache import cached_page, next_change
from . import guest_changes, limits, services
from .calendar_links import calendar_links
from .forms import GuestCorrectionsForm, RegistrationForm
from .tickets import qr_png

bp = Blueprint("registrations", __name__)


def _event_page(event, form, status=200, *, key: str | None = None, **context):
    """The event page; `key` is what the visitor brought as the secret sign-up key, if anything
    (an invitation-only event shows its form only for the right one)."""
    return render_template(
        "registrations/event.html",
        event=event,
        form=form,
        refusal=events.signup_refusal(event) or events.invitation_refusal(event, key),
        over=events.signup_over(event),
        invite_key=key if events.has_invitation_key(event, key) else None,
        calendar_links=calendar_links(event, calendar_description(event)),
        **context,
    ), status


@bp.get("/events/<slug>/")
def event_page(slug):
    """All about one event, and the sign-up form (for an invitation-only event, with its secret `?key=`)."""
    key = request.args.get("key")

    def render(**context):
        event = events.get_published(slug)
        html, _status = _event_page(event, RegistrationForm(formdata=None), key=key, **context)
        # At its end the page changes too: what came of it (network/_event_results.html) appears.
        return html, next_change(utcnow(), event.registration_opens_at, event.registration_closes_at,
                                 event.starts_at, event.ends_at)

    # With a key the page is never stored: the form it may show is for the key's holders alone.
    return cached_page(lambda: events.event_version(slug), render, private="key" in request.args)


@bp.get("/events/<slug>/register")
def register_form(slug):
    """The form lives on the event page (an invitation-only event's with its secret key)."""
    key = {"key": request.args["key"]} if "key" in request.args else {}
    return redirect(url_for("registrations.event_page", slug=slug, _anchor="register", **key))


# No session CSRF token: the form's own checks (formtrap.py) stand in for it.
@bp.post("/events/<slug>/register")
@csrf.exempt
@limiter.limit(limits.per_client)
@limits.limited_per_email
def register(slug):
    """Sign up for an event (an invitation-only one with its secret key, posted as `key`)."""
    form = RegistrationForm()
    key = request.form.get("key")
    if not form.validate_on_submit():
        return _form_refused(slug, form, key)
    try:
        # The service reads the event once, under its lock: by its slug.
        result = services.register(slug, form.data, locale=str(get_locale()), invite_key=key)
    except DomainError as exc:
        show_refusal(form, exc)
        return _event_page(events.get_published(slug), form, exc.status_code, key=key)
    return landing_after_signup(result)


def _form_refused(slug, form, key):
    """The event page again with the form's mistakes (422), or, before any mistake, with why
    nobody may sign up (409) or not without an invitation (403)."""
    event = events.get_published(slug)
    if events.signup_closed_reason(event):
        return _event_page(event, form, 409, key=key)
    if events.invitation_refusal(event, key):
        return _event_page(event, form, 403)
    return _event_page(event, form, 422, key=key)


@bp.errorhandler(429)
def sent_too_often(exc):
    """Over a limit (limits.py): the form again, with what was typed and when to send it again."""
    try:
        if request.endpoint == "registrations.register":
            event = events.get_published(request.view_args["slug"])
            return _event_page(event, limits.form_over_limit(RegistrationForm), 429,
                               key=request.form.get("key"))
        if request.endpoint == "registrations.save":
            registration = services.get_by_manage_token(request.view_args["token"])
            return _details_page(registration, limits.form_over_limit(GuestCorrectionsForm), 429)
    except DomainError:
        pass  # no such event or guest: the plain answer
    return http_error_page(exc)


def landing_after_signup(result: services.SignupResult):
    """Confirmed: what happened, with ticket and calendar. Waitlisted: the guest's own page.
    Already registered: "a mail is on its way". Either way the sign-up counts against the address
    (limits.py)."""
    limits.count_for_address()
    if not result.created:
        return redirect(url_for("registrations.mail_on_its_way", slug=result.event_slug))
    if result.confirmed:
        return redirect(url_for("registrations.signed_up", token=result.manage_token))
    return redirect(url_for("registrations.manage", token=result.manage_token))


@bp.get("/r/<token>/signed-up")
def signed_up(token):
    """Where a confirmed guest lands: registered, where the mail went, ticket, calendar, own page."""
    registration = services.get_by_manage_token(token)
    if not registration.is_confirmed or registration.event.is_cancelled:
        return redirect(url_for("registrations.manage", token=token))
    event = registration.event
    return render_template("registrations/signed_up.html", registration=registration, event=event,
                           calendar_links=calendar_links(event, calendar_description(event)))


@bp.get("/events/<slug>/registered")
def mail_on_its_way(slug):
    """Said to an address that was already registered: nothing more."""
    return render_template("registrations/mail_sent.html", event=events.get_published(slug))


@bp.get("/t/<code>")
def ticket(code):
    """The ticket: what the QR code points to."""
    def render(**context):
        registration = services.get_by_ticket_code(code)
        html = render_template("registrations/ticket.html", registration=registration,
                               event=registration.event, **context)
        return html, None

    return cached_page(lambda: services.ticket_version(code), render)


@bp.get("/t/<code>/qr.png")
def ticket_qr(code):
    """The ticket's QR code, encoding the ticket page's absolute URL."""
    registration = services.get_by_ticket_code(code)
    if registration.is_cancelled:
        return Response(status=404)
    png = qr_png(absolute_url("registrations.ticket", code=registration.ticket_code))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/r/<token>")
def manage(token):
    """The guest's own page: where they stand, details, calendar file, corrections, cancellation."""
    registration = services.get_by_manage_token(token)
    return render_template(
        "registrations/manage.html", registration=registration, event=registration.event,
        position=services.waitlist_position(registration),
        can_cancel=services.can_cancel(registration),
        can_change=guest_changes.can_change(registration),
        offer_mail_language=_offered_mail_language(registration),
        calendar_links=calendar_links(registration.event, calendar_description(registration.event)))


def _offered_mail_language(registration) -> str | None:
    """The page's language, when the guest reads their page in another one than their mails are
    written in (they switched, or their browser chose): offered, never imposed."""
    page_language = str(get_locale())
    if registration.is_cancelled or registration.locale == page_language:
        return None
    return page_language


@bp.post("/r/<token>/mail-language")
def choose_mail_language(token):
    """From now on the guest's mails are written in the language they chose on their own page."""
    registration = services.get_by_manage_token(token)
    try:
        services.choose_mail_language(registration.id, request.form.get("locale", ""))
    except DomainError as exc:
        flash(str(exc))
    else:
        flash(_("Saved: from now on our mails to you are written in this language."))
    return redirect(url_for("registrations.manage", token=token))


def _details_page(registration, form, status=200):
    return render_template("registrations/edit.html", registration=registration, event=registration.event,
                           form=form), status


@bp.get("/r/<token>/edit")
def edit(token):
    """The guest corrects their details."""
    registration = services.get_by_manage_token(token)
    if not guest_changes.can_change(registration):
        return redirect(url_for("registrations.manage", token=token))
    return _details_page(registration, GuestCorrectionsForm(obj=registration))


@bp.post("/r/<token>/edit")
@limiter.limit(limits.per_client)  # each new address is mailed a link
@limits.limited_per_email
def save(token):
    """Store the corrections; a new address first gets a confirmation link."""
    registration = services.get_by_manage_token(token)
    form = GuestCorrectionsForm()
    if not form.validate_on_submit():
        return _details_page(registration, form, 422)
    try:
        saved = guest_changes.save_details(registration.id, form.data, locale=form.locale.data)
    except DomainError as exc:
        show_refusal(form, exc)
        return _details_page(services.get_by_manage_token(token), form, exc.status_code)
    flash(_("Your changes are saved."))
    if saved.confirming:
        limits.count_for_address()
        flash(_("We have sent a link to %(email)s. Your address changes once you open it (within 48 hours); "
                "until then, our mails go to %(old)s.", email=saved.confirming, old=saved.registration.email))
    return redirect(url_for("registrations.manage", token=token))


@bp.get("/r/new-address/<key>")
def confirm_email_form(key):
    """The link in the mail to a new address: a button, since opening a link changes nothing."""
    try:
        registration, change = guest_changes.read_email_change(key)
    except DomainError as exc:
        return _email_refused(exc)
    return render_template("registrations/confirm_email.html", event=registration.event,
                           new_email=change.new_email, key=key)


@bp.post("/r/new-address/<key>")
def confirm_email(key):
    """Move the registration to the new address; its guest page follows."""
    try:
        registration = guest_changes.confirm_email_change(key)
    except DomainError as exc:
        return _email_refused(exc)
    flash(_("Your address is now %(email)s: our mails about this event go there.", email=registration.email))
    return redirect(url_for("registrations.manage", token=registration.manage_token))


def _email_refused(exc: DomainError):
    # Whoever opened the link may not be the guest (a mistyped address): the page names no one.
    return render_template("registrations/confirm_email.html", refusal=str(exc)), exc.status_code


@bp.get("/r/<token>/cancel")
def cancel_confirm(token):
    """Ask before cancelling."""
    registration = services.get_by_manage_token(token)
    if not services.can_cancel(registration):
        return redirect(url_for("registrations.manage", token=token))
    return render_template("registrations/cancel.html", registration=registration,
                           event=registration.event)


@bp.post("/r/<token>/cancel")
def cancel(token):
    """Cancel the registration; the place goes to the first in line."""
    registration = services.get_by_manage_token(token)
    if not registration.is_cancelled:
        services.cancel_registration(registration.id)
    return redirect(url_for("registrations.manage", token=token, cancelled=1))


@bp.get("/r/<token>/invite.ics")
def manage_calendar(token):
    """The event as a calendar file, for the guest who is registered."""
    registration = services.get_by_manage_token(token)
    if not registration.is_confirmed:
        raise NotFound()  # no place (yet): nothing to put into a calendar
    return calendar_download(registration.event, sequence=registration.calendar_sequence)
