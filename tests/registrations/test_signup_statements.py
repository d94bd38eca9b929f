"""What a sign-up costs the database: the statements its rules need, and no more.

A new guest costs one transaction of: the event, read once and under its lock; the registration,
inserted unless the address has one for the event (ON CONFLICT: no query before it), with the
institution the typed organisation counts for as its subquery; the event's counter; the mail. On
PostgreSQL the registration, the counter and the mail are one statement (CTEs), two round trips less
while the lock is held. Counted as the guest sends the form, on SQLite and PostgreSQL, from a fresh session as
on a server: a statement that creeps in (the event read again before the lock, a lazy load, a flush
too early, an id read back) fails here.
"""
import re
from contextlib import contextmanager

from flask import url_for
from sqlalchemy import event as sqlalchemy_event

from app.events.services import get_published
from app.extensions import db
from app.registrations import services
from tests.pages import ENGLISH
from tests.rows import fresh_reads, mails_to, registrations_of

from .conftest import form_data

# The first table a statement names: what it reads or writes.
TABLE = re.compile(r"^\s*(?:SELECT\s.*?\sFROM|UPDATE|INSERT\s+INTO)\s+(\w+)", re.DOTALL)
# The writes inside a statement WITH common table expressions.
WRITES = re.compile(r"\b(INSERT\s+INTO|UPDATE)\s+(\w+)")


class Statements:
    """The statements the database was sent, as "VERB table", and the transactions begun and
    rolled back (BEGIN itself is the driver's on PostgreSQL and ours on SQLite: counted apart)."""

    def __init__(self):
        self.run: list[str] = []
        self.sql: list[str] = []
        self.begun = 0
        self.rolled_back = 0

    def executed(self, _connection, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            return
        self.sql.append(statement)
        if statement.startswith("WITH"):  # what its parts write, in their order
            self.run.append(" + ".join(f"{verb.split()[0]} {table}" for verb, table in WRITES.findall(statement)))
        else:
            self.run.append(f"{statement.split()[0]} {TABLE.match(statement).group(1)}")

    def began(self, _connection):
        self.begun += 1

    def rolled(self, _connection):
        self.rolled_back += 1

    def locks(self) -> list[bool]:
        """For each statement on the events table: whether it locks the row."""
        return ["FOR UPDATE" in sql for sql, run in zip(self.sql, self.run) if run.endswith(" events")]


@contextmanager
def counted():
    """Count what the database is sent inside the block, from a fresh session (a request on a
    server starts with an empty one: nothing the test read may spare the request a query)."""
    fresh_reads()
    db.session.remove()
    statements = Statements()
    listeners = [("before_cursor_execute", statements.executed), ("begin", statements.began),
                 ("rollback", statements.rolled)]
    for name, listener in listeners:
        sqlalchemy_event.listen(db.engine, name, listener)
    try:
        yield statements
    finally:
        for name, listener in listeners:
            sqlalchemy_event.remove(db.engine, name, listener)


def post(client, slug, **fields):
    return client.post(url_for("registrations.register", slug=slug), data=form_data(**fields),
                       headers=ENGLISH)


def guests_of(slug):
    """The event's registrations (its object went with the session `counted` ended)."""
    fresh_reads()
    return registrations_of(get_published(slug))


def counters(slug) -> tuple[int, int]:
    """The event's counters: confirmed, waitlisted."""
    fresh_reads()
    event = get_published(slug)
    return event.confirmed_count, event.waitlist_count


def registered_counted_and_mailed() -> list[str]:
    """The statements that insert the registration, raise the event's counter and queue the mail:
    one on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return ["INSERT registrations + UPDATE events + INSERT outgoing_mails"]
    return ["INSERT registrations", "UPDATE events", "INSERT outgoing_mails"]


def test_a_new_guest_costs_one_transaction_of_four_statements_on_sqlite_and_two_on_postgresql(client, make_event):
    event = make_event(capacity=10)
    slug = event.slug

    with counted() as statements:
        response = post(client, slug, organisation="Caritas Trier")

    (anna,) = guests_of(slug)
    assert response.status_code == 302
    assert response.location.endswith(url_for("registrations.signed_up", token=anna.manage_token))
    assert [mail.kind for mail in mails_to("anna@example.org")] == ["registration_confirmed"]
    assert statements.run == ["SELECT events", *registered_counted_and_mailed()], statements.sql
    # The institution the organisation counts for is asked inside the INSERT, not before it.
    assert "organisation_matches" in next(sql for sql in statements.sql if "INSERT INTO registrations" in sql)
    # The event is read once: locked (SQLite's BEGIN IMMEDIATE locks without saying so in the SELECT).
    assert statements.locks()[0] == (db.engine.dialect.name == "postgresql")
    assert (statements.begun, statements.rolled_back) == (1, 0)
    assert counters(slug) == (1, 0)


def test_onto_the_waitlist_the_same_statements_raise_the_other_counter(client, make_event, sign_up):
    event = make_event(capacity=1, waitlist_enabled=True)
    sign_up(event)
    slug = event.slug

    with counted() as statements:
        response = post(client, slug, organisation="")

    anna = guests_of(slug)[-1]
    assert anna.status == "waitlisted"
    assert response.location.endswith(url_for("registrations.manage", token=anna.manage_token))
    assert [mail.kind for mail in mails_to("anna@example.org")] == ["registration_waitlisted"]
    assert statements.run == ["SELECT events", *registered_counted_and_mailed()], statements.sql
    assert "waitlist_count" in next(sql for sql in statements.sql if "UPDATE events" in sql)
    assert (statements.begun, statements.rolled_back) == (1, 0)
    assert counters(slug) == (1, 1)


def test_the_same_address_again_reads_whether_it_was_mailed_lately_and_writes_only_the_mail(client,
                                                                                           make_event):
    event = make_event(capacity=10)
    slug = event.slug
    assert post(client, slug).status_code == 302

    with counted() as again:
        response = post(client, slug)
    with counted() as once_more:
        post(client, slug)

    assert response.location.endswith(url_for("registrations.mail_on_its_way", slug=slug))
    assert len(guests_of(slug)) == 1
    # The INSERT that finds the address registered writes nothing, and the counter and the first
    # mail are left alone (on PostgreSQL they are in the same statement, written only for a new row).
    tried = registered_counted_and_mailed()[:1]
    assert again.run == ["SELECT events", *tried, "SELECT registrations", "SELECT outgoing_mails",
                         "INSERT outgoing_mails"], again.sql
    # Mailed again within the hour: nothing is written at all.
    assert once_more.run == ["SELECT events", *tried, "SELECT registrations", "SELECT outgoing_mails"], \
        once_more.sql
    assert counters(slug) == (1, 0)
    assert [mail.params["repeated"] for mail in mails_to("anna@example.org")] == [False, True]


def test_an_event_read_before_its_lock_is_counted(client, make_event, monkeypatch):
    """Negative control: the count sees a read the rules do not need (here, the event read once
    more before it is locked, as a view that looks the event up first would)."""
    event = make_event(capacity=10)
    slug = event.slug
    locked_event = services.locked_event

    def read_first(event):
        services.get_published(event)
        return locked_event(event)

    monkeypatch.setattr(services, "locked_event", read_first)

    with counted() as statements:
        response = post(client, slug, organisation="")

    assert response.status_code == 302
    assert statements.run[:2] == ["SELECT events", "SELECT events"], statements.sql
    assert len(statements.run) == 2 + len(registered_counted_and_mailed())
