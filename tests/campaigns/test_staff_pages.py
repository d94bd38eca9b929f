"""The staff's campaign pages: who may open them, writing a campaign, preview, test mail,
the confirmation step, progress and the recipients' states."""
import pytest
from flask import url_for
from sqlalchemy import func, select

from app.campaigns import services as campaigns
from app.campaigns.audience import make_audience, resolve_audience
from app.campaigns.models import Campaign
from app.campaigns.progress import campaign_progress
from app.contacts.models import Contact
from app.database import utcnow
from app.errors import InvalidInput
from app.extensions import db
from tests.pages import ENGLISH, form_values, main_text, page

from .conftest import BODY, ENGLISH_BODY, contact_by_email, html_body, mails_of, recipients_of, text_body


def form_of(**overrides) -> dict:
    data = {"subject": "Einladung: {event}", "body": BODY, "audience": "all", "tags": "", "emails": ""}
    data.update(overrides)
    return data


def contact_count() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(Contact.id))).scalar_one()


# --- who may open them ---------------------------------------------------------------------

def campaign_routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("campaigns_staff.")
            and rule.rule.startswith("/staff/")]


def test_door_users_are_refused_on_every_campaign_page(app, login, make_campaign):
    campaign = make_campaign()
    door = login("door")
    answered = {}
    for rule in campaign_routes(app):
        path = url_for(rule.endpoint, campaign_id=campaign.id) if "campaign_id" in rule.arguments \
            else url_for(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answered[f"{method} {path}"] = door.open(path, method=method).status_code

    assert len(answered) >= 12
    assert set(answered.values()) == {403}, answered


def test_anonymous_visitors_are_sent_to_the_login(client, make_campaign):
    response = client.get(url_for("campaigns_staff.show", campaign_id=make_campaign().id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("auth.login"))


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_see_the_campaigns(login, make_campaign, role):
    make_campaign(subject="Einladung zum Forum")

    response = login(role).get(url_for("campaigns_staff.index"), headers=ENGLISH)

    assert response.status_code == 200
    assert "Einladung zum Forum" in main_text(response)


def test_every_campaign_page_is_a_staff_page_with_the_navigation_to_every_area(staff, make_campaign, make_contacts):
    make_contacts(1)
    draft = make_campaign()
    sent = make_campaign()
    campaigns.send_campaign(sent.id)
    paths = [url_for("campaigns_staff.index"), url_for("campaigns_staff.new"),
             url_for("campaigns_staff.show", campaign_id=draft.id), url_for("campaigns_staff.edit", campaign_id=draft.id),
             url_for("campaigns_staff.preview", campaign_id=draft.id),
             url_for("campaigns_staff.confirm_send", campaign_id=draft.id),
             url_for("campaigns_staff.show", campaign_id=sent.id),
             url_for("campaigns_staff.confirm_remind", campaign_id=sent.id)]

    for path in paths:
        shown = page(staff.get(path, headers=ENGLISH))
        assert "layout-staff" in shown.one("body").classes, path
        nav = shown.one("nav", class_="site-nav")
        assert nav.one("a", href=url_for("campaigns_staff.index")).get("aria-current") == "page", path
        assert nav.find("a", href=url_for("contacts_staff.index")) is not None, path
        assert nav.find("a", href=url_for("mailing_staff.index")) is not None, path


# --- writing a campaign --------------------------------------------------------------------

def test_a_campaign_is_written_in_the_form_and_lands_on_its_page(staff, make_event, make_contacts):
    event = make_event(title="Forum Arbeit")
    make_contacts(3)

    response = staff.post(url_for("campaigns_staff.create"), data=form_of(event_id=event.id), headers=ENGLISH)

    assert response.status_code == 302
    campaign = db.session.execute(select(Campaign)).scalar_one()
    assert response.location.endswith(url_for("campaigns_staff.show", campaign_id=campaign.id))
    assert (campaign.subject, campaign.body, campaign.audience) == ("Einladung: {event}", BODY, {"all": True})
    assert campaign.created_by == "staff@podium.test"
    text = main_text(staff.get(response.location, headers=ENGLISH))
    assert "3 contacts will be mailed." in text
    assert "Send to 3 contacts" in text


def test_an_unknown_placeholder_is_refused_next_to_its_field_naming_it(staff, make_event):
    event = make_event()

    response = staff.post(url_for("campaigns_staff.create"), headers=ENGLISH,
                          data=form_of(event_id=event.id, body="Hallo {vorname}, {name} und {ort}!"))

    assert response.status_code == 422
    error = page(response).one("p", class_="error", id="body-error").text
    assert "{vorname}" in error and "{ort}" in error
    assert "{name}" not in error.split(".")[0]
    assert db.session.execute(select(func.count(Campaign.id))).scalar_one() == 0
    # What was typed is kept.
    assert "Hallo {vorname}, {name} und {ort}!" in response.get_data(as_text=True)


def test_an_unknown_placeholder_in_the_subject_is_refused_too(make_event):
    with pytest.raises(InvalidInput) as refused:
        campaigns.create_campaign(event_id=make_event().id, subject="Einladung {titel}", body="Hallo {name}",
                                  audience={"all": True})

    assert refused.value.field == "subject"
    assert "{titel}" in str(refused.value)


def test_pasted_addresses_are_matched_to_contacts_and_unknown_ones_reported_not_created(
        staff, make_event, make_contact):
    make_contact(email="anna@example.org")
    make_contact(email="Bernd@Example.org")
    before = contact_count()
    pasted = "Anna Schmidt <ANNA@example.org>, bernd@example.org; fremd@example.org\nnoch.einer@example.org"

    response = staff.post(url_for("campaigns_staff.create"), headers=ENGLISH,
                          data=form_of(event_id=make_event().id, audience="emails", emails=pasted))
    text = main_text(staff.get(response.location, headers=ENGLISH))

    assert "2 contacts will be mailed." in text
    unknown = page(staff.get(response.location)).one("div", class_="unknown-emails")
    assert [li.text for li in unknown.find_all("li")] == ["fremd@example.org", "noch.einer@example.org"]
    assert contact_count() == before


def test_the_audience_by_tags_and_by_kinds_of_organisation(make_contact, make_campaign):
    make_contact(email="a@example.org", tags=["Netzwerk", "Presse"])
    make_contact(email="b@example.org", tags=["netzwerk"])
    make_contact(email="c@example.org", tags=["Schule"], institution="Stadt Trier", kind="city")
    make_contact(email="d@example.org", institution="Caritas Trier", kind="charity")

    by_tags = resolve_audience(make_audience("tags", tags="NETZWERK, Presse"))
    by_kinds = resolve_audience(make_audience("kinds", kinds=["city", "charity"]))

    assert sorted(c.email for c in by_tags.contacts) == ["a@example.org", "b@example.org"]
    assert sorted(c.email for c in by_kinds.contacts) == ["c@example.org", "d@example.org"]


def test_a_sent_campaign_can_no_longer_be_edited(staff, make_campaign, make_contacts):
    make_contacts(1)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)

    response = staff.post(url_for("campaigns_staff.update", campaign_id=campaign.id), headers=ENGLISH,
                          data=form_of(event_id=campaign.event_id, subject="Anders"))

    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).subject == "Einladung: {event}"


