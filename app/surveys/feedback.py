"""Feedback after an event: the form staff switch on, and the request and one reminder to those
who came, a set time after the event ends."""


def send_due() -> int:
    """Queue the feedback requests and reminders that are due; returns how many."""
    raise NotImplementedError("issue 14: the feedback helper implements this")
