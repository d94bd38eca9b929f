"""Ticket codes and the QR image of a ticket."""
import io
import secrets
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def new_ticket_code() -> str:
    """128 random bits, URL-safe: what the QR code and the door scanner carry.

    Never the same value as the guest's manage link (links.new_link_token): the ticket
    is shown at the door, the manage link can cancel.
    """
    return secrets.token_urlsafe(16)


@lru_cache(maxsize=2048)
def qr_png(data: str) -> bytes:
    """The QR code for `data` as PNG bytes; a pure function, so each image is made once."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
