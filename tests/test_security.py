"""What every request and answer gets for safety (app/security.py, app/links.py, app/logredact.py):
redirects only to this site, bounded ids and bodies, no control characters in paths; on every
route of the URL map and every error page, a strict Content-Security-Policy and the headers that
keep personal pages out of caches, frames and Referers; in production HSTS and cookies that
travel only over HTTPS, out of reach of scripts and of other sites' requests. (That the pages
keep to their policy in a browser: tests/browser/test_csp.py.)"""
import re
from dataclasses import dataclass

import pytest
from flask import url_for

from app import create_app
from app.auth.services import create_user
from app.extensions import db
from app.logredact import redact_path
from config import ProductionConfig, TestingConfig
from tests.conftest import STAFF_PASSWORD
from tests.routes import rules_for, small_podium, url_of

# --- the language switch sends the browser back to a page of this site, and nowhere else ---------

@pytest.mark.parametrize("target", [
    "//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "javascript:alert(1)", "evil.example", "/\x00/x", " //evil.example",
])
def test_the_language_switch_never_leads_to_another_host(client, target):
    response = client.get(url_for("i18n.switch", code="en", next=target))

    assert response.status_code == 302
    assert response.location == "/events/"


def test_the_language_switch_goes_back_to_the_page_with_its_query(client):
    response = client.get(url_for("i18n.switch", code="en", next="/events/past/?page=2"))

    assert response.location == "/events/past/?page=2"


def test_the_login_sends_only_to_paths_of_this_site(client, app):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)
    response = client.post("/staff/login?next=/%09/evil.example",
                           data={"email": "anna@podium.test", "password": STAFF_PASSWORD})

    assert response.status_code == 302
    assert "evil.example" not in response.location


# --- bounded input --------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/staff/events/99999999999/edit", "/staff/events/2147483648/registrations", "/staff/contacts/2147483648/edit",
    "/staff/mails/99999999999999999999",
])
def test_an_id_beyond_the_database_is_not_found(staff, path):
    assert staff.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/t/abc%00def", "/r/%00", "/i/x%00y", "/u/%00", "/events/a%00b/",
                                  "/events/a%00b.ics", "/events/a%01b/register"])
def test_a_control_character_in_a_path_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_huge_body_is_refused_before_it_is_read(client, make_event):
    event = make_event()

    response = client.post(url_for("registrations.register", slug=event.slug),
                           data={"name": "A", "note": "x" * 2_000_000})

    assert response.status_code == 413


def test_a_huge_json_body_is_refused(client, make_event):
    event = make_event()

    response = client.post(url_for("checkin_api.check_in", event_id=event.id), data="[" * 2_000_000,
                           content_type="application/json")

    assert response.status_code in (401, 413)  # authentication comes first; neither reads the body
    assert response.status_code != 500


# --- headers, on every page of the URL map ----------------------------------------------------
# Each page that answers a GET is in GET_PAGES: who opens it, what it shows and what it answers.
# A route added without an entry there fails test_every_get_route_is_classified, and one whose
# arguments tests/routes.py cannot fill fails the walk, so no page can slip past these checks.

GUEST, DOOR, STAFF, PARTNER, ADMIN = "guest", "door", "staff", "partner", "admin"
# The same for everyone: a browser or a proxy may keep it; a Referer names only this site.
PUBLIC = "public"
# A person's data, or a staff or door page or an export: no browser or proxy keeps a copy.
PERSONAL = "personal"
# Personal, and the URL itself is the key to it (a ticket, a guest's own page, an invitation, an
# unsubscribe link): besides, no Referer carries the URL to another site.
KEYED = "keyed"
# A mail as it was sent (its HTML, or one of its parts): personal, with a policy of its own that
# lets the mail keep its inline styles but run and load nothing, framed only by our staff pages.
MAIL = "mail"


@dataclass(frozen=True)
class Page:
    who: str
    kind: str
    status: int = 200
    file: bool = False  # an uploaded file: FILE_POLICY, framed by nobody


