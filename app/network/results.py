"""What came of an event: its summary, its minutes and its files, each public or network only.

Who sees what:
- staff: everything, at any time;
- the public: the items marked public, once the event has ended (a draft event's only if it is a
  record-only meeting, which is never published), on the event's page and in the review of past
  events (results.review);
- a working group's members, through the key of any invitation mailed to them (/i/<token>): the
  public and the network-only items of the group's meetings that have ended.

Files live in the database (ResultFile.data), so every web host serves the same bytes; their type
was read from their content (network.uploads). Every change moves the event's updated_at, the
version of its cached public page and of the cached lists.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, exists, or_, select

from ..audit import Actor, AuditAction, changed_fields, record
from ..campaigns.models import CampaignRecipient
from ..database import get_by_link_key, get_row, utcnow, write_transaction
from ..errors import NotFound
from ..events.models import Event, EventStatus, EventVisibility
from ..extensions import db
from ..paging import Page, paginate
from .groups import is_member
from .models import EventResult, ResultFile, ResultVisibility
from .uploads import check_upload

PUBLIC = ResultVisibility.public
# The audit entries of this feature (the results page shows them as its history).
RESULT_ACTIONS = (AuditAction.results_changed, AuditAction.result_file_added, AuditAction.result_file_changed,
                  AuditAction.result_file_deleted)


@dataclass(frozen=True)
class Results:
    """What one audience sees of one event's results (texts empty where not theirs to see)."""

    event: Event
    summary: str = ""
    minutes: str = ""
    files: list[ResultFile] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to show."""
        return not (self.summary or self.minutes or self.files)

    @property
    def images(self) -> list[ResultFile]:
        """The files shown as pictures."""
        return [f for f in self.files if f.is_image]

    @property
    def documents(self) -> list[ResultFile]:
        """The files offered as downloads."""
        return [f for f in self.files if not f.is_image]


# --- what staff see and do ----------------------------------------------------------------------

def get_result(event_id: int) -> EventResult | None:
    """The event's texts, None before staff wrote any."""
    return db.session.execute(select(EventResult).where(EventResult.event_id == event_id)).scalar_one_or_none()


def files_of(event_id: int) -> list[ResultFile]:
    """Every file of the event's results, in the order they were added (without their bytes)."""
    query = select(ResultFile).where(ResultFile.event_id == event_id).order_by(ResultFile.id)
    return list(db.session.execute(query).scalars())


def proposed_summary_visibility(event: Event) -> ResultVisibility:
    """Who sees a summary unless staff choose otherwise: the public for a public event; the network
    only for one that was not open to the public (a working group's or coordination meeting), so that
    its summary lands in the public review only when staff choose it."""
    return PUBLIC if event.visibility == EventVisibility.public else ResultVisibility.network


def save_texts(event_id: int, *, summary: str, summary_visibility: str, minutes: str, minutes_visibility: str,
               by: Actor) -> bool:
    """Save the summary and the minutes with who sees each; whether anything changed.

    :raises NotFound: no such event
    """
    after = {"results_summary": summary, "results_summary_visibility": ResultVisibility(summary_visibility),
             "results_minutes": minutes, "results_minutes_visibility": ResultVisibility(minutes_visibility)}
    with write_transaction(lock=(Event, event_id)) as tx:
        result = get_result(event_id)
        before = {"results_summary": "", "results_summary_visibility": proposed_summary_visibility(tx.row),
                  "results_minutes": "", "results_minutes_visibility": ResultVisibility.network}
        if result is not None:
            before = {"results_summary": result.summary, "results_summary_visibility": result.summary_visibility,
                      "results_minutes": result.minutes, "results_minutes_visibility": result.minutes_visibility}
        changes = changed_fields(before, after)
        if not changes:
            return False
        if result is None:
            result = EventResult(event_id=event_id)
            db.session.add(result)
        result.summary, result.summary_visibility = summary, after["results_summary_visibility"]
        result.minutes, result.minutes_visibility = minutes, after["results_minutes_visibility"]
        result.updated_by = by.name[:200]
        result.updated_at = tx.now
        tx.row.updated_at = tx.now
        record(by, AuditAction.results_changed, at=tx.now, event_id=event_id, changes=changes)
    return True


def add_file(event_id: int, data: bytes, filename: str | None, *, title: str, visibility: str,
             by: Actor) -> ResultFile:
    """Add a file to the event's results: checked by its content, an image drawn anew.

    :raises UploadRefused: nothing is stored
    :raises NotFound: no such event
    """
    checked = check_upload(data, filename, max_bytes=current_app.config["RESULT_FILE_MAX_BYTES"])
    with write_transaction(lock=(Event, event_id)) as tx:
        stored = ResultFile(event_id=event_id, filename=checked.filename, title=(title or checked.readable_name
                                                                                or checked.filename)[:200],
                            content_type=checked.content_type, size=len(checked.data), data=checked.data,
                            visibility=ResultVisibility(visibility), uploaded_by=by.name[:200], created_at=tx.now)
        db.session.add(stored)
        tx.row.updated_at = tx.now
        db.session.flush()
        record(by, AuditAction.result_file_added, at=tx.now, event_id=event_id,
               changes={"file": stored.filename, "title": stored.title, "visibility": stored.visibility})
    return stored


