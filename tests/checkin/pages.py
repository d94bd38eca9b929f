"""Reading the door's pages as a person does: which text sits in which part, which form does what.

A small tolerant HTML tree on the standard library's parser (no third-party parser
is installed), with just what the check-in tests need.
"""
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

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.get("class") or "").split())

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        parts: list[str] = []

        def walk(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in ("script", "style"):
                    walk(child)

        walk(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs) -> list[Element]:
        return [e for e in self.iter()
                if (tag is None or e.tag == tag) and (class_ is None or class_ in e.classes)
                and all(e.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs) -> Element | None:
        found = self.find_all(tag, class_, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, class_: str | None = None, **attrs) -> Element:
        found = self.find_all(tag, class_, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={class_} {attrs}>, found {len(found)}"
        return found[0]


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


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response) -> Element:
    return parse(response.get_data(as_text=True))


def banner(response) -> Element:
    """The door's answer: the element with id "banner" (or the ticket page's banner)."""
    root = page(response)
    return root.find(id="banner") or root.one(class_="banner")


def banner_colour(response) -> str:
    colours = {c.removeprefix("banner-") for c in banner(response).classes if c.startswith("banner-")}
    assert len(colours) == 1, colours
    return colours.pop()


def form_values(form: Element) -> dict:
    """What a browser sends for this form as it stands (hidden and text inputs, checked boxes)."""
    values = {}
    for element in form.iter():
        name = element.get("name")
        if not name or element.tag != "input":
            continue
        kind = element.get("type", "text")
        if kind in ("checkbox", "radio"):
            if "checked" in element.attrs:
                values[name] = element.get("value", "on")
        elif kind not in ("submit", "button"):
            values[name] = element.get("value", "")
    return values


def button_form(root: Element, label: str) -> Element:
    """The one form whose submit button says `label`."""
    forms = [f for f in root.find_all("form")
             if any(b.text == label for b in f.find_all("button"))]
    assert len(forms) == 1, f"expected one form with a {label!r} button, found {len(forms)}"
    return forms[0]
