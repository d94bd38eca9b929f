"""Cleaning what people type (no control characters reach the database), and the keys and slugs made of it."""
import re
import unicodedata

# Every C0/C1 control character except tab and line breaks (PostgreSQL refuses NUL outright).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The length of the name_key columns (Institution, OrganisationMatch): two names alike that far are one.
NAME_KEY_MAX = 200
# The longest slug slugify makes: room is left in the 120 characters of a slug column for a date and
# a "-2" (database.unique_slug).
SLUG_MAX = 80


def clean_line(value):
    """One line of text: control characters and line breaks become spaces, NFC, trimmed."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub(" ", value).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return unicodedata.normalize("NFC", value).strip()


def clean_text(value):
    """Free text: like clean_line, but line breaks are kept (as \\n)."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value).strip()


def email_key(email: str) -> str:
    """An address as Podium matches it: one person, whatever case it was typed in."""
    return email.strip().lower()


def name_key(name: str | None) -> str:
    """A name as Podium matches it ("IHK  Trier", "ihk trier" are one institution): NFKC, case
    folded, runs of spaces and the punctuation people vary (".", ",", "-", "/") made one space,
    at most NAME_KEY_MAX characters ("" for none). Institutions and the organisations guests type
    are matched by it. The migration of partner lines (0007) repeats this rule in SQL-free Python;
    keep them alike."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return " ".join(re.sub(r"[.,;:/\-–—()\"'„“”]+", " ", folded).split())[:NAME_KEY_MAX]


def slugify(text: str, fallback: str) -> str:
    """Text as a part of an address: ASCII, lower case, umlauts spelt out ("ae"), words joined by
    "-", at most SLUG_MAX characters; `fallback` where nothing is left (a title of signs only)."""
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:SLUG_MAX].strip("-") or fallback