def change_file_visibility(event_id: int, file_id: int, visibility: str, *, by: Actor) -> ResultFile:
    """Let the public see a file, or only the network.

    :raises NotFound: no such file of this event
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        stored = _file_of_event(event_id, file_id)
        new = ResultVisibility(visibility)
        if stored.visibility != new:
            record(by, AuditAction.result_file_changed, at=tx.now, event_id=event_id,
                   changes={"file": stored.filename, "visibility": [stored.visibility, new]})
            stored.visibility = new
            tx.row.updated_at = tx.now
    return stored


def delete_file(event_id: int, file_id: int, *, by: Actor) -> str:
    """Delete a file from the results for good; its title.

    :raises NotFound: no such file of this event
    """
    with write_transaction(lock=(Event, event_id)) as tx:
        stored = _file_of_event(event_id, file_id)
        title = stored.title
        record(by, AuditAction.result_file_deleted, at=tx.now, event_id=event_id,
               changes={"file": stored.filename, "title": stored.title})
        db.session.delete(stored)
        tx.row.updated_at = tx.now
    return title


def get_file(event_id: int, file_id: int) -> ResultFile:
    """A file of the event's results, as staff see it (without its bytes). :raises NotFound:"""
    return _file_of_event(event_id, file_id)


def file_for_staff(event_id: int, file_id: int) -> ResultFile:
    """Any file of the event, with its bytes. :raises NotFound:"""
    return _file_of_event(event_id, file_id, content=True)


def _file_of_event(event_id: int, file_id: int, *, content: bool = False) -> ResultFile:
    stored = get_row(ResultFile, file_id)
    if stored.event_id != event_id:
        raise NotFound(ResultFile.not_found)
    return _with_content(stored) if content else stored


def _with_content(stored: ResultFile) -> ResultFile:
    """The row with its bytes loaded (they are deferred: lists never read them)."""
    db.session.refresh(stored, attribute_names=["data"])
    return stored


# --- what the public and the members see --------------------------------------------------------

def shown_publicly(event: Event, now: datetime | None = None) -> bool:
    """Whether the public may see the event's public results now: it has ended, and it was
    published (a record-only meeting needs not be)."""
    return event.has_ended(now or utcnow()) and (event.is_record_only or not event.is_draft)


def public_results(event: Event, now: datetime | None = None) -> Results | None:
    """The public part of the event's results, None before it ended or when there is none."""
    if not shown_publicly(event, now):
        return None
    results = _results_of([event], public_only=True).get(event.id)
    return None if results is None or results.is_empty else results


def file_for_public(file_id: int, filename: str, now: datetime | None = None) -> ResultFile:
    """A public file of an event that has ended, with its bytes. :raises NotFound:"""
    stored = get_row(ResultFile, file_id)
    if (stored.filename != filename or stored.visibility != PUBLIC
            or not shown_publicly(db.session.get(Event, stored.event_id), now)):
        raise NotFound(ResultFile.not_found)
    return _with_content(stored)


def file_for_member(token: str, file_id: int, now: datetime | None = None) -> ResultFile:
    """A file of a working group's meeting that has ended, for a member of the group who holds
    an invitation's key (the key of any invitation mailed to them). :raises NotFound:"""
    recipient = get_by_link_key(CampaignRecipient.token, token)
    stored = get_row(ResultFile, file_id)
    event = db.session.get(Event, stored.event_id)
    if event.working_group_id is None or not event.has_ended(now or utcnow()) or not is_member(
            event.working_group_id, recipient.contact_id):
        raise NotFound(ResultFile.not_found)
    return _with_content(stored)


def member_results(group_id: int, now: datetime | None = None, limit: int = 20) -> list[Results]:
    """What the group's members see: the results of its meetings that have ended, newest first."""
    query = (select(Event).where(Event.working_group_id == group_id, Event.ends_at <= (now or utcnow()))
             .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit))
    meetings = list(db.session.execute(query).scalars())
    found = _results_of(meetings, public_only=False)
    return [found[e.id] for e in meetings if e.id in found and not found[e.id].is_empty]


def review(page: int | None = None, now: datetime | None = None, size: int = 20) -> Page:
    """The public review of past events: those that ended and have a public item, newest first.
    The page's items are Results."""
    now = now or utcnow()
    public_text = and_(EventResult.event_id == Event.id, or_(
        and_(EventResult.summary != "", EventResult.summary_visibility == PUBLIC),
        and_(EventResult.minutes != "", EventResult.minutes_visibility == PUBLIC)))
    public_file = and_(ResultFile.event_id == Event.id, ResultFile.visibility == PUBLIC)
    query = (select(Event)
             .where(Event.ends_at <= now,
                    or_(Event.status != EventStatus.draft, Event.visibility == EventVisibility.record),
                    or_(exists().where(public_text), exists().where(public_file)))
             .order_by(Event.starts_at.desc(), Event.id.desc()))
    events = paginate(query, number=page, size=size)
    found = _results_of(events.items, public_only=True)
    return Page([found[e.id] for e in events.items if e.id in found], events.total, events.number, events.size)


def _results_of(events: list[Event], *, public_only: bool) -> dict[int, Results]:
    """The results of these events (the public part only, or all), by event id; two queries."""
    if not events:
        return {}
    ids = [event.id for event in events]
    texts = {r.event_id: r for r in db.session.execute(
        select(EventResult).where(EventResult.event_id.in_(ids))).scalars()}
    query = select(ResultFile).where(ResultFile.event_id.in_(ids)).order_by(ResultFile.id)
    if public_only:
        query = query.where(ResultFile.visibility == PUBLIC)
    files: dict[int, list[ResultFile]] = {}
    for stored in db.session.execute(query).scalars():
        files.setdefault(stored.event_id, []).append(stored)
    found = {}
    for event in events:
        text = texts.get(event.id)
        summary = text.summary if text and (not public_only or text.summary_visibility == PUBLIC) else ""
        minutes = text.minutes if text and (not public_only or text.minutes_visibility == PUBLIC) else ""
        found[event.id] = Results(event=event, summary=summary, minutes=minutes, files=files.get(event.id, []))
    return found