GET_PAGES = {
    "events.index": Page(GUEST, PUBLIC, 302),
    "events.upcoming": Page(GUEST, PUBLIC),
    "events.past": Page(GUEST, PUBLIC),
    "events.feed": Page(GUEST, PUBLIC),
    "series.show": Page(GUEST, PUBLIC),
    "series.feed": Page(GUEST, PUBLIC),
    "results.review": Page(GUEST, PUBLIC),
    "results.file_download": Page(GUEST, PUBLIC, file=True),
    "groups.feed": Page(GUEST, KEYED),  # the URL is the members' key
    "events.event_calendar": Page(GUEST, PUBLIC),
    "registrations.event_page": Page(GUEST, PUBLIC),
    "registrations.register_form": Page(GUEST, PUBLIC, 302),
    "registrations.mail_on_its_way": Page(GUEST, PUBLIC),  # names no address, on purpose
    "i18n.switch": Page(GUEST, PUBLIC, 302),
    "favicon": Page(GUEST, PUBLIC),
    "static": Page(GUEST, PUBLIC),
    "health.check": Page(GUEST, PERSONAL),  # the load balancer's probe: never a stored answer

    "registrations.ticket": Page(GUEST, KEYED),
    "registrations.ticket_qr": Page(GUEST, KEYED),  # the QR is the ticket: a kept copy lets anyone in
    "registrations.signed_up": Page(GUEST, KEYED),
    "registrations.manage": Page(GUEST, KEYED),
    "registrations.edit": Page(GUEST, KEYED),
    "registrations.cancel_confirm": Page(GUEST, KEYED),
    "registrations.manage_calendar": Page(GUEST, KEYED),  # the guest's address is its ATTENDEE
    "registrations.confirm_email_form": Page(GUEST, KEYED),
    "campaigns.invitation": Page(GUEST, KEYED),
    "results.member_file": Page(GUEST, KEYED, file=True),
    "campaigns.unsubscribe_page": Page(GUEST, KEYED),
    "privacy.your_data": Page(GUEST, KEYED),
    "privacy.download": Page(GUEST, KEYED),
    "privacy.confirm_erase": Page(GUEST, KEYED),

    "auth.login": Page(GUEST, PERSONAL),  # after a failed try it shows the address typed in
    "checkin.events": Page(DOOR, PERSONAL),
    "checkin.page": Page(DOOR, PERSONAL),
    "checkin.found": Page(DOOR, PERSONAL),
    "checkin_api.counts": Page(DOOR, PERSONAL),
    "checkin_api.search": Page(DOOR, PERSONAL),
    "events_staff.dashboard": Page(STAFF, PERSONAL),
    "events_staff.new": Page(STAFF, PERSONAL),
    "events_staff.edit": Page(STAFF, PERSONAL),
    "events_staff.preview": Page(STAFF, PERSONAL),
    "events_staff.duplicate_form": Page(STAFF, PERSONAL),
    "events_staff.cancel_form": Page(STAFF, PERSONAL),
    "registrations_staff.index": Page(STAFF, PERSONAL),
    "registrations_staff.export": Page(STAFF, PERSONAL),
    "registrations_staff.new": Page(STAFF, PERSONAL),
    "registrations_staff.cancel_confirm": Page(STAFF, PERSONAL),
    "checkin_staff.attendance": Page(STAFF, PERSONAL),
    "checkin_staff.attendance_csv": Page(STAFF, PERSONAL),
    "contacts_staff.index": Page(STAFF, PERSONAL),
    "contacts_staff.new": Page(STAFF, PERSONAL),
    "contacts_staff.edit": Page(STAFF, PERSONAL),
    "contacts_staff.delete": Page(STAFF, PERSONAL),
    "contacts_staff.export": Page(STAFF, PERSONAL),
    "contacts_staff.import_upload": Page(STAFF, PERSONAL),
    "contacts_staff.show": Page(STAFF, PERSONAL),
    "institutions_staff.index": Page(STAFF, PERSONAL),
    "institutions_staff.new": Page(STAFF, PERSONAL),
    "institutions_staff.show": Page(STAFF, PERSONAL),
    "institutions_staff.edit": Page(STAFF, PERSONAL),
    "institutions_staff.delete": Page(STAFF, PERSONAL),
    "institutions_staff.organisations": Page(STAFF, PERSONAL),
    "institutions_staff.unlinked": Page(STAFF, PERSONAL),
    "institutions_staff.link_form": Page(STAFF, PERSONAL),
    "campaigns_staff.index": Page(STAFF, PERSONAL),
    "campaigns_staff.new": Page(STAFF, PERSONAL),
    "campaigns_staff.show": Page(STAFF, PERSONAL),
    "campaigns_staff.edit": Page(STAFF, PERSONAL),
    "campaigns_staff.progress": Page(STAFF, PERSONAL),
    "campaigns_staff.preview": Page(STAFF, PERSONAL),
    "campaigns_staff.confirm_send": Page(STAFF, PERSONAL),
    "campaigns_staff.confirm_remind": Page(STAFF, PERSONAL),
    "mailing_staff.index": Page(STAFF, PERSONAL),
    "mailing_staff.show": Page(STAFF, PERSONAL),
    "mailing_staff.raw": Page(STAFF, PERSONAL),
    "privacy_staff.index": Page(STAFF, PERSONAL),
    "privacy_staff.contact": Page(STAFF, PERSONAL),
    "series_staff.index": Page(STAFF, PERSONAL),
    "series_staff.new": Page(STAFF, PERSONAL),
    "series_staff.page": Page(STAFF, PERSONAL),
    "series_staff.edit": Page(STAFF, PERSONAL),
    "series_staff.recurring_form": Page(STAFF, PERSONAL),
    "groups_staff.index": Page(STAFF, PERSONAL),
    "groups_staff.new": Page(STAFF, PERSONAL),
    "groups_staff.show": Page(STAFF, PERSONAL),
    "groups_staff.edit": Page(STAFF, PERSONAL),
    "groups_staff.plan_form": Page(STAFF, PERSONAL),
    "meetings_staff.index": Page(STAFF, PERSONAL),
    "meetings_staff.new": Page(STAFF, PERSONAL),
    "meetings_staff.edit": Page(STAFF, PERSONAL),
    "event_network_staff.institutions": Page(STAFF, PERSONAL),
    "results_staff.edit": Page(STAFF, PERSONAL),
    "results_staff.delete_file": Page(STAFF, PERSONAL),
    "results_staff.file": Page(STAFF, PERSONAL, file=True),
    "network_staff.index": Page(STAFF, PERSONAL),
    "team.index": Page(ADMIN, PERSONAL),
    "team.new": Page(ADMIN, PERSONAL),
    "surveys.respond": Page(GUEST, KEYED),
    "surveys.section": Page(GUEST, KEYED),
    "surveys.saved": Page(GUEST, KEYED),
    "surveys.sent": Page(GUEST, KEYED, 302),  # not sent yet: back to the start
    "surveys_staff.index": Page(STAFF, PERSONAL),
    "surveys_staff.new": Page(STAFF, PERSONAL),
    "surveys_staff.edit": Page(STAFF, PERSONAL),
    "surveys_staff.preview": Page(STAFF, PERSONAL),
    "surveys_staff.edit_section": Page(STAFF, PERSONAL),
    "surveys_staff.new_question": Page(STAFF, PERSONAL),
    "surveys_staff.edit_question": Page(STAFF, PERSONAL),
    "survey_sending_staff.send": Page(STAFF, PERSONAL),
    "survey_sending_staff.preview_html": Page(STAFF, MAIL),
    "survey_sending_staff.counts": Page(STAFF, PERSONAL),
    "survey_sending_staff.results": Page(STAFF, PERSONAL),
    "survey_sending_staff.results_csv": Page(STAFF, PERSONAL),
    "feedback_staff.edit": Page(STAFF, PERSONAL),
    "reports_staff.index": Page(STAFF, PERSONAL),
    "reports_staff.index_csv": Page(STAFF, PERSONAL),
    "reports_staff.index_pdf": Page(STAFF, PERSONAL),
    "reports_staff.event": Page(STAFF, PERSONAL),
    "reports_staff.event_csv": Page(STAFF, PERSONAL),
    "reports_staff.event_pdf": Page(STAFF, PERSONAL),
    "reports_staff.group": Page(STAFF, PERSONAL),
    "reports_staff.group_csv": Page(STAFF, PERSONAL),
    "reports_staff.group_pdf": Page(STAFF, PERSONAL),
    "reports_staff.attendance": Page(STAFF, PERSONAL),
    "reports_staff.attendance_pdf": Page(STAFF, PERSONAL),
    "reports_staff.group_attendance": Page(STAFF, PERSONAL),
    "reports_staff.group_attendance_pdf": Page(STAFF, PERSONAL),
    "partner.home": Page(PARTNER, PERSONAL),
    "partner.event_page": Page(PARTNER, PERSONAL),
    "partner.export": Page(PARTNER, PERSONAL),
    "partner.registration": Page(PARTNER, PERSONAL),

    "mailing_staff.html": Page(STAFF, MAIL),
    "mailing_staff.part": Page(STAFF, MAIL),
    "campaigns_staff.preview_html": Page(STAFF, MAIL),
}

