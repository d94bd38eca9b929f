"""Staff login, roles and user creation."""
import pytest
from flask_babel import force_locale

from app.auth.models import User
from app.auth.services import create_user
from app.errors import InvalidInput
from app.extensions import db
from tests.conftest import STAFF_PASSWORD


def test_password_is_stored_hashed_with_scrypt(app):
    user, _ = create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)
    stored = db.session.get(User, user.id).password_hash
    assert STAFF_PASSWORD not in stored
    assert stored.startswith("scrypt:")


def test_a_generated_password_is_returned_and_works(app):
    user, password = create_user("ben@podium.test", role="door")
    assert len(password) >= 12
    assert user.check_password(password)


@pytest.mark.parametrize("email, role, password, reason", [
    ("not-an-address", "staff", "long enough password", "email"),
    ("x@podium.test", "boss", "long enough password", "role"),
    ("x@podium.test", "staff", "short", "characters"),
])
def test_bad_user_input_is_refused(app, email, role, password, reason):
    with force_locale("en"), pytest.raises(InvalidInput, match=reason):
        create_user(email, role=role, password=password)
    assert db.session.query(User).count() == 0


def test_the_same_email_twice_is_refused(app):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)
    with force_locale("en"), pytest.raises(InvalidInput, match="already exists"):
        create_user("ANNA@podium.test", role="staff", password=STAFF_PASSWORD)


def test_login_with_the_right_password_opens_the_staff_pages(client, app):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)
    response = client.post("/staff/login", data={"email": "Anna@podium.test", "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, app):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)
    wrong_password = client.post("/staff/login", data={"email": "anna@podium.test", "password": "nope nope nope"})
    unknown_user = client.post("/staff/login", data={"email": "who@podium.test", "password": "nope nope nope"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert client.get("/staff/").status_code == 302


def test_staff_pages_send_anonymous_visitors_to_the_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_login_does_not_redirect_to_another_site(client, app):
    create_user("anna@podium.test", role="staff", password=STAFF_PASSWORD)
    response = client.post("/staff/login?next=//evil.example/x",
                           data={"email": "anna@podium.test", "password": STAFF_PASSWORD})
    assert response.headers["Location"] == "/staff/"


def test_a_door_account_cannot_open_staff_pages(login, make_event):
    event = make_event()
    client = login("door")
    for path in ("/staff/", f"/staff/events/{event.id}/registrations", "/staff/mails/"):
        assert client.get(path).status_code == 403, path


def test_staff_see_the_registrations_of_an_event(staff, make_event, sign_up):
    event = make_event(capacity=1)
    sign_up(event, name="Anna Schmidt", organisation="IHK Trier")
    sign_up(event, name="Ben Weber")
    page = staff.get(f"/staff/events/{event.id}/registrations", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Anna Schmidt" in page.text and "IHK Trier" in page.text and "Ben Weber" in page.text
    waitlist = staff.get(f"/staff/events/{event.id}/registrations?status=waitlisted").text
    assert "Ben Weber" in waitlist and "Anna Schmidt" not in waitlist


def test_logout(staff):
    assert staff.post("/staff/logout").status_code == 302
    assert staff.get("/staff/").status_code == 302
