"""Reading the door pages: the banner and the forms, on the shared HTML tree (tests/pages.py)."""
from tests.pages import Element, form_values, page, parse

__all__ = ["Element", "banner", "banner_colour", "banner_headline", "button_form", "form_values", "page", "parse"]


def banner(response) -> Element:
    """The door's answer: the element with id "banner" (or the ticket page's banner)."""
    root = page(response)
    return root.find(id="banner") or root.one(class_="banner")


def banner_colour(response) -> str:
    """The banner's look: green, amber, red, neutral, or idle before any action."""
    colours = {c.removeprefix("banner-") for c in banner(response).classes
               if c.startswith("banner-") and not c.startswith("banner--")}
    assert len(colours) == 1, colours
    return colours.pop()


def banner_headline(response) -> str:
    """The words the door reads first ("Let in", "Already in" ...)."""
    return banner(response).one(class_="banner-message").text


def button_form(root: Element, label: str) -> Element:
    """The one form whose submit button says `label`."""
    forms = [f for f in root.find_all("form")
             if any(b.text == label for b in f.find_all("button"))]
    assert len(forms) == 1, f"expected one form with a {label!r} button, found {len(forms)}"
    return forms[0]