# What the issue asks of every page, written out here rather than read from app/security.py.
# The door's QR decoder runs in a worker that qr-scanner makes from a blob: URL.
STRICT_POLICY = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'"],
    "connect-src": ["'self'"], "worker-src": ["'self'", "blob:"], "object-src": ["'none'"],
    "base-uri": ["'none'"], "form-action": ["'self'"], "frame-ancestors": ["'none'"],
}
# A mail as it was sent: it runs and loads nothing but our images, keeps its inline styles, and
# only our own pages may frame it. A part (a QR image, a calendar file) needs neither images nor styles.
MAIL_POLICY = {"default-src": ["'none'"], "base-uri": ["'none'"], "frame-ancestors": ["'self'"]}
MAIL_MAY_ADD = {"img-src": ["'self'"], "style-src": ["'unsafe-inline'"]}
# An uploaded file: runs nothing, loads nothing, is framed by nobody, whatever a browser thinks it is.
FILE_POLICY = {"default-src": ["'none'"], "sandbox": [], "frame-ancestors": ["'none'"], "base-uri": ["'none'"]}


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}, in the order written."""
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice in {policy!r}"  # browsers ignore the second
        parsed[name.lower()] = sources
    return parsed


def policy_problems(policy: str | None, kind: str, file: bool = False) -> list[str]:
    """What is wrong with a page's Content-Security-Policy for its kind of page."""
    if not policy:
        return ["no Content-Security-Policy"]
    found = directives(policy)
    problems = [f"{name} allows {source}" for name, sources in found.items() for source in sources
                if source in ("'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:")
                or source == "'unsafe-inline'" and not (kind == MAIL and name == "style-src")]
    expected = FILE_POLICY if file else STRICT_POLICY
    if kind == MAIL:
        expected = {**MAIL_POLICY, **{name: found[name] for name in MAIL_MAY_ADD.keys() & found.keys()
                                      if found[name] == MAIL_MAY_ADD[name]}}
    if found != expected:
        problems.append(f"policy {policy!r} is not {expected}")
    return problems


