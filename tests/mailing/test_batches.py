"""A sender composes the next batch while this one goes out (mailing.batches.ComposingAhead):
one batch ahead and no further, its claims kept, and nothing lost when either side fails."""
import threading
import time
from collections import Counter

import pytest

from app.mailing import sender
from app.mailing.batches import Claimed, ClaimKeeper, ComposedBatch, ComposingAhead

# Each batch is one claim, as claim_due would return it.
CLAIMS = [[1, 2], [3, 4], [5]]


class Outbox:
    """Stands for claim_due and _compose_batch: hands out CLAIMS in turn, and remembers them."""

    def __init__(self, claims=CLAIMS):
        self.claims = iter(claims)
        self.claimed = []

    def claim(self):
        ids = next(self.claims, [])
        if ids:
            self.claimed.append(ids)
        return ids

    def compose(self, ids):
        return ComposedBatch([Claimed(mail_id, f"guest{mail_id}@example.org", 0, b"") for mail_id in ids])


def wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the composing thread did not get there"
        time.sleep(0.01)


def ids_of(batch):
    return [mail.id for mail in batch.claimed]


def test_the_next_batch_is_composed_while_this_one_goes_out_and_no_further(app):
    outbox = Outbox()

    with ComposingAhead(outbox.claim, outbox.compose) as ahead:
        assert ids_of(ahead.take()) == [1, 2]
        # While [1, 2] goes out, [3, 4] is claimed (its claims renewed with the batch's own) ...
        wait_for(lambda: ahead.waiting == [3, 4])
        time.sleep(0.1)
        # ... and nothing beyond it until it is taken.
        assert outbox.claimed == [[1, 2], [3, 4]]
        assert ids_of(ahead.take()) == [3, 4]
        assert ids_of(ahead.take()) == [5]
        assert ahead.take() is None
        assert ahead.waiting == []


def test_what_goes_wrong_in_the_composing_thread_reaches_the_sender(app):
    def compose(ids):
        raise RuntimeError("the template is broken")

    with pytest.raises(RuntimeError, match="the template is broken"):
        with ComposingAhead(Outbox().claim, compose) as ahead:
            ahead.take()


def test_a_sender_that_stops_halfway_leaves_no_thread_behind(app):
    outbox = Outbox()

    with pytest.raises(KeyboardInterrupt):
        with ComposingAhead(outbox.claim, outbox.compose) as ahead:
            ahead.take()
            raise KeyboardInterrupt

    assert [t for t in threading.enumerate() if t.name == "podium-mail-composer"] == []
    # The batch it had prepared stays claimed (it goes out when its claims time out); no more.
    assert len(outbox.claimed) <= 2


def test_claims_are_renewed_on_one_clock_whichever_batch_they_are_in():
    renewed = []
    keeper = ClaimKeeper(renewed.append, interval=0.2)

    keeper.tick([1, 2])  # the first batch goes out ...
    assert renewed == []
    time.sleep(0.25)  # ... while the second waits, claimed, longer than the interval
    keeper.tick([3, 4])  # the second batch's first mail: its claims are renewed now, not an interval later
    keeper.tick([4])

    assert renewed == [[3, 4]]


@pytest.mark.slow
def test_a_batch_composed_ahead_keeps_its_claims_and_every_mail_goes_out_once(
        app, make_event, sign_up, smtp, deliver, outbox, monkeypatch):
    event = make_event(capacity=None)
    guests = [sign_up(event).email for _ in range(sender.BATCH_SIZE + 5)]
    renewed = []
    real_keep_claims = sender._keep_claims

    def keep_claims(ids, claimant=None):
        renewed.append(set(ids))
        real_keep_claims(ids, claimant)

    monkeypatch.setattr(sender, "CLAIM_REFRESH_SECONDS", 0)  # renew before every mail
    monkeypatch.setattr(sender, "_keep_claims", keep_claims)

    deliver()

    first_batch = {row.id for row in outbox()[:sender.BATCH_SIZE]}
    assert any(ids - first_batch for ids in renewed[:sender.BATCH_SIZE])
    assert Counter(r for received in smtp.received for r in received.rcpt_tos) == Counter(guests)
    assert {row.status for row in outbox()} == {"sent"}
