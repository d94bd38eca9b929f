"""What the campaign pages say, as staff read them: the subject filled in, a text to start from,
a status that never calls a kept mail sent, no test mail once the campaign is out, and the
recipients in pages."""
import re
from datetime import UTC, datetime

import pytest
from flask import url_for
from flask_babel import force_locale

from app.campaigns import services as campaigns
from app.campaigns.placeholders import PLACEHOLDER, PLACEHOLDERS, default_body, default_subject
from app.events.display import event_when
from tests.pages import ENGLISH, form_values, main_text, page

from .conftest import mails_of


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Fachkräfte", starts_at=datetime(2031, 3, 6, 17, 0, tzinfo=UTC))


def headings(response) -> list[str]:
    """The page's title and its h1, as a person reads them."""
    shown = page(response)
    return [shown.one("title").text, shown.one("h1").text]


# --- the subject ---------------------------------------------------------------------------

def test_every_heading_shows_the_subject_filled_in_for_the_event(staff, forum, make_campaign, make_contacts):
    make_contacts(2)
    campaign = make_campaign(forum, subject="Einladung: {event} am {date}")
    with force_locale("en"):
        # As a person reads it: no-break spaces are spaces.
        filled = " ".join(f"Einladung: Forum Fachkräfte am {event_when(forum)}".split())
    paths = {"show": url_for("campaigns_staff.show", campaign_id=campaign.id),
             "edit": url_for("campaigns_staff.edit", campaign_id=campaign.id)}

    for name, path in paths.items():
        title, h1 = headings(staff.get(path, headers=ENGLISH))
        assert h1 == filled, name
        assert filled in title, name
    listing = page(staff.get(url_for("campaigns_staff.index"), headers=ENGLISH))
    assert listing.one("tr", id=f"campaign-{campaign.id}").one("td", class_="subject").text == filled
    confirm = staff.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id), headers=ENGLISH)
    assert page(confirm).one("dd", class_="confirm-subject").text == filled
    assert "{event}" not in page(confirm).one("main").text.replace(campaign.body, "")


def test_a_name_in_the_subject_shows_as_a_stand_in_or_as_the_recipients_name(staff, forum, make_campaign,
                                                                             make_contact):
    anna = make_contact(name="Anna Schmidt", email="anna@example.org")
    campaign = make_campaign(forum, subject="{name}, Sie sind eingeladen: {event}")

    shown = headings(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    confirm = page(staff.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id), headers=ENGLISH))
    preview = headings(staff.get(url_for("campaigns_staff.preview", campaign_id=campaign.id, contact=anna.id),
                                 headers=ENGLISH))

    assert shown[1] == "‹Name›, Sie sind eingeladen: Forum Fachkräfte"
    assert confirm.one("dd", class_="confirm-subject").text == "‹Name›, Sie sind eingeladen: Forum Fachkräfte"
    assert "‹Name› stands for each recipient's name." in confirm.text
    assert preview[1] == "Anna Schmidt, Sie sind eingeladen: Forum Fachkräfte"


def test_the_text_as_written_is_shown_apart_from_the_headings(staff, forum, make_campaign):
    campaign = make_campaign(forum)

    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))

    assert shown.one("dd", class_="subject-template").text == "Einladung: {event}"
    assert shown.one("h1").text == "Einladung: Forum Fachkräfte"


# --- the text a new campaign starts with -----------------------------------------------------

def test_a_new_campaign_starts_with_a_text_that_uses_every_placeholder(staff, forum):
    form = page(staff.get(url_for("campaigns_staff.new"), headers=ENGLISH)).one(
        "form", action=url_for("campaigns_staff.create"))
    values = form_values(form)

    assert values["subject"] == "Invitation: {event}"
    assert values["body"] == ("Hello {name},\n\nwe warmly invite you to {event} on {date}.\n\n"
                              "You can sign up here: {link}\n\nWe look forward to seeing you.")


