"""A campaign in several languages: each contact gets the text of their language where the campaign
has one, else the German text, and the frame of the mail (the words around the text: the button,
the unsubscribe line, the date) always in the language of the text it carries. Read back from the
real SMTP server; frame words are the catalogs' (tests/i18n.py), never typed in here."""
from datetime import UTC, datetime

import pytest
from babel.dates import format_date
from flask import url_for
from sqlalchemy import select

from app.campaigns import services as campaigns
from app.campaigns.models import Campaign, CampaignText
from app.errors import InvalidInput
from app.events.models import EventText
from app.extensions import db
from tests.i18n import translated
from tests.pages import ENGLISH, field_error, form_values, main_text, page

from .conftest import BODY, ENGLISH_BODY, html_body, mails_of, text_body

# 18:00 in Trier (CET), a Thursday.
STARTS = datetime(2030, 12, 5, 17, 0, tzinfo=UTC)
# The line under every invitation (its HTML link, and the text part's sentence).
UNSUBSCRIBE_LINK_TEXT = "Unsubscribe from invitations"
UNSUBSCRIBE_SENTENCE = ("You get this invitation because you are in our contact network. No more invitations? "
                        "Unsubscribe here:")
ENGLISH_TEXT = ("{name}, you are invited: {event}", ENGLISH_BODY)
ARABIC_TEXT = ("دعوة: {event}", "مرحبا {name}،\n\nندعوكم إلى {event} في {date}.\n\n{link}")


@pytest.fixture
def forum(make_event):
    return make_event(title="Forum Arbeit & Migration", starts_at=STARTS, timezone="Europe/Berlin")


@pytest.fixture
def three_contacts(make_contact):
    """Anna reads German, Ben English, Parisa Persian."""
    return (make_contact(name="Anna Schmidt", email="anna@example.org", locale="de"),
            make_contact(name="Ben Okafor", email="ben@example.org", locale="en"),
            make_contact(name="Parisa Ahmadi", email="parisa@example.org", locale="fa"))


def only_mail(smtp, address):
    (message,) = smtp.to(address)
    return message


def assert_frame_in(message, locale, *, not_in=()):
    """The words around the text are in `locale` (English: the catalog's source), and in none of `not_in`."""
    def frame(language, msgid):
        return msgid if language == "en" else translated(language, msgid)

    html, text = html_body(message), text_body(message)
    assert frame(locale, UNSUBSCRIBE_LINK_TEXT) in html
    assert frame(locale, UNSUBSCRIBE_SENTENCE) in text
    for other in not_in:
        assert frame(other, UNSUBSCRIBE_LINK_TEXT) not in html
        assert frame(other, UNSUBSCRIBE_SENTENCE) not in text


# --- sending --------------------------------------------------------------------------------

def test_each_contact_gets_the_text_of_their_language_or_german_and_the_frame_matches_the_text(
        forum, three_contacts, make_campaign, smtp, deliver):
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})

    campaigns.send_campaign(campaign.id)
    deliver()

    anna, ben, parisa = (only_mail(smtp, c.email) for c in three_contacts)
    german_day = format_date(STARTS.date(), "full", locale="de")  # Donnerstag, 5. Dezember 2030
    english_day = format_date(STARTS.date(), "full", locale="en")  # Thursday, December 5, 2030

    assert ben["Subject"] == "Ben Okafor, you are invited: Forum Arbeit & Migration"
    assert f"Hello Ben Okafor,\n\nwe warmly invite you to Forum Arbeit & Migration on {english_day}, 18:00" \
        in text_body(ben)
    assert_frame_in(ben, "en", not_in=["de"])
    assert "?lang=en" in text_body(ben)  # the invitation page opens in English too

    # Persian has no text: German text, German date, German frame; nothing English or Persian.
    assert parisa["Subject"] == "Einladung: Forum Arbeit & Migration"
    assert f"Hallo Parisa Ahmadi,\n\nwir laden Sie herzlich ein zu Forum Arbeit & Migration am {german_day}" \
        in text_body(parisa)
    assert_frame_in(parisa, "de", not_in=["en", "fa"])
    assert "?lang=de" in text_body(parisa) and "?lang=fa" not in text_body(parisa)

    assert anna["Subject"] == "Einladung: Forum Arbeit & Migration"
    assert "Hallo Anna Schmidt," in text_body(anna)
    assert_frame_in(anna, "de", not_in=["en"])

    # The outbox row's language, which sets the frame, is the text's.
    assert {m.recipient: m.locale for m in mails_of()} == {
        "anna@example.org": "de", "ben@example.org": "en", "parisa@example.org": "de"}


