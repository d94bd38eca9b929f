"""Sending a survey: its invitations with personal links through the outbox, reminders, closing."""


def close_due() -> int:
    """Close the open surveys whose closing date has passed; returns how many."""
    raise NotImplementedError("issue 14: the sending helper implements this")
