"""Background jobs: queue due reminders, deliver the outbox (`flask jobs run`, `flask jobs worker`).

Delivery guarantee
------------------
A pass claims a batch of due messages in one short transaction (PostgreSQL:
``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite: the ``BEGIN IMMEDIATE`` write
lock) that marks them ``sending`` with a 5-minute lease and commits. Only then
does it open ONE SMTP connection for the batch and send each message to its
single recipient, committing ``sent`` right after each one goes. Any number of
workers can run side by side: a claimed message belongs to one worker, so it
is never sent twice by two workers.

The trade-off chosen is *at-least-once* for the one case nothing can make
exact: a worker that dies (or loses its database) after the SMTP server
accepted a message but before ``sent`` was committed. Its lease runs out and
another worker sends that one message again. We prefer a rare duplicate
reminder to a lost confirmation. Everything else is exactly once: a worker
stops taking messages from its batch 30 seconds before its lease ends (and
gives the rest back untried), and it records an outcome only while it still
holds the claim (``locked_until`` equals its lease).

Failures: each claim counts one try (``attempts``). A failed try is due again
after 1, 5, 25, 125... minutes (at most 6 hours); after MAIL_MAX_ATTEMPTS
tries the message is ``failed`` and waits for an organizer to retry it on the
outbox page. When the SMTP connection itself cannot be opened (or drops), the
whole (rest of the) batch goes back the same way: nothing is lost.

With MAIL_SUPPRESS_SEND (development, tests) Flask-Mail sends nothing over the
network; messages are marked sent and organizers read them on the outbox page.
"""
from __future__ import annotations

import logging
import signal
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.db_types import utcnow
from app.extensions import db, mail
from app.services import outbox, reminders

log = logging.getLogger(__name__)

#: Stop taking messages from a batch this long before its lease runs out.
LEASE_MARGIN = timedelta(seconds=30)

Clock = Callable[[], datetime]


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "retrying", "failed", "released", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


@dataclass(frozen=True)
class _Snapshot:
    """What a claimed row holds, copied before the claim commits (no ORM access while sending)."""

    id: int
    to_email: str
    subject: str
    body_text: str
    body_html: str
    attachments: list

    @classmethod
    def of(cls, m, now) -> _Snapshot:
        return cls(m.id, m.to_email, m.subject, m.body_text, m.body_html or "", outbox.attachment_data(m, now))


def _is_connection_error(exc: BaseException) -> bool:
    """True when the SMTP connection is gone (the rest of the batch cannot go either)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[: outbox.ERROR_MAX_LENGTH]


def deliver_batch(*, clock: Clock = utcnow, connect: Callable | None = None,
                  batch_size: int | None = None) -> DeliveryReport:
    """Claim one batch, send it over one connection, record each outcome. Commits."""
    config = current_app.config
    batch_size = batch_size or config["MAIL_BATCH_SIZE"]
    max_attempts = config["MAIL_MAX_ATTEMPTS"]
    sender = config["MAIL_DEFAULT_SENDER"]
    connect = connect or mail.connect
    report = DeliveryReport()

    now = clock()
    try:
        claimed = outbox.claim_batch(now, batch_size)
        snapshots = [_Snapshot.of(m, now) for m in claimed]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not snapshots:
        return report
    lease = now + outbox.LEASE
    report.claimed = len(snapshots)
    report.batches = 1

    def fail(snapshot: _Snapshot, error: str) -> None:
        status = outbox.mark_failed(snapshot.id, lease, error, clock(), max_attempts)
        db.session.commit()
        if status == outbox.FAILED:
            report.failed += 1
        elif status == outbox.PENDING:
            report.retrying += 1

    try:
        context = connect()
        connection = context.__enter__()
    except Exception as exc:  # the server is down: the whole batch is retried later
        error = _describe(exc)
        log.warning("mail: cannot connect (%s); %d messages will be retried", error, len(snapshots))
        report.errors.append(error)
        for snapshot in snapshots:
            fail(snapshot, error)
        return report
    try:
        _send_all(connection, snapshots, lease, sender, clock, fail, report)
    finally:
        try:
            context.__exit__(None, None, None)
        except Exception as exc:  # quitting a broken connection changes nothing that was recorded
            log.debug("mail: closing the connection failed: %s", exc)
    return report


def _send_all(connection, snapshots: list[_Snapshot], lease: datetime, sender: str, clock: Clock,
              fail: Callable[[_Snapshot, str], None], report: DeliveryReport) -> None:
    pending = list(snapshots)
    while pending:
        snapshot = pending.pop(0)
        if clock() >= lease - LEASE_MARGIN:
            for untried in [snapshot, *pending]:
                if outbox.release(untried.id, lease):
                    report.released += 1
            db.session.commit()
            return
        try:
            connection.send(outbox.build_message(snapshot, sender))
        except Exception as exc:
            error = _describe(exc)
            report.errors.append(error)
            fail(snapshot, error)
            if _is_connection_error(exc):
                log.warning("mail: connection lost (%s); the rest of the batch will be retried", error)
                for untried in pending:
                    fail(untried, error)
                return
            log.warning("mail: message %s not sent: %s", snapshot.id, error)
            continue
        if outbox.mark_sent(snapshot.id, lease, clock()):
            report.sent += 1
        db.session.commit()


def deliver_due(*, clock: Clock = utcnow, connect: Callable | None = None, batch_size: int | None = None,
                max_batches: int = 100, should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Deliver batches until nothing is due (or `max_batches`, or `should_stop()`)."""
    total = DeliveryReport()
    for _ in range(max_batches):
        if should_stop():
            break
        report = deliver_batch(clock=clock, connect=connect, batch_size=batch_size)
        total.add(report)
        if report.claimed == 0 or report.sent + report.released == 0:
            break  # nothing due, or the server refuses everything: wait for the next pass
    return total


