"""The development mailbox: without MAIL_SERVER mail is held, and staff open it in the browser."""
import email
import re
from email import policy

import pytest

from .pages import outbox_cells, state_label, visible_text
from .reading import decode_qr, parse_with_vobject


@pytest.fixture
def held_mail(app, make_event, sign_up, deliver, outbox):
    """A guest's confirmation, held because no mail server is configured."""
    assert not app.config["MAIL_SERVER"]
    registration = sign_up(make_event(title="Forum Ehrenamt", capacity=10),
                           name="Anna Schmidt", email="anna@example.org")
    deliver()
    [mail] = outbox()
    return mail, registration


def part_links(page_html: str) -> dict[str, str]:
    """Link text -> URL of the parts listed on a mail's page."""
    links = re.findall(r'<a href="(/staff/mails/\d+/parts/\d+)">([^<]*)</a>', page_html)
    return {visible_text(label): url for url, label in links}


def part_types(page_html: str) -> list[tuple[str, str]]:
    """(link text, content type) of each part listed on a mail's page, in the order of the mail."""
    found = re.findall(r'<a href="/staff/mails/\d+/parts/\d+">([^<]*)</a>\s*<code class="part-type">([^<]*)</code>',
                       page_html)
    return [(visible_text(label), content_type) for label, content_type in found]


def test_without_a_mail_server_mail_is_held_and_never_sent(make_event, sign_up, smtp_recorder,
                                                            deliver, outbox):
    sign_up(make_event(), email="anna@example.org")

    report = deliver()
    deliver()

    [mail] = outbox()
    assert report.held == 1
    assert mail.status == "held"
    assert mail.sent_at is None
    assert smtp_recorder.received == []


def test_staff_find_a_held_mail_in_the_outbox(staff, held_mail):
    mail, _registration = held_mail

    listing = staff.get("/staff/mails/")

    assert listing.status_code == 200
    _id, _created, to, subject, state, _attempts, _error = outbox_cells(listing.text, mail.id)
    assert to == "anna@example.org"
    assert subject == mail.subject
    assert "Forum Ehrenamt" in subject
    assert state == state_label("held")


def test_mail_page_shows_the_text_version(app, staff, held_mail):
    mail, registration = held_mail

    page = staff.get(f"/staff/mails/{mail.id}")

    assert page.status_code == 200
    shown = visible_text(page.text)
    assert "Anna Schmidt" in shown
    assert f"{app.config['BASE_URL']}/t/{registration.ticket_code}" in shown
    assert f"{app.config['BASE_URL']}/r/{registration.manage_token}" in shown
    assert mail.message_id in shown


def test_html_version_shows_the_qr_code_from_its_part(app, staff, held_mail):
    mail, registration = held_mail

    page = staff.get(f"/staff/mails/{mail.id}/html")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "cid:" not in page.text
    [image_url] = re.findall(r'<img[^>]+src="([^"]+)"', page.text)
    assert image_url.startswith(f"/staff/mails/{mail.id}/parts/")
    image = staff.get(image_url)
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert decode_qr(image.data) == [f"{app.config['BASE_URL']}/t/{registration.ticket_code}"]


def test_parts_list_links_to_the_calendar_request_and_the_qr_code(app, staff, held_mail):
    mail, registration = held_mail

    listed = staff.get(f"/staff/mails/{mail.id}", headers={"Accept-Language": "en"}).text
    links = part_links(listed)

    assert part_types(listed) == [("Text version", "text/plain"), ("HTML version", "text/html"),
                                  ("Image: ticket.png", "image/png"),
                                  ("Calendar invitation (REQUEST)", "text/calendar"),
                                  ("Calendar file: invite.ics", "application/ics")]
    calendar = staff.get(links["Calendar invitation (REQUEST)"])
    assert calendar.status_code == 200
    assert calendar.mimetype == "text/calendar"
    parsed = parse_with_vobject(calendar.text)
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == registration.event.ical_uid
    [qr_link] = [url for label, url in links.items() if label.startswith("Image")]
    qr = staff.get(qr_link)
    assert qr.mimetype == "image/png"
    assert decode_qr(qr.data) == [f"{app.config['BASE_URL']}/t/{registration.ticket_code}"]


def test_whole_mail_downloads_as_eml(staff, held_mail, outbox):
    mail, _registration = held_mail

    response = staff.get(f"/staff/mails/{mail.id}.eml")

    assert response.status_code == 200
    assert response.mimetype == "message/rfc822"
    assert response.data == outbox()[0].raw
    message = email.message_from_bytes(response.data, policy=policy.default)
    assert message["Message-ID"] == mail.message_id
    assert [a.addr_spec for a in message["To"].addresses] == ["anna@example.org"]