# --- preview and test mail -----------------------------------------------------------------

def test_the_preview_shows_the_mail_as_the_chosen_recipient_gets_it(staff, make_event, make_contact, make_campaign):
    make_contact(name="Anna Schmidt", email="anna@example.org")
    ben = make_contact(name="Ben Okafor", email="ben@example.org", locale="en")
    campaign = make_campaign(make_event(title="Forum Arbeit"))

    response = staff.get(url_for("campaigns_staff.preview", campaign_id=campaign.id, contact=ben.id), headers=ENGLISH)

    assert response.status_code == 200
    preview = page(response)
    assert preview.one("dd", class_="preview-subject").text == "Einladung: Forum Arbeit"
    assert preview.one("dd", class_="preview-to").text == "Ben Okafor <ben@example.org>"
    assert "Hallo Ben Okafor," in preview.one("pre", class_="preview-text").text
    options = [o.text for o in preview.one("select", id="contact").find_all("option")]
    assert options == ["Anna Schmidt <anna@example.org>", "Ben Okafor <ben@example.org>"]
    html = staff.get(url_for("campaigns_staff.preview_html", campaign_id=campaign.id, contact=ben.id))
    assert 'Hallo <span dir="auto">Ben Okafor</span>,' in html.get_data(as_text=True)
    assert "script-src" not in html.headers["Content-Security-Policy"]


