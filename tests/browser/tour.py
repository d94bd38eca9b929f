"""Every page of Podium that shows something, in the order a reviewer reads them: the guest's path,
the guest's survey pages, the door, then staff, the network's own pages, the reports, surveys and
feedback, a partner and an admin. Each stop says who looks (guest, staff, door, partner, admin),
where (a path in the scene), and what is done there first (an invalid submit, a sign-up, a scan)
for pages that only an action shows. `make screenshots` photographs every stop; the layout and
accessibility tests walk them.
"""
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import expect

from .scene import PASSWORD, STAFF_EMAIL, Scene

_unique = itertools.count(1)


@dataclass(frozen=True)
class Stop:
    name: str  # what the screenshot file is called, e.g. "guest-event-page"
    who: str  # guest | staff | door | partner | admin (scene.LOGINS)
    path: Callable[[Scene], str]
    act: Callable | None = None  # act(page, scene): what a person does before we look
    axe: bool = False  # in the accessibility test (issue 11's list, and every public page)
    table: bool = False  # a staff table whose row actions must be usable at desktop width
    row_actions: bool = False  # ... and that must have row actions at all

    def __str__(self) -> str:
        return self.name


# --- what people do before a page shows its state --------------------------------------------

def wait(page) -> None:
    page.wait_for_load_state("load")


def invalid_sign_up(page, scene: Scene) -> None:
    """Press the sign-up button with nothing filled in."""
    page.locator("form#signup button[type=submit]").click()
    wait(page)


def sign_up(page, email: str) -> None:
    """Fill the sign-up form as a guest does, and send it."""
    form = page.locator("form#signup")
    form.locator("input[name=name]").fill("Nadia Rahimi")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=organisation]").fill("Deutsch für alle e. V.")
    form.locator("input[name=affiliation]").first.check()
    form.locator("input[name=consent]").check()
    form.locator("button[type=submit]").click()
    wait(page)


def sign_up_new(page, scene: Scene) -> None:
    sign_up(page, f"nadia.rahimi.{next(_unique)}@example.org")


def sign_up_again(page, scene: Scene) -> None:
    sign_up(page, scene.confirmed_email)


def main_form(page):
    """The page's main form: the one in <main> with the most fields."""
    index = page.evaluate("""() => {
        const forms = [...document.querySelectorAll('main form')];
        const size = f => f.querySelectorAll('input:not([type=hidden]), select, textarea').length;
        let best = 0;
        forms.forEach((f, i) => { if (size(f) > size(forms[best])) best = i; });
        return best;
    }""")
    return page.locator("main form").nth(index)


def invalid_submit(page, scene: Scene) -> None:
    """Empty every text field of the main form and send it: the form with its errors."""
    form = main_form(page)
    fields = form.locator("input[type=text]:visible, input[type=email]:visible, input:not([type]):visible, "
                          "textarea:visible")
    for n in range(fields.count()):
        fields.nth(n).fill("")
    # Enter in a field sends the form with its default button, as for a person who presses Enter.
    with page.expect_navigation():
        form.locator("input[type=text]:visible, input[type=email]:visible").first.press("Enter")
    wait(page)


def wrong_password(page, scene: Scene) -> None:
    page.fill("input[name=email]", STAFF_EMAIL)
    page.fill("input[name=password]", PASSWORD + " falsch")
    page.press("input[name=password]", "Enter")
    wait(page)


def upload_contacts(page, scene: Scene) -> None:
    """Upload a small address list with a good row, a row of an unknown kind and a broken one."""
    rows = ("name,email,organisation,kind,tags,language\n"
            "Carla Neu,carla.neu@example.org,Caritas Trier,charity,\"Forum, Newsletter\",de\n"
            "Piotr Nowak,piotr.nowak@example.org,Nowak Bau GmbH,Baufirma,Betriebe,de\n"
            "Dieter Ohne,keine-adresse,,,,\n")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "netzwerk.csv", "mimeType": "text/csv", "buffer": rows.encode()}])
    page.locator("input[type=file]").locator("xpath=ancestor::form").locator("button[type=submit]").first.click()
    wait(page)


def ask_for_data_link(page, scene: Scene) -> None:
    """On their own page, the guest asks for the link to their data: it is mailed, the page says so."""
    page.locator("#your-data button[type=submit]").click()
    wait(page)