def test_a_queued_mail_can_be_opened_before_a_sender_has_composed_it(app, make_event, sign_up, staff,
                                                                     outbox):
    registration = sign_up(make_event(), email="anna@example.org")
    [mail] = outbox()
    assert mail.raw is None

    page = staff.get(f"/staff/mails/{mail.id}")

    assert page.status_code == 200
    assert f"/t/{registration.ticket_code}" in visible_text(page.text)
    assert outbox()[0].status == "queued"


def test_a_held_mail_goes_out_once_a_server_is_configured_and_staff_send_it(staff, held_mail, smtp,
                                                                            deliver, outbox):
    mail, _registration = held_mail

    staff.post(f"/staff/mails/{mail.id}/retry")
    deliver()
    deliver()

    assert outbox()[0].status == "sent"
    assert len(smtp.received) == 1
    assert smtp.messages[0]["Message-ID"] == mail.message_id


STATE_COLUMN = 4  # no., created, to, subject, state, attempts, last error


def test_mail_states_are_shown_in_the_staff_members_language(staff, held_mail):
    # Every user-facing string goes through Flask-Babel (DESIGN): a German page must not
    # show the English word for a mail's state.
    mail, _registration = held_mail

    german = outbox_cells(staff.get("/staff/mails/").text, mail.id)[STATE_COLUMN]
    staff.get("/lang/en")
    english = outbox_cells(staff.get("/staff/mails/").text, mail.id)[STATE_COLUMN]

    assert english == state_label("held", "en")
    assert german == state_label("held", "de")
    assert german != english


def test_retrying_a_sent_mail_does_not_claim_to_queue_it(staff, make_event, sign_up, smtp, deliver, outbox):
    sign_up(make_event(), email="anna@example.org")
    deliver()
    [mail] = outbox()
    staff.get("/lang/en")

    page = staff.post(f"/staff/mails/{mail.id}/retry", follow_redirects=True)

    assert outbox()[0].status == "sent"
    assert "The mail is queued again." not in page.text


def test_unknown_mail_is_not_found(staff, app):
    assert staff.get("/staff/mails/424242").status_code == 404


# --- who may open the mailbox ---------------------------------------------------

MAILBOX_PAGES = ["/staff/mails/", "/staff/mails/{id}", "/staff/mails/{id}/html", "/staff/mails/{id}.eml",
                 "/staff/mails/{id}/parts/0"]


@pytest.mark.parametrize("page", MAILBOX_PAGES)
def test_door_staff_may_not_read_the_mailbox(login, held_mail, page):
    mail, _registration = held_mail
    door = login("door")

    assert door.get(page.format(id=mail.id)).status_code == 403


def test_door_staff_may_not_retry_a_mail(login, held_mail, outbox):
    mail, _registration = held_mail
    door = login("door")

    assert door.post(f"/staff/mails/{mail.id}/retry").status_code == 403
    assert outbox()[0].status == "held"


@pytest.mark.parametrize("page", MAILBOX_PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, held_mail, page):
    mail, _registration = held_mail

    response = client.get(page.format(id=mail.id))

    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith("/staff/login")


# --- the whole mail, in German -------------------------------------------------------

LONG_BODY = "\n".join(f"Zeile {n} des Einladungstextes." for n in range(1, 121)) + "\n\nENDE DER MAIL {link}"


@pytest.fixture
def long_mail(app, make_event, deliver, outbox):
    """A held campaign invitation whose text is far longer than a screen."""
    from datetime import timedelta

    from sqlalchemy import insert

    from app.campaigns import services as campaigns
    from app.contacts.models import Contact
    from app.database import utcnow
    from app.extensions import db
    from app.links import new_link_token

    now = utcnow()
    db.session.execute(insert(Contact), [{
        "name": "Anna Schmidt", "email": "anna@example.org", "email_key": "anna@example.org",
        "tags": [], "locale": "de", "source": "test", "source_at": now,
        "unsubscribe_token": new_link_token(), "created_at": now, "updated_at": now}])
    db.session.commit()
    event = make_event(title="Forum Ehrenamt", starts_at=now + timedelta(days=10))
    campaign = campaigns.create_campaign(event_id=event.id, subject="Einladung: {event}", body=LONG_BODY,
                                         audience={"all": True})
    campaigns.send_campaign(campaign.id)
    deliver()
    [mail] = outbox()
    assert mail.status == "held"
    return mail


