"""Running calls at the same moment, each as its own request would, and a write without its
lock for the negative controls: for the races."""
import threading
from contextlib import contextmanager

from sqlalchemy import select

from app.database import WriteTransaction, utcnow
from app.extensions import db
from app.mailing import sender


def run_together(app, calls, timeout: float = 120) -> list:
    """Run the callables in threads released at once, each with its own app context (and so its
    own session and connection); return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes[i] = call()
            except BaseException as exc:  # noqa: BLE001 -- returned to the test, which asserts on it
                outcomes[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes


def failures(outcomes) -> list[BaseException]:
    """The exceptions among the outcomes of run_together."""
    return [o for o in outcomes if isinstance(o, BaseException)]


def deliver_in_parallel(app, senders: int = 4) -> list:
    """Several senders (as several `flask mail work` processes) draining the outbox at the same
    moment; none of them may fail. Returns each sender's DeliveryReport."""
    outcomes = run_together(app, [sender.deliver_due] * senders, timeout=300)
    assert failures(outcomes) == []
    db.session.rollback()
    return outcomes


@contextmanager
def write_transaction_without_lock(*, lock=None, now=None):
    """database.write_transaction as it would be without its lock: no BEGIN IMMEDIATE, no
    SELECT ... FOR UPDATE, a plain read of the row. Negative controls put it in place of the
    real one; the race it lets through must then be seen, or the test proves nothing."""
    row = None
    if lock is not None:
        model, row_id = lock
        query = select(model).where(model.id == row_id).execution_options(populate_existing=True)
        row = db.session.execute(query).scalar_one_or_none()
    try:
        yield WriteTransaction(now=now or utcnow(), row=row)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
