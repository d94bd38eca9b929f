"""What every request and answer gets for safety (app/security.py, app/links.py, app/logredact.py):
redirects only to this site, bounded ids and bodies, no control characters in paths, and the
headers that keep personal pages out of caches and Referers."""
import pytest
from flask import url_for

from app.logredact import redact_path
from app.security import CONTENT_SECURITY_POLICY
from config import ProductionConfig

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
    from app.auth.services import create_user
    from tests.conftest import STAFF_PASSWORD

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


# --- headers ----------------------------------------------------------------------------------

def test_every_page_has_a_strict_content_security_policy(client, make_event):
    event = make_event()

    for url in ("/events/", f"/events/{event.slug}/", "/staff/login"):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert policy == CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in policy and "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy and "base-uri 'none'" in policy


def test_personal_pages_are_never_stored_and_never_named_in_a_referer(client, make_event, sign_up):
    event = make_event()
    anna = sign_up(event)

    for url in (f"/t/{anna.ticket_code}", f"/r/{anna.manage_token}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_public_pages_may_be_cached_and_name_only_this_site_in_a_referer(client, make_event):
    event = make_event()

    response = client.get(f"/events/{event.slug}/")

    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_staff_pages_and_exports_are_never_stored(staff, make_event):
    event = make_event()

    for url in ("/staff/", f"/staff/events/{event.id}/registrations",
                f"/staff/events/{event.id}/registrations.csv", "/staff/contacts/export.csv"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "private, no-store", url


def test_hsts_and_secure_cookies_in_production_only(app, tmp_path, database_url, client):
    assert "Strict-Transport-Security" not in client.get("/events/").headers

    from app import create_app
    production = create_app(ProductionConfig, instance_path=str(tmp_path), SECRET_KEY="x" * 32,
                            SQLALCHEMY_DATABASE_URI=database_url, MAIL_BACKGROUND=False, BASE_URL="https://p.test")
    response = production.test_client().get("/lang/en", base_url="https://p.test")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- logs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, logged", [
    ("/t/N1xWqhwQ1mChHY3Umq_vKQ", "/t/…"), ("/t/N1xWqhwQ1mChHY3Umq_vKQ/qr.png", "/t/…/qr.png"),
    ("/r/abc/cancel", "/r/…/cancel"), ("/i/abc", "/i/…"), ("/u/abc", "/u/…"),
    ("/events/forum/", "/events/forum/"), ("/staff/", "/staff/"),
])
def test_the_access_log_leaves_out_every_key_of_a_personal_link(path, logged):
    assert redact_path(path) == logged
