"""Background jobs: queue due reminders, deliver the outbox (`flask jobs run`, `flask jobs worker`).

Delivery guarantee
------------------
A pass claims a batch of due messages in one short transaction (PostgreSQL:
``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite: the ``BEGIN IMMEDIATE`` write
lock) that marks them ``sending`` with a 5-minute lease and commits. Only then,
one message at a time, does it check that each mail is still true and build it
(app.services.outbox.prepare): a mail that no longer is (a reminder for a
cancelled registration or a moved session, a confirmation after a
cancellation, a schedule mail followed by a newer one...) becomes
``superseded`` and is never sent (rules: app.domain.mail_relevance); the
registrant's private links are filled in from app.urls now, never stored. Then
it opens ONE SMTP connection for the batch (with MAIL_TIMEOUT on connecting
and on every read) and sends each message to its single recipient, committing
``sent`` right after each one goes. Any number of workers can run side by
side: a claimed message belongs to one worker, so it is never sent twice by
two workers.

The trade-off chosen is *at-least-once* for the one case nothing can make
exact: a worker that dies (or loses its database) after the SMTP server
accepted a message but before ``sent`` was committed. Its lease runs out and
another worker sends that one message again. We prefer a rare duplicate
reminder to a lost confirmation. Everything else is exactly once: a worker
stops taking messages from its batch well before its lease ends (30 seconds,
or 5 x MAIL_TIMEOUT when that is longer: room for one slow send) and gives the
rest back untried, and it records an outcome only while it still holds the
claim (``locked_until`` equals its lease). MAIL_TIMEOUT bounds how long a hung
server can hold a send, so a send never outlives the lease.

Failures: each claim counts one try (``attempts``).

* A message that cannot be built (a broken attachment, a bad header) or that
  the server refuses with a temporary 4xx answer is due again after 1, 5, 25,
  125... minutes (at most 6 hours); after MAIL_MAX_ATTEMPTS tries it is
  ``failed`` and waits for an organizer to retry it on the outbox page. It
  never holds up the other messages.
* A permanent 5xx answer about the message (recipient, sender or data
  refused) makes it ``failed`` at once.
* When the SMTP server cannot be reached (refused, dropped, timed out, 421),
  no message is to blame: the whole (rest of the) batch is given back with its
  try not counted and waits MAIL_OUTAGE_BACKOFF (default 5 minutes), logged as
  a warning. An outage of any length burns no attempts: nothing is lost and
  nothing turns ``failed`` because of it.

With MAIL_SUPPRESS_SEND (development, tests) Flask-Mail sends nothing over the
network; messages are marked sent and organizers read them on the outbox page.
"""
from __future__ import annotations

import logging
import signal
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
import flask_mail
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import OutboxMessage
from app.services import outbox, reminders

log = logging.getLogger(__name__)

#: Stop taking messages from a batch this long before its lease runs out (at least; see lease_margin).
LEASE_MARGIN = timedelta(seconds=30)
#: SMTP socket timeout in seconds (connect, each read and write) when MAIL_TIMEOUT is not set.
DEFAULT_TIMEOUT = 30
#: Seconds the outbox waits after the SMTP server could not be reached, when MAIL_OUTAGE_BACKOFF is not set.
DEFAULT_OUTAGE_BACKOFF = 300

Clock = Callable[[], datetime]


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    superseded: int = 0
    deferred: int = 0  # given back untried because the SMTP server could not be reached
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "retrying", "failed", "released", "superseded", "deferred", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


class _TimeoutConnection(flask_mail.Connection):
    """Flask-Mail's connection, with MAIL_TIMEOUT on the socket.

    Flask-Mail 0.10 opens ``smtplib.SMTP(server, port)`` without a timeout, so a
    server that accepts the connection and then says nothing blocks the worker
    for ever (past its lease: another worker then sends the batch again).
    smtplib applies the timeout to connecting and to every read and write.
    """

    def configure_host(self) -> smtplib.SMTP:
        m = self.mail
        timeout = current_app.config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT
        factory = smtplib.SMTP_SSL if m.use_ssl else smtplib.SMTP
        host = factory(m.server, m.port, timeout=timeout)
        try:
            host.set_debuglevel(int(m.debug))
            if m.use_tls:
                host.starttls()
            if m.username and m.password:
                host.login(m.username, m.password)
        except BaseException:
            host.close()
            raise
        return host


