"""Reading the contact pages: a field's value, a table's cells (tree: tests/pages.py)."""
from tests.pages import field_error, page

__all__ = ["field_error", "field_value", "page", "row_texts"]


def field_value(response, name: str) -> str:
    """What a text field of the page holds."""
    return page(response).one("input", name=name).attrs.get("value", "")


def row_texts(response, table_id: str) -> list[list[str]]:
    """The visible text of each cell, row by row, of a table's body."""
    table = page(response).one("table", id=table_id)
    return [[cell.text for cell in row.find_all("td")] for row in table.one("tbody").find_all("tr")]
