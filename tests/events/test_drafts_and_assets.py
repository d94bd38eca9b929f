"""What the public never sees: drafts; and what no page does: load from another host."""
import re
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.errors import RegistrationRefused
from app.extensions import db
from app.registrations.models import Registration
from app.registrations.services import register
from tests.pages import ENGLISH, page, parse

SIGN_UP = {"name": "Anna Schmidt", "email": "anna@example.org", "affiliation": "volunteer", "consent": "y"}


@pytest.mark.parametrize("method,endpoint", [
    ("GET", "registrations.event_page"),
    ("GET", "events.event_calendar"),
    ("GET", "registrations.register_form"),
    ("POST", "registrations.register"),
    ("GET", "registrations.mail_on_its_way"),
])
def test_a_draft_is_not_found(client, make_event, method, endpoint):
    event = make_event(title="Geheimer Entwurf", publish=False)

    response = client.open(url_for(endpoint, slug=event.slug), method=method, data=SIGN_UP,
                           follow_redirects=True)

    assert response.status_code == 404
    assert "Geheimer Entwurf" not in response.text
    assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 0


def test_an_unknown_event_is_not_found(client):
    assert client.get(url_for("registrations.event_page", slug="no-such-event")).status_code == 404
    assert client.get(url_for("events.event_calendar", slug="no-such-event")).status_code == 404


def loaded_urls(html_page) -> list[str]:
    """Everything a browser fetches on its own when it shows the page (not links to click)."""
    urls = []
    for element in html_page.iter():
        for attribute in ("src", "srcset", "poster", "data"):
            if element.get(attribute):
                urls.append(element.get(attribute))
        if element.tag == "link" and element.get("rel") not in ("alternate", "canonical"):
            urls.append(element.get("href", ""))
        if element.tag == "style" or element.get("style"):
            css = element.text + element.get("style", "")
            urls += re.findall(r"url\(([^)]*)\)|@import\s+['\"]([^'\"]+)", css)
    return [u if isinstance(u, str) else "".join(u) for u in urls]


def is_own(url: str) -> bool:
    parts = urlsplit(url.strip("'\" "))
    return (not parts.scheme and not parts.netloc) or parts.netloc == "podium.test"


@pytest.fixture
def public_pages(app, make_event, sign_up):
    """The URL of every kind of public page, in every state worth showing, with the status it answers."""
    event = make_event(title="Forum", capacity=1, waitlist_enabled=True,
                       speakers=["Dr. Eva Klein, Arbeitsagentur"])
    confirmed = sign_up(event)
    waitlisted = sign_up(event)
    return [
        (url_for("events.upcoming"), 200),
        (url_for("events.past"), 200),
        (url_for("registrations.event_page", slug=event.slug), 200),
        (url_for("registrations.mail_on_its_way", slug=event.slug), 200),
        (url_for("registrations.ticket", code=confirmed.ticket_code), 200),
        (url_for("registrations.ticket", code=waitlisted.ticket_code), 200),
        (url_for("registrations.manage", token=confirmed.manage_token), 200),
        (url_for("registrations.manage", token=waitlisted.manage_token), 200),
        (url_for("registrations.signed_up", token=confirmed.manage_token), 200),
        (url_for("registrations.edit", token=confirmed.manage_token), 200),
        (url_for("registrations.cancel_confirm", token=confirmed.manage_token), 200),
        (url_for("registrations.ticket", code="unknown-code"), 404),
        (url_for("auth.login"), 200),
    ]


def test_no_public_page_loads_anything_from_another_host(client, public_pages):
    for url, status in public_pages:
        response = client.get(url, headers=ENGLISH)
        assert response.status_code == status, url
        foreign = [u for u in loaded_urls(page(response)) if not is_own(u)]
        assert foreign == [], url


# What a stylesheet makes the browser fetch: @import "x", @import url(x), url(x).
CSS_LOADS = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)|url\(\s*['"]?([^'")\s]+)""")


def css_loads(css: str) -> list[str]:
    return [imported or other for imported, other in CSS_LOADS.findall(css)]


def test_the_stylesheet_imports_nothing_from_another_host(client):
    """The stylesheet and every file it may import load only from Podium itself."""
    seen, todo = set(), ["podium.css"]
    while todo:
        name = todo.pop()
        seen.add(name)
        with client.get(url_for("static", filename=name)) as response:
            assert response.status_code == 200, name
            loads = css_loads(response.text)
        assert [u for u in loads if not is_own(u)] == [], name
        todo += [u for u in loads if u.endswith(".css") and u not in seen]

    assert seen == {"podium.css"}  # one stylesheet: nothing imported at all


def test_the_stylesheet_check_sees_a_foreign_import():
    """Control: the check above would notice a font or stylesheet from another host."""
    css = ('@import url("parts/guest.css"); @import "https://fonts.example.com/a.css";'
           ' .x { background: url(//cdn.example.com/b.png) }')

    assert [u for u in css_loads(css) if not is_own(u)] == ["https://fonts.example.com/a.css",
                                                             "//cdn.example.com/b.png"]


def test_the_asset_check_sees_a_third_party_load():
    """Control: the check above would notice a CDN stylesheet or script."""
    html = parse('<link rel="stylesheet" href="https://cdn.example.com/a.css">'
                     '<script src="//cdn.example.com/a.js"></script><a href="https://google.com">x</a>')

    assert [u for u in loaded_urls(html) if not is_own(u)] == ["https://cdn.example.com/a.css",
                                                                "//cdn.example.com/a.js"]


def test_register_service_refuses_a_draft(app, make_event):
    """The service, not only the page, keeps drafts closed."""
    event = make_event(publish=False)

    with pytest.raises(RegistrationRefused):
        register(event.id, {**SIGN_UP, "consent": True}, locale="de")
