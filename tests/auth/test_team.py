"""The team page: admins list the accounts, create one (a partner with its institution, a password
given or made up and shown once), and switch accounts off and on. Staff get 403 and change nothing."""
import pytest
from flask import url_for
from sqlalchemy import select

from app.audit import AuditAction, AuditEntry
from app.auth.models import User
from app.auth.services import create_user
from app.contacts.models import Institution
from app.database import write_transaction
from app.extensions import db
from app.text import name_key
from tests.conftest import STAFF_PASSWORD
from tests.pages import field_error, page
from tests.rows import fresh_reads, reload


@pytest.fixture
def ihk():
    with write_transaction():
        institution = Institution(name="IHK Trier", name_key=name_key("IHK Trier"))
        db.session.add(institution)
    return institution


@pytest.fixture
def admin(login):
    client = login("admin", email="chefin@example.org", name="Petra Chefin")
    client.get("/lang/en")
    return client


def accounts(response) -> dict[str, dict]:
    """The team table: each account's cells by column, keyed by its address."""
    rows = page(response).one("table", class_="team").one("tbody").find_all("tr")
    return {row.find(class_="email").text: {cell.get("data-label"): cell.text for cell in row.find_all("td")}
            for row in rows}


def users() -> list[tuple]:
    fresh_reads()
    return [(u.email, u.role.value, u.institution_id, u.active) for u in db.session.query(User).order_by(User.id)]


def test_an_admin_sees_every_account_with_role_institution_and_state(admin, ihk):
    create_user("glockauer@ihk.example", role="partner", institution_id=ihk.id, name="Jan Glockauer")
    door, _ = create_user("tuer@podium.test", role="door")
    with write_transaction():
        db.session.get(User, door.id).active = False

    table = accounts(admin.get(url_for("team.index")))

    assert set(table) == {"chefin@example.org", "glockauer@ihk.example", "tuer@podium.test"}
    partner = table["glockauer@ihk.example"]
    assert partner["Name"].startswith("Jan Glockauer")
    assert partner["Role"].startswith("Partner") and partner["Institution"] == "IHK Trier"
    assert partner["State"] == "active"
    assert table["tuer@podium.test"]["State"] == "deactivated" and table["tuer@podium.test"]["Institution"] == "–"


def test_staff_and_door_accounts_get_403_and_change_nothing(login, ihk):
    other, _ = create_user("tuer@podium.test", role="door", password=STAFF_PASSWORD)
    for role in ("staff", "door"):
        client = login(role)
        before = users()
        answers = [
            client.get(url_for("team.index")), client.get(url_for("team.new")),
            client.post(url_for("team.create"), data={"email": "neu@example.org", "role": "admin"}),
            client.post(url_for("team.deactivate", user_id=other.id)),
        ]
        assert [r.status_code for r in answers] == [403] * 4, role
        assert users() == before
        client.post("/staff/logout")


def test_an_admin_creates_a_partner_account_whose_password_is_shown_once(admin, client, ihk):
    response = admin.post(url_for("team.create"), data={
        "email": "glockauer@ihk.example", "name": "Jan Glockauer", "role": "partner",
        "institution_id": str(ihk.id), "password": ""})

    assert response.status_code == 200
    password = page(response).one(id="new-password").text
    assert len(password) >= 12
    assert response.headers["Cache-Control"] == "private, no-store"
    assert ("glockauer@ihk.example", "partner", ihk.id, True) in users()
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == AuditAction.account_created)
                               ).scalar_one()
    assert entry.actor == "Petra Chefin"
    assert entry.changes == {"account": "glockauer@ihk.example", "role": "partner", "institution": "IHK Trier"}
    assert password not in admin.get(url_for("team.index")).text

    admin.post("/staff/logout")
    login = client.post("/staff/login", data={"email": "glockauer@ihk.example", "password": password})
    assert login.location == url_for("partner.home")


def test_a_typed_password_is_not_shown_again(admin):
    response = admin.post(url_for("team.create"), data={
        "email": "neu@example.org", "role": "staff", "password": "ein langes Passwort"})

    assert response.status_code == 200
    assert "ein langes Passwort" not in response.text
    assert page(response).find(id="new-password") is None
    assert db.session.execute(select(User).where(User.email == "neu@example.org")).scalar_one().check_password(
        "ein langes Passwort")


@pytest.mark.parametrize("data, field, message", [
    ({"role": "partner", "institution_id": ""}, "institution_id", "belongs to an institution"),
    ({"role": "partner", "institution_id": "999999"}, "institution_id", "Not a valid choice"),
    ({"email": "kein-at"}, "email", "does not look like an email address"),
    ({"email": "chefin@example.org"}, "email", "already exists"),
    ({"password": "kurz"}, "password", "at least 10 characters"),
    ({"role": "boss"}, "role", "Not a valid choice"),
])
def test_a_bad_account_is_refused_next_to_the_field_and_nothing_created(admin, ihk, data, field, message):
    before = users()
    data = {"email": "neu@example.org", "name": "Neu", "role": "staff", "institution_id": "", "password": "",
            **data}

    response = admin.post(url_for("team.create"), data=data)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert page(response).one("input", id="email").get("value") == data["email"]  # what was typed stays
    assert users() == before


def test_an_institution_chosen_for_another_role_is_left_out(admin, ihk):
    admin.post(url_for("team.create"), data={"email": "neu@example.org", "role": "staff",
                                             "institution_id": str(ihk.id), "password": "ein langes Passwort"})

    assert ("neu@example.org", "staff", None, True) in users()


def test_an_admin_deactivates_an_account_which_is_logged_out_at_once(admin, app, ihk):
    create_user("office@podium.test", role="staff", password=STAFF_PASSWORD)
    office = app.test_client()
    office.post("/staff/login", data={"email": "office@podium.test", "password": STAFF_PASSWORD})
    assert office.get(url_for("events_staff.dashboard")).status_code == 200
    user = db.session.execute(select(User).where(User.email == "office@podium.test")).scalar_one()

    response = admin.post(url_for("team.deactivate", user_id=user.id))

    assert response.status_code == 302
    assert "office@podium.test can no longer log in." in admin.get(response.location).text
    assert not reload(user).active
    assert office.get(url_for("events_staff.dashboard")).status_code == 302  # back to the login
    again = app.test_client().post("/staff/login", data={"email": "office@podium.test", "password": STAFF_PASSWORD})
    assert again.status_code == 401

    admin.post(url_for("team.reactivate", user_id=user.id))
    assert reload(user).active
    actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.action.in_(
        [AuditAction.account_deactivated, AuditAction.account_reactivated])).order_by(AuditEntry.id)).scalars()
    assert list(actions) == [AuditAction.account_deactivated, AuditAction.account_reactivated]


def test_an_admin_cannot_deactivate_their_own_account(admin):
    me = db.session.execute(select(User).where(User.email == "chefin@example.org")).scalar_one()

    response = admin.post(url_for("team.deactivate", user_id=me.id))

    assert "You cannot deactivate your own account." in admin.get(response.location).text
    assert reload(me).active