def test_the_text_to_start_from_speaks_the_pages_language(staff, forum):
    german = form_values(page(staff.get(url_for("campaigns_staff.new"))).one(
        "form", action=url_for("campaigns_staff.create")))

    with force_locale("de"):
        assert (german["subject"], german["body"]) == (default_subject(), default_body())


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_text_to_start_from_keeps_its_placeholders_in_every_language(app, locale):
    # A translation that renames a placeholder would be refused when the campaign is saved.
    with force_locale(locale):
        subject, body = default_subject(), default_body()

    assert PLACEHOLDER.findall(subject) == ["event"]
    assert sorted(set(PLACEHOLDER.findall(body))) == sorted(PLACEHOLDERS)


def test_the_text_to_start_from_saves_as_it_is(staff, forum, make_contacts):
    make_contacts(1)
    form = page(staff.get(url_for("campaigns_staff.new", event_id=forum.id), headers=ENGLISH)).one(
        "form", action=url_for("campaigns_staff.create"))

    response = staff.post(url_for("campaigns_staff.create"), headers=ENGLISH,
                          data={**form_values(form), "event_id": forum.id, "audience": "all"})

    assert response.status_code == 302
    assert headings(staff.get(response.location, headers=ENGLISH))[1] == "Invitation: Forum Fachkräfte"


# --- kept is not sent ------------------------------------------------------------------------

def campaign_row(staff, campaign) -> dict[str, str]:
    """The campaign's row in the list: column title -> the cell's text."""
    row = page(staff.get(url_for("campaigns_staff.index"), headers=ENGLISH)).one("tr", id=f"campaign-{campaign.id}")
    return {cell.get("data-label"): cell.text for cell in row.find_all("td") if cell.get("data-label")}


def figures(staff, campaign) -> dict[str, str]:
    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    return {dd.get("data-count"): dd.text for dd in shown.one("dl", id="campaign-progress").find_all("dd")}


def states(staff, campaign) -> list[str]:
    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    return [row.one("td", class_="state").text for row in shown.find_all("tr", class_="recipient")]


def status(staff, campaign) -> str:
    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    return shown.one("dd", class_="campaign-status").one("span", class_="badge").text


def test_without_a_mail_server_the_invitations_are_kept_and_never_called_sent(app, staff, make_campaign,
                                                                              make_contacts, deliver):
    assert not app.config["MAIL_SERVER"]
    make_contacts(3)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)

    deliver()

    assert status(staff, campaign) == "kept, not sent"
    assert figures(staff, campaign) == {"sent": "0", "held": "3", "queued": "0", "failed": "0", "skipped": "0"}
    assert states(staff, campaign) == ["kept, not sent"] * 3
    row = campaign_row(staff, campaign)
    assert (row["Status"], row["Sent"], row["Kept, not sent"]) == ("kept, not sent", "0", "3")
    shown = main_text(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    assert "nobody has received one" in shown
    assert not re.search(r"\binvited\b", " ".join(states(staff, campaign)))


def test_with_a_mail_server_the_same_campaign_is_sent(staff, make_campaign, make_contacts, smtp, deliver):
    make_contacts(3)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)

    assert status(staff, campaign) == "sending"
    deliver()

    assert status(staff, campaign) == "sent"
    assert figures(staff, campaign) == {"sent": "3", "queued": "0", "failed": "0", "skipped": "0"}
    assert states(staff, campaign) == ["invited"] * 3
    row = campaign_row(staff, campaign)
    assert (row["Status"], row["Sent"]) == ("sent", "3")
    assert "Kept, not sent" not in row


def test_the_confirmation_warns_when_nothing_will_be_sent(app, staff, make_campaign, make_contacts, smtp):
    make_contacts(1)
    campaign = make_campaign()
    url = url_for("campaigns_staff.confirm_send", campaign_id=campaign.id)

    with_server = page(staff.get(url, headers=ENGLISH))
    app.config["MAIL_SERVER"] = ""
    without = page(staff.get(url, headers=ENGLISH))

    assert with_server.find(id="no-mail-server") is None
    assert without.one(id="no-mail-server").text == (
        "No mail server is configured: the invitations will be kept in the outbox and not sent.")


