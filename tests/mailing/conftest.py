"""Fixtures for the mailing tests: an SMTP server started later in a test, and the outbox rows."""
import pytest

from tests.conftest import SMTPRecorder, start_smtp
from tests.rows import outbox_rows


@pytest.fixture
def start_smtp_on():
    """Start a real SMTP server on a given port, later in a test; stopped at the end."""
    controllers = []

    def start(port: int) -> SMTPRecorder:
        recorder = SMTPRecorder(port=port)
        controllers.append(start_smtp(recorder))
        return recorder

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def outbox(app):
    """The outbox rows as they are in the database now, oldest first (filters: column=value)."""
    return outbox_rows
