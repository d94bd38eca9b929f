"""The one way a use case writes (app.database.write_transaction), on SQLite and PostgreSQL."""
from sqlalchemy import text

from app.database import write_transaction
from app.events.models import Event
from app.extensions import db


def test_what_was_read_before_a_write_is_read_afresh_inside_it(make_event):
    """A view reads, another process commits a change, then the view's use case writes: the write
    sees the change. SQLite ends the read for its write lock; PostgreSQL's transaction goes on, and
    what it had read is expired all the same."""
    event_id = make_event(title="Forum Pflege").id
    db.session.remove()
    event = db.session.get(Event, event_id)  # read in this request's transaction
    assert event.title == "Forum Pflege"
    with db.engine.begin() as other_process:
        other_process.execute(text("UPDATE events SET title = 'Forum Pflege und Gesundheit' WHERE id = :id"),
                              {"id": event_id})

    with write_transaction():
        assert event.title == "Forum Pflege und Gesundheit"