def test_with_a_mail_server_sending_says_the_invitations_are_on_their_way(staff, make_campaign, make_contacts,
                                                                          smtp):
    make_contacts(2)
    campaign = make_campaign()

    response = staff.post(url_for("campaigns_staff.send", campaign_id=campaign.id), headers=ENGLISH)

    assert page(staff.get(response.location, headers=ENGLISH)).one("p", class_="flash").text == (
        "2 invitations are on their way.")


# --- no test mail after sending ----------------------------------------------------------------

def test_a_draft_offers_a_test_mail_and_a_sent_campaign_does_not(staff, make_campaign, make_contact):
    anna = make_contact(name="Anna Schmidt")
    campaign = make_campaign()
    test_form = {"action": url_for("campaigns_staff.test_mail", campaign_id=campaign.id)}
    pages = [url_for("campaigns_staff.show", campaign_id=campaign.id),
             url_for("campaigns_staff.preview", campaign_id=campaign.id, contact=anna.id)]

    before = [page(staff.get(path, headers=ENGLISH)).find_all("form", **test_form) for path in pages]
    campaigns.send_campaign(campaign.id)
    after = [page(staff.get(path, headers=ENGLISH)).find_all("form", **test_form) for path in pages]

    assert [len(forms) for forms in before] == [1, 1]
    assert after == [[], []]


def test_a_test_mail_asked_for_after_sending_is_refused(staff, make_campaign, make_contacts):
    make_contacts(1)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)

    response = staff.post(url_for("campaigns_staff.test_mail", campaign_id=campaign.id), headers=ENGLISH,
                          data={"contact_id": ""})

    assert response.status_code == 302
    assert [mail.recipient for mail in mails_of()] == ["kontakt1@example.org"], "no test mail queued"
    assert page(staff.get(response.location, headers=ENGLISH)).one("p", class_="flash").text == (
        "This campaign has been sent; a test mail is only for checking a draft.")
    with pytest.raises(campaigns.NoTestMailAfterSending):
        campaigns.send_test_mail(campaign.id, email="staff@podium.test", name="Staff", locale="de")


# --- the recipients: pages, search, sort, state -------------------------------------------------

def recipient_names(response) -> list[str]:
    return [row.find_all("td")[0].text for row in page(response).find_all("tr", class_="recipient")]


def test_the_recipients_come_in_pages_sorted_and_searchable(staff, make_campaign, make_contacts, monkeypatch):
    from app.campaigns import staff_views

    monkeypatch.setattr(staff_views, "RECIPIENTS_PER_PAGE", 2)
    make_contacts(5)
    make_contacts(1, name="Zora Still", email="zora@example.org", institution="Stadt Trier")
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)

    def show(**args):
        return staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id, **args), headers=ENGLISH)

    first, last = show(), show(page=3)
    by_name_down = show(sort="-name")
    found = show(q="stadt")

    assert recipient_names(first) == ["Kontakt 1", "Kontakt 2"]
    assert recipient_names(last) == ["Kontakt 5", "Zora Still"]
    assert page(first).one("nav", class_="pagination").find("a", rel="next").get("href") == url_for(
        "campaigns_staff.show", campaign_id=campaign.id, page=2)
    assert recipient_names(by_name_down) == ["Zora Still", "Kontakt 5"]
    assert page(by_name_down).find("a", rel="next").get("href") == url_for(
        "campaigns_staff.show", campaign_id=campaign.id, sort="-name", page=2)
    assert recipient_names(found) == ["Zora Still"]
    assert page(found).find("nav", class_="pagination") is None


def test_the_recipients_filtered_by_state_keep_the_counts_of_every_state(staff, make_campaign, make_contacts,
                                                                          smtp, deliver):
    make_contacts(2)
    (refused,) = make_contacts(1, email="weg@example.org")
    smtp.refused_recipients.add(refused)
    campaign = make_campaign()
    campaigns.send_campaign(campaign.id)
    deliver()

    response = staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id, state="failed"), headers=ENGLISH)

    assert recipient_names(response) == ["Kontakt 3"]
    pills = [a.text for a in page(response).one("nav", class_="filters").find_all("a")]
    assert pills == ["All (3)", "invited (2)", "not delivered (1)"]
