"""Staff pages of the outbox, which is the development mailbox too: every mail, its parts,
its state; failed mails can be sent again."""
import email
from email import policy

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth.access import staff_required
from ..database import get_row
from ..extensions import db
from ..formatting import when
from ..outbox import MailStatus, OutgoingMail
from ..paging import paginate, read_sort, sorted_by
from ..search import matches_words
from . import sender

bp = Blueprint("mailing_staff", __name__, url_prefix="/staff/mails")

PAGE_SIZE = 50
# The columns the outbox may be sorted by; newest first unless the reader chose another.
SORT_COLUMNS = {"created": OutgoingMail.id, "recipient": func.lower(OutgoingMail.recipient),
                "subject": func.lower(OutgoingMail.subject), "status": OutgoingMail.status,
                "attempts": OutgoingMail.attempts}
DEFAULT_SORT = "-created"
# The headers of a mail as its page names them, in the reader's language.
HEADER_LABELS = (("From", _l("From")), ("To", _l("To")), ("Reply-To", _l("Reply to")), ("Subject", _l("Subject")),
                 ("Date", _l("Date")), ("Message-ID", _l("Message ID")))


def _get_mail(mail_id: int) -> OutgoingMail:
    return sender.ensure_composed(get_row(OutgoingMail, mail_id))


def _parts(mail: OutgoingMail) -> list:
    if mail.raw is None:
        abort(404)  # anonymised: its content is gone (the mail's own page says so)
    message = email.message_from_bytes(mail.raw, policy=policy.default)
    return [part for part in message.walk() if not part.is_multipart()]


def _outbox(status: MailStatus | None, query: str):
    """The outbox's mails in one state (or all) whose recipient or subject has every word of `query`."""
    statement = select(OutgoingMail).where(*matches_words(query, OutgoingMail.recipient, OutgoingMail.subject))
    return statement.where(OutgoingMail.status == status) if status is not None else statement


def _status_counts() -> dict[MailStatus, int]:
    """How many mails the outbox holds in each state."""
    query = select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)
    return dict(db.session.execute(query).all())


@bp.get("/")
@staff_required
def index():
    """The outbox, newest first: one page of mails, searchable by recipient or subject, by state."""
    status = request.args.get("status")
    status = MailStatus(status) if status in MailStatus.__members__.values() else None
    query = (request.args.get("q") or "").strip()
    sort = read_sort(request.args.get("sort"), SORT_COLUMNS, DEFAULT_SORT)
    page = paginate(sorted_by(_outbox(status, query), sort, SORT_COLUMNS, OutgoingMail.id.desc()),
                    number=request.args.get("page", 1, type=int), size=PAGE_SIZE)
    args = {name: value for name, value in (("status", status), ("q", query),
                                            ("sort", sort.arg if sort.arg != DEFAULT_SORT else None)) if value}
    return render_template("mailing/staff/index.html", page=page, status=status, query=query, sort=sort,
                           list_args=args, statuses=list(MailStatus), counts=_status_counts())


@bp.get("/<int:mail_id>")
@staff_required
def show(mail_id):
    """One mail: headers, text, and links to its HTML, calendar file and images."""
    mail = _get_mail(mail_id)
    if mail.raw is None:
        return render_template("mailing/staff/show.html", mail=mail, parts=[], text="", headers=[], has_html=False)
    parts = _parts(mail)
    text = next((p.get_content() for p in parts if p.get_content_type() == "text/plain"), "")
    message = email.message_from_bytes(mail.raw, policy=policy.default)
    headers = [(label, _header_value(message, name)) for name, label in HEADER_LABELS if message[name]]
    return render_template("mailing/staff/show.html", mail=mail, parts=list(enumerate(parts)), text=text,
                           headers=headers, has_html=any(p.get_content_type() == "text/html" for p in parts))


def _header_value(message, name: str) -> str:
    """A header as the page shows it: the date in the reader's language and time zone."""
    if name == "Date" and getattr(message[name], "datetime", None) is not None:
        return when(message[name].datetime)
    return str(message[name])


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
    if mail.raw is None:
        abort(404)
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
