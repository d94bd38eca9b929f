"""The guest's path in a real browser, on a phone (390x844) and a desktop (1280x900): the way from
the top of the event page to the form, a mistake that leaves the focus on the error summary in
view, the landing after signing up, and no page that scrolls sideways."""
import pytest

from tests.rows import registrations_of

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def guest_page(chromium, live_server):
    """open(viewport) -> a fresh page in English, as a guest's browser (no cookie yet)."""

    def open_page(viewport):
        context = chromium().new_context(viewport=viewport, locale="en-GB")
        return context.new_page()

    return open_page


@pytest.fixture
def forum(make_event):
    return make_event(title="Fachforum Sprache und Mobilität im ländlichen Raum", capacity=30,
                      venue="Kulturhaus Prüm", address="Hahnplatz 20, 54595 Prüm",
                      summary="Wie kommen Menschen ohne Auto zum Sprachkurs und zur Arbeit?",
                      description="Beispiele aus dem Eifelkreis.\n\n" + "Ein langer Absatz. " * 150,
                      speakers=["Verkehrsverbund Region Trier", "Kreisverwaltung Bitburg-Prüm"])


def in_viewport(page, selector: str) -> bool:
    """Whether the element's whole box is inside the visible part of the page."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
    }""", selector)


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_on_a_phone_the_first_screen_leads_to_the_form(guest_page, live_server, forum):
    page = guest_page(PHONE)
    page.goto(f"{live_server}/events/{forum.slug}/")

    assert in_viewport(page, ".event-head a[href='#register']")
    assert in_viewport(page, ".event-head .when")
    assert in_viewport(page, ".event-head .places")
    assert not in_viewport(page, "form#signup")  # far down, below a long description
    assert not scrolls_sideways(page)

    page.click(".event-head a[href='#register']")

    page.wait_for_function("document.querySelector('#register').getBoundingClientRect().top < 100")
    assert in_viewport(page, "#register-heading")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_invalid_submit_leaves_the_focus_on_the_error_summary_in_view(guest_page, live_server, forum,
                                                                         viewport):
    page = guest_page(viewport)
    page.goto(f"{live_server}/events/{forum.slug}/")
    page.fill("#name", "Anna Schmidt")
    page.fill("#email", "anna(at)example.org")

    with page.expect_navigation():
        page.click("form#signup button[type=submit]")

    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('error-summary')")
    assert in_viewport(page, ".error-summary")
    assert page.url.endswith("#register")
    assert page.input_value("#name") == "Anna Schmidt"  # nothing typed is lost
    assert page.input_value("#email") == "anna(at)example.org"
    assert not scrolls_sideways(page)
    # Each entry of the summary leads to its field.
    page.click(".error-summary a[href='#email']")
    assert page.evaluate("document.activeElement.id") == "email"
    assert registrations_of(forum) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_signing_up_lands_on_a_page_that_says_what_happened(guest_page, live_server, forum, viewport):
    page = guest_page(viewport)
    page.goto(f"{live_server}/events/{forum.slug}/")
    page.fill("#name", "Anna Schmidt")
    page.fill("#email", "anna@example.org")
    page.check("input[name=affiliation][value=volunteer]")
    page.check("#consent")

    with page.expect_navigation():
        page.click("form#signup button[type=submit]")

    (anna,) = registrations_of(forum)
    # (The browser keeps the form's #register across the redirect; nothing on the landing has that id.)
    assert page.url.split("#")[0] == f"{live_server}/r/{anna.manage_token}/signed-up"
    assert page.evaluate("window.scrollY") == 0
    outcome = page.locator("section.outcome")
    assert "anna@example.org" in outcome.inner_text()
    assert in_viewport(page, "section.outcome h1")
    assert outcome.locator(f"a[href='/r/{anna.manage_token}']").count() == 1
    assert outcome.locator("a[href$='.ics']").count() == 1
    assert page.evaluate("document.querySelector('section.outcome img.qr').naturalWidth") > 0
    assert not scrolls_sideways(page)

    page.click(f"section.outcome a[href='/r/{anna.manage_token}']")
    page.wait_for_url(f"{live_server}/r/{anna.manage_token}")
    assert not scrolls_sideways(page)


def test_a_long_address_and_time_stay_whole_on_a_phone(guest_page, live_server, make_event):
    event = make_event(title="Netzwerktreffen", venue="Kreisverwaltung Trier-Saarburg, Großer Sitzungssaal",
                       address="Willy-Brandt-Platz 1, 54290 Trier")
    page = guest_page(PHONE)
    page.goto(f"{live_server}/events/{event.slug}/")

    lines = page.evaluate("""() => {
        const range = document.querySelector('.event-head .time-range');
        return range.getClientRects().length;
    }""")
    assert lines == 1  # "10:00 – 12:00" on one line
    # Each part of the address stays on one line ("54290 Trier" is never split).
    for part in page.locator(".event-head .address .nowrap").all():
        assert len(part.evaluate("e => Array.from(e.getClientRects())")) == 1, part.inner_text()
    assert not scrolls_sideways(page)
