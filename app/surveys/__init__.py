"""The actors' survey and the feedback form after an event: building, sending, answering, results."""
