"""GET /healthz: what a load balancer asks each web process before it sends guests there.

    200 {"status": "ok", "database": "ok", "outbox": {"due": 2, "oldest_due_seconds": 3600}}
    503 {"status": "unavailable", "database": "error", "reason": "..."}

The answer is 503 only when this process cannot use the database, the one thing without which
it serves nothing. A mail backlog is reported, never a 503: mail is delivered by the mail
workers (or a sender thread of every web process alike), so a backlog is no fault of the web
process asked, and a load balancer that took every web process out for it would turn late mail
into a site that is down. Alert on the numbers instead (`due`, `oldest_due_seconds`).

The probe only looks: no login, session, cookie or CSRF token, exempt from the rate limits (it
must not need Redis nor use up a limit), and it starts no mail sender (app/__init__.py).
"""
import logging

from flask import Blueprint, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from .database import utcnow
from .extensions import db, limiter
from .outbox import MailStatus, OutgoingMail
from .security import NO_STORE

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
limiter.exempt(bp)

# Load balancers give up on a probe after a few seconds; the query must not outlast that.
# (Reaching the server at all is bounded by connect_timeout in DATABASE_URL, see README.)
STATEMENT_TIMEOUT_MS = 2000


@bp.get("/healthz")
def check():
    """Whether this process can use the database, and how far mail delivery lags behind."""
    try:
        outbox = outbox_backlog()
    except SQLAlchemyError as exc:
        log.warning("Health check: the database could not be queried: %s", exc)
        reason = f"the database could not be queried ({type(getattr(exc, 'orig', None) or exc).__name__})"
        response = jsonify(status="unavailable", database="error", reason=reason), 503
    else:
        response = jsonify(status="ok", database="ok", outbox=outbox), 200
    response[0].headers["Cache-Control"] = NO_STORE
    return response


def outbox_backlog() -> dict:
    """Mails that should have gone out by now (queued and due, or claimed by a sender and not
    yet sent), and how many seconds the one due longest has been waiting. One short query."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
    now = utcnow()
    due, oldest = db.session.execute(
        select(func.count(), func.min(OutgoingMail.next_attempt_at))
        .where(OutgoingMail.status.in_([MailStatus.queued, MailStatus.sending]),
               OutgoingMail.next_attempt_at <= now, OutgoingMail.anonymised_at.is_(None))
    ).one()
    return {"due": due, "oldest_due_seconds": round((now - oldest).total_seconds()) if oldest else None}
