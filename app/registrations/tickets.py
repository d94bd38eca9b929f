"""Ticket codes and the QR image of a ticket."""
import io
import secrets
from functools import lru_cache

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

# Pixels per module, and the quiet zone around the code in modules (the standard asks for four).
BOX_SIZE = 8
BORDER = 4
# The checkerboard mask, for every code (see qr_png).
MASK_PATTERN = 0


def new_ticket_code() -> str:
    """128 random bits, URL-safe: what the QR code and the door scanner carry.

    Never the same value as the guest's manage link (links.new_link_token): the ticket
    is shown at the door, the manage link can cancel.
    """
    return secrets.token_urlsafe(16)


@lru_cache(maxsize=2048)
def qr_png(data: str) -> bytes:
    """The QR code for `data` as PNG bytes; a pure function, so each image is made once.

    Every code has the same mask, not the one of eight that the standard's penalty rules pick:
    trying all eight took 4 ms per code, most of the time it took to compose a confirmation, and a
    reader takes any mask (the code says which). Shrunk and blurred as a camera sees a screen, codes
    with the checkerboard mask were read by zxing-cpp more often than those with the picked one
    (193 of 200 against 131).
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK_PATTERN)
    qr.add_data(data)
    qr.make(fit=True)
    return _png(qr.get_matrix())


def _png(matrix: list[list[bool]]) -> bytes:
    """A black-and-white PNG of the modules (True: dark), BOX_SIZE pixels each.

    Made from one pixel per module, then enlarged, in Pillow: qrcode's own image draws each
    module as a rectangle, a millisecond per code.
    """
    size = len(matrix)
    row_bytes = (size + 7) // 8
    # Pillow's mode "1" takes each row as bits, padded to whole bytes; a set bit is white.
    rows = ("".join("0" if dark else "1" for dark in row).ljust(row_bytes * 8, "1") for row in matrix)
    packed = b"".join(int(bits, 2).to_bytes(row_bytes, "big") for bits in rows)
    image = Image.frombytes("1", (size, size), packed)
    image = image.resize((size * BOX_SIZE, size * BOX_SIZE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
