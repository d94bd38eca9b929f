"""Composing mails from outbox rows: templates, calendar part and QR code.

A composer gets an OutgoingMail row and returns MailContent; it runs after the
commit, in the sender, never inside the transaction that enqueued the mail.
"""
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..events import ical
from ..extensions import db
from ..links import absolute_url
from ..outbox import OutgoingMail
from ..registrations.models import Registration
from ..registrations.services import waitlist_position
from ..registrations.tickets import qr_png
from .mime import CalendarPart, InlineImage, MailContent


def compose(mail: OutgoingMail) -> MailContent:
    """The content of one outbox mail, in the recipient's language."""
    composer = COMPOSERS.get(mail.kind)
    if composer is None:
        raise ValueError(f"no composer for mail kind {mail.kind!r}")
    with force_locale(mail.locale):
        return composer(mail)


def _registration(mail: OutgoingMail) -> Registration:
    registration = db.session.get(Registration, mail.registration_id) if mail.registration_id else None
    if registration is None:
        raise NotFound(_l("The registration of this mail no longer exists."))
    return registration


def _links(registration: Registration) -> dict:
    return {
        "ticket_url": absolute_url("registrations.ticket", code=registration.ticket_code),
        "manage_url": absolute_url("registrations.manage", token=registration.manage_token),
        "event_url": absolute_url("registrations.event_page", slug=registration.event.slug),
    }


def _render(template: str, **context) -> tuple[str, str]:
    return (render_template(f"email/{template}.txt", **context),
            render_template(f"email/{template}.html", **context))


def _invitation(mail: OutgoingMail, registration: Registration, method: str, manage_url: str) -> bytes:
    description = _("Your registration: %(url)s", url=manage_url)
    return ical.invitation(
        registration.event,
        method=method,
        attendee=ical.Attendee(registration.email, registration.name),
        organizer=current_app.config["ORGANIZER_EMAIL"],
        sequence=mail.params.get("sequence", registration.calendar_sequence),
        dtstamp=mail.created_at,
        description=description,
        url=absolute_url("registrations.event_page", slug=registration.event.slug),
    )


def registration_confirmed(mail: OutgoingMail) -> MailContent:
    registration = _registration(mail)
    links = _links(registration)
    event = registration.event
    # A Content-ID of its own per mail: clients cache inline images by it.
    qr_cid = "ticket-qr." + mail.message_id.strip("<>")
    text, html = _render("registration_confirmed_to_guest", registration=registration, event=event,
                         qr_cid=qr_cid, params=mail.params, **links)
    return MailContent(
        subject=_("Registration confirmed: %(title)s", title=event.title),
        text=text,
        html=html,
        calendar=CalendarPart(_invitation(mail, registration, "REQUEST", links["manage_url"]),
                              "REQUEST", "invite.ics"),
        images=(InlineImage(qr_cid, qr_png(links["ticket_url"]), filename="ticket.png"),),
    )


def registration_waitlisted(mail: OutgoingMail) -> MailContent:
    registration = _registration(mail)
    links = _links(registration)
    text, html = _render("registration_waitlisted_to_guest", registration=registration,
                         event=registration.event, position=waitlist_position(registration),
                         params=mail.params, **links)
    return MailContent(
        subject=_("You are on the waitlist: %(title)s", title=registration.event.title),
        text=text,
        html=html,
    )


def registration_cancelled(mail: OutgoingMail) -> MailContent:
    registration = _registration(mail)
    links = _links(registration)
    calendar = None
    if mail.params.get("had_place", True):
        calendar = CalendarPart(_invitation(mail, registration, "CANCEL", links["manage_url"]),
                                "CANCEL", "cancel.ics")
    text, html = _render("registration_cancelled_to_guest", registration=registration,
                         event=registration.event, params=mail.params, **links)
    return MailContent(
        subject=_("Registration cancelled: %(title)s", title=registration.event.title),
        text=text,
        html=html,
        calendar=calendar,
    )


COMPOSERS = {
    "registration_confirmed": registration_confirmed,
    "registration_waitlisted": registration_waitlisted,
    "registration_cancelled": registration_cancelled,
}