def test_an_arabic_text_goes_out_right_to_left_in_an_arabic_frame(forum, make_contact, make_campaign, smtp,
                                                                    deliver):
    make_contact(name="Samir Haddad", email="samir@example.org", locale="ar")
    campaigns.send_campaign(make_campaign(forum, texts={"ar": ARABIC_TEXT}).id)
    deliver()

    message = only_mail(smtp, "samir@example.org")

    assert message["Subject"] == "دعوة: Forum Arbeit & Migration"
    html = html_body(message)
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    # The Latin name and the German title keep their own direction inside the Arabic sentence.
    assert 'مرحبا <span dir="auto">Samir Haddad</span>،' in html
    assert_frame_in(message, "ar", not_in=["de", "en"])


def test_the_event_placeholder_is_the_events_title_in_the_language_of_the_text(
        forum, three_contacts, make_campaign, smtp, deliver):
    db.session.add(EventText(event_id=forum.id, locale="en", title="Forum Work & Migration", summary=""))
    db.session.commit()
    campaigns.send_campaign(make_campaign(forum, texts={"en": ENGLISH_TEXT}).id)
    deliver()

    assert only_mail(smtp, "ben@example.org")["Subject"] == "Ben Okafor, you are invited: Forum Work & Migration"
    assert only_mail(smtp, "parisa@example.org")["Subject"] == "Einladung: Forum Arbeit & Migration"


def test_the_reminder_follows_the_same_rule(forum, three_contacts, make_campaign, smtp, deliver):
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})
    campaigns.send_campaign(campaign.id)
    deliver()

    assert campaigns.remind_campaign(campaign.id) == 3
    deliver()

    _invitation, ben = smtp.to("ben@example.org")
    assert ben["Subject"] == "Reminder: Ben Okafor, you are invited: Forum Arbeit & Migration"
    assert "Hello Ben Okafor," in text_body(ben)
    assert_frame_in(ben, "en", not_in=["de"])
    _invitation, parisa = smtp.to("parisa@example.org")
    assert parisa["Subject"] == translated("de", "Reminder: %(subject)s",
                                           subject="Einladung: Forum Arbeit & Migration")
    assert "Hallo Parisa Ahmadi," in text_body(parisa)
    assert_frame_in(parisa, "de", not_in=["en", "fa"])
    assert {m.recipient: m.locale for m in mails_of(campaigns.REMINDER)} == {
        "anna@example.org": "de", "ben@example.org": "en", "parisa@example.org": "de"}


# --- the test mail --------------------------------------------------------------------------

def test_staff_choose_the_language_of_their_test_mail(staff, forum, make_campaign, smtp, deliver):
    campaign = make_campaign(forum, texts={"en": ("Invitation: {event}", ENGLISH_BODY)})
    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    choice = shown.one("select", name="language")
    assert [(o.get("value"), o.text) for o in choice.find_all("option")] == [("de", "German"), ("en", "English")]

    for language in ("en", "de"):
        staff.post(url_for("campaigns_staff.test_mail", campaign_id=campaign.id), data={"language": language},
                   headers=ENGLISH)
    deliver()

    english, german = smtp.to("staff@podium.test")
    assert english["Subject"] == "[Test] Invitation: Forum Arbeit & Migration"
    assert "we warmly invite you to Forum Arbeit & Migration" in text_body(english)
    assert german["Subject"] == "[Test] Einladung: Forum Arbeit & Migration"  # "[Test]" reads the same in German
    assert "wir laden Sie herzlich ein zu Forum Arbeit & Migration" in text_body(german)
    assert [m.locale for m in mails_of()] == ["en", "de"]


def test_a_test_mail_in_a_language_without_a_text_is_the_german_mail(staff, forum, make_campaign, smtp, deliver):
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})

    staff.post(url_for("campaigns_staff.test_mail", campaign_id=campaign.id), data={"language": "uk"},
               headers=ENGLISH)
    deliver()

    message = only_mail(smtp, "staff@podium.test")
    assert message["Subject"] == "[Test] Einladung: Forum Arbeit & Migration"
    assert "Hallo staff@podium.test," in text_body(message)
    assert mails_of()[0].locale == "de"


