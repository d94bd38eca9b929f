"""The multi-instance tests need PostgreSQL (several processes on one database) and Redis: like
the suite's other PostgreSQL runs they exist only where TEST_DATABASE_URL is set, as in CI.
There, a Redis that does not answer fails them (cluster.redis_database) rather than skipping."""
import os

import pytest

from tests.conftest import free_port, start_smtp

from .cluster import HoldingSMTP

collect_ignore_glob = [] if os.environ.get("TEST_DATABASE_URL") else ["test_*.py"]


@pytest.fixture
def holding_smtp():
    """A real SMTP server on localhost that can hold a mail between its content and the answer."""
    recorder = HoldingSMTP(port=free_port())
    controller = start_smtp(recorder)
    yield recorder
    controller.stop()
