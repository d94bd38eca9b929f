"""What came of an event: staff write a summary and minutes and add files on the event's results
page, each public or network only; the public sees the public items on the event's page once it
ended, a working group's members see the rest through their invitation, and every host of the
database serves the same files, answered so that no browser runs them."""
import io
from datetime import timedelta, timezone

import pytest
from flask import render_template, url_for
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app
from app.audit import AuditAction, AuditEntry
from app.auth.services import create_user
from app.campaigns.models import Campaign, CampaignRecipient
from app.contacts import services as contacts
from app.database import utcnow, write_transaction
from app.extensions import db
from app.network.models import EventResult, ResultFile, WorkingGroup, WorkingGroupMember
from config import TestingConfig
from tests.conftest import STAFF_PASSWORD, TEST_ACTOR, days_from_now
from tests.pages import ENGLISH, field_error, form_values, page, parse
from tests.rows import fresh_reads

from .test_uploads import HTML, PDF_BYTES, SCRIPT, SVG, jpeg_with_script, png_with_script


@pytest.fixture
def request_headers():
    """The staff pages' messages are checked in English."""
    return ENGLISH


@pytest.fixture
def guest(app):
    """A visitor who is not logged in (the staff fixtures log the default client in)."""
    return app.test_client()


@pytest.fixture
def past_event(make_event):
    return make_event(title="Forum Ausbildung", starts_at=days_from_now(-3))