def confirm_erasure(page, scene: Scene) -> None:
    """Tick "yes, erase" and press the erase button (the form on the page with the confirmation box)."""
    form = page.locator("main form:has(input[name=confirm])")
    form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    wait(page)


def erase_unconfirmed(page, scene: Scene) -> None:
    """Press the erase button without ticking the box."""
    page.locator("main form:has(input[name=confirm]) button[type=submit]").click()
    wait(page)


def find_person(page, email: str) -> None:
    """Staff look up an address on the privacy page."""
    form = page.locator("form#find-person")
    form.locator("input[name=email]").fill(email)
    form.locator("button[type=submit]").click()
    wait(page)


def find_confirmed_guest(page, scene: Scene) -> None:
    find_person(page, scene.confirmed_email)


def find_nobody(page, scene: Scene) -> None:
    find_person(page, "niemand.bekannt@example.org")


def ask_to_erase_confirmed_guest(page, scene: Scene) -> None:
    """Look up the confirmed guest and press "Erase everything ...": the question, nothing erased yet."""
    find_confirmed_guest(page, scene)
    page.locator("form#erase button[type=submit]").click()
    wait(page)


def ask_to_erase_without_confirming(page, scene: Scene) -> None:
    ask_to_erase_confirmed_guest(page, scene)
    erase_unconfirmed(page, scene)


def erase_a_new_guest(page, scene: Scene) -> None:
    """Staff erase everything of a guest who signed up just now: back on the privacy page, what was done."""
    find_person(page, scene.new_guest().email)
    page.locator("form#erase button[type=submit]").click()
    wait(page)
    confirm_erasure(page, scene)


def reveal(page, selector: str) -> None:
    """Make a hidden part of the page visible (a door mode behind its tab): click what controls or
    labels the hidden section around `selector` (aria-controls, a link to its id, aria-labelledby)."""
    if page.locator(selector).first.is_visible():
        return
    found = page.evaluate("""selector => {
        const shown = el => el.getClientRects().length > 0;
        for (let el = document.querySelector(selector); el && el !== document.body; el = el.parentElement) {
            if (!el.id || shown(el)) continue;
            const labels = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
                .map(id => document.getElementById(id)).filter(Boolean);
            const controls = [...document.querySelectorAll(`[aria-controls~="${el.id}"], a[href="#${el.id}"]`), ...labels]
                .filter(c => c.matches('a, button, [role=tab]') && shown(c));
            if (controls.length) { controls[0].setAttribute('data-reveals', ''); return true; }
        }
        return false;
    }""", selector)
    if found:
        page.locator("[data-reveals]").first.click()
        page.locator(selector).first.wait_for(state="visible")


def door_code(page, code: str) -> None:
    reveal(page, "#code")
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator("#banner")).not_to_have_class(re.compile(r"\bbanner-idle\b"))


def door_already_in(page, scene: Scene) -> None:
    """Scan the ticket of a guest who is already in: the answer shows who let them in."""
    door_code(page, scene.checked_in_code)


def door_search(page, scene: Scene) -> None:
    reveal(page, "#search-q")
    page.locator("#search-q").press_sequentially("er", delay=50)
    page.locator("#search-results li").first.wait_for()


def door_walk_in(page, scene: Scene) -> None:
    reveal(page, "#walk-in-form")
    form = page.locator("#walk-in-form")
    form.locator("input[name=name]").fill("Samira Haddad")
    form.locator("input[name=organisation]").fill("Café International")
    form.locator("button[type=submit]").click()
    expect(page.locator("#banner")).not_to_have_class(re.compile(r"\bbanner-idle\b"))


def preview_recurring_dates(page, scene: Scene) -> None:
    """Ask for six dates like the template's and press "Show the dates": the preview, nothing created."""
    form = page.locator("main form:has(input[name=count])")
    form.locator("input[name=count]").fill("6")
    # Until the new page has loaded (its stylesheet too) nothing is measured: without the stylesheet
    # a fieldset is as wide as the template list's longest option.
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]:not([name=confirm])").first.click()
    page.locator("#preview").wait_for()


