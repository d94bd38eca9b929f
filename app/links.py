"""Absolute links for mails, QR codes and calendar files, with or without a request."""
from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL joined with the path of `endpoint`; works in the mail worker too."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path
