"""Mail in a language written right to left (Arabic, Persian), laid out as mail clients show it.

The HTML part: Gmail drops the attributes of <html> and <body>, and Outlook's Word engine and
Gmail ignore CSS logical properties (text-align:start, padding-inline-start). So `dir` and
`lang` stand on <html>, <body> and on the mail's own container as well, and the templates name
each side by its physical name from MailDirection (`direction.start` is "right" in Arabic).

The text part: clients give each line the direction of its first strong letter. In an Arabic
mail a line that starts with a Latin letter (a German event title, a venue, a name that comes
first in a sentence) would stand on the left, and Arabic words after it would come in the wrong
order. A RIGHT-TO-LEFT MARK before such a line makes it a right-to-left line like the others,
and a LEFT-TO-RIGHT MARK after it keeps closing punctuation with the Latin words ("Forum!").
Lines that start with a digit stay as they are ("54290 Trier" would turn into "Trier 54290"),
and so do lines with a link or an address: each link stands on a line of its own, left to
right, to be clicked and copied exactly as it is.
"""
import re
import unicodedata
from dataclasses import dataclass

from ..i18n import direction_of

RLM, LRM = "\u200f", "\u200e"
# A line that holds a link (https://..., mailto:) or an address (name@example.org).
_LINK_OR_ADDRESS = re.compile(r"://|@|mailto:", re.IGNORECASE)


@dataclass(frozen=True)
class MailDirection:
    """The language of a mail, which way it is written, and its sides by their physical names."""

    lang: str
    dir: str  # "ltr" or "rtl"
    start: str  # the side a line starts on: "left" or "right"
    end: str

    @classmethod
    def of(cls, language: str) -> "MailDirection":
        """The direction of a mail written in `language` (a code of LANGUAGES)."""
        if direction_of(language) == "rtl":
            return cls(language, "rtl", "right", "left")
        return cls(language, "ltr", "left", "right")


def plain_text_in(text: str, direction: MailDirection) -> str:
    """The text part as it reads best in `direction`: in a right-to-left mail, each line that
    starts with a left-to-right letter is marked as a right-to-left line (see above)."""
    if direction.dir != "rtl":
        return text
    return "\n".join(_marked(line) for line in text.split("\n"))


def _marked(line: str) -> str:
    first = line.lstrip()[:1]
    if not first or unicodedata.bidirectional(first) != "L" or _LINK_OR_ADDRESS.search(line):
        return line
    return f"{RLM}{line}{LRM}"