def survey_mistakes(page, scene: Scene) -> None:
    """On the survey's second section, type words where a number belongs, leave the required text
    empty and press "Save and continue": the messages next to the questions, the words still there."""
    number = page.locator("[data-kind=number] input").first
    number.fill("ungefähr vierzig")
    page.locator("[data-kind=long-text] textarea").first.fill("")
    with page.expect_navigation(wait_until="load"):
        page.locator("button[data-action=continue]").click()


# --- the tour ---------------------------------------------------------------------------------

def _event(s: Scene) -> str:
    return f"/events/{s.event_slug}/"


GUEST = [
    Stop("guest-event-list", "guest", lambda s: "/events/", axe=True),
    Stop("guest-past-events", "guest", lambda s: "/events/past/", axe=True),
    Stop("guest-event-page", "guest", _event, axe=True),
    Stop("guest-event-page-signup-errors", "guest", _event, act=invalid_sign_up, axe=True),
    Stop("guest-event-page-full-waitlist", "guest", lambda s: f"/events/{s.full_event_slug}/", axe=True),
    Stop("guest-event-page-cancelled", "guest", lambda s: f"/events/{s.cancelled_slug}/", axe=True),
    Stop("guest-event-page-past", "guest", lambda s: f"/events/{s.past_slug}/", axe=True),
    Stop("guest-landing-confirmed", "guest", lambda s: f"/events/{s.signup_slug}/", act=sign_up_new, axe=True),
    Stop("guest-landing-waitlisted", "guest", lambda s: f"/events/{s.full_event_slug}/", act=sign_up_new,
         axe=True),
    Stop("guest-landing-already-registered", "guest", _event, act=sign_up_again, axe=True),
    Stop("guest-ticket", "guest", lambda s: f"/t/{s.confirmed_code}", axe=True),
    Stop("guest-ticket-cancelled", "guest", lambda s: f"/t/{s.cancelled_code}", axe=True),
    Stop("guest-own-page-confirmed", "guest", lambda s: f"/r/{s.confirmed_token}", axe=True),
    Stop("guest-own-page-waitlisted", "guest", lambda s: f"/r/{s.waitlisted_token}", axe=True),
    Stop("guest-own-page-cancelled", "guest", lambda s: f"/r/{s.cancelled_token}", axe=True),
    Stop("guest-cancel-confirmation", "guest", lambda s: f"/r/{s.confirmed_token}/cancel", axe=True),
    Stop("guest-data-link-sent", "guest", lambda s: f"/r/{s.confirmed_token}", act=ask_for_data_link,
         axe=True),
    Stop("guest-my-data", "guest", lambda s: f"/r/{s.access_key}/my-data", axe=True),
    Stop("guest-my-data-link-expired", "guest", lambda s: f"/r/{s.expired_access_key}/my-data", axe=True),
    Stop("guest-erase-confirmation", "guest", lambda s: f"/r/{s.access_key}/erase-my-data", axe=True),
    Stop("guest-erase-not-confirmed", "guest", lambda s: f"/r/{s.access_key}/erase-my-data",
         act=erase_unconfirmed, axe=True),
    Stop("guest-erased", "guest", lambda s: f"/r/{s.new_guest().access_key}/erase-my-data",
         act=confirm_erasure, axe=True),
    Stop("guest-invitation", "guest", lambda s: f"/i/{s.invitation_token}", axe=True),
    Stop("guest-unsubscribe", "guest", lambda s: f"/u/{s.unsubscribe_token}", axe=True),
    Stop("guest-not-found", "guest", lambda s: "/events/there-is-no-such-event/"),
    Stop("staff-login", "guest", lambda s: "/staff/login", axe=True),
    Stop("staff-login-wrong-password", "guest", lambda s: "/staff/login", act=wrong_password, axe=True),
]

DOOR = [
    Stop("door-events", "door", lambda s: "/staff/checkin/", axe=True),
    Stop("door-page", "door", lambda s: f"/staff/events/{s.event_id}/checkin", axe=True),
    Stop("door-result-already-in", "door", lambda s: f"/staff/events/{s.event_id}/checkin",
         act=door_already_in, axe=True),
    Stop("door-search", "door", lambda s: f"/staff/events/{s.event_id}/checkin", act=door_search, axe=True),
    Stop("door-result-walk-in", "door", lambda s: f"/staff/events/{s.event_id}/checkin", act=door_walk_in),
]

