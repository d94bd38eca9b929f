"""The mails a guest gets along the way: cancellation, waitlist, promotion, signing up twice."""
from sqlalchemy import func, select

from app.extensions import db
from app.registrations.models import Registration

from .reading import (
    CALENDAR_FILE_TYPES,
    attachment,
    attachment_names,
    calendar_text,
    content_types,
    decode_qr,
    method_line,
    only_part,
    parse_with_ical,
    parse_with_vobject,
    text_of,
)


def sign_up_on_the_page(client, event, name, email):
    return client.post(f"/events/{event.slug}/register",
                       data={"name": name, "email": email, "affiliation": "volunteer", "consent": "y"})


def cancel_on_the_page(client, registration):
    response = client.post(f"/r/{registration.manage_token}/cancel")
    assert response.status_code == 302
    db.session.rollback()


def registration_of(email: str) -> Registration:
    db.session.rollback()
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one()


def vevent_of(message):
    return parse_with_vobject(calendar_text(message)).vevent


# --- a guest cancels ------------------------------------------------------------

def test_cancelling_mails_a_calendar_cancel_for_the_same_event(client, make_event, sign_up, mailbox):
    event = make_event(capacity=10)
    registration = sign_up(event, email="anna@example.org")
    [confirmation] = mailbox("anna@example.org")

    cancel_on_the_page(client, registration)
    [_, cancellation] = mailbox("anna@example.org")

    part = only_part(cancellation, "text/calendar")
    assert part.get_param("method") == "CANCEL"
    assert method_line(calendar_text(cancellation)) == "CANCEL"
    cancelled, confirmed = vevent_of(cancellation), vevent_of(confirmation)
    assert cancelled.status.value == "CANCELLED"
    assert cancelled.uid.value == confirmed.uid.value == event.ical_uid
    assert int(cancelled.sequence.value) > int(confirmed.sequence.value)


def test_cancellation_attaches_cancel_ics_and_no_qr_code(client, make_event, sign_up, mailbox):
    event = make_event(capacity=10)
    registration = sign_up(event, email="anna@example.org")
    mailbox("anna@example.org")

    cancel_on_the_page(client, registration)
    cancellation = mailbox("anna@example.org")[-1]

    assert attachment_names(cancellation) == ["cancel.ics"]
    cancel_file = attachment(cancellation, "cancel.ics")
    assert cancel_file.get_content_type() in CALENDAR_FILE_TYPES
    calendar = parse_with_ical(text_of(cancel_file))
    assert calendar.method == "CANCEL"
    assert calendar.events[0].uid == event.ical_uid
    assert "image/png" not in content_types(cancellation)


def test_calendar_sequence_never_goes_down_when_a_guest_cancels_and_returns(
        client, make_event, sign_up, mailbox):
    event = make_event(capacity=10)
    registration = sign_up(event, email="anna@example.org")
    mailbox("anna@example.org")
    cancel_on_the_page(client, registration)
    mailbox("anna@example.org")

    sign_up(event, email="anna@example.org")
    request, cancel, request_again = mailbox("anna@example.org")

    methods = [only_part(m, "text/calendar").get_param("method") for m in (request, cancel, request_again)]
    assert methods == ["REQUEST", "CANCEL", "REQUEST"]
    sequences = [int(vevent_of(m).sequence.value) for m in (request, cancel, request_again)]
    assert sequences == sorted(set(sequences)), f"SEQUENCE must grow: {sequences}"
    assert {vevent_of(m).uid.value for m in (request, cancel, request_again)} == {event.ical_uid}


# --- waitlist and promotion -----------------------------------------------------

def test_waitlisted_guest_gets_a_notice_without_calendar_or_qr(make_event, sign_up, mailbox):
    event = make_event(capacity=1)
    sign_up(event, email="first@example.org")
    waiting = sign_up(event, email="second@example.org")
    assert waiting.is_waitlisted

    [notice] = mailbox("second@example.org")

    assert content_types(notice) == ["text/plain", "text/html"]
    assert attachment_names(notice) == []
    assert f"/r/{waiting.manage_token}" in text_of(only_part(notice, "text/plain"))


def test_first_in_line_is_promoted_and_gets_a_calendar_request(app, client, make_event, sign_up,
                                                               mailbox):
    event = make_event(capacity=1)
    holder = sign_up(event, email="first@example.org")
    sign_up(event, email="second@example.org", name="Berta Second")
    sign_up(event, email="third@example.org")
    mailbox("second@example.org")

    cancel_on_the_page(client, holder)
    [_, promotion] = mailbox("second@example.org")

    promoted = registration_of("second@example.org")
    assert promoted.is_confirmed
    assert registration_of("third@example.org").is_waitlisted
    assert len(mailbox("third@example.org")) == 1  # only the waitlist notice
    part = only_part(promotion, "text/calendar")
    assert part.get_param("method") == "REQUEST"
    vevent = vevent_of(promotion)
    assert vevent.uid.value == event.ical_uid
    assert vevent.attendee.value.lower() == "mailto:second@example.org"
    assert vevent.attendee.params["PARTSTAT"] == ["ACCEPTED"]
    assert attachment_names(promotion) == ["invite.ics"]
    [url] = decode_qr(only_part(promotion, "image/png").get_payload(decode=True))
    assert url == f"{app.config['BASE_URL']}/t/{promoted.ticket_code}"


# --- signing up twice -----------------------------------------------------------

def registrations_for(event) -> int:
    db.session.rollback()
    return db.session.execute(
        select(func.count(Registration.id)).where(Registration.event_id == event.id)
    ).scalar_one()


def test_signing_up_again_repeats_the_ticket(app, client, make_event, mailbox):
    event = make_event(capacity=10)
    sign_up_on_the_page(client, event, "Anna Schmidt", "anna@example.org")
    again = sign_up_on_the_page(client, event, "Anna Schmidt", "Anna@Example.org")

    assert again.status_code == 302
    assert registrations_for(event) == 1
    first, second = mailbox("anna@example.org")
    ticket_url = f"{app.config['BASE_URL']}/t/{registration_of('anna@example.org').ticket_code}"
    for mail in (first, second):
        assert decode_qr(only_part(mail, "image/png").get_payload(decode=True)) == [ticket_url]
        assert only_part(mail, "text/calendar").get_param("method") == "REQUEST"
    assert second["Message-ID"] != first["Message-ID"]


def test_signing_up_again_on_the_waitlist_repeats_the_notice(client, make_event, sign_up, mailbox):
    event = make_event(capacity=1)
    sign_up(event, email="first@example.org")
    sign_up_on_the_page(client, event, "Berta", "berta@example.org")
    again = sign_up_on_the_page(client, event, "Berta", "berta@example.org")

    assert again.status_code == 302
    assert registrations_for(event) == 2
    waiting = registration_of("berta@example.org")
    assert waiting.is_waitlisted
    first, second = mailbox("berta@example.org")
    for mail in (first, second):
        assert content_types(mail) == ["text/plain", "text/html"]
        assert f"/r/{waiting.manage_token}" in text_of(only_part(mail, "text/plain"))
    assert first["Subject"] == second["Subject"]
