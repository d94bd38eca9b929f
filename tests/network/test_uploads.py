"""What an upload to an event's results is, read from its bytes: a PDF, an image drawn anew, an
Office document; anything a browser could run is refused, whatever its name says."""
import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from app.network import uploads
from app.network.uploads import DOCX, JPEG, PDF, PNG, PPTX, XLSX, UploadRefused, check_upload

SCRIPT = b"<script>alert(1)</script>"
LIMIT = 1_000_000


def picture(size=(40, 30), mode="RGB") -> Image.Image:
    """A small picture with something in it (so that re-encoding has pixels to keep)."""
    image = Image.new(mode, size, "white" if mode == "RGB" else (255, 255, 255, 0))
    for x in range(size[0]):
        image.putpixel((x, x % size[1]), (200, 30, 30) if mode == "RGB" else (200, 30, 30, 255))
    return image


def png_with_script() -> bytes:
    """A PNG whose text chunk holds a script, and with a script after its end."""
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    picture().save(out, format="PNG", pnginfo=info)
    return out.getvalue() + b"<html>" + SCRIPT


def jpeg_with_script() -> bytes:
    """A JPEG whose comment (COM) and EXIF description hold a script."""
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    out = io.BytesIO()
    picture().save(out, format="JPEG", comment=SCRIPT, exif=exif.tobytes())
    return out.getvalue()


def encoded(image_format: str, **options) -> bytes:
    out = io.BytesIO()
    picture(mode="RGBA" if options.pop("alpha", False) else "RGB").save(out, format=image_format, **options)
    return out.getvalue()


def office(main_part: str, *extra: str) -> bytes:
    """A minimal Office Open XML package with the given main part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name in (main_part, *extra):
            package.writestr(name, "<x/>")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_a_pdf_is_kept_as_it_is_under_a_clean_name():
    checked = check_upload(PDF_BYTES, "Protokoll März 2026.pdf", max_bytes=LIMIT)

    assert checked.content_type == PDF
    assert checked.data == PDF_BYTES
    assert checked.filename == "Protokoll_Maerz_2026.pdf"
    assert checked.readable_name == "Protokoll März 2026"


@pytest.mark.parametrize("data, name, content_type, extension", [
    (encoded("PNG"), "chart.png", PNG, "png"),
    (encoded("PNG", alpha=True), "logo.png", PNG, "png"),
    (encoded("JPEG"), "foto.jpeg", JPEG, "jpg"),
    (encoded("GIF"), "anim.gif", PNG, "png"),
    (encoded("WEBP"), "photo.webp", JPEG, "jpg"),
    (encoded("WEBP", alpha=True, lossless=True), "badge.webp", PNG, "png"),
    (office("word/document.xml"), "Einladung.docx", DOCX, "docx"),
    (office("ppt/presentation.xml"), "Folien.pptx", PPTX, "pptx"),
    (office("xl/workbook.xml"), "Zahlen.xlsx", XLSX, "xlsx"),
    # The name counts for nothing: the content decides the type, and the name's ending follows it.
    (PDF_BYTES, "slides.png", PDF, "pdf"),
    (encoded("PNG"), "scan.pdf", PNG, "png"),
])
def test_what_may_be_added_is_known_by_its_content(data, name, content_type, extension):
    checked = check_upload(data, name, max_bytes=LIMIT)

    assert checked.content_type == content_type
    assert checked.filename.endswith("." + extension)
    if content_type.startswith("image/"):
        assert Image.open(io.BytesIO(checked.data)).size == (40, 30)


REFUSED = {
    "html named .pdf": (HTML, "minutes.pdf", "cannot be added"),
    "html with a PDF's type in its name": (b"<html>%PDF-1.4</html>", "x.pdf", "cannot be added"),
    "svg": (SVG, "logo.svg", "cannot be added"),
    "svg named .png": (SVG, "logo.png", "cannot be added"),
    "script": (b"alert(1)", "run.js", "cannot be added"),
    "empty": (b"", "empty.pdf", "empty"),
    "too large": (b"%PDF-" + b"0" * LIMIT, "big.pdf", "too large"),
    "broken zip": (b"PK\x03\x04" + b"\x00" * 40, "a.zip", "cannot be added"),
    "zip without an office part": (office("content.xml"), "a.odt", "cannot be added"),
    "office with macros": (office("word/document.xml", "word/vbaProject.bin"), "macro.docm", "macros"),
    "png header, broken body": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "x.png", "cannot be read"),
    "jpeg header, then html": (b"\xff\xd8\xff" + HTML, "x.jpg", "cannot be read"),
}


@pytest.mark.parametrize("data, name, message", REFUSED.values(), ids=REFUSED.keys())
def test_anything_else_is_refused_with_a_reason(data, name, message):
    with pytest.raises(UploadRefused) as refused:
        check_upload(data, name, max_bytes=LIMIT)

    assert message in str(refused.value)
    assert refused.value.field == "file"


def test_an_image_that_claims_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 40 * 30 - 1)

    with pytest.raises(UploadRefused, match="too many pixels"):
        check_upload(encoded("PNG"), "big.png", max_bytes=LIMIT)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_decompression_bomb_is_refused():
    # A PNG of 100,000 x 100,000 grey pixels in a few dozen bytes: 10 GB once decoded.
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) \
        + chunk(b"IEND", b"")

    with pytest.raises(UploadRefused, match="too many pixels"):
        check_upload(bomb, "bomb.png", max_bytes=LIMIT)


@pytest.mark.parametrize("data", [png_with_script(), jpeg_with_script()],
                         ids=["png text chunk", "jpeg comment and exif"])
def test_an_image_is_drawn_anew_without_the_script_in_its_metadata(data):
    assert SCRIPT in data

    checked = check_upload(data, "photo", max_bytes=LIMIT)

    assert SCRIPT not in checked.data and b"script" not in checked.data
    redrawn = Image.open(io.BytesIO(checked.data))
    assert redrawn.size == (40, 30)
    assert redrawn.info.get("comment") is None and not redrawn.getexif()
    assert checked.content_type == f"image/{redrawn.format.lower()}"


def test_a_photo_taken_sideways_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to view
    out = io.BytesIO()
    picture().save(out, format="JPEG", exif=exif.tobytes())

    checked = check_upload(out.getvalue(), "sideways.jpg", max_bytes=LIMIT)

    assert Image.open(io.BytesIO(checked.data)).size == (30, 40)


@pytest.mark.parametrize("name, filename, readable", [
    ("../../etc/passwd.pdf", "passwd.pdf", "passwd"),
    ("C:\\Users\\anna\\Folien Ausbildung.pdf", "Folien_Ausbildung.pdf", "Folien Ausbildung"),
    ("Straße <neu>.pdf", "Strasse_neu.pdf", "Straße <neu>"),
    ("ÄÖÜ.pdf", "AeOeUe.pdf", "ÄÖÜ"),
    ("日本.pdf", "file.pdf", "日本"),
    (".pdf", "pdf.pdf", "pdf"),
    (None, "file.pdf", ""),
])
def test_a_file_keeps_a_readable_title_and_gets_a_safe_name(name, filename, readable):
    checked = check_upload(PDF_BYTES, name, max_bytes=LIMIT)

    assert (checked.filename, checked.readable_name) == (filename, readable)