def smtp_connect() -> flask_mail.Connection:
    """A connection context (like `mail.connect()`) whose SMTP socket has MAIL_TIMEOUT."""
    return _TimeoutConnection(current_app.extensions["mail"])


def _is_connection_error(exc: BaseException) -> bool:
    """True when the SMTP connection is gone or the server cannot be reached (no message is to blame):
    refused, dropped, timed out, or a 421 "service not available" answer."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421:
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer about this message (recipient, sender or data refused): trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in (exc.recipients or {}).values()]
        return bool(codes) and all(500 <= int(code) < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= int(exc.smtp_code) < 600
    return False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[: outbox.ERROR_MAX_LENGTH]


def outage_backoff() -> timedelta:
    """How long the whole outbox waits after the SMTP server could not be reached (MAIL_OUTAGE_BACKOFF seconds)."""
    return timedelta(seconds=float(current_app.config.get("MAIL_OUTAGE_BACKOFF") or DEFAULT_OUTAGE_BACKOFF))


def lease_margin() -> timedelta:
    """Stop taking messages this long before the lease ends: at least LEASE_MARGIN, and room for one
    slow send (connecting and each SMTP command may each take up to MAIL_TIMEOUT)."""
    timeout = float(current_app.config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT)
    return max(LEASE_MARGIN, timedelta(seconds=timeout * 5))


def deliver_batch(*, clock: Clock = utcnow, connect: Callable | None = None,
                  batch_size: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Claim one batch, check and build each message, send them over one connection, record each outcome.

    Commits: the claim at once, then each outcome as it happens. When `should_stop()` turns true
    (SIGTERM), the mail in hand is finished and the rest of the batch is given back untried.
    """
    config = current_app.config
    batch_size = batch_size or config["MAIL_BATCH_SIZE"]
    max_attempts = config["MAIL_MAX_ATTEMPTS"]
    sender = config["MAIL_DEFAULT_SENDER"]
    connect = connect or smtp_connect
    report = DeliveryReport()

    now = clock()
    try:
        claimed = [m.id for m in outbox.claim_batch(now, batch_size)]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not claimed:
        return report
    lease = now + outbox.LEASE
    report.claimed = len(claimed)
    report.batches = 1

    def fail(message_id: int, error: str, permanent: bool = False) -> None:
        status = outbox.mark_failed(message_id, lease, error, clock(), max_attempts, permanent=permanent)
        db.session.commit()
        if status == outbox.FAILED:
            report.failed += 1
        elif status == outbox.PENDING:
            report.retrying += 1

    # Check and build each message on its own (outside the claim): one that cannot be built fails alone.
    ready: list[outbox.Outgoing] = []
    for message_id in claimed:
        try:
            outgoing = outbox.prepare(message_id, lease, now, sender)
            if outgoing is None and _status(message_id) == outbox.SUPERSEDED:
                report.superseded += 1
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            error = _describe(exc)
            log.warning("mail: message %s cannot be built: %s", message_id, error)
            report.errors.append(error)
            fail(message_id, error)
            continue
        if outgoing is not None:
            ready.append(outgoing)
    if not ready:
        return report

    try:
        context = connect()
        connection = context.__enter__()
    except Exception as exc:  # the server cannot be reached: the whole batch waits, no try is spent
        _defer(ready, lease, clock, _describe(exc), report, "cannot connect")
        return report
    try:
        _send_all(connection, ready, lease, clock, fail, report, should_stop)
    finally:
        try:
            context.__exit__(None, None, None)
        except Exception as exc:  # quitting a broken connection changes nothing that was recorded
            log.debug("mail: closing the connection failed: %s", exc)
    return report


def _status(message_id: int) -> str | None:
    return db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))


def _defer(items: list[outbox.Outgoing], lease: datetime, clock: Clock, error: str, report: DeliveryReport,
           what: str) -> None:
    until = clock() + outage_backoff()
    log.warning("mail: SMTP %s (%s); %d messages wait until %s, their tries not counted",
                what, error, len(items), until.isoformat())
    report.errors.append(error)
    for item in items:
        if outbox.defer(item.id, lease, until, error):
            report.deferred += 1
    db.session.commit()


