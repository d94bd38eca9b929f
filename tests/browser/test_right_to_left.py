"""Arabic and Persian on a phone (issue 15): the guest's path laid out right to left by the one
stylesheet, what guests type kept in its own order, the language switch, and no serious
accessibility fault in Arabic.

Every page of the guest's path (tour.GUEST_PATH: the event list, the event page with the sign-up
form, the form with its errors, a personal invitation, the landing after signing up, the ticket,
the guest's own page, the cancel question) is opened at 390x844 by a browser that asks for Arabic
or Persian (Accept-Language), in the shared scene (scene.py).
"""
import pytest

from .conftest import SIZES
from .test_accessibility import BLOCKING, axe_violations, describe
from .test_layout import STICKING_OUT
from .tour import GUEST_PATH, TOUR, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RIGHT_TO_LEFT = ("ar", "fa")
PATH = [stop for stop in TOUR if stop.name in GUEST_PATH]
LABELS = "form#signup .field > label:not(.check), form#signup legend"
# On each page, text that starts a line: in a right-to-left page it starts at the right.
LINE_STARTS = {
    "guest-event-list": "main h1",
    "guest-event-page": LABELS,
    "guest-event-page-signup-errors": f".error-summary h2, {LABELS}",
    "guest-invitation": LABELS,
    "guest-landing-confirmed": "section.outcome > h1, section.outcome > h2",
    "guest-ticket": "main a.back",
    "guest-own-page-confirmed": "dl.details dt, main h2",
    "guest-cancel-confirmation": "main h1",
}

# Where each element's lines of text end on the right, and where the box they sit in ends: an inline
# element (a link) sits in its parent's content box, a block's text in its own.
LINES = """(selector) => [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length)
  .map(el => {
    const inline = getComputedStyle(el).display.startsWith('inline');
    const box = inline ? el.parentElement : el;
    const style = getComputedStyle(box), outer = box.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = [...(inline ? el.getClientRects() : range.getClientRects())].filter(r => r.width > 0);
    return {text: el.innerText.trim().replace(/\\s+/g, ' ').slice(0, 40),
            boxRight: outer.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
            ends: lines.map(r => Math.round(r.right))};
})"""

# Where each of `words` begins on the screen (its left edge), inside the element.
WORDS_AT = """(el, words) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const text = walker.nextNode();
    return words.map(word => {
        const at = text.data.lastIndexOf(word), range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        return range.getBoundingClientRect().left;
    });
}"""

NAME, ORGANISATION = "Anna Schmidt", "Deutsch für alle e. V."


def misplaced_line_starts(page, selector: str) -> list[str]:
    """The elements whose lines do not start at the right edge of their box, or whose box is not at
    the right of the screen; [] when every line starts on the right."""
    width = page.evaluate("window.innerWidth")
    wrong = []
    for element in page.evaluate(LINES, selector):
        ends = element["ends"]
        if any(abs(end - element["boxRight"]) > 2 for end in ends) or width - element["boxRight"] > 64:
            wrong.append(f"{element['text']!r}: lines end at {ends}, its box at {round(element['boxRight'])} "
                         f"of {width}px")
    return wrong


def stop_named(name: str):
    (stop,) = [stop for stop in PATH if stop.name == name]
    return stop


def language_and_direction(page) -> list[str]:
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def open_in(scene_page, scene_server, language: str, stop, size: str = "phone", **options):
    """The stop's page, opened by a browser that asks for `language`."""
    page = scene_page("guest", size, locale=language, **options)
    response = visit(page, scene_server.base_url, scene_server.scene, stop)
    assert response.status < 500, f"{stop} answers {response.status}"
    return page


