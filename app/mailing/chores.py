"""Work the long-running senders do between batches, such as the privacy purge.

A feature above mailing brings its chore through create_app (register_chore), as it brings
its kinds of mail: mailing never imports it. Each sender runs each chore when it starts and
then at most once per its `every`; with several senders a chore may run in several places at
once, so a chore must be safe to repeat and to race (the purge is: it changes only rows not
yet anonymised, under the event's lock).
"""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from ..extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chore:
    """Work a sender does between batches, at most once per `every`."""

    name: str
    run: Callable[[], object]
    every: timedelta


def register_chore(app, name: str, run: Callable[[], object], every: timedelta) -> None:
    """Teach the app's long-running senders a chore; `every` of zero or less: senders do not run it."""
    if every > timedelta(0):
        app.extensions.setdefault("podium.sender_chores", []).append(Chore(name, run, every))


def run_due_chores(due_at: dict[str, float]) -> None:
    """Run each registered chore whose time has come (`due_at`: the sender's own clock per chore);
    one that fails is logged and tried again at its next turn, the sender goes on."""
    for chore in current_app.extensions.get("podium.sender_chores", []):
        if time.monotonic() < due_at.get(chore.name, 0.0):
            continue
        due_at[chore.name] = time.monotonic() + chore.every.total_seconds()
        try:
            chore.run()
        except Exception:
            db.session.rollback()
            log.exception("The sender's chore %r failed; it runs again at its next turn", chore.name)
