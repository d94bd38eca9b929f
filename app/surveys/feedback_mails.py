"""The feedback mails: the request after the event, and its one reminder."""

COMPOSERS: dict = {}