def test_a_test_mail_whose_language_was_removed_before_it_went_out_is_german_through_and_through(
        forum, make_campaign, smtp, deliver):
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})
    campaigns.send_test_mail(campaign.id, email="office@podium.test", name="Office", locale="en")
    campaigns.update_campaign(campaign.id, event_id=forum.id, subject=campaign.subject, body=BODY,
                              audience={"all": True}, texts={})  # English removed while the mail waits
    deliver()

    message = only_mail(smtp, "office@podium.test")
    assert message["Subject"] == "[Test] Einladung: Forum Arbeit & Migration"
    text = text_body(message)
    assert "Hallo Office," in text
    assert translated("de", "(Here each recipient finds a link to unsubscribe.)") in text
    assert "(Here each recipient finds a link to unsubscribe.)" not in text


# --- what staff see -------------------------------------------------------------------------

def test_the_campaign_page_says_which_languages_it_has_and_who_gets_which(staff, forum, make_contacts,
                                                                         make_campaign):
    make_contacts(3, locale="de")
    make_contacts(2, locale="en")
    make_contacts(1, locale="ar")
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})

    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))

    assert shown.one("dd", class_="campaign-languages").text == "German, English"
    shares = [li.text for li in shown.one("ul", class_="language-shares").find_all("li")]
    assert shares == ["3 in German", "2 in English", "1 in Arabic (no text in Arabic: they get German)"]
    english = shown.one("section", id="text-en")
    assert english.one("dd", class_="subject-template").text == ENGLISH_TEXT[0]
    confirm = page(staff.get(url_for("campaigns_staff.confirm_send", campaign_id=campaign.id), headers=ENGLISH))
    assert [li.text for li in confirm.one("ul", class_="language-shares").find_all("li")] == shares


def test_the_preview_of_a_contact_without_a_text_in_their_language_says_they_get_german(
        staff, forum, three_contacts, make_campaign):
    parisa = three_contacts[2]
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})

    preview = page(staff.get(url_for("campaigns_staff.preview", campaign_id=campaign.id, contact=parisa.id),
                             headers=ENGLISH))

    assert preview.one("dd", class_="preview-subject").text == "Einladung: Forum Arbeit & Migration"
    assert preview.one("dd", class_="preview-language").text.startswith(
        "German The campaign has no text in Persian, the contact's language: they get the German mail.")
    ben = page(staff.get(url_for("campaigns_staff.preview", campaign_id=campaign.id, contact=three_contacts[1].id),
                         headers=ENGLISH))
    assert ben.one("dd", class_="preview-subject").text == "Ben Okafor, you are invited: Forum Arbeit & Migration"
    assert ben.one("dd", class_="preview-language").text == "English"


# --- the form -------------------------------------------------------------------------------

def form_of(event, **overrides) -> dict:
    data = {"event_id": event.id, "subject": "Einladung: {event}", "body": BODY, "audience": "all"}
    data.update(overrides)
    return data


def texts_of(campaign_id: int) -> dict:
    db.session.rollback()
    rows = db.session.execute(select(CampaignText).where(CampaignText.campaign_id == campaign_id)).scalars()
    return {row.locale: (row.subject, row.body) for row in rows}


def test_a_language_is_added_in_the_form_and_its_fields_are_typed_in_its_direction(staff, forum):
    response = staff.post(url_for("campaigns_staff.create"), headers=ENGLISH, data=form_of(
        forum, subject_en=ENGLISH_TEXT[0], body_en=ENGLISH_TEXT[1], subject_ar=ARABIC_TEXT[0], body_ar=ARABIC_TEXT[1]))

    assert response.status_code == 302
    campaign_id = db.session.execute(select(Campaign.id)).scalar_one()
    assert texts_of(campaign_id) == {"en": ENGLISH_TEXT, "ar": ARABIC_TEXT}
    form = page(staff.get(url_for("campaigns_staff.edit", campaign_id=campaign_id), headers=ENGLISH))
    assert "open" in form.one("details", id="language-ar").attrs
    assert "open" not in form.one("details", id="language-fa").attrs  # empty: folded away
    arabic = form.one("input", name="subject_ar")
    assert (arabic.get("lang"), arabic.get("dir"), arabic.get("value")) == ("ar", "rtl", ARABIC_TEXT[0])
    persian = form.one("textarea", name="body_fa")
    assert (persian.get("lang"), persian.get("dir")) == ("fa", "rtl")
    assert form.one("textarea", name="body_uk").get("dir") == "ltr"
    assert form.one("label", for_="subject_ar").text == "Subject in Arabic"


