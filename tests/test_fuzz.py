"""Hostile and broken input on every public form and on the check-in API: never a 500.

Hypothesis makes the input: text of every Unicode category (NUL, controls, lone surrogates,
right-to-left marks), sent as raw bytes so that even invalid UTF-8 reaches the app; huge values;
JSON of every type, nested deeply; random paths. Each answer must be one a person or a program can
act on: below 500. The budget is small in `make test` (FUZZ_EXAMPLES, default 60 cases per target)
and 10,000 cases per target in `make fuzz` (with FUZZ_RANDOM=1: new cases each run).

The public sign-up forms run with their time trap on (app/formtrap.py) and every post carries a
stamp old enough to pass it, so that hostile values get past the trap to the form and the
service; half of the posts start from a valid form, so that odd but valid values are stored.
The trap's own fields are fuzzed apart: whatever they hold, nothing is stored unless the stamp
is ours and old enough and the honeypot empty.
"""
import json
import os
import time
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.services import create_api_token
from app.campaigns import services as campaigns
from app.campaigns.models import CampaignRecipient
from app.extensions import db
from app.formtrap import new_stamp
from tests.campaigns import conftest as campaign_fixtures
from tests.rows import registration_count

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
# The app and its client are made once per test and reused by every case: intended.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# Any code point, surrogates included, as the bytes a hostile client would send (surrogatepass),
# plus plain random bytes that are no UTF-8 at all.
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300)
hostile_bytes = st.one_of(
    any_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
    st.sampled_from([b"", b"\x00", b"a" * 5000, "\u202eevil".encode(), b"\xed\xa0\x80", b"%00", b"=1+1"]),
)
SIGN_UP_FIELDS = ["name", "email", "organisation", "affiliation", "note", "consent", "csrf_token", "extra"]
# A sign-up as a person sends it; the fuzzed values replace some of it.
VALID_SIGN_UP = {"name": b"Anna Schmidt", "email": b"anna@example.org", "organisation": b"",
                 "affiliation": b"volunteer", "note": b"", "consent": b"y"}
TRAP_FIELDS = ["remarks", "form_time"]
make_contacts, make_campaign = campaign_fixtures.make_contacts, campaign_fixtures.make_campaign  # fixtures
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats() | any_text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(any_text, children, max_size=5),
    max_leaves=30,
)


def form_body(fields: dict) -> bytes:
    """A urlencoded body from byte values: invalid UTF-8 travels as it is."""
    return urlencode(fields).encode("ascii")


def assert_answered(response):
    assert response.status_code < 500, (response.status_code, response.get_data()[:500])


@pytest.fixture
def event(make_event):
    return make_event(capacity=3)


@pytest.fixture
def door_token(app, event):
    return create_api_token("Fuzz tablet", role="door", event_id=event.id)[1]


@pytest.fixture
def stamp(app):
    """The time trap on, as in production, and a stamp made an hour ago: it passes."""
    app.config["FORM_MIN_SECONDS"] = 2
    return new_stamp(time.time() - 3600).encode()


@pytest.fixture
def invitation(app, event, make_contacts, make_campaign):
    """The token of a personal invitation link to the event, as its mail carries it."""
    make_contacts(1, email="anna@example.org")
    campaign = make_campaign(event)
    campaigns.send_campaign(campaign.id)
    return db.session.execute(db.select(CampaignRecipient.token)).scalar_one()


def sign_up_body(values: dict, from_valid: bool, stamp: bytes) -> bytes:
    """A fuzzed sign-up that passes the trap: fuzzed values, on a valid form or on nothing."""
    return form_body({**(VALID_SIGN_UP if from_valid else {}), **values, "form_time": stamp})


@FUZZ
@given(values=st.dictionaries(st.sampled_from(SIGN_UP_FIELDS), hostile_bytes), from_valid=st.booleans())
def test_the_sign_up_form_answers_any_input(client, event, stamp, values, from_valid):
    response = client.post(f"/events/{event.slug}/register", data=sign_up_body(values, from_valid, stamp),
                           content_type="application/x-www-form-urlencoded")
    assert_answered(response)