def _send_all(connection, items: list[outbox.Outgoing], lease: datetime, clock: Clock,
              fail: Callable[..., None], report: DeliveryReport,
              should_stop: Callable[[], bool] = lambda: False) -> None:
    pending = list(items)
    margin = lease_margin()
    while pending:
        item = pending.pop(0)
        if clock() >= lease - margin or should_stop():
            for untried in [item, *pending]:
                if outbox.release(untried.id, lease):
                    report.released += 1
            db.session.commit()
            return
        try:
            connection.send(item.mail)
        except Exception as exc:
            error = _describe(exc)
            if _is_connection_error(exc):
                _defer([item, *pending], lease, clock, error, report, "connection lost")
                return
            report.errors.append(error)
            permanent = _is_permanent(exc)
            log.warning("mail: message %s not sent (%s): %s", item.id, "permanent" if permanent else "will retry",
                        error)
            fail(item.id, error, permanent)
            continue
        if outbox.mark_sent(item.id, lease, clock()):
            report.sent += 1
        db.session.commit()


def deliver_due(*, clock: Clock = utcnow, connect: Callable | None = None, batch_size: int | None = None,
                max_batches: int = 100, should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Deliver batches until nothing is due (or `max_batches`, or `should_stop()`)."""
    total = DeliveryReport()
    for _ in range(max_batches):
        if should_stop():
            break
        report = deliver_batch(clock=clock, connect=connect, batch_size=batch_size, should_stop=should_stop)
        total.add(report)
        if report.claimed == 0 or report.sent + report.released + report.superseded == 0:
            break  # nothing due, or the server refuses everything (or cannot be reached): wait for the next pass
    return total


def queue_reminders(now: datetime) -> int:
    try:
        queued = reminders.queue_due_reminders(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return queued


def lottery_pass(now: datetime) -> tuple[int, int]:
    """Draw the lotteries whose time has come, then release the seats of winners who did not
    confirm in time (each to the next drawn). One transaction per event drawn and per seat
    released; one that fails is logged and never holds up the others. Returns (draws, released)."""
    from app.models import Event, Registration
    from app.services import lottery
    from app.services.errors import ServiceError

    drawn = released = 0
    for event_id in lottery.due_events(now):
        db.session.rollback()
        try:
            event = db.session.get(Event, event_id)
            if event is None or lottery.draw_refusal(event, now):
                continue
            drawn += len(lottery.draw(event, now=now, actor_label="system"))
            db.session.commit()
        except ServiceError as exc:  # drawn meanwhile by an organizer, applications reopened...
            db.session.rollback()
            log.info("jobs: lottery of event %s not drawn: %s", event_id, exc.code)
        except Exception:
            db.session.rollback()
            log.exception("jobs: lottery of event %s failed", event_id)
    for registration_id, _event_id in lottery.unconfirmed_past_deadline(now):
        db.session.rollback()
        try:
            registration = db.session.get(Registration, registration_id)
            if registration is not None and lottery.release(registration, now=now):
                released += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("jobs: releasing the seat of registration %s failed", registration_id)
    db.session.rollback()
    return drawn, released


def erase_team_members(now: datetime) -> int:
    """Erase the members' names of the team registrations past their event's retention date (the
    counts are kept): one transaction per team, one that fails never holds up the others."""
    from app.services import teams

    erased = 0
    for team_id in teams.erasure_due(now):
        db.session.rollback()
        try:
            if teams.erase_members(team_id, now=now):
                erased += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("jobs: erasing the members of team %s failed", team_id)
    db.session.rollback()
    return erased


#: Batches of registrants' erasure one worker pass does at most (50 registrations each, about 0.1 s
#: each on PostgreSQL: bench figures in the README). A backlog (the first deploy after years of
#: events) is worked off over the passes, and never delays the mails of the pass behind it.
ERASE_BATCHES_PER_PASS = 20


def erase_registrants(now: datetime, *, months: int | None = None, max_batches: int | None = None,
                      should_stop: Callable[[], bool] = lambda: False,
                      on_event: Callable[[int, int], None] | None = None) -> dict[int, int]:
    """Erase the personal data of the registrations of events whose retention period is over
    (ORG_RETENTION_MONTHS after their end; app.services.retention): a transaction per batch of
    registrations, committed, so a large event holds its locks for one batch at a time and a
    failure loses nothing (the next pass goes on). At most `max_batches` batches (None: all), and
    none once `should_stop()`; `on_event(event id, erased)` after each event's last batch (progress).
    Returns {event id: registrations erased}."""
    from app.services import retention

    erased: dict[int, int] = {}
    batches = 0
    due = [d.event.id for d in retention.due_events(now, months)]
    for event_id in due:
        while True:
            if should_stop() or (max_batches is not None and batches >= max_batches):
                db.session.rollback()
                return erased
            db.session.rollback()
            ids = retention.pending(event_id)
            if not ids:
                break
            batches += 1
            try:
                batch = retention.erase_batch(event_id, ids, now=now, months=months)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("jobs: erasing the registrants of event %s failed", event_id)
                break
            retention.remove_files(batch.paths)
            if not batch.erased:
                break
            erased[event_id] = erased.get(event_id, 0) + batch.erased
        if on_event is not None and erased.get(event_id):
            on_event(event_id, erased[event_id])
    db.session.rollback()
    return erased


@dataclass
class PassReport:
    reminders: int
    delivery: DeliveryReport
    counted_events: int = 0
    lottery_draws: int = 0
    seats_released: int = 0
    team_members_erased: int = 0
    registrants_erased: int = 0

    def summary(self) -> str:
        d = self.delivery
        return (f"events counted for the statistics: {self.counted_events}; "
                f"lottery draws: {self.lottery_draws}, unconfirmed seats released: {self.seats_released}; "
                f"teams whose members' names were erased: {self.team_members_erased}; "
                f"registrations whose personal data was erased: {self.registrants_erased}; "
                f"reminders queued: {self.reminders}; mails sent: {d.sent}, retrying: {d.retrying}, "
                f"failed: {d.failed}, given back: {d.released}, not needed any more: {d.superseded}, "
                f"waiting for the SMTP server: {d.deferred}")


def run_once(*, clock: Clock = utcnow, connect: Callable | None = None,
             should_stop: Callable[[], bool] = lambda: False) -> PassReport:
    """One pass: draw the due lotteries and release unconfirmed seats, count the events that have
    started for the statistics, erase team members' names and registrants' personal data past
    retention, queue the due reminders, then deliver what is due."""
    from app.services import participation

    draws, released = lottery_pass(clock())
    counted = participation.count_started_events(clock())
    erased = erase_team_members(clock())
    registrants = sum(erase_registrants(clock(), max_batches=ERASE_BATCHES_PER_PASS,
                                        should_stop=should_stop).values())
    queued = queue_reminders(clock())
    delivery = deliver_due(clock=clock, connect=connect, should_stop=should_stop)
    return PassReport(queued, delivery, counted, draws, released, erased, registrants)


class StopSignal:
    """Like threading.Event for the worker's stop, but safe to set from a signal handler.

    threading.Event.set() takes a lock that the main thread may already hold inside
    Event.wait() when the signal arrives (a deadlock: the worker hung on SIGTERM). Here
    set() only assigns a flag, and wait() sleeps in short steps, checking it.
    """

    STEP = 0.1

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._set:
            remaining = self.STEP if deadline is None else min(self.STEP, deadline - time.monotonic())
            if remaining <= 0:
                break
            time.sleep(remaining)
        return self._set


def run_worker(interval: float, stop: threading.Event | StopSignal, *, clock: Clock = utcnow, connect: Callable | None = None,
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
    stop = StopSignal()
    received: list[str] = []

    def _stop(signum, frame):
        if stop.is_set():  # a second signal: stop now (a claimed mail's lease runs out, another pass sends it)
            raise SystemExit(1)
        received.append(signal.Signals(signum).name)  # no I/O in a signal handler: said after the loop
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"jobs worker: every {interval:g}s (mail {'suppressed' if current_app.extensions['mail'].suppress else 'via SMTP'})")

    def _report(result: PassReport) -> None:
        d = result.delivery
        if result.reminders or d.claimed or result.lottery_draws or result.seats_released \
                or result.team_members_erased or result.registrants_erased:
            log.info("jobs: %s", result.summary())

    try:
        passes = run_worker(interval, stop, on_pass=_report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        click.echo(f"jobs worker: stopping ({received[0]})")
    click.echo(f"jobs worker: stopped after {passes} passes")
