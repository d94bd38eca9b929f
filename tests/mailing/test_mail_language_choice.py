"""A guest chooses the language of their mails on their own page: in the form that corrects their
details (five languages), or with one click when they read the page in another language than
their mails are written in. The next mail that arrives is written in the chosen language."""
import pytest
from flask import url_for

from app.registrations.event_changes import update_event
from tests.conftest import TEST_ACTOR
from tests.i18n import translated
from tests.pages import ENGLISH, field_error, form_values, main_text, page, parse
from tests.rows import reload

from .reading import only_part, text_of

TITLE = "Forum Ausbildung"
ANNA = "anna@example.org"


@pytest.fixture
def anna(make_event, sign_up, mailbox):
    """Anna signed up in German; her confirmation has arrived."""
    event = make_event(title=TITLE, capacity=10)
    registration = sign_up(event, name="Anna Schmidt", email=ANNA)
    assert len(mailbox(ANNA)) == 1
    return registration


def the_form(client, registration) -> dict:
    response = client.get(url_for("registrations.edit", token=registration.manage_token), headers=ENGLISH)
    assert response.status_code == 200
    return page(response).one("form", id="details")


def save(client, registration, **changes):
    data = form_values(the_form(client, registration)) | changes
    return client.post(url_for("registrations.save", token=registration.manage_token), data=data, headers=ENGLISH)


def own_page(client, registration, headers=None):
    response = client.get(url_for("registrations.manage", token=registration.manage_token), headers=headers or {})
    assert response.status_code == 200
    return response


def details(response) -> dict[str, str]:
    """The own page's list of details: each <dt>'s text with its <dd>'s."""
    listing = page(response).one("dl", class_="details")
    return dict(zip([dt.text for dt in listing.find_all("dt")], [dd.text for dd in listing.find_all("dd")],
                    strict=True))


def html_lang(message) -> tuple[str, str]:
    root = parse(text_of(only_part(message, "text/html"))).one("html")
    return root.get("lang"), root.get("dir")


# --- the form of corrections ----------------------------------------------------------------------

def test_the_form_offers_the_five_languages_with_the_current_one_chosen(client, anna):
    form = the_form(client, anna)

    choices = [radio for radio in form.find_all("input", type="radio") if radio.get("name") == "locale"]
    assert [radio.get("value") for radio in choices] == ["de", "en", "ar", "fa", "uk"]
    assert [radio.get("value") for radio in choices if "checked" in radio.attrs] == ["de"]
    assert "فارسی" in form.text and "Українська" in form.text and "العربية" in form.text


def test_a_language_chosen_in_the_form_writes_the_next_mails(client, anna, mailbox):
    response = save(client, anna, locale="fa")

    assert response.status_code == 302
    assert reload(anna).locale == "fa"
    update_event(anna.event_id, {"venue": "IHK Trier"}, by=TEST_ACTOR)
    [_, update] = mailbox(ANNA)
    assert update["Subject"] == translated("fa", "Changed: %(title)s", title=TITLE)
    assert html_lang(update) == ("fa", "rtl")


def test_a_new_address_is_asked_to_confirm_in_the_language_chosen_with_it(client, anna, mailbox):
    save(client, anna, email="anna.new@example.org", locale="uk")

    [link_mail] = mailbox("anna.new@example.org")
    assert link_mail["Subject"] == translated("uk", "Please confirm your new address: %(title)s", title=TITLE)
    assert "lang=uk" in text_of(only_part(link_mail, "text/plain"))


def test_an_unknown_language_is_refused_at_the_field_and_nothing_is_saved(client, anna):
    response = save(client, anna, locale="xx", name="Anna Schmidt-Neu")

    assert response.status_code == 422
    assert field_error(response, "locale") == "Please choose a language from the list."
    assert (reload(anna).locale, reload(anna).name) == ("de", "Anna Schmidt")


# --- the one-click offer on the own page ----------------------------------------------------------

def test_switching_the_page_to_ukrainian_offers_the_mails_in_it_and_one_click_takes_it(client, anna, mailbox):
    manage = url_for("registrations.manage", token=anna.manage_token)
    client.get(url_for("i18n.switch", code="uk", next=manage))

    offer = page(own_page(client, anna)).one("form", id="mail-language")
    assert form_values(offer)["locale"] == "uk"
    assert reload(anna).locale == "de", "only offered"
    response = client.post(offer.get("action"), data=form_values(offer))

    assert response.status_code == 302 and response.location.endswith(manage)
    assert reload(anna).locale == "uk"
    assert page(own_page(client, anna)).find("form", id="mail-language") is None
    client.post(url_for("registrations.cancel", token=anna.manage_token))
    [_, cancellation] = mailbox(ANNA)
    assert cancellation["Subject"] == translated("uk", "Registration cancelled: %(title)s", title=TITLE)


def test_the_own_page_names_the_language_of_the_mails_and_says_when_the_choice_is_saved(client, anna):
    shown = own_page(client, anna, ENGLISH)
    assert details(shown)["Language of the mails"] == "German"

    offer = page(shown).one("form", id="mail-language")
    response = client.post(offer.get("action"), data=form_values(offer), headers=ENGLISH)

    after = client.get(response.location, headers=ENGLISH)
    assert "Saved: from now on our mails to you are written in this language." in main_text(after)
    assert details(after)["Language of the mails"] == "English"


def test_no_offer_where_the_page_speaks_the_language_of_the_mails_or_no_more_mails_come(client, anna):
    assert page(own_page(client, anna)).find("form", id="mail-language") is None  # German, as her mails

    client.post(url_for("registrations.cancel", token=anna.manage_token))
    assert page(own_page(client, anna, ENGLISH)).find("form", id="mail-language") is None


def test_a_language_that_is_not_offered_is_refused_and_changes_nothing(client, anna):
    response = client.post(url_for("registrations.choose_mail_language", token=anna.manage_token),
                           data={"locale": "tlh"}, headers=ENGLISH)

    assert response.status_code == 302
    assert "Please choose a language from the list." in main_text(client.get(response.location, headers=ENGLISH))
    assert reload(anna).locale == "de"


def test_an_unknown_own_page_cannot_choose_a_language(client, anna):
    response = client.post(url_for("registrations.choose_mail_language", token="no-such-token"),
                           data={"locale": "uk"})

    assert response.status_code == 404
