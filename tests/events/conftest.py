"""Helpers for the public event pages and calendar files (the staff's event form: staff_forms.py)."""
from datetime import datetime, timezone


def next_year_at(month: int, day: int, hour: int) -> datetime:
    """A UTC time in the coming year: always in the future, in a known season."""
    return datetime(datetime.now(timezone.utc).year + 1, month, day, hour, tzinfo=timezone.utc)
