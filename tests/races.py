"""Deterministic interleavings: hold one operation's transaction open, start another, let go.

`while_holding(app, first, second)` runs `first` in the test's session without
committing, starts `second` in a thread with its own session (which loads its
objects and then waits for `first`'s locks), waits until it does, and only
then commits `first`. On PostgreSQL the thread really does load stale objects
before waiting (READ COMMITTED), which is the interleaving that broke
`move`, `restore` and `cancel`; on SQLite the thread waits at BEGIN IMMEDIATE,
so both orders are covered across the two databases.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import text

from app.extensions import db

#: How long to wait for the second operation to block (a bound, not an assertion).
BLOCK_WAIT_SECONDS = 10.0


def waiting_on_locks() -> int:
    """PostgreSQL backends of this database waiting for a lock now."""
    with db.engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar_one()


def wait_until_blocked(n: int) -> None:
    if db.engine.dialect.name != "postgresql":
        time.sleep(0.3)  # SQLite: the thread waits at BEGIN IMMEDIATE; give it time to get there
        return
    deadline = time.monotonic() + BLOCK_WAIT_SECONDS
    while time.monotonic() < deadline and waiting_on_locks() < n:
        time.sleep(0.02)


class Outcome:
    def __init__(self):
        self.value = None
        self.error: BaseException | None = None


def in_thread(app, fn: Callable[[], object]) -> tuple[threading.Thread, Outcome]:
    """Run `fn` in its own thread, app context and session; commit on success, roll back on error."""
    outcome = Outcome()

    def run():
        with app.app_context():
            try:
                outcome.value = fn()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                db.session.rollback()
                outcome.error = exc
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def while_holding(app, first: Callable[[], object], second: Callable[[], object]) -> tuple[Outcome, Outcome]:
    """`first` (held open in the test's session), then `second` (a thread that waits for it)."""
    held = Outcome()
    try:
        held.value = first()
        db.session.flush()
    except BaseException as exc:  # noqa: BLE001
        held.error = exc
    thread, other = in_thread(app, second)
    wait_until_blocked(1)
    if held.error is None:
        db.session.commit()
    else:
        db.session.rollback()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the second operation never finished"
    db.session.expire_all()
    return held, other


def assert_no_breach() -> None:
    """What `flask check` checks: no invariant is broken (app.services.invariants)."""
    from app.services import invariants

    db.session.expire_all()
    found = invariants.breaches()
    assert found == [], "\n".join(map(str, found))
