"""Searching what people typed: every word must appear in one of the columns, in any case.

lower() is Unicode-aware on both databases (database.configure_sqlite gives SQLite
Python's), so "müller" finds "Müller"; % and _ are text, not wildcards.
"""
from sqlalchemy import func, or_

from .text import clean_line


def matches_words(query: str | None, *columns) -> list:
    """WHERE conditions: each word of `query` is contained in at least one of `columns`."""
    return [or_(*(func.lower(column).contains(word, autoescape=True) for column in columns))
            for word in clean_line(query or "").lower().split()]