def upload(client, event, data: bytes, name: str, *, title: str = "", visibility: str = "public", **extra):
    """Post the upload form as a browser does (the body made in memory: the test client would
    spool a large one to a temporary file and leave it open)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name), "title": title,
                                       "visibility": visibility, **extra})
    return client.post(url_for("results_staff.upload", event_id=event.id), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def save_texts(client, event, **fields):
    data = {"summary": "", "summary_visibility": "public", "minutes": "", "minutes_visibility": "network", **fields}
    return client.post(url_for("results_staff.update", event_id=event.id), data=data)


def stored_files(event=None) -> list[ResultFile]:
    fresh_reads()
    query = select(ResultFile).order_by(ResultFile.id)
    if event is not None:
        query = query.where(ResultFile.event_id == event.id)
    return list(db.session.execute(query).scalars())


def added(client, event, data: bytes, name: str, **options) -> ResultFile:
    response = upload(client, event, data, name, **options)
    assert response.status_code == 302, response.text
    return stored_files(event)[-1]


def public_url(stored: ResultFile) -> str:
    return url_for("results.file_download", file_id=stored.id, filename=stored.filename)


def staff_url(stored: ResultFile) -> str:
    return url_for("results_staff.file", event_id=stored.event_id, file_id=stored.id)


def results_section(response):
    return page(response).find("section", class_="event-results")


# --- the staff page -------------------------------------------------------------------------------

def test_staff_write_the_summary_and_the_minutes_and_the_change_is_in_the_history(office, past_event):
    response = save_texts(office, past_event, summary="**70** guests came.", minutes="1. Welcome",
                          minutes_visibility="network")

    assert response.status_code == 302
    fresh_reads()
    result = db.session.execute(select(EventResult).where(EventResult.event_id == past_event.id)).scalar_one()
    assert (result.summary, result.summary_visibility, result.minutes, result.minutes_visibility) == (
        "**70** guests came.", "public", "1. Welcome", "network")
    shown = office.get(url_for("results_staff.edit", event_id=past_event.id))
    assert "Saved." in shown.text
    assert page(shown).one("textarea", name="summary").text == "**70** guests came."
    history = page(shown).one("section", class_="history").text
    assert "results changed" in history and "Summary of the results" in history


def test_the_preview_shows_the_texts_as_readers_see_them_and_saves_nothing(office, past_event):
    response = save_texts(office, past_event, summary="**Bold** <script>alert(1)</script>", preview="1")

    assert response.status_code == 200
    preview = page(response).one("section", id="texts-preview")
    assert preview.find("strong").text == "Bold"
    assert "<script>alert(1)" not in str(response.data).split('id="texts-preview"')[1]
    fresh_reads()
    assert db.session.execute(select(EventResult)).first() is None


def test_an_upload_is_stored_listed_and_audited(office, past_event):
    response = upload(office, past_event, PDF_BYTES, "Folien Forum.pdf", title="Slides", visibility="network")

    assert response.status_code == 302
    [stored] = stored_files(past_event)
    assert (stored.filename, stored.title, stored.content_type, stored.size, stored.visibility) == (
        "Folien_Forum.pdf", "Slides", "application/pdf", len(PDF_BYTES), "network")
    listed = page(office.get(url_for("results_staff.edit", event_id=past_event.id))).one(
        "table", class_="result-file-table").text
    assert "Slides" in listed and "Folien_Forum.pdf" in listed and "PDF" in listed and "Network only" in listed
    entry = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == AuditAction.result_file_added)).scalar_one()
    assert entry.event_id == past_event.id and entry.changes["file"] == "Folien_Forum.pdf"


def test_without_a_title_the_file_is_called_by_its_name(office, past_event):
    assert added(office, past_event, PDF_BYTES, "Protokoll März.pdf").title == "Protokoll März"


REFUSED = {
    "a .pdf that is really HTML": (HTML, "minutes.pdf", "cannot be added"),
    "SVG": (SVG, "logo.svg", "cannot be added"),
    "HTML": (HTML, "page.html", "cannot be added"),
    "empty": (b"", "nothing.pdf", "empty"),
}


@pytest.mark.parametrize("data, name, message", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_upload_says_why_next_to_the_field_and_stores_nothing(office, past_event, data, name, message):
    response = upload(office, past_event, data, name, title="Kept title")

    assert response.status_code == 422
    assert message in field_error(response, "file")
    assert form_values(page(response).one("form", enctype="multipart/form-data"))["title"] == "Kept title"
    assert stored_files() == []
    fresh_reads()
    assert db.session.execute(select(AuditEntry).where(
        AuditEntry.action == AuditAction.result_file_added)).first() is None


def test_an_upload_without_a_file_asks_for_one(office, past_event):
    response = office.post(url_for("results_staff.upload", event_id=past_event.id),
                           data={"title": "x", "visibility": "public"}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_error(response, "file") == "Please choose a file."
    assert stored_files() == []


def test_a_file_is_made_public_or_network_only_and_deleted_after_a_question(office, guest, past_event):
    stored = added(office, past_event, PDF_BYTES, "slides.pdf", visibility="network")
    assert guest.get(public_url(stored)).status_code == 404

    office.post(url_for("results_staff.file_visibility", event_id=past_event.id, file_id=stored.id),
                data={"visibility": "public"})
    assert guest.get(public_url(stored)).status_code == 200

    question = office.get(url_for("results_staff.delete_file", event_id=past_event.id, file_id=stored.id))
    assert "Delete “slides”?" in page(question).one("h1").text
    assert stored_files() != []
    response = office.post(url_for("results_staff.delete_file", event_id=past_event.id, file_id=stored.id))
    assert response.status_code == 302
    assert stored_files() == []
    assert guest.get(public_url(stored)).status_code == 404
    actions = [e.action for e in db.session.execute(select(AuditEntry).where(
        AuditEntry.event_id == past_event.id).order_by(AuditEntry.id)).scalars()]
    assert actions[-3:] == [AuditAction.result_file_added, AuditAction.result_file_changed,
                            AuditAction.result_file_deleted]


def test_a_file_of_another_event_is_not_found_on_the_staff_pages(office, past_event, make_event):
    stored = added(office, past_event, PDF_BYTES, "slides.pdf")
    other = make_event()

    assert office.get(url_for("results_staff.file", event_id=other.id, file_id=stored.id)).status_code == 404
    assert office.post(url_for("results_staff.delete_file", event_id=other.id, file_id=stored.id)).status_code == 404
    assert len(stored_files()) == 1


def test_the_results_pages_are_for_staff_only(app, client, login, past_event):
    assert client.get(url_for("results_staff.edit", event_id=past_event.id)).status_code == 302  # to the login
    door = login("door")
    assert door.get(url_for("results_staff.edit", event_id=past_event.id)).status_code == 403
    assert upload(door, past_event, PDF_BYTES, "x.pdf").status_code == 403
    assert stored_files() == []


# --- how files are answered -----------------------------------------------------------------------

def assert_runs_nothing(response):
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in [p.strip() for p in policy.split(";")]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"  # nobody frames a file
    assert response.mimetype not in ("text/html", "image/svg+xml")


@pytest.mark.parametrize("data", [png_with_script(), jpeg_with_script()], ids=["png", "jpeg"])
def test_an_image_with_a_script_in_its_metadata_is_served_drawn_anew(office, guest, past_event, data):
    stored = added(office, past_event, data, "photo.png", title="The panel")

    for response in (guest.get(public_url(stored)), office.get(staff_url(stored))):
        assert response.status_code == 200
        assert SCRIPT not in response.data and b"<html" not in response.data
        image = Image.open(io.BytesIO(response.data))
        image.load()
        assert image.size == (40, 30)
        assert response.mimetype == f"image/{image.format.lower()}"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert_runs_nothing(response)


def test_a_document_is_only_ever_a_download(office, guest, past_event):
    stored = added(office, past_event, PDF_BYTES, "slides.pdf")

    response = guest.get(public_url(stored))

    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=slides.pdf"
    assert "public" in response.headers["Cache-Control"]
    assert_runs_nothing(response)


def test_a_public_file_with_another_name_in_its_url_is_not_found(office, guest, past_event):
    stored = added(office, past_event, PDF_BYTES, "slides.pdf")

    assert guest.get(url_for("results.file_download", file_id=stored.id, filename="x.html")).status_code == 404


@pytest.fixture
def working_group(past_event, set_event):
    """A working group whose meeting past_event was, one member and one who is not, each invited."""
    with write_transaction():
        group = WorkingGroup(slug="ak-ausbildung", name="AK Ausbildung")
        db.session.add(group)
    set_event(past_event, working_group_id=group.id, visibility="invitation")
    member = contacts.create_contact({"name": "Mira Member", "email": "mira@example.org"}, by=TEST_ACTOR)
    outsider = contacts.create_contact({"name": "Otto Outside", "email": "otto@example.org"}, by=TEST_ACTOR)
    with write_transaction():
        db.session.add(WorkingGroupMember(group_id=group.id, contact_id=member.id))
        campaign = Campaign(event_id=past_event.id, subject="Einladung", body="{link}")
        db.session.add(campaign)
        db.session.flush()
        invitations = {person: CampaignRecipient(campaign_id=campaign.id, contact_id=person.id)
                       for person in (member, outsider)}
        db.session.add_all(invitations.values())
    return {"group": group, "member": invitations[member].token, "outsider": invitations[outsider].token}


def test_a_network_only_file_is_for_staff_and_the_groups_members_alone(office, guest, past_event, working_group):
    stored = added(office, past_event, PDF_BYTES, "minutes.pdf", visibility="network")
    member_url = url_for("results.member_file", token=working_group["member"], file_id=stored.id)

    assert guest.get(public_url(stored)).status_code == 404
    assert office.get(staff_url(stored)).status_code == 200
    response = guest.get(member_url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Cache-Control"] == "private, no-store"
    assert_runs_nothing(response)
    outsider_url = url_for("results.member_file", token=working_group["outsider"], file_id=stored.id)
    assert guest.get(outsider_url).status_code == 404
    assert guest.get(url_for("results.member_file", token="not-a-token", file_id=stored.id)).status_code == 404


def test_a_member_sees_no_file_of_another_groups_or_of_no_groups_meeting(office, guest, working_group, make_event):
    elsewhere = make_event(starts_at=days_from_now(-2))
    stored = added(office, elsewhere, PDF_BYTES, "other.pdf", visibility="network")

    member_url = url_for("results.member_file", token=working_group["member"], file_id=stored.id)
    assert guest.get(member_url).status_code == 404


def test_the_members_part_of_an_invitation_page_shows_the_groups_results(office, past_event, working_group):
    save_texts(office, past_event, summary="Public summary", minutes="Network minutes")
    stored = added(office, past_event, PDF_BYTES, "minutes.pdf", title="Minutes as PDF", visibility="network")
    fresh_reads()

    group = db.session.get(WorkingGroup, working_group["group"].id)
    html = render_template("network/_member_results.html", group=group, token=working_group["member"])

    part = parse(html)
    assert "Public summary" in part.text and "Network minutes" in part.text
    link = part.one("a", download="")
    assert link.text == "Minutes as PDF"
    assert link.get("href") == url_for("results.member_file", token=working_group["member"], file_id=stored.id)


# --- the event's public page ----------------------------------------------------------------------

def test_public_results_appear_on_the_event_page_only_after_it_ended(office, guest, make_event, set_event):
    event = make_event(title="Forum Zukunft")
    save_texts(office, event, summary="Seventy guests **came**.", minutes="Secret minutes",
               minutes_visibility="network")
    photo = added(office, event, png_with_script(), "panel.png", title="The panel", visibility="public")
    slides = added(office, event, PDF_BYTES, "slides.pdf", title="Slides", visibility="public")
    hidden = added(office, event, PDF_BYTES, "internal.pdf", title="Internal", visibility="network")
    event_page = url_for("registrations.event_page", slug=event.slug)

    assert results_section(guest.get(event_page)) is None
    assert guest.get(public_url(slides)).status_code == 404

    set_event(event, starts_at=days_from_now(-1), ends_at=days_from_now(-1) + timedelta(hours=2))
    section = results_section(guest.get(event_page))

    assert section.find("strong").text == "came"
    assert "Secret minutes" not in section.text and "Internal" not in section.text
    image = section.one("img")
    assert image.get("src") == public_url(photo) and image.get("alt") == "The panel"
    download = section.one("a", download="")
    assert download.get("href") == public_url(slides) and download.text == "Slides"
    assert "PDF" in download.parent.text
    assert guest.get(public_url(slides)).status_code == 200
    assert guest.get(public_url(hidden)).status_code == 404


def test_a_stored_event_page_shows_the_results_once_the_event_has_ended(office, guest, make_event, monkeypatch):
    """The page cache keeps the page until its next change: the end of the event is one."""
    ends = utcnow() + timedelta(hours=1)
    event = make_event(starts_at=utcnow() - timedelta(hours=1), ends_at=ends)
    save_texts(office, event, summary="What we found")
    event_page = url_for("registrations.event_page", slug=event.slug)
    assert results_section(guest.get(event_page)) is None  # stored now

    later = ends + timedelta(seconds=1)  # the clock moves on; nothing in the database changes
    for module in ("app.registrations.views", "app.events.services", "app.network.results"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    monkeypatch.setattr("app.pagecache._clock", lambda: later.replace(tzinfo=timezone.utc).timestamp())

    assert "What we found" in results_section(guest.get(event_page)).text


def test_a_draft_events_results_are_not_public(office, guest, make_event):
    event = make_event(starts_at=days_from_now(-2), publish=False)
    stored = added(office, event, PDF_BYTES, "slides.pdf", visibility="public")

    assert guest.get(public_url(stored)).status_code == 404


# --- several hosts, one database ------------------------------------------------------------------

def test_a_file_added_through_one_host_is_served_by_another(app, office, past_event, tmp_path_factory):
    stored = added(office, past_event, PDF_BYTES, "slides.pdf", visibility="network")
    photo = added(office, past_event, jpeg_with_script(), "photo.jpg", visibility="public")
    second = create_app(TestingConfig, instance_path=str(tmp_path_factory.mktemp("second-host")),
                        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        other_host = second.test_client()
        served = other_host.get(public_url(photo))
        other_host.post("/staff/login", data={"email": "staff@podium.test", "password": STAFF_PASSWORD})
        staff_copy = other_host.get(staff_url(stored))
    finally:
        with second.app_context():
            db.session.remove()
            db.engine.dispose()

    first_copy = office.get(public_url(photo))
    assert served.status_code == 200 and served.data == first_copy.data
    assert staff_copy.status_code == 200 and staff_copy.data == PDF_BYTES


# --- the size of an upload ------------------------------------------------------------------------

class TestWithCSRFAndASmallLimit:
    """As in production: CSRF on, and a file larger than a form's usual limit (MAX_CONTENT_LENGTH)."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True, "RESULT_FILE_MAX_BYTES": 1_500_000}

    @pytest.fixture
    def office(self, client, app):
        create_user("office@podium.test", role="staff", password=STAFF_PASSWORD)
        login_form = page(client.get(url_for("auth.login"))).one("form", method="post")
        data = {**form_values(login_form), "email": "office@podium.test", "password": STAFF_PASSWORD}
        assert client.post(url_for("auth.login"), data=data).status_code == 302
        client.get("/lang/en")
        return client

    def token(self, office, event):
        shown = page(office.get(url_for("results_staff.edit", event_id=event.id)))
        return form_values(shown.one("form", enctype="multipart/form-data"))["csrf_token"]

    def test_a_file_larger_than_a_forms_limit_goes_through_with_the_token(self, app, office, past_event):
        large = PDF_BYTES + b"%" * (1_200_000 - len(PDF_BYTES))
        assert len(large) > app.config["MAX_CONTENT_LENGTH"]

        response = upload(office, past_event, large, "large.pdf", csrf_token=self.token(office, past_event))

        assert response.status_code == 302
        assert [f.size for f in stored_files()] == [len(large)]

    def test_without_the_token_nothing_is_stored(self, office, past_event):
        assert upload(office, past_event, PDF_BYTES, "slides.pdf").status_code == 400
        assert stored_files() == []

    def test_a_file_over_the_limit_is_refused_next_to_the_field(self, office, past_event):
        too_large = PDF_BYTES + b"%" * 1_600_000

        response = upload(office, past_event, too_large, "huge.pdf", csrf_token=self.token(office, past_event))

        assert response.status_code == 422
        assert field_error(response, "file") == "The file is too large: at most 1.5 MB."
        assert stored_files() == []

    def test_a_request_far_over_the_limit_is_refused_before_it_is_read(self, office, past_event):
        response = upload(office, past_event, b"%PDF-" + b"0" * 4_000_000, "huge.pdf",
                          csrf_token=self.token(office, past_event))

        assert response.status_code == 413
        assert field_error(response, "file") == "The file is too large: at most 1.5 MB."
        assert stored_files() == []

    @pytest.mark.parametrize("who", ["nobody", "door"])
    def test_a_request_too_large_shows_the_results_to_nobody_but_staff(self, app, past_event, who):
        """The 413 answers before the view's login check: it must not show the page it stands for."""
        with write_transaction():
            db.session.add(EventResult(event_id=past_event.id, minutes="Nur für das Netzwerk: Budgetfragen"))
        visitor = app.test_client()
        if who == "door":
            create_user("door@podium.test", role="door", password=STAFF_PASSWORD)
            login_form = page(visitor.get(url_for("auth.login"))).one("form", method="post")
            data = {**form_values(login_form), "email": "door@podium.test", "password": STAFF_PASSWORD}
            assert visitor.post(url_for("auth.login"), data=data).status_code == 302

        for endpoint in ("results_staff.update", "results_staff.upload"):
            response = visitor.post(url_for(endpoint, event_id=past_event.id), data={"summary": "x" * 4_100_000})

            assert response.status_code in (302, 400, 403, 413)  # to the login, or refused
            assert "Budgetfragen" not in response.text
