"""What an invited contact sees: the personal sign-up link (/i/) and unsubscribing (/u/)."""
from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from ..contacts.models import OrganisationKind
from ..errors import DomainError, http_error_page
from ..events import services as events
from ..extensions import csrf, limiter
from ..forms import show_refusal
from ..links import absolute_url
from ..network import groups
from ..registrations import limits
from ..registrations.forms import RegistrationForm
from ..registrations.models import Affiliation
from ..registrations.views import landing_after_signup
from . import invitations

bp = Blueprint("campaigns", __name__)


# --- the personal invitation link -----------------------------------------------------------

def _invitation_page(recipient, form, status=200):
    event = recipient.campaign.event
    return render_template("campaigns/invitation.html", recipient=recipient, event=event, form=form,
                           refusal=events.signup_refusal(event), token=recipient.token,
                           **_working_group(event, recipient.contact_id)), status


def _working_group(event, contact_id) -> dict:
    """For a member invited to a meeting of their working group: the group, its next meetings and
    its calendar feed."""
    group = groups.group_of_member(event, contact_id)
    if group is None:
        return {"group": None}
    return {"group": group, "group_meetings": groups.next_meetings(group.id),
            "group_feed_url": absolute_url("groups.feed", token=group.feed_token)}


def _published_recipient(token):
    recipient = invitations.get_recipient_by_token(token)
    events.get_published(recipient.campaign.event.slug)  # a draft event is not there for guests
    return recipient


@bp.get("/i/<token>")
def invitation(token):
    """The sign-up form, filled in with the invited contact's details."""
    recipient = _published_recipient(token)
    contact = recipient.contact
    institution = contact.institution
    form = RegistrationForm(data={
        "name": contact.name, "email": contact.email, "organisation": institution.name if institution else "",
        "affiliation": contact.affiliation or affiliation_of(institution.kind if institution else None),
    })
    return _invitation_page(recipient, form)


def affiliation_of(kind: OrganisationKind | None) -> Affiliation | None:
    """How a contact from this kind of institution takes part, as far as the contact list knows
    (None: the guest says)."""
    if kind is None:
        return None
    if kind == OrganisationKind.volunteer:
        return Affiliation.volunteer
    if kind == OrganisationKind.other:
        return None
    return Affiliation.professional


# No session CSRF token: the sign-up form's own checks (formtrap.py) stand in for it.
@bp.post("/i/<token>")
@csrf.exempt
@limiter.limit(limits.per_client)
@limits.limited_per_email
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
        result = invitations.accept_invitation(token, form.data, locale=str(get_locale()))
    except DomainError as exc:
        show_refusal(form, exc)
        return _invitation_page(invitations.get_recipient_by_token(token), form, exc.status_code)
    return landing_after_signup(result)


@bp.errorhandler(429)
def sent_too_often(exc):
    """Over a limit (registrations/limits.py): the form again, with what was typed and when to
    send it again."""
    try:
        if request.endpoint == "campaigns.accept":
            recipient = _published_recipient(request.view_args["token"])
            return _invitation_page(recipient, limits.form_over_limit(RegistrationForm), 429)
    except DomainError:
        pass  # no such invitation: the plain answer
    return http_error_page(exc)


# --- unsubscribing --------------------------------------------------------------------------

@bp.get("/u/<token>")
def unsubscribe_page(token):
    """A page with a button; opening it changes nothing (mail scanners follow links)."""
    contact = invitations.get_contact_by_unsubscribe_token(token)
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
    contact = invitations.unsubscribe(token)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return Response(_("You are unsubscribed: you will get no more invitations from us."),
                        mimetype="text/plain")
    return render_template("campaigns/unsubscribe.html", contact=contact, token=token)
