"""The survey's mails: the invitation with the personal link, and the reminder."""

COMPOSERS: dict = {}