def test_the_mail_page_shows_the_whole_text_and_names_the_headers_in_german(app, staff, long_mail):
    from flask_babel import force_locale

    from app.mailing.staff_views import HEADER_LABELS
    from tests.pages import page as tree

    shown = tree(staff.get(f"/staff/mails/{long_mail.id}"))

    text = shown.one("pre", class_="mail-text").text
    assert text.startswith("Zeile 1 des Einladungstextes.")
    assert "Zeile 120 des Einladungstextes." in text and "ENDE DER MAIL" in text
    labels = [dt.text for dt in shown.one("dl", class_="mail-headers").find_all("dt")]
    with force_locale("de"):
        assert labels[:6] == [str(label) for _name, label in HEADER_LABELS]
    assert {"An", "Betreff", "Datum", "Zustand", "Versuche"} <= set(labels)
    assert not {"To", "Subject", "Date"} & set(labels), "no header by its English wire name"
    values = dict(zip(labels, [dd.text for dd in shown.one("dl", class_="mail-headers").find_all("dd")],
                      strict=True))
    assert "+0000" not in values["Datum"] and not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", values["Datum"])
    assert shown.one("dd", class_="mail-state").one("span", class_="badge").text == state_label("held")
    frame = shown.one("iframe", class_="mail-html")
    assert "data-fit-content" in frame.attrs and "allow-scripts" not in frame.get("sandbox")
    assert shown.one("a", href=frame.get("src"), target="_blank"), "the HTML part opens on its own too"
    assert shown.one("script", src="/static/mail-frame.js")


# --- the outbox: pages, search, state, sort --------------------------------------------

@pytest.fixture
def busy_outbox(make_event, sign_up, deliver, outbox):
    """Five held mails about two events, then one queued: the outbox as a list to page through."""
    ehrenamt = make_event(title="Forum Ehrenamt")
    arbeit = make_event(title="Forum Arbeit")
    for name in ("anna", "bernd", "carla"):
        sign_up(ehrenamt, name=name.title(), email=f"{name}@example.org")
    for name in ("dora", "emil"):
        sign_up(arbeit, name=name.title(), email=f"{name}@example.org")
    deliver()
    sign_up(arbeit, name="Fritz", email="fritz@example.org")
    return {mail.recipient: mail for mail in outbox()}


def listed(response) -> list[str]:
    """The recipients of the outbox table's rows, top to bottom."""
    from tests.pages import page as tree

    table = tree(response).find("table", id="mails")
    return [row.find_all("td")[2].text for row in table.one("tbody").find_all("tr")] if table else []


def test_the_outbox_comes_in_pages_newest_first(staff, busy_outbox, monkeypatch):
    from app.mailing import staff_views
    from tests.pages import page as tree

    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)

    first = staff.get("/staff/mails/")
    last = staff.get("/staff/mails/?page=3")

    assert listed(first) == ["fritz@example.org", "emil@example.org"]
    assert listed(last) == ["bernd@example.org", "anna@example.org"]
    summary = tree(first).one("nav", class_="pagination").one("span", class_="summary").text
    assert summary.startswith("1–2") and summary.endswith("6")


def test_the_outbox_finds_mails_by_recipient_or_subject_and_by_state(staff, busy_outbox, monkeypatch):
    from app.mailing import staff_views
    from tests.pages import page as tree

    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)

    by_subject = staff.get("/staff/mails/?q=ehrenamt")
    by_recipient = staff.get("/staff/mails/?q=CARLA")
    queued = staff.get("/staff/mails/?status=queued")
    held_about_work = staff.get("/staff/mails/?status=held&q=arbeit")
    nothing = staff.get("/staff/mails/?q=niemand")

    assert listed(by_subject) == ["carla@example.org", "bernd@example.org"]
    next_page = tree(by_subject).one("nav", class_="pagination").find("a", rel="next").get("href")
    assert next_page == "/staff/mails/?q=ehrenamt&page=2", "the search is kept from page to page"
    assert listed(staff.get(next_page)) == ["anna@example.org"]
    assert listed(by_recipient) == ["carla@example.org"]
    assert listed(queued) == ["fritz@example.org"]
    assert listed(held_about_work) == ["emil@example.org", "dora@example.org"]
    assert listed(nothing) == []
    assert tree(nothing).one("p", class_="empty")
    pills = [a.text for a in tree(queued).one("nav", class_="filters").find_all("a")]
    assert pills == ["Alle (6)", f"{state_label('queued')} (1)", f"{state_label('held')} (5)"]


def test_the_outbox_sorts_by_a_column_and_turns_the_order_round(staff, busy_outbox):
    from tests.pages import page as tree

    by_recipient = staff.get("/staff/mails/?sort=recipient")
    backwards = staff.get("/staff/mails/?sort=-recipient")
    unknown = staff.get("/staff/mails/?sort=nonsense")

    assert listed(by_recipient) == sorted(busy_outbox)
    assert listed(backwards) == sorted(busy_outbox, reverse=True)
    assert listed(unknown)[0] == "fritz@example.org", "an unknown column: newest first"
    header = tree(by_recipient).one("th", **{"aria-sort": "ascending"})
    assert header.one("a").get("href") == "/staff/mails/?sort=-recipient"