def header_problems(response, kind: str, file: bool = False) -> list[str]:
    """Everything wrong with the security headers of an answer, for its kind of page."""
    headers = response.headers
    problems = policy_problems(headers.get("Content-Security-Policy"), kind, file)
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options {headers.get('X-Content-Type-Options')!r}")
    frames = "SAMEORIGIN" if kind == MAIL and not file else "DENY"
    if headers.get("X-Frame-Options") != frames:
        problems.append(f"X-Frame-Options {headers.get('X-Frame-Options')!r}, not {frames}")
    cache = headers.get("Cache-Control", "")
    if kind == PUBLIC and "no-store" in cache:
        problems.append(f"a public page with Cache-Control {cache!r}: personal? Then say so in GET_PAGES")
    if kind != PUBLIC and cache != "private, no-store":
        problems.append(f"Cache-Control {cache!r}, not 'private, no-store'")
    referrer = "no-referrer" if kind == KEYED else "same-origin"
    if headers.get("Referrer-Policy") != referrer:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}, not {referrer}")
    if "Strict-Transport-Security" in headers:
        problems.append("HSTS outside production")
    return problems


def report(problems: dict[str, list[str]]) -> str:
    """One line per request, its problems below it: what a failing walk has to say."""
    return "\n".join(f"{request}\n" + "".join(f"    {problem}\n" for problem in found)
                     for request, found in problems.items())


