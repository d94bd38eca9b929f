"""The old sign-up address /events/<slug>/register leads to the form on the event page; for an
invitation-only event the secret key goes along, or the guest would land on "by invitation only"."""
from flask import url_for


def test_the_secret_key_goes_along_to_the_form(client, make_event):
    event = make_event(title="Koordinierungstreffen", visibility="invitation")

    response = client.get(url_for("registrations.register_form", slug=event.slug, key=event.invite_key))

    assert response.status_code == 302
    assert response.location == url_for("registrations.event_page", slug=event.slug, key=event.invite_key,
                                        _anchor="register")
    assert client.get(response.location).status_code == 200
