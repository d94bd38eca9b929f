"""Cleaning what people type: no control characters reach the database."""
import re
import unicodedata

# Every C0/C1 control character except tab and line breaks (PostgreSQL refuses NUL outright).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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


def name_key(name: str) -> str:
    """A name as Podium matches it ("IHK  Trier", "ihk trier" are one institution): NFKC, case
    folded, runs of spaces and the punctuation people vary (".", ",", "-", "/") made one space.
    The migration of partner lines (0007) repeats this rule in SQL-free Python; keep them alike."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[.,;:/\-–—()\"'„“”]+", " ", folded).split())
