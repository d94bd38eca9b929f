"""What an uploaded results file is, read from its bytes, never from its name or the browser's
word for it: a PDF, an image (PNG, JPEG, GIF, WebP) or an Office document (.docx, .pptx, .xlsx).
Anything else (HTML, SVG, a script, a ".pdf" that is really HTML, an empty file) is refused.

Images are decoded and drawn anew (PNG, or JPEG for photos), so that only their pixels reach a
browser: no metadata, no comment, no bytes after the image. Every type stored is one of
EXTENSIONS, and no browser runs any of them as a page or a script.
"""
import io
import warnings
import zipfile
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.utils import secure_filename

from ..errors import InvalidInput
from ..text import clean_line

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Every type a stored file has, and the ending its name gets.
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", PPTX: "pptx", XLSX: "xlsx"}
TYPE_NAMES = {PDF: _l("PDF"), PNG: _l("Image (PNG)"), JPEG: _l("Image (JPEG)"), DOCX: _l("Word document"),
              PPTX: _l("PowerPoint presentation"), XLSX: _l("Excel workbook")}

# An Office Open XML package is a zip that holds [Content_Types].xml; its main part says which.
OFFICE_PARTS = {"word/document.xml": DOCX, "ppt/presentation.xml": PPTX, "xl/workbook.xml": XLSX}
# The bytes each image format Pillow may open starts with (WebP: RIFF, a size, WEBP).
IMAGE_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"),
                    (b"GIF89a", "GIF"))
# Decoding needs about 4 bytes a pixel: a small file can claim a huge picture (a decompression
# bomb). Pillow's own bound (Image.MAX_IMAGE_PIXELS, about 89 million) only warns below twice
# that; ours refuses before decoding, at the size of a good camera's photo.
MAX_PIXELS = min(40_000_000, Image.MAX_IMAGE_PIXELS or 40_000_000)
# German letters spelt out before the name is cut down to ASCII ("Protokoll März" -> "Protokoll_Maerz").
SPELT_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


class UploadRefused(InvalidInput):
    """The file cannot be added to the results; nothing was stored."""

    code = "upload_refused"
    field = "file"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: the bytes to store (an image's drawn anew), their type, a safe name."""

    data: bytes
    content_type: str
    filename: str
    # The name as the person wrote it, without its ending: the title when none was given.
    readable_name: str


def check_upload(data: bytes, filename: str | None, *, max_bytes: int) -> CheckedFile:
    """The file as it may be stored and served, its type read from its content.

    :raises UploadRefused: empty, too large, of a kind not allowed, or an image that cannot be read
    """
    if not data:
        raise UploadRefused(_l("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRefused(too_large(max_bytes))
    content_type = detect(data)
    if content_type is None:
        raise UploadRefused(_l("This kind of file cannot be added. Allowed are PDF files, images (PNG, JPEG, "
                               "GIF, WebP) and Word, PowerPoint or Excel files (.docx, .pptx, .xlsx); what "
                               "counts is the file's content, not its name."))
    if content_type.startswith("image/"):
        data, content_type = redraw_image(data, content_type)
        if len(data) > max_bytes:
            raise UploadRefused(too_large(max_bytes))
    stem = readable_stem(filename)
    return CheckedFile(data=data, content_type=content_type, readable_name=stem,
                       filename=safe_filename(stem, EXTENSIONS[content_type]))


def too_large(max_bytes: int) -> str:
    """What staff read about a file over the limit."""
    return str(_l("The file is too large: at most %(size)s MB.", size=f"{max_bytes / 1_000_000:g}"))


def detect(data: bytes) -> str | None:
    """The type of the content: PDF, an Office document, or "image/<pillow format>" for an image
    still to be read; None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    for signature, image_format in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return f"image/{image_format}"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/WEBP"
    if data.startswith(b"PK\x03\x04"):
        return office_type(data)
    return None


def office_type(data: bytes) -> str | None:
    """The Office Open XML type of a zip, None if it is another zip.

    :raises UploadRefused: a document with macros
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UploadRefused(_l("Office files with macros cannot be added. Save the file without macros "
                               "(as .docx, .pptx or .xlsx) and try again."))
    return next((kind for part, kind in OFFICE_PARTS.items() if part in names), None)


def redraw_image(data: bytes, detected: str) -> tuple[bytes, str]:
    """The image's pixels, upright, encoded anew without any metadata: JPEG for photos (a JPEG,
    or a WebP without transparency), PNG for the rest.

    :raises UploadRefused: not a readable image of the detected format, or too many pixels
    """
    expected = detected.removeprefix("image/")
    unreadable = UploadRefused(_l("The image cannot be read; it may be damaged. Please save it again "
                                  "as PNG or JPEG and try once more."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UploadRefused(too_many_pixels())
                image.load()
                upright = _upright(image)
                transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise unreadable from None
    photo = not transparent and expected in ("JPEG", "WEBP")
    mode = ("L" if upright.mode in ("1", "L") else "RGB") if photo else _png_mode(upright, transparent)
    pixels = upright.convert(mode)
    # A new image from the bare pixels: nothing of the upload's info (text, EXIF, ICC, XMP) comes along.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if photo:
        clean.save(out, format="JPEG", quality=88)
        return out.getvalue(), JPEG
    clean.save(out, format="PNG")
    return out.getvalue(), PNG


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says (photos from phones), before that goes."""
    try:
        return ImageOps.exif_transpose(image)
    except (ValueError, OSError, SyntaxError, KeyError, TypeError):
        return image.copy()


def _png_mode(image: Image.Image, transparent: bool) -> str:
    if transparent:
        return "LA" if image.mode in ("L", "LA") else "RGBA"
    return "L" if image.mode in ("1", "L") else "RGB"


def too_many_pixels() -> str:
    """What staff read about an image too large to decode."""
    return str(_l("The image has too many pixels: at most %(n)s million. Please make it smaller and try again.",
                  n=MAX_PIXELS // 1_000_000))


def readable_stem(filename: str | None) -> str:
    """The uploaded name as people read it, without folders and without its ending."""
    name = clean_line((filename or "").replace("\\", "/").rsplit("/", 1)[-1]) or ""
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return stem.strip(" .")[:200]


def safe_filename(stem: str, extension: str) -> str:
    """A name that is safe in a URL and a download on every system, ending as its type does."""
    safe = secure_filename(stem.translate(SPELT_OUT))[:120].strip("._") or "file"
    return f"{safe}.{extension}"
