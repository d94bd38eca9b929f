"""The pages of a partner account: the events its institution hosts or co-hosts, their
registrations and attendance, and their export; nothing else.

Every page asks network.partners with the account's own institution, which refuses (403) any
event, registration or export outside it; partner_required keeps everyone but partner accounts out.
"""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.access import partner_required
from ..csvexport import Column, local_time, table_download
from . import partners
from .hosts import institution_names

bp = Blueprint("partner", __name__, url_prefix="/partner")


def _columns(zone) -> list[Column]:
    """The export of one event: one row per registration, whatever its state, with its attendance.
    No addresses: a partner sees who came, the office keeps in touch with them."""
    anonymised = _l("(anonymised)")
    return [
        Column("name", _l("Name"), lambda r: r.name, lambda r: anonymised if r.is_anonymised else r.name),
        Column("organisation", _l("Organisation"), lambda r: r.organisation),
        Column("affiliation", _l("Takes part as"), lambda r: r.affiliation, lambda r: r.affiliation.label),
        Column("status", _l("Status"), lambda r: r.status, lambda r: r.status.label),
        Column("registered_at", _l("Registered on"), lambda r: local_time(r.created_at, zone)),
        Column("attended", _l("Attended"), lambda r: "yes" if r.is_checked_in else "no",
               lambda r: _l("yes") if r.is_checked_in else _l("no")),
        Column("checked_in_at", _l("Checked in at"), lambda r: local_time(r.checked_in_at, zone)),
        Column("anonymised", _l("Anonymised"), lambda r: "yes" if r.is_anonymised else "no",
               lambda r: _l("yes") if r.is_anonymised else _l("no")),
    ]


def _institution_name() -> str:
    return institution_names([current_user.institution_id]).get(current_user.institution_id, "")


@bp.get("/")
@partner_required
def home():
    """The institution's own events: those to come, and those past."""
    upcoming, past = partners.hosted_events(current_user.institution_id)
    return render_template("partner/home.html", upcoming=upcoming, past=past, institution=_institution_name())


@bp.get("/events/<int:event_id>")
@partner_required
def event_page(event_id):
    """One of the institution's events: its figures, and who signed up and came."""
    event = partners.get_hosted_event(current_user.institution_id, event_id)
    return render_template("partner/event.html", event=event, figures=partners.figures(event),
                           registrations=partners.registrations_of(event), institution=_institution_name())


@bp.get("/events/<int:event_id>/registrations.csv")
@partner_required
def export(event_id):
    """The event's registrations and attendance as CSV; `format=excel` for a German Excel."""
    event = partners.get_hosted_event(current_user.institution_id, event_id)
    return table_download(_columns(event.zone), partners.registrations_of(event),
                          f"registrations-{event.slug}.csv", excel=request.args.get("format") == "excel")


@bp.get("/registrations/<int:registration_id>")
@partner_required
def registration(registration_id):
    """One registration of one of the institution's events."""
    registration = partners.get_hosted_registration(current_user.institution_id, registration_id)
    return render_template("partner/registration.html", registration=registration, event=registration.event,
                           institution=_institution_name())