def test_clearing_a_languages_subject_and_text_removes_it(staff, forum, make_campaign):
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT, "ar": ARABIC_TEXT})
    edit = page(staff.get(url_for("campaigns_staff.edit", campaign_id=campaign.id), headers=ENGLISH))
    data = form_values(edit.one("form", id="campaign-form"))
    assert (data["subject_en"], data["body_en"]) == ENGLISH_TEXT

    response = staff.post(url_for("campaigns_staff.update", campaign_id=campaign.id), headers=ENGLISH,
                          data={**data, "event_id": forum.id, "subject_en": "", "body_en": "  "})

    assert response.status_code == 302
    assert texts_of(campaign.id) == {"ar": ARABIC_TEXT}
    shown = page(staff.get(url_for("campaigns_staff.show", campaign_id=campaign.id), headers=ENGLISH))
    assert shown.one("dd", class_="campaign-languages").text == "German, Arabic"


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"subject_en": "Invitation", "body_en": ""}, "body_en",
     "Please enter the text in English too, or clear the subject."),
    ({"body_ar": ARABIC_TEXT[1]}, "subject_ar",
     "Please enter the subject in Arabic too, or clear the text."),
    ({"subject_fa": "دعوت", "body_fa": "سلام {نام}، {link}"}, "body_fa",
     "Unknown placeholder: {نام}."),
    ({"subject_uk": "Запрошення: {подія}", "body_uk": "{link}"}, "subject_uk",
     "Unknown placeholder: {подія}."),
])
def test_a_mistake_in_a_language_is_shown_next_to_its_field_and_changes_nothing(staff, forum, make_campaign,
                                                                                typed, field, message):
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})
    data = {**form_of(forum, subject_en=ENGLISH_TEXT[0], body_en=ENGLISH_TEXT[1], subject="Geändert: {event}"),
            **typed}

    response = staff.post(url_for("campaigns_staff.update", campaign_id=campaign.id), headers=ENGLISH, data=data)

    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    shown = page(response)
    locale = field.split("_")[1]
    assert "open" in shown.one("details", id=f"language-{locale}").attrs  # the mistake is not folded away
    # Everything typed is kept, in every language.
    kept = form_values(shown.one("form", id="campaign-form"))
    for name, value in data.items():
        if name != "event_id":  # a <select>: form_values reads inputs and text areas
            assert kept[name] == str(value), name
    # Nothing changed.
    assert texts_of(campaign.id) == {"en": ENGLISH_TEXT}
    assert db.session.get(Campaign, campaign.id).subject == "Einladung: {event}"


def test_every_mistake_of_the_form_is_shown_at_once(staff, forum):
    response = staff.post(url_for("campaigns_staff.create"), headers=ENGLISH,
                          data=form_of(forum, subject="", subject_en="Invitation", body_ar=ARABIC_TEXT[1]))

    assert response.status_code == 422
    assert field_error(response, "subject") == "Please enter a subject."
    assert field_error(response, "body_en") == "Please enter the text in English too, or clear the subject."
    assert field_error(response, "subject_ar") == "Please enter the subject in Arabic too, or clear the text."
    summary = page(response).one("div", class_="error-summary").text
    assert "Text in English: Please enter the text in English too" in summary
    assert db.session.execute(select(Campaign.id)).first() is None


def test_a_sent_campaigns_texts_can_no_longer_change(staff, forum, make_contacts, make_campaign):
    make_contacts(1)
    campaign = make_campaign(forum, texts={"en": ENGLISH_TEXT})
    campaigns.send_campaign(campaign.id)

    response = staff.post(url_for("campaigns_staff.update", campaign_id=campaign.id), headers=ENGLISH,
                          data=form_of(forum, subject_en="Changed", body_en="Changed {link}"))

    assert response.status_code == 302
    assert texts_of(campaign.id) == {"en": ENGLISH_TEXT}
    assert "can no longer be changed" in main_text(staff.get(response.location, headers=ENGLISH))


def test_the_service_refuses_half_a_text_from_any_caller(forum):
    with pytest.raises(InvalidInput) as refused:
        campaigns.create_campaign(event_id=forum.id, subject="Einladung", body=BODY, audience={"all": True},
                                  texts={"uk": ("Запрошення", "")})

    assert refused.value.field == "body_uk"
    db.session.rollback()
    assert db.session.execute(select(Campaign.id)).first() is None