def test_a_test_mail_goes_to_the_staff_member_through_the_outbox_and_is_no_recipient(
        staff, make_campaign, make_contact, smtp, deliver):
    anna = make_contact(name="Anna Schmidt", email="anna@example.org", locale="en")
    campaign = make_campaign()
    campaigns.update_campaign(campaign.id, event_id=campaign.event_id, subject=campaign.subject, body=BODY,
                              audience={"all": True}, texts={"en": ("Invitation: {event}", ENGLISH_BODY)})

    response = staff.post(url_for("campaigns_staff.test_mail", campaign_id=campaign.id),
                          data={"contact_id": anna.id}, headers=ENGLISH)
    (queued,) = mails_of()
    deliver()

    assert response.status_code == 302
    assert queued.recipient == "staff@podium.test"
    (received,) = smtp.received
    assert received.rcpt_tos == ["staff@podium.test"]
    message = received.message
    assert message["Subject"] == "[Test] Invitation: Forum Fachkräfte"  # as Anna gets it: in English
    assert message["List-Unsubscribe"] is None
    assert "Hello Anna Schmidt," in text_body(message)
    assert "/i/" not in text_body(message)
    assert text_body(message).startswith("TEST MAIL: the link leads to the event's public page.")
    assert recipients_of(campaign) == []
    assert campaign_progress(campaign.id).total == 0
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "draft"


# --- confirmation, sending, progress -------------------------------------------------------

def test_sending_asks_first_and_says_how_many_contacts_will_be_mailed(staff, make_campaign, make_contacts):
    make_contacts(5)
    make_contacts(1, unsubscribed_at=utcnow())
    campaign = make_campaign()

    confirm = staff.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id), headers=ENGLISH)

    assert confirm.status_code == 200
    assert page(confirm).one("p", class_="confirm-count").text == "5 contacts will be mailed."
    assert "1 contact has unsubscribed and is left out." in main_text(confirm)
    assert recipients_of(campaign) == []

    sent = staff.post(url_for("campaigns_staff.send", campaign_id=campaign.id), headers=ENGLISH)
    assert sent.status_code == 302
    assert len(recipients_of(campaign)) == 5
    shown = staff.get(sent.location, headers=ENGLISH)
    # No mail server in the tests' default: the outbox keeps them, and the page says so.
    assert ("5 invitations are kept in the outbox: no mail server is configured, so they are not sent."
            in main_text(shown))
    progress = page(shown).one("dl", id="campaign-progress")
    assert progress.one("dd", **{"data-count": "queued"}).text == "5"
    bar = page(shown).one("progress", id="campaign-bar")
    assert (bar.get("value"), bar.get("max")) == ("0", "5")
    assert progress.get("data-url") == url_for("campaigns_staff.progress", campaign_id=campaign.id)
    assert page(shown).one("script", src=url_for("static", filename="campaign.js"))

    again = staff.post(url_for("campaigns_staff.send", campaign_id=campaign.id), headers=ENGLISH)
    assert "Nobody new to invite" in main_text(staff.get(again.location, headers=ENGLISH))
    assert len(recipients_of(campaign)) == 5


def test_the_progress_endpoint_counts_as_the_mails_go_out(staff, make_campaign, make_contacts, smtp, deliver):
    make_contacts(3)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    url = url_for("campaigns_staff.progress", campaign_id=campaign.id)

    before = staff.get(url).get_json()
    deliver()
    after = staff.get(url).get_json()

    assert before == {"queued": 3, "sent": 0, "failed": 0, "skipped": 0, "held": 0, "total": 3, "handled": 0,
                      "done": False}
    assert after == {"queued": 0, "sent": 3, "failed": 0, "skipped": 0, "held": 0, "total": 3, "handled": 3,
                     "done": True}