@FUZZ
@given(values=st.dictionaries(st.sampled_from(SIGN_UP_FIELDS), hostile_bytes), from_valid=st.booleans())
def test_the_invitation_form_answers_any_input(client, invitation, stamp, values, from_valid):
    response = client.post(f"/i/{invitation}", data=sign_up_body(values, from_valid, stamp),
                           content_type="application/x-www-form-urlencoded")
    assert_answered(response)


@FUZZ
@given(trap=st.dictionaries(st.sampled_from(TRAP_FIELDS), hostile_bytes))
def test_the_traps_answer_any_input_and_let_nothing_through(client, event, stamp, trap):
    """Only our own stamp, old enough, with the honeypot empty or absent, signs anyone up."""
    registrations_before = registration_count()
    passes = trap.get("form_time") == stamp and not trap.get("remarks")

    response = client.post(f"/events/{event.slug}/register", data=form_body({**VALID_SIGN_UP, **trap}),
                           content_type="application/x-www-form-urlencoded")

    assert_answered(response)
    if not passes:
        assert response.status_code == 422, response.status_code
        assert registration_count() == registrations_before


@FUZZ
@given(token=any_text, values=st.dictionaries(st.sampled_from(SIGN_UP_FIELDS), hostile_bytes))
def test_invitation_and_unsubscribe_links_answer_any_key(client, token, values):
    key = quote(token.encode("utf-8", "surrogatepass"), safe="")
    for method in ("GET", "POST"):
        for path in (f"/i/{key}", f"/u/{key}", f"/t/{key}", f"/r/{key}", f"/r/{key}/cancel"):
            assert_answered(client.open(path, method=method, data=form_body(values),
                                        content_type="application/x-www-form-urlencoded"))


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["email", "password", "remember", "next"]), hostile_bytes),
       next_target=hostile_bytes)
def test_the_login_and_the_language_switch_answer_any_input(client, values, next_target):
    assert_answered(client.post("/staff/login?next=" + quote(next_target, safe=""), data=form_body(values),
                                content_type="application/x-www-form-urlencoded"))
    assert_answered(client.get("/lang/en?next=" + quote(next_target, safe="")))


@FUZZ
@given(body=json_values)
def test_the_check_in_api_answers_any_json(client, event, door_token, body):
    headers = {"Authorization": f"Bearer {door_token}"}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    for path in (f"/api/v1/events/{event.id}/checkins", f"/api/v1/events/{event.id}/walk-ins"):
        assert_answered(client.post(path, data=data, content_type="application/json", headers=headers))


@FUZZ
@given(depth=st.integers(min_value=1, max_value=100_000), opener=st.sampled_from(["[", '{"a":']),
       raw=hostile_bytes)
def test_the_check_in_api_answers_deep_nesting_and_broken_json(client, event, door_token, depth, opener, raw):
    headers = {"Authorization": f"Bearer {door_token}"}
    path = f"/api/v1/events/{event.id}/checkins"
    assert_answered(client.post(path, data=opener * depth, content_type="application/json", headers=headers))
    assert_answered(client.post(path, data=raw, content_type="application/json", headers=headers))


@FUZZ
@given(query=hostile_bytes, registration_id=st.integers(min_value=-2**70, max_value=2**70))
def test_the_door_search_and_undo_answer_any_input(client, event, door_token, query, registration_id):
    headers = {"Authorization": f"Bearer {door_token}"}
    assert_answered(client.get(f"/api/v1/events/{event.id}/registrations?q=" + quote(query, safe=""),
                               headers=headers))
    if registration_id >= 0:
        assert_answered(client.post(f"/api/v1/events/{event.id}/checkins/{registration_id}/undo", headers=headers))
