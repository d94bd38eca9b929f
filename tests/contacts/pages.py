"""Reading the contact pages as a person does: the text of an element, a field's value and error."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict = field(default_factory=dict)
    parent: Element | None = None
    children: list = field(default_factory=list)

    @property
    def text(self) -> str:
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def one(self, tag: str | None = None, **attrs) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document")

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def page(response) -> Element:
    builder = _Builder()
    builder.feed(response.get_data(as_text=True))
    return builder.root


def field_error(response, name: str) -> str:
    """The message shown beside a form field ('' if none)."""
    found = page(response).find_all(id=f"{name}-error")
    return found[0].text if found else ""


def field_value(response, name: str) -> str:
    """What a text field of the page holds."""
    return page(response).one("input", name=name).attrs.get("value", "")


def row_texts(response, table_id: str) -> list[list[str]]:
    """The visible text of each cell, row by row, of a table's body."""
    table = page(response).one("table", id=table_id)
    return [[cell.text for cell in row.find_all("td")] for row in table.one("tbody").find_all("tr")]