STAFF = [
    Stop("staff-dashboard", "staff", lambda s: "/staff/", axe=True, table=True),
    Stop("staff-event-new", "staff", lambda s: "/staff/events/new", axe=True),
    Stop("staff-event-new-errors", "staff", lambda s: "/staff/events/new", act=invalid_submit, axe=True),
    Stop("staff-event-edit", "staff", lambda s: f"/staff/events/{s.event_id}/edit", axe=True),
    Stop("staff-event-edit-draft", "staff", lambda s: f"/staff/events/{s.draft_id}/edit"),
    Stop("staff-event-duplicate", "staff", lambda s: f"/staff/events/{s.event_id}/duplicate"),
    Stop("staff-event-cancel", "staff", lambda s: f"/staff/events/{s.event_id}/cancel"),
    Stop("staff-registrations", "staff", lambda s: f"/staff/events/{s.event_id}/registrations", axe=True,
         table=True, row_actions=True),
    Stop("staff-registrations-waitlist", "staff", lambda s: f"/staff/events/{s.full_event_id}/registrations",
         axe=True, table=True, row_actions=True),
    Stop("staff-registration-new", "staff", lambda s: f"/staff/events/{s.event_id}/registrations/new"),
    Stop("staff-registration-new-errors", "staff", lambda s: f"/staff/events/{s.event_id}/registrations/new",
         act=invalid_submit),
    Stop("staff-registration-cancel", "staff",
         lambda s: f"/staff/events/{s.event_id}/registrations/{s.confirmed_registration_id}/cancel"),
    Stop("staff-attendance", "staff", lambda s: f"/staff/events/{s.event_id}/attendance", axe=True, table=True),
    Stop("staff-attendance-past", "staff", lambda s: f"/staff/events/{s.past_id}/attendance", table=True),
    Stop("staff-contacts", "staff", lambda s: "/staff/contacts/", axe=True, table=True),
    Stop("staff-contact-new", "staff", lambda s: "/staff/contacts/new"),
    Stop("staff-contact-new-errors", "staff", lambda s: "/staff/contacts/new", act=invalid_submit),
    Stop("staff-contact-edit", "staff", lambda s: f"/staff/contacts/{s.contact_id}/edit"),
    Stop("staff-contact-delete", "staff", lambda s: f"/staff/contacts/{s.contact_id}/delete"),
    Stop("staff-contacts-import", "staff", lambda s: "/staff/contacts/import"),
    Stop("staff-contacts-import-preview", "staff", lambda s: "/staff/contacts/import", act=upload_contacts,
         table=True),
    Stop("staff-privacy", "staff", lambda s: "/staff/privacy/", axe=True, table=True),
    Stop("staff-privacy-errors", "staff", lambda s: "/staff/privacy/", act=invalid_submit, axe=True),
    Stop("staff-privacy-person", "staff", lambda s: "/staff/privacy/", act=find_confirmed_guest, axe=True,
         table=True),
    Stop("staff-privacy-person-unknown", "staff", lambda s: "/staff/privacy/", act=find_nobody, axe=True),
    Stop("staff-privacy-contact", "staff", lambda s: f"/staff/privacy/contacts/{s.contact_id}", axe=True,
         table=True),
    Stop("staff-privacy-erase", "staff", lambda s: "/staff/privacy/", act=ask_to_erase_confirmed_guest,
         axe=True),
    Stop("staff-privacy-erase-not-confirmed", "staff", lambda s: "/staff/privacy/",
         act=ask_to_erase_without_confirming, axe=True),
    Stop("staff-privacy-erased", "staff", lambda s: "/staff/privacy/", act=erase_a_new_guest, axe=True),
    Stop("staff-campaigns", "staff", lambda s: "/staff/campaigns/", axe=True, table=True),
    Stop("staff-campaign-new", "staff", lambda s: "/staff/campaigns/new"),
    Stop("staff-campaign-new-errors", "staff", lambda s: "/staff/campaigns/new", act=invalid_submit),
    Stop("staff-campaign-sent", "staff", lambda s: f"/staff/campaigns/{s.campaign_id}", table=True),
    Stop("staff-campaign-draft", "staff", lambda s: f"/staff/campaigns/{s.draft_campaign_id}"),
    Stop("staff-campaign-edit", "staff", lambda s: f"/staff/campaigns/{s.draft_campaign_id}/edit"),
    Stop("staff-campaign-preview", "staff", lambda s: f"/staff/campaigns/{s.draft_campaign_id}/preview"),
    Stop("staff-campaign-send", "staff", lambda s: f"/staff/campaigns/{s.draft_campaign_id}/send"),
    Stop("staff-campaign-remind", "staff", lambda s: f"/staff/campaigns/{s.campaign_id}/remind"),
    Stop("staff-outbox", "staff", lambda s: "/staff/mails/", axe=True, table=True),
    Stop("staff-mail-sent", "staff", lambda s: f"/staff/mails/{s.mail_ids['sent']}"),
    Stop("staff-mail-failed", "staff", lambda s: f"/staff/mails/{s.mail_ids['failed']}"),
]