def logged_in(app, role: str, institution_id: int | None = None):
    """A new test client, logged in through the login form as a new user of `role`."""
    client = app.test_client()
    email = f"{role}-headers@podium.test"
    create_user(email, role=role, password=STAFF_PASSWORD, institution_id=institution_id)
    response = client.post("/staff/login", data={"email": email, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def podium(app):
    return small_podium()


@pytest.fixture
def browsers(app, client, podium):
    """who -> a test client: the anonymous guest, a door account, a staff member, an admin, and a
    partner account of the institution that hosts the small Podium's event."""
    return {GUEST: client, DOOR: logged_in(app, "door"), STAFF: logged_in(app, "staff"),
            ADMIN: logged_in(app, "admin"), PARTNER: logged_in(app, "partner", podium.institution_id)}


def test_every_get_route_is_classified(app):
    routes = {rule.endpoint for rule in rules_for(app, "GET")}

    assert sorted(routes - GET_PAGES.keys()) == [], "new pages: say in GET_PAGES who opens them and how"
    assert sorted(GET_PAGES.keys() - routes) == [], "GET_PAGES names pages that are gone"
    assert {page.kind for page in GET_PAGES.values()} == {PUBLIC, PERSONAL, KEYED, MAIL}


def test_every_page_of_the_url_map_carries_the_security_headers(app, podium, browsers):
    problems, visited = {}, []
    for rule in rules_for(app, "GET"):
        page = GET_PAGES[rule.endpoint]
        url = url_of(rule, podium)
        response = browsers[page.who].get(url)
        response.close()
        visited.append(rule.endpoint)
        found = header_problems(response, page.kind, page.file)
        if response.status_code != page.status:
            found.insert(0, f"answers {response.status_code}, not {page.status}: the headers of another page")
        if found:
            problems[f"{page.who} GET {url} ({rule.endpoint})"] = found

    assert problems == {}, report(problems)
    assert set(visited) == set(GET_PAGES)  # every page was looked at, none only listed


def test_every_answer_to_a_form_or_an_api_call_is_never_stored(app, podium, browsers):
    """A POST answers one visitor: the form they sent back with what they typed, or their result."""
    problems, posted = {}, 0
    # Logging out last: until then the staff client stays logged in.
    for rule in sorted(rules_for(app, "POST"), key=lambda rule: rule.endpoint == "auth.logout"):
        who = (GUEST if not rule.rule.startswith(("/staff", "/api")) or rule.endpoint == "auth.login" else
               DOOR if rule.endpoint.startswith(("checkin.", "checkin_api.")) else STAFF)
        url = url_of(rule, podium)
        response = browsers[who].post(url, data={})
        posted += 1
        kind = KEYED if url.startswith(("/t/", "/r/", "/i/", "/u/", "/s/")) else PERSONAL
        found = header_problems(response, kind)
        if response.status_code >= 500:
            found.insert(0, f"answers {response.status_code}")
        if found:
            problems[f"{who} POST {url} ({rule.endpoint})"] = found

    assert problems == {}, report(problems)
    assert posted >= 30  # if this drops, the walk above proves little


def test_the_header_check_sees_every_kind_of_fault(client):
    """The negative control: the checks above fail on headers that are wrong in each way."""
    good = client.get("/events/")
    assert header_problems(good, PUBLIC) == []

    def faults(kind, **headers):
        response = client.get("/events/")
        for name, value in headers.items():
            name = name.replace("_", "-")
            if value is None:
                del response.headers[name]
            else:
                response.headers[name] = value
        return header_problems(response, kind)

    strict = good.headers["Content-Security-Policy"]
    assert faults(PUBLIC, Content_Security_Policy=None) == ["no Content-Security-Policy"]
    inline = strict.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    assert "script-src allows 'unsafe-inline'" in faults(PUBLIC, Content_Security_Policy=inline)
    assert faults(PUBLIC, Content_Security_Policy=strict.replace("; object-src 'none'", ""))
    assert faults(PUBLIC, Content_Security_Policy=strict.replace("ancestors 'none'", "ancestors *"))
    assert faults(PUBLIC, X_Content_Type_Options=None)
    assert faults(PUBLIC, X_Frame_Options="SAMEORIGIN")
    assert faults(PUBLIC, Cache_Control="private, no-store")
    assert faults(PERSONAL, Cache_Control="private, max-age=86400")
    assert faults(PERSONAL, Cache_Control=None)
    assert faults(KEYED, Cache_Control="private, no-store", Referrer_Policy="same-origin")
    assert faults(PUBLIC, Referrer_Policy="unsafe-url")
    assert faults(PUBLIC, Strict_Transport_Security="max-age=1")
    assert faults(MAIL, Cache_Control="private, no-store", X_Frame_Options="SAMEORIGIN")  # the strict policy


# --- headers on error pages: whatever goes wrong, the page still may not run a foreign script ---

def let_go_of_the_database(other_app) -> None:
    """Close the connections of a second app on the test database (the test's own app closes its own)."""
    with other_app.app_context():
        db.engine.dispose()


@pytest.fixture
def failing_app(database_url, tmp_path):
    """Podium with rate limits on, errors handled as in production, and one page that fails."""
    failing = create_app(TestingConfig, instance_path=str(tmp_path / "failing"),
                         SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True,
                         PROPAGATE_EXCEPTIONS=False)

    @failing.get("/staff/events/<int:event_id>/fails")
    def fails(event_id):
        raise RuntimeError("a bug")

    yield failing
    let_go_of_the_database(failing)


def test_an_error_page_has_the_headers_of_the_page_it_stands_for(app, podium, browsers, failing_app):
    staff, guest = browsers[STAFF], browsers[GUEST]
    event = f"/staff/events/{podium.event_id}"
    answers = {
        "404 unknown page": (guest.get("/no-such-page"), 404, PUBLIC),
        "404 unknown ticket": (guest.get("/t/" + "x" * 22), 404, KEYED),
        "404 unknown guest page": (guest.get("/r/" + "x" * 22), 404, KEYED),
        "404 control character": (guest.get("/r/%00"), 404, KEYED),
        "405 GET of a button": (staff.get(f"{event}/publish"), 405, PERSONAL),
        "403 door on a staff page": (browsers[DOOR].get("/staff/contacts/"), 403, PERSONAL),
        "401 API without credentials": (guest.get(f"/api/v1/events/{podium.event_id}/checkins/counts"), 401,
                                        PERSONAL),
        "413 huge sign-up": (guest.post(f"/events/{podium.slug}/register", data={"note": "x" * 2_000_000}),
                             413, PERSONAL),
        "500 a bug": (failing_app.test_client().get(f"{event}/fails"), 500, PERSONAL),
    }
    logins = [failing_app.test_client().post("/staff/login", data={"email": "a@podium.test", "password": "x"})
              for _ in range(11)]
    answers["429 too many logins"] = (logins[-1], 429, PERSONAL)

    problems = {name: [f"answers {r.status_code}"] * (r.status_code != status) + header_problems(r, kind)
                for name, (r, status, kind) in answers.items()}
    problems = {name: found for name, found in problems.items() if found}
    assert problems == {}, report(problems)


# --- production: HSTS, and cookies only over HTTPS, out of reach of scripts and other sites -----

@pytest.fixture
def production(database_url, tmp_path):
    """Podium with the production configuration, on the test database."""
    production = create_app(ProductionConfig, instance_path=str(tmp_path / "production"), SECRET_KEY="x" * 32,
                            SQLALCHEMY_DATABASE_URI=database_url, MAIL_BACKGROUND=False,
                            BASE_URL="https://podium.example")
    yield production
    let_go_of_the_database(production)


def cookies_set(response) -> dict[str, set[str]]:
    """name -> the attributes of each cookie an answer sets, e.g. {"session": {"secure", "samesite=lax"}}."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        cookies[name_value.split("=", 1)[0]] = {a.lower() for a in attributes if not a.lower().startswith(
            ("expires=", "max-age=", "path=", "domain="))}
    return cookies


HTTPS = {"base_url": "https://podium.example"}
SAFE_COOKIE = {"secure", "httponly", "samesite=lax"}


def log_in_through_the_form(client, email: str, *, remember: bool):
    """Log in as a person does: the form with its CSRF token, from our own login page."""
    page = client.get("/staff/login", **HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"email": email, "password": STAFF_PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    # Flask-WTF checks the Referer of a request over HTTPS: the form is posted from our login page.
    return client.post("/staff/login", data=data, headers={"Referer": "https://podium.example/staff/login"},
                       **HTTPS)


def test_in_production_the_login_cookies_are_secure_httponly_and_samesite_lax(production, app):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)

    response = log_in_through_the_form(production.test_client(), "anna@podium.test", remember=True)

    assert response.status_code == 302 and response.location.endswith("/staff/")
    cookies = cookies_set(response)
    assert set(cookies) == {"session", "remember_token"}
    assert cookies == {"session": SAFE_COOKIE, "remember_token": SAFE_COOKIE}


def test_in_production_the_language_choice_is_kept_in_a_safe_cookie_and_hsts_is_sent(production, client):
    response = production.test_client().get("/lang/en", **HTTPS)

    assert cookies_set(response) == {"session": SAFE_COOKIE}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert production.test_client().get("/events/", **HTTPS).headers["Strict-Transport-Security"]


def test_in_production_every_page_a_guest_opens_sends_hsts_and_only_safe_cookies(production, podium):
    guest = production.test_client()
    answers = {}
    for rule in rules_for(production, "GET"):
        if GET_PAGES[rule.endpoint].who == GUEST:
            url = url_of(rule, podium)
            answers[url] = guest.get(url, **HTTPS)
            answers[url].close()

    cookies = {url: cookies_set(r) for url, r in answers.items()}
    unsafe = {url: given for url, given in cookies.items() if any(a != SAFE_COOKIE for a in given.values())}
    assert unsafe == {}
    assert [url for url, r in answers.items() if "Strict-Transport-Security" not in r.headers] == []
    assert any(cookies.values())  # some page did set a cookie to look at


def test_outside_production_there_is_no_hsts_and_cookies_work_over_http(client):
    """The negative control: the checks above see a cookie without Secure, and HSTS missing."""
    response = client.get("/lang/en")

    assert "Strict-Transport-Security" not in response.headers
    assert cookies_set(response) == {"session": {"httponly", "samesite=lax"}}


# --- logs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, logged", [
    ("/t/N1xWqhwQ1mChHY3Umq_vKQ", "/t/…"), ("/t/N1xWqhwQ1mChHY3Umq_vKQ/qr.png", "/t/…/qr.png"),
    ("/r/abc/cancel", "/r/…/cancel"), ("/i/abc", "/i/…"), ("/u/abc", "/u/…"), ("/s/abc/2", "/s/…/2"),
    ("/groups/abc.ics", "/groups/…"),
    ("/events/forum/", "/events/forum/"), ("/staff/", "/staff/"),
])
def test_the_access_log_leaves_out_every_key_of_a_personal_link(path, logged):
    assert redact_path(path) == logged