@pytest.mark.parametrize("stop", PATH, ids=str)
@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_the_guest_path_reads_right_to_left_on_a_phone(scene_page, scene_server, language, stop):
    page = open_in(scene_page, scene_server, language, stop)

    assert language_and_direction(page) == [language, "rtl"]
    selector = LINE_STARTS[stop.name]
    assert page.locator(selector).count(), f"{stop}: nothing matches {selector}"
    assert misplaced_line_starts(page, selector) == [], f"{stop} in {language}: not starting on the right"
    found = page.evaluate(STICKING_OUT)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), (
        f"{stop} in {language} scrolls sideways: {'; '.join(found['culprits'])}")


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_the_sign_up_form_is_mirrored_and_what_is_typed_keeps_its_own_direction(scene_page, scene_server,
                                                                                language):
    page = open_in(scene_page, scene_server, language, stop_named("guest-event-page"))
    form = page.locator("form#signup")

    # Each choice has its round box on the right of its words.
    choice = form.locator("fieldset label.check").first
    words = choice.locator("span").bounding_box()
    assert choice.locator("input").bounding_box()["x"] >= words["x"] + words["width"]
    form.locator("input[name=name]").fill(NAME)
    form.locator("input[name=organisation]").fill(ORGANISATION)
    form.locator("input[name=email]").fill("anna.schmidt@example.org")
    # A Latin name reads left to right as it is typed into the Arabic form; an address always does.
    for name in ("name", "organisation", "email"):
        assert form.locator(f"input[name={name}]").evaluate("el => el.matches(':dir(ltr)')"), name
    form.locator("textarea[name=note]").fill("كرسي متحرك")
    assert form.locator("textarea[name=note]").evaluate("el => el.matches(':dir(rtl)')")


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_a_latin_name_typed_into_the_form_is_shown_in_its_order_on_every_later_page(scene_page, scene_server,
                                                                                       language):
    page = scene_page("guest", "phone", locale=language)
    page.goto(f"{scene_server.base_url}/events/{scene_server.scene.signup_slug}/")
    form = page.locator("form#signup")
    form.locator("input[name=name]").fill(NAME)
    form.locator("input[name=email]").fill(f"anna.schmidt.{language}@example.org")
    form.locator("input[name=organisation]").fill(ORGANISATION)
    form.locator("input[name=affiliation]").first.check()
    form.locator("input[name=consent]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.split("#")[0].endswith("/signed-up")
    own_page = page.locator("section.outcome a[href^='/r/']").last.get_attribute("href")
    ticket = page.locator("section.outcome a[href^='/t/']").first.get_attribute("href")

    for path, where in ((own_page, "dl.details dd bdi:not(.email)"), (ticket, "p.guest bdi")):
        page.goto(scene_server.base_url + path)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        name, organisation = page.locator(where).nth(0), page.locator(where).nth(1)
        assert name.inner_text() == NAME and organisation.inner_text() == ORGANISATION, path
        assert name.evaluate("el => getComputedStyle(el).direction") == "ltr"
        anna, schmidt = name.evaluate(WORDS_AT, ["Anna", "Schmidt"])
        assert anna < schmidt, f"{path}: 'Schmidt' stands left of 'Anna'"
        # The full stop of "e. V." stays at the end, on the right: not at the start, as an Arabic
        # sentence would put it.
        deutsch, full_stop = organisation.evaluate(WORDS_AT, ["Deutsch", "."])
        assert deutsch < full_stop, f"{path}: the organisation's full stop moved to its start"


def test_without_isolation_the_full_stop_of_a_latin_name_moves_to_the_start(scene_page, scene_server):
    """The negative control: the same organisation as plain text in an Arabic paragraph (no <bdi>)
    shows its full stop at the start, left of "Deutsch", which the test above would notice."""
    page = open_in(scene_page, scene_server, "ar", stop_named("guest-ticket"))
    page.evaluate("""text => { const p = document.createElement('p');
        p.id = 'plain'; p.textContent = text; document.querySelector('main').append(p); }""", ORGANISATION)

    deutsch, full_stop = page.locator("#plain").evaluate(WORDS_AT, ["Deutsch", "."])

    assert full_stop < deutsch


def test_in_english_the_labels_start_on_the_left_and_the_check_sees_it(scene_page, scene_server):
    """The negative control of the line-start check: the English form's labels are found misplaced."""
    page = open_in(scene_page, scene_server, "en-GB", stop_named("guest-event-page"))

    assert language_and_direction(page) == ["en", "ltr"]
    assert len(misplaced_line_starts(page, LINE_STARTS["guest-event-page"])) >= 3


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_the_back_arrow_is_mirrored_and_points_right(scene_page, scene_server, language):
    page = open_in(scene_page, scene_server, language, stop_named("guest-ticket"))
    back = page.locator("main a.back")

    arrow = back.evaluate("el => getComputedStyle(el, '::before').content")
    link, words = back.evaluate("""el => { const r = document.createRange(); r.selectNodeContents(el);
        return [el.getBoundingClientRect().right, r.getBoundingClientRect().right]; }""")

    assert arrow == '"→"'
    assert link - words > 8  # the arrow stands before the words: on their right, pointing back


def test_the_language_switch_names_each_language_in_itself_for_a_finger_and_keeps_the_page(scene_page,
                                                                                          scene_server):
    page = scene_page("guest", "phone")
    path = stop_named("guest-own-page-confirmed").path(scene_server.scene)
    page.goto(f"{scene_server.base_url}{path}?lang=ar")  # as the link in an Arabic mail
    switch = page.locator("nav.lang-switch")

    entries = switch.locator("a, strong").evaluate_all("""els => els.map(el => {
        const r = el.getBoundingClientRect();
        return [el.textContent.trim(), el.lang, el.dir, Math.round(r.width), Math.round(r.height)]; })""")
    assert [entry[:3] for entry in entries] == [["Deutsch", "de", "ltr"], ["English", "en", "ltr"],
                                                ["العربية", "ar", "rtl"], ["فارسی", "fa", "rtl"],
                                                ["Українська", "uk", "ltr"]]
    assert all(width >= 44 and height >= 44 for *_, width, height in entries), entries
    assert switch.locator("strong[aria-current]").inner_text() == "العربية"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    # The choice outranks the mail's ?lang=ar, and the guest stays on their page.
    with page.expect_navigation():
        switch.get_by_text("Deutsch").click()
    assert page.url == f"{scene_server.base_url}{path}"
    assert language_and_direction(page) == ["de", "ltr"]
    with page.expect_navigation():
        page.locator("nav.lang-switch").get_by_text("فارسی").click()
    assert page.url == f"{scene_server.base_url}{path}"
    assert language_and_direction(page) == ["fa", "rtl"]


def test_staff_pages_stay_german_or_english_left_to_right_after_arabic_was_chosen(scene_page, scene_server):
    page = scene_page("staff", "phone", locale="ar")
    page.goto(f"{scene_server.base_url}/events/?lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"

    for path in ("/staff/", f"/staff/events/{scene_server.scene.event_id}/checkin"):
        page.goto(scene_server.base_url + path)
        assert language_and_direction(page) == ["de", "ltr"], path
        names = page.locator("nav.lang-switch").locator("a, strong").all_inner_texts()
        assert names == ["Deutsch", "English"], path


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stop", PATH, ids=str)
def test_axe_finds_no_serious_or_critical_violation_in_arabic(scene_page, scene_server, stop, size):
    page = open_in(scene_page, scene_server, "ar", stop, size, bypass_csp=True)

    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]

    assert not blocking, f"axe-core on {stop} in Arabic at {size} size:\n{describe(blocking)}"