def queue_reminders(now: datetime) -> int:
    try:
        queued = reminders.queue_due_reminders(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return queued


@dataclass
class PassReport:
    reminders: int
    delivery: DeliveryReport

    def summary(self) -> str:
        d = self.delivery
        return (f"reminders queued: {self.reminders}; mails sent: {d.sent}, retrying: {d.retrying}, "
                f"failed: {d.failed}, given back: {d.released}")


def run_once(*, clock: Clock = utcnow, connect: Callable | None = None,
             should_stop: Callable[[], bool] = lambda: False) -> PassReport:
    """One pass: queue the due reminders, then deliver what is due."""
    queued = queue_reminders(clock())
    delivery = deliver_due(clock=clock, connect=connect, should_stop=should_stop)
    return PassReport(queued, delivery)


def run_worker(interval: float, stop: threading.Event, *, clock: Clock = utcnow, connect: Callable | None = None,
               on_pass: Callable[[PassReport], None] | None = None) -> int:
    """Run passes every `interval` seconds until `stop` is set. Returns the number of passes."""
    passes = 0
    while not stop.is_set():
        try:
            result = run_once(clock=clock, connect=connect, should_stop=stop.is_set)
            passes += 1
            if on_pass:
                on_pass(result)
        except Exception:  # keep the worker alive (a locked database, a bad row); the next pass retries
            log.exception("jobs: pass failed")
            db.session.rollback()
        finally:
            db.session.remove()
        stop.wait(interval)
    return passes


jobs_cli = AppGroup("jobs", help="Background jobs: reminders and mail delivery.")


@jobs_cli.command("run")
def run_command() -> None:
    """One pass: queue due reminders, deliver due mails, print a summary."""
    result = run_once()
    click.echo(result.summary())
    for error in result.delivery.errors[:5]:
        click.echo(f"  error: {error}", err=True)


@jobs_cli.command("worker")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between passes.")
def worker_command(interval: float) -> None:
    """Run passes until SIGTERM or Ctrl-C (finishing the mail in hand, then stopping cleanly)."""
    stop = threading.Event()

    def _stop(signum, frame):
        click.echo(f"jobs worker: stopping ({signal.Signals(signum).name})")
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"jobs worker: every {interval:g}s (mail {'suppressed' if current_app.extensions['mail'].suppress else 'via SMTP'})")

    def _report(result: PassReport) -> None:
        d = result.delivery
        if result.reminders or d.claimed:
            log.info("jobs: %s", result.summary())

    try:
        passes = run_worker(interval, stop, on_pass=_report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"jobs worker: stopped after {passes} passes")
