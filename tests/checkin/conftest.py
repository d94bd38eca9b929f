"""Helpers for the door: device tokens, logged-in door users, reading back check-ins."""
from contextlib import contextmanager

import pytest
from flask import url_for
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from app.auth.services import create_api_token
from app.checkin.models import CheckInRecord
from app.extensions import db
from tests.rows import fresh_reads


def records_of(registration_or_event_id, *, event=False) -> list[CheckInRecord]:
    """The door log of a registration (or, with event=True, of an event), oldest first."""
    fresh_reads()
    column = CheckInRecord.event_id if event else CheckInRecord.registration_id
    key = getattr(registration_or_event_id, "id", registration_or_event_id)
    query = select(CheckInRecord).where(column == key).order_by(CheckInRecord.id)
    return list(db.session.execute(query).scalars())


@pytest.fixture
def device_token(app):
    """A bearer token as `tokens create` makes it; returns the token itself."""

    def make(name="Tablet 1", *, role="door", event=None):
        _, token = create_api_token(name, role=role, event_id=event.id if event is not None else None)
        return token

    return make


@contextmanager
def listening(name: str, listener):
    """`listener` hears the engine's event `name` within the block."""
    sqlalchemy_event.listen(db.engine, name, listener)
    try:
        yield
    finally:
        sqlalchemy_event.remove(db.engine, name, listener)


def with_statements(send):
    """`send()`'s response, as a server answers it (the request starts without a transaction), and
    every SQL statement the app sent to the database for it."""
    db.session.remove()
    sent = []

    def count(connection, cursor, statement, *args):
        sent.append(statement)

    with listening("before_cursor_execute", count):
        response = send()
    return response, sent


def bearer(token: str) -> dict:
    """The header that authenticates a request with a device token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def scan(client):
    """POST a scan to the check-in API: scan(event, code, token=..., nonce=...) -> response."""

    def post(event, code, *, token=None, nonce=None, http=None, **body):
        payload = {"code": code, **body}
        if nonce is not None:
            payload["nonce"] = nonce
        headers = bearer(token) if token else {}
        return (http or client).post(url_for("checkin_api.check_in", event_id=event.id), json=payload,
                                     headers=headers)

    return post


@pytest.fixture
def log_in_as(login):
    """Log the test client in as a new user of `role`, named `name`, reading pages in English."""

    def log_in(role="door", name="", email=None):
        client = login(role, email=email or f"{role}-{name.lower().replace(' ', '-') or 'x'}@podium.test",
                       name=name)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return log_in
