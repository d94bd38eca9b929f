"""Reading staff pages as a person does: the visible text, the cells of an outbox row, state names."""
import html
import re

from flask_babel import force_locale

from app.outbox import MailStatus


def visible_text(markup: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.DOTALL | re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def _row_markup(markup: str, mail_id: int) -> str:
    for row in re.findall(r"<tr\b.*?</tr>", markup, flags=re.DOTALL):
        if f'href="/staff/mails/{mail_id}"' in row:
            return row
    raise AssertionError(f"no row for mail {mail_id} in the outbox table")


def outbox_cells(markup: str, mail_id: int) -> list[str]:
    """The visible text of each cell of that row."""
    return [visible_text(cell) for cell in re.findall(r"<td\b.*?</td>", _row_markup(markup, mail_id), flags=re.DOTALL)]


def state_label(status: str, locale: str = "de") -> str:
    """What the staff pages call a mail state in this language."""
    with force_locale(locale):
        return str(MailStatus(status).label)
