"""Reading the pages as a person does: a small tolerant HTML tree on the standard library's parser.

Tests look at pages the way a person does (which text sits in which part, which
field holds which value), so they need a tree rather than substring searches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict = field(default_factory=dict)
    parent: Element | None = None
    children: list = field(default_factory=list)  # Elements and strings

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.get("class") or "").split())

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
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

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs) -> list[Element]:
        found = []
        for element in self.iter():
            if tag and element.tag != tag:
                continue
            if class_ and class_ not in element.classes:
                continue
            if any(element.get(k.rstrip("_").replace("_", "-")) != v for k, v in attrs.items()):
                continue
            found.append(element)
        return found

    def find(self, tag: str | None = None, class_: str | None = None, **attrs) -> Element | None:
        found = self.find_all(tag, class_, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, class_: str | None = None, **attrs) -> Element:
        found = self.find_all(tag, class_, **attrs)
        assert len(found) == 1, f"expected one <{tag} {class_ or ''} {attrs}>, found {len(found)}"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: ("" if v is None else v) for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response) -> Element:
    return parse(response.get_data(as_text=True))


def main_text(response) -> str:
    """The text of the page's main part (without header and footer)."""
    root = page(response)
    main = root.find("main")
    return (main or root).text


def form_values(form: Element) -> dict:
    """What a browser would send for this form as it stands (text, textarea, checked boxes)."""
    values = {}
    for element in form.iter():
        name = element.get("name")
        if not name:
            continue
        if element.tag == "textarea":
            content = "".join(c for c in element.children if isinstance(c, str)).replace("\r\n", "\n")
            # HTML drops one newline right after <textarea>.
            values[name] = content[1:] if content.startswith("\n") else content
        elif element.tag == "input":
            kind = element.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in element.attrs:
                    values[name] = element.get("value", "on")
            elif kind not in ("submit", "button"):
                values[name] = element.get("value", "")
    return values


# The header that makes a page speak English (German is the default).
ENGLISH = {"Accept-Language": "en"}


def field_error(response, name: str) -> str:
    """The message shown next to a form field ('' if none)."""
    found = page(response).find_all(id=f"{name}-error")
    return found[0].text if found else ""