def recipient_states(staff, campaign) -> dict[str, str]:
    """Each recipient's address and the state the campaign page shows for them (with the reason
    a mail was not delivered, after a colon)."""
    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    states = {}
    for row in shown.find_all("tr", class_="recipient"):
        cell = row.one("td", class_="state")
        reason = cell.find("small")
        state = cell.text.removesuffix(reason.text) if reason else cell.text
        states[row.find_all("td")[1].text] = f"{state}: {reason.text}" if reason else state
    return states


def test_a_refused_delivery_shows_as_not_delivered_with_the_reason(staff, make_campaign, make_contacts, smtp,
                                                                   deliver):
    (address,) = make_contacts(1)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    smtp.reply = "550 5.1.1 No such user"

    deliver()

    assert recipient_states(staff, campaign) == {address: "not delivered: 550 5.1.1 No such user"}
    assert campaign_progress(campaign.id).failed == 1
    assert contact_by_email(address).unsubscribed_at is None


def test_the_html_part_escapes_the_staff_text(make_campaign, make_contact, smtp, deliver):
    make_contact(name="Anna <b>Schmidt</b>")
    campaign = make_campaign(body="Bitte <script>alert(1)</script> & mehr\n{name}")
    campaigns.send_campaign(campaign.id)
    deliver()

    html = html_body(smtp.messages[0])

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mehr<br>" in html
    assert "Anna &lt;b&gt;Schmidt&lt;/b&gt;" in html


def selected(form, name) -> str:
    (option,) = [o for o in form.one("select", name=name).find_all("option") if "selected" in o.attrs]
    return option.get("value")


def test_a_draft_is_edited_in_the_form_filled_in_with_its_values(staff, make_event, make_campaign):
    campaign = make_campaign(audience=make_audience("kinds", kinds=["city", "charity"]))

    form = page(staff.get(url_for("campaigns_staff.edit", campaign_id=campaign.id), headers=ENGLISH)).one(
        "form", action=url_for("campaigns_staff.update", campaign_id=campaign.id))
    values = form_values(form)
    checked = [box.get("value") for box in form.find_all("input", type="checkbox") if "checked" in box.attrs]
    response = staff.post(url_for("campaigns_staff.update", campaign_id=campaign.id), headers=ENGLISH,
                          data={**values, "kinds": checked, "subject": "Neu: {event}",
                                "event_id": selected(form, "event_id")})

    assert values["subject"] == "Einladung: {event}"
    assert selected(form, "event_id") == str(campaign.event_id)
    assert values["audience"] == "kinds"
    assert checked == ["city", "charity"]
    assert response.status_code == 302
    db.session.rollback()
    changed = db.session.get(Campaign, campaign.id)
    assert (changed.subject, changed.audience) == ("Neu: {event}", {"kinds": ["city", "charity"]})


def test_the_pages_speak_german_by_default(staff, make_campaign, make_contacts, smtp, deliver):
    make_contacts(2)
    campaign = make_campaign()
    draft_pages = [url_for("campaigns_staff.index"), url_for("campaigns_staff.new"),
                   url_for("campaigns_staff.show", campaign_id=campaign.id),
                   url_for("campaigns_staff.preview", campaign_id=campaign.id),
                   url_for("campaigns_staff.confirm_send", campaign_id=campaign.id)]
    draft = {path: staff.get(path) for path in draft_pages}
    campaigns.send_campaign(campaign.id)
    deliver()
    sent_pages = [url_for("campaigns_staff.show", campaign_id=campaign.id),
                  url_for("campaigns_staff.confirm_remind", campaign_id=campaign.id)]
    sent = {path: staff.get(path) for path in sent_pages}

    for response in [*draft.values(), *sent.values()]:
        assert response.status_code == 200
        assert page(response).one("html").get("lang") == "de"