NETWORK_GUEST = [
    Stop("guest-series", "guest", lambda s: f"/series/{s.series_slug}/", axe=True),
    Stop("guest-review", "guest", lambda s: "/results/", axe=True),
    Stop("guest-event-page-hosts-and-results", "guest", lambda s: f"/events/{s.forum_slug}/", axe=True),
    Stop("guest-event-page-invitation-only", "guest", lambda s: f"/events/{s.invitation_slug}/", axe=True),
    Stop("guest-event-page-invitation-key", "guest", lambda s: f"/events/{s.invitation_slug}/?key={s.invite_key}",
         axe=True),
]

NETWORK_STAFF = [
    Stop("staff-network", "staff", lambda s: "/staff/network/"),
    Stop("staff-institutions", "staff", lambda s: "/staff/institutions/", table=True),
    Stop("staff-institution", "staff", lambda s: f"/staff/institutions/{s.institution_id}", table=True),
    Stop("staff-institution-edit", "staff", lambda s: f"/staff/institutions/{s.institution_id}/edit"),
    Stop("staff-organisations", "staff", lambda s: "/staff/institutions/organisations"),
    Stop("staff-people-without-contact", "staff", lambda s: "/staff/institutions/people", table=True,
         row_actions=True),
    Stop("staff-contact-person", "staff", lambda s: f"/staff/contacts/{s.person_id}", axe=True, table=True),
    Stop("staff-groups", "staff", lambda s: "/staff/groups/", table=True),
    Stop("staff-group", "staff", lambda s: f"/staff/groups/{s.group_id}", table=True, row_actions=True),
    Stop("staff-group-plan", "staff", lambda s: f"/staff/groups/{s.group_id}/plan"),
    Stop("staff-meetings", "staff", lambda s: "/staff/meetings/", table=True),
    Stop("staff-meeting-new", "staff", lambda s: "/staff/meetings/new"),
    Stop("staff-series", "staff", lambda s: "/staff/series/", table=True, row_actions=True),
    Stop("staff-series-page", "staff", lambda s: f"/staff/series/{s.series_id}/", table=True, row_actions=True),
    Stop("staff-series-recurring-preview", "staff",
         lambda s: f"/staff/series/{s.series_id}/recurring?template={s.series_template_id}",
         act=preview_recurring_dates),
    Stop("staff-event-institutions", "staff", lambda s: f"/staff/events/{s.forum_id}/institutions", table=True,
         row_actions=True),
    Stop("staff-event-results", "staff", lambda s: f"/staff/events/{s.forum_id}/results", table=True,
         row_actions=True),
]

SURVEY_GUEST = [
    Stop("guest-survey-intro", "guest", lambda s: f"/s/{s.survey_token}", axe=True),
    Stop("guest-survey-section", "guest", lambda s: f"/s/{s.survey_token}/1", axe=True),
    Stop("guest-survey-section-errors", "guest", lambda s: f"/s/{s.survey_token}/2", act=survey_mistakes,
         axe=True),
    Stop("guest-survey-resumed", "guest", lambda s: f"/s/{s.survey_started_token}", axe=True),
    Stop("guest-survey-last-section", "guest", lambda s: f"/s/{s.survey_token}/3", axe=True),
    Stop("guest-survey-thanks", "guest", lambda s: f"/s/{s.survey_completed_token}/sent", axe=True),
    Stop("guest-survey-closed", "guest", lambda s: f"/s/{s.feedback_token}", axe=True),
]

