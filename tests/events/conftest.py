"""Helpers for the public event pages and calendar files."""
from datetime import datetime, timezone

import pytest

from app.extensions import db

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def request_context(app):
    """Lets tests build URLs with url_for, as the pages do."""
    with app.test_request_context():
        yield


def next_year_at(month: int, day: int, hour: int) -> datetime:
    """A UTC time in the coming year: always in the future, in a known season."""
    return datetime(datetime.now(timezone.utc).year + 1, month, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def set_event(app):
    """Change an event's columns directly, as staff would have (e.g. cancel it), and commit."""

    def change(event, **columns):
        for name, value in columns.items():
            setattr(event, name, value)
        db.session.commit()
        return event

    return change
