"""The mails to guests about their registration and their event: confirmation (with the
ticket and the calendar invitation), waitlist, cancellation, reminder, change and
cancellation of the event, and the confirmation of a new address (with a word to the old one)."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import NotFound
from ..events import ical
from ..events.display import event_title_text
from ..extensions import db
from ..links import absolute_url, mail_link
from ..outbox import OutgoingMail
from ..registrations.event_changes import EVENT_CANCELLED_MAIL, EVENT_UPDATED_MAIL, describe_changes
from ..registrations.guest_changes import EMAIL_CHANGE_MAIL, EMAIL_CHANGED_MAIL, EMAIL_LINK_VALID
from ..registrations.models import Registration, RegistrationStatus
from ..registrations.reminders import REMINDER_MAIL
from ..registrations.services import CANCELLED_MAIL, CONFIRMED_MAIL, WAITLISTED_MAIL, waitlist_position
from ..registrations.tickets import qr_png
from .messages import render_pair
from .mime import CalendarPart, InlineImage, MailContent


def _registration(mail: OutgoingMail) -> Registration:
    registration = db.session.get(Registration, mail.registration_id) if mail.registration_id else None
    if registration is None:
        raise NotFound(_l("The registration of this mail no longer exists."))
    return registration


def _links(registration: Registration) -> dict:
    """The guest's links, each opening its page in the mail's language."""
    return {
        "ticket_url": mail_link("registrations.ticket", code=registration.ticket_code),
        "manage_url": mail_link("registrations.manage", token=registration.manage_token),
        "event_url": mail_link("registrations.event_page", slug=registration.event.slug),
    }


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
        locale=mail.locale,
        url=mail_link("registrations.event_page", slug=registration.event.slug),
    )


def _ticket_mail(mail: OutgoingMail, registration: Registration, template: str, subject: str) -> MailContent:
    """A mail that carries the ticket: its QR code inline and the calendar invitation (REQUEST)."""
    links = _links(registration)
    # A Content-ID of its own per mail: clients cache inline images by it.
    qr_cid = "ticket-qr." + mail.message_id.strip("<>")
    text, html = render_pair(template, registration=registration, event=registration.event, qr_cid=qr_cid,
                         params=mail.params, **links)
    return MailContent(
        subject=subject,
        text=text,
        html=html,
        calendar=CalendarPart(_invitation(mail, registration, "REQUEST", links["manage_url"]),
                              "REQUEST", "invite.ics"),
        # The ticket's plain address, as the ticket page's own QR code holds it: what the door reads.
        images=(InlineImage(qr_cid, qr_png(absolute_url("registrations.ticket", code=registration.ticket_code)),
                            filename="ticket.png"),),
    )


def registration_confirmed(mail: OutgoingMail) -> MailContent:
    """A place: the ticket with its QR code, and the calendar invitation."""
    registration = _registration(mail)
    return _ticket_mail(mail, registration, "registration_confirmed_to_guest",
                        _("Registration confirmed: %(title)s", title=event_title_text(registration.event)))


def registration_waitlisted(mail: OutgoingMail) -> MailContent:
    """On the waitlist: the position, and what happens next (no calendar: no place yet)."""
    registration = _registration(mail)
    links = _links(registration)
    text, html = render_pair("registration_waitlisted_to_guest", registration=registration,
                         event=registration.event, position=waitlist_position(registration),
                         params=mail.params, **links)
    return MailContent(
        subject=_("You are on the waitlist: %(title)s", title=event_title_text(registration.event)),
        text=text,
        html=html,
    )


def registration_cancelled(mail: OutgoingMail) -> MailContent:
    """The registration is cancelled; a calendar CANCEL for a guest who had a place."""
    registration = _registration(mail)
    links = _links(registration)
    calendar = None
    if mail.params.get("had_place", True):
        calendar = CalendarPart(_invitation(mail, registration, "CANCEL", links["manage_url"]),
                                "CANCEL", "cancel.ics")
    text, html = render_pair("registration_cancelled_to_guest", registration=registration,
                         event=registration.event, params=mail.params, **links)
    return MailContent(
        subject=_("Registration cancelled: %(title)s", title=event_title_text(registration.event)),
        text=text,
        html=html,
        calendar=calendar,
    )


def event_updated(mail: OutgoingMail) -> MailContent:
    """The time or place changed: what changed, and for a confirmed guest the updated invitation."""
    registration = _registration(mail)
    links = _links(registration)
    event = registration.event
    calendar = None
    # Not for a guest who has cancelled since: a REQUEST would put the event back into their calendar.
    if mail.params.get("calendar") and registration.is_confirmed:
        calendar = CalendarPart(_invitation(mail, registration, "REQUEST", links["manage_url"]),
                                "REQUEST", "invite.ics")
    changes = describe_changes(mail.params["before"], mail.params["after"])
    text, html = render_pair("event_updated_to_guest", registration=registration, event=event, changes=changes,
                         has_calendar=calendar is not None, params=mail.params, **links)
    return MailContent(subject=_("Changed: %(title)s", title=event_title_text(event)), text=text, html=html,
                       calendar=calendar)


def event_cancelled(mail: OutgoingMail) -> MailContent:
    """The event is cancelled: a word to every guest, and a calendar CANCEL for those with a place."""
    registration = _registration(mail)
    links = _links(registration)
    event = registration.event
    calendar = None
    if mail.params.get("had_place"):
        calendar = CalendarPart(_invitation(mail, registration, "CANCEL", links["manage_url"]),
                                "CANCEL", "cancel.ics")
    text, html = render_pair("event_cancelled_to_guest", registration=registration, event=event,
                         params=mail.params, events_url=mail_link("events.upcoming"), **links)
    return MailContent(subject=_("Cancelled: %(title)s", title=event_title_text(event)), text=text, html=html,
                       calendar=calendar)


def registration_reminder(mail: OutgoingMail) -> MailContent:
    """Shortly before the event: the ticket, QR code and calendar invitation again."""
    registration = _registration(mail)
    if not registration.is_confirmed:
        # Cancelled between queueing and sending: a REQUEST would put the event back into the calendar.
        raise NotFound(_l("This registration is no longer confirmed; it gets no reminder."))
    return _ticket_mail(mail, registration, "registration_reminder_to_guest",
                        _("Reminder: %(title)s", title=event_title_text(registration.event)))


def email_change(mail: OutgoingMail) -> MailContent:
    """To a new address: the link that moves the registration to it (nothing else changes)."""
    registration = _registration(mail)
    confirm_url = mail_link("registrations.confirm_email_form", key=mail.params["key"])
    text, html = render_pair("registration_email_change_to_guest", registration=registration,
                             event=registration.event, new_email=mail.recipient, confirm_url=confirm_url,
                             hours=int(EMAIL_LINK_VALID.total_seconds() // 3600), params=mail.params)
    return MailContent(subject=_("Please confirm your new address: %(title)s",
                                 title=event_title_text(registration.event)),
                       text=text, html=html)


def email_changed(mail: OutgoingMail) -> MailContent:
    """To the old address, after the change: where the mails go now, and whom to ask if that was not them."""
    registration = _registration(mail)
    text, html = render_pair("registration_email_changed_to_guest", registration=registration,
                             event=registration.event, old_email=mail.params["old_email"],
                             new_email=mail.params["new_email"], organizer=current_app.config["ORGANIZER_EMAIL"],
                             params=mail.params)
    return MailContent(subject=_("Your address was changed: %(title)s",
                                 title=event_title_text(registration.event)),
                       text=text, html=html)


COMPOSERS = {
    CONFIRMED_MAIL: registration_confirmed,
    WAITLISTED_MAIL: registration_waitlisted,
    CANCELLED_MAIL: registration_cancelled,
    REMINDER_MAIL: registration_reminder,
    EVENT_UPDATED_MAIL: event_updated,
    EVENT_CANCELLED_MAIL: event_cancelled,
    EMAIL_CHANGE_MAIL: email_change,
    EMAIL_CHANGED_MAIL: email_changed,
}


def withdrawn(mails: list[OutgoingMail]) -> set[int]:
    """The reminders among `mails` whose guest has no place any more (cancelled since the
    reminder was queued): its calendar REQUEST would put the event back into their calendar."""
    reminders = [(mail.id, mail.registration_id) for mail in mails
                 if mail.kind == REMINDER_MAIL and mail.registration_id is not None]
    if not reminders:
        return set()
    confirmed = set(db.session.execute(
        select(Registration.id).where(Registration.id.in_({r for _m, r in reminders}),
                                      Registration.status == RegistrationStatus.confirmed)
    ).scalars())
    return {mail_id for mail_id, registration_id in reminders if registration_id not in confirmed}