REPORTS_STAFF = [
    Stop("staff-report", "staff", lambda s: "/staff/reports/", axe=True, table=True),
    Stop("staff-report-narrowed", "staff",
         lambda s: f"/staff/reports/?span=year&kind=forum&kind=working-group&institution={s.institution_id}",
         axe=True, table=True),
    Stop("staff-report-event", "staff", lambda s: f"/staff/reports/events/{s.forum_id}", axe=True, table=True),
    Stop("staff-report-attendance", "staff", lambda s: f"/staff/reports/events/{s.forum_id}/attendance",
         axe=True, table=True),
    Stop("staff-report-group", "staff", lambda s: f"/staff/reports/groups/{s.group_id}", axe=True, table=True),
    Stop("staff-report-group-attendance", "staff", lambda s: f"/staff/reports/groups/{s.group_id}/attendance",
         axe=True, table=True),
    Stop("staff-surveys", "staff", lambda s: "/staff/surveys/", axe=True, table=True),
    Stop("staff-surveys-feedback", "staff", lambda s: "/staff/surveys/?kind=feedback", axe=True, table=True),
    Stop("staff-survey-new", "staff", lambda s: "/staff/surveys/new", axe=True),
    Stop("staff-survey-edit", "staff", lambda s: f"/staff/surveys/{s.survey_id}/", axe=True),
    Stop("staff-survey-edit-draft", "staff", lambda s: f"/staff/surveys/{s.draft_survey_id}/", axe=True),
    Stop("staff-survey-preview", "staff", lambda s: f"/staff/surveys/{s.survey_id}/preview", axe=True),
    Stop("staff-survey-send-draft", "staff", lambda s: f"/staff/surveys/{s.draft_survey_id}/send", axe=True),
    Stop("staff-survey-send-open", "staff", lambda s: f"/staff/surveys/{s.survey_id}/send", axe=True),
    Stop("staff-survey-results", "staff", lambda s: f"/staff/surveys/{s.survey_id}/results", axe=True,
         table=True),
    Stop("staff-survey-results-anonymous", "staff", lambda s: f"/staff/surveys/{s.feedback_survey_id}/results",
         axe=True, table=True),
    Stop("staff-survey-results-small-group", "staff",
         lambda s: f"/staff/surveys/{s.feedback_survey_id}/results?kind=charity", axe=True, table=True),
    Stop("staff-event-feedback", "staff", lambda s: f"/staff/events/{s.forum_id}/feedback", axe=True,
         table=True),
]

PARTNER = [
    Stop("partner-home", "partner", lambda s: "/partner/"),
    Stop("partner-event", "partner", lambda s: f"/partner/events/{s.forum_id}", table=True),
]

ADMIN = [
    Stop("admin-team", "admin", lambda s: "/staff/team/", table=True, row_actions=True),
]

TOUR = GUEST + NETWORK_GUEST + SURVEY_GUEST + DOOR + STAFF + NETWORK_STAFF + REPORTS_STAFF + PARTNER + ADMIN

# The guest's path from finding an event to cancelling: photographed in every guest language
# (`make screenshots`), and checked right to left in Arabic and Persian (test_right_to_left.py).
GUEST_PATH = ("guest-event-list", "guest-event-page", "guest-event-page-signup-errors", "guest-invitation",
              "guest-landing-confirmed", "guest-ticket", "guest-own-page-confirmed", "guest-cancel-confirmation")


def numbered() -> list[tuple[str, Stop]]:
    """Each stop with its place in the tour: 01-guest-event-list, 02-guest-past-events, ..."""
    width = len(str(len(TOUR)))
    return [(f"{n:0{width}d}-{stop.name}", stop) for n, stop in enumerate(TOUR, 1)]


def visit(page, base_url: str, scene: Scene, stop: Stop):
    """Go to the stop and do what is done there; returns the response of the first load."""
    response = page.goto(base_url + stop.path(scene))
    if stop.act:
        stop.act(page, scene)
    return response
