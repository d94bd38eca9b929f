"""Staff pages of the outbox, which is the development mailbox too: every mail, its parts,
its state; failed mails can be sent again."""
import email
from email import policy

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import staff_required
from ..database import get_row
from ..outbox import MailStatus, OutgoingMail, latest_mails
from . import sender

bp = Blueprint("mailing_staff", __name__, url_prefix="/staff/mails")


def _get_mail(mail_id: int) -> OutgoingMail:
    return sender.ensure_composed(get_row(OutgoingMail, mail_id))


def _parts(mail: OutgoingMail) -> list:
    message = email.message_from_bytes(mail.raw, policy=policy.default)
    return [part for part in message.walk() if not part.is_multipart()]


@bp.get("/")
@staff_required
def index():
    """The outbox, newest first, filterable by state."""
    status = request.args.get("status")
    status = MailStatus(status) if status in MailStatus.__members__.values() else None
    return render_template("mailing/staff/index.html", mails=latest_mails(status), status=status,
                           statuses=list(MailStatus))


@bp.get("/<int:mail_id>")
@staff_required
def show(mail_id):
    """One mail: headers, text, and links to its HTML, calendar file and images."""
    mail = _get_mail(mail_id)
    parts = _parts(mail)
    text = next((p.get_content() for p in parts if p.get_content_type() == "text/plain"), "")
    return render_template("mailing/staff/show.html", mail=mail, parts=list(enumerate(parts)), text=text,
                           headers=email.message_from_bytes(mail.raw, policy=policy.default))


@bp.get("/<int:mail_id>/html")
@staff_required
def html(mail_id):
    """The HTML part, with its inline images pointing at their parts."""
    mail = _get_mail(mail_id)
    parts = _parts(mail)
    body = next((p.get_content() for p in parts if p.get_content_type() == "text/html"), None)
    if body is None:
        abort(404)
    for index, part in enumerate(parts):
        cid = (part.get("Content-ID") or "").strip("<>")
        if cid:
            body = body.replace(f"cid:{cid}", url_for("mailing_staff.part", mail_id=mail.id, index=index))
    response = Response(body, mimetype="text/html")
    # The mail is shown as it is, but it may not run scripts or load anything from elsewhere.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@bp.get("/<int:mail_id>/parts/<int:index>")
@staff_required
def part(mail_id, index):
    """One leaf part of the mail (calendar file, QR image, attachment) as it was sent."""
    parts = _parts(_get_mail(mail_id))
    if index >= len(parts):
        abort(404)
    chosen = parts[index]
    response = Response(chosen.get_payload(decode=True), mimetype=chosen.get_content_type())
    filename = chosen.get_filename()
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/<int:mail_id>.eml")
@staff_required
def raw(mail_id):
    """The mail byte for byte, to open in a mail program."""
    mail = _get_mail(mail_id)
    response = Response(mail.raw, mimetype="message/rfc822")
    response.headers["Content-Disposition"] = f'attachment; filename="mail-{mail.id}.eml"'
    return response


@bp.post("/<int:mail_id>/retry")
@staff_required
def retry(mail_id):
    """Queue a failed mail again."""
    get_row(OutgoingMail, mail_id)
    if sender.retry(mail_id):
        flash(_("The mail is queued again."))
    else:
        flash(_("Only a failed or kept mail can be sent again; this one was not changed."))
    return redirect(url_for("mailing_staff.show", mail_id=mail_id))
