"""The development mailbox: every outbox mail, its parts, its state; retry for failures."""
import email
from email import policy

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import staff_required
from ..extensions import db
from ..outbox import STATUS_LABELS, MailStatus, OutgoingMail
from . import sender

bp = Blueprint("mailbox", __name__, url_prefix="/staff/mails")

PAGE_SIZE = 100


def _get_mail(mail_id: int) -> OutgoingMail:
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None:
        abort(404)
    return sender.ensure_composed(mail)


def _parts(mail: OutgoingMail) -> list:
    message = email.message_from_bytes(mail.raw, policy=policy.default)
    return [part for part in message.walk() if not part.is_multipart()]


@bp.get("/")
@staff_required
def index():
    """The outbox, newest first, filterable by state."""
    status = request.args.get("status")
    query = select(OutgoingMail).order_by(OutgoingMail.id.desc()).limit(PAGE_SIZE)
    if status in {s.value for s in MailStatus}:
        query = query.where(OutgoingMail.status == status)
    mails = list(db.session.execute(query).scalars())
    return render_template("mailing/index.html", mails=mails, status=status, statuses=STATUS_LABELS)


@bp.get("/<int:mail_id>")
@staff_required
def show(mail_id):
    """One mail: headers, text, and links to its HTML, calendar file and images."""
    mail = _get_mail(mail_id)
    parts = _parts(mail)
    text = next((p.get_content() for p in parts if p.get_content_type() == "text/plain"), "")
    return render_template("mailing/show.html", mail=mail, parts=list(enumerate(parts)), text=text,
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
            body = body.replace(f"cid:{cid}", url_for("mailbox.part", mail_id=mail.id, index=index))
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
    if db.session.get(OutgoingMail, mail_id) is None:
        abort(404)
    if sender.retry(mail_id):
        flash(_("The mail is queued again."))
    else:
        flash(_("Only a failed or kept mail can be sent again; this one was not changed."))
    return redirect(url_for("mailbox.show", mail_id=mail_id))
