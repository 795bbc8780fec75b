"""Outbox delivery: claim, send once to one recipient, backoff, failure, organizer retry, concurrency."""
from __future__ import annotations

import os
import signal
import smtplib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import jobs
from app.db_types import utcnow
from app.extensions import db, mail
from app.models import AuditLog, OutboxMessage
from app.services import outbox
from app.services.errors import ServiceError


class FakeSMTP:
    """Stands in for `mail.connect`: records (recipients, subject) per message, or fails on demand."""

    def __init__(self, *, down: bool = False, refuse: set[str] | None = None, drop_after: int | None = None,
                 refuse_code: int = 550):
        self.down = down
        self.refuse = refuse or set()
        self.refuse_code = refuse_code
        self.drop_after = drop_after
        self.sent: list = []
        self.connections = 0
        self._lock = threading.Lock()

    def __call__(self):
        return self

    def __enter__(self):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        with self._lock:
            self.connections += 1
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message):
        if self.drop_after is not None and len(self.sent) >= self.drop_after:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if message.recipients[0] in self.refuse:
            raise smtplib.SMTPRecipientsRefused({message.recipients[0]: (self.refuse_code, b"no such user")})
        with self._lock:
            self.sent.append(message)


def make_messages(n: int, now, **fields) -> list[int]:
    ids = []
    for i in range(n):
        m = OutboxMessage(dedupe_key=f"test:{i}:{now.timestamp()}", kind="confirmed", to_email=f"user{i}@example.jp",
                          subject=f"件名{i}", body_text=f"本文{i}", body_html=f"<p>本文{i}</p>", attachments=[],
                          language="ja", status="pending", attempts=0, next_attempt_at=now, created_at=now,
                          **fields)
        db.session.add(m)
        db.session.flush()
        ids.append(m.id)
    db.session.commit()
    return ids


def get(message_id: int) -> OutboxMessage:
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def test_retry_delay_grows_and_is_capped():
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 5, 25, 125)]
    assert outbox.retry_delay(5) == outbox.BACKOFF_CAP
    assert outbox.retry_delay(50) == outbox.BACKOFF_CAP


def test_delivers_each_due_message_once_to_one_recipient(app):
    now = utcnow()
    ids = make_messages(3, now)
    later = make_messages(1, now + timedelta(hours=1), )  # not due yet
    db.session.execute(OutboxMessage.__table__.update().where(OutboxMessage.id == later[0])
                       .values(next_attempt_at=now + timedelta(hours=1)))
    db.session.commit()
    smtp = FakeSMTP()
    report = jobs.deliver_due(clock=lambda: now, connect=smtp)
    assert report.sent == 3 and report.claimed == 3
    assert smtp.connections == 1  # one connection per batch
    assert [m.recipients for m in smtp.sent] == [["user0@example.jp"], ["user1@example.jp"], ["user2@example.jp"]]
    assert all(not m.cc and not m.bcc for m in smtp.sent)
    assert all(m.sender == app.config["MAIL_DEFAULT_SENDER"] for m in smtp.sent)
    assert smtp.sent[0].html == "<p>本文0</p>" and smtp.sent[0].body == "本文0"
    for mid in ids:
        m = get(mid)
        assert (m.status, m.attempts, m.locked_until) == ("sent", 1, None)
        assert m.sent_at == now
    assert get(later[0]).status == "pending"
    # A second pass sends nothing more.
    assert jobs.deliver_due(clock=lambda: now, connect=smtp).sent == 0
    assert len(smtp.sent) == 3


def test_smtp_outage_spends_no_attempts_and_backs_off_the_whole_batch(app, monkeypatch):
    """An outage of hours must not turn queued confirmations into `failed` (it did after ~2.5 h)."""
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    app.config["MAIL_OUTAGE_BACKOFF"] = 300
    warnings = []
    monkeypatch.setattr(jobs.log, "warning", lambda msg, *args: warnings.append(msg % args))
    now = utcnow()
    ids = make_messages(3, now)
    down = FakeSMTP(down=True)
    clock = now
    for _ in range(40):  # more than 3 hours of connection refused, every 5 minutes
        report = jobs.deliver_due(clock=lambda c=clock: c, connect=down)
        assert (report.deferred, report.failed, report.retrying) == (3, 0, 0)
        for mid in ids:
            m = get(mid)
            assert (m.status, m.attempts) == ("pending", 0)
            assert "Connection refused" in m.last_error
            assert m.next_attempt_at == clock + timedelta(minutes=5)  # batch-wide backoff
        # Not due again before the backoff has passed: one connection attempt per backoff, not per message.
        assert jobs.deliver_due(clock=lambda c=clock: c + timedelta(seconds=30), connect=down).claimed == 0
        clock += timedelta(minutes=5)
    assert len(warnings) == 40 and all("cannot connect" in w and "not counted" in w for w in warnings)  # logged
    smtp = FakeSMTP()
    assert jobs.deliver_due(clock=lambda: clock, connect=smtp).sent == 3
    assert [(get(i).status, get(i).attempts) for i in ids] == [("sent", 1)] * 3


def test_temporary_refusal_backs_off_then_failed_then_organizer_retry(app):
    app.config["MAIL_MAX_ATTEMPTS"] = 4
    now = utcnow()
    [mid] = make_messages(1, now)
    busy = FakeSMTP(refuse={"user0@example.jp"}, refuse_code=451)
    clock = now
    for attempt, wait in enumerate([1, 5, 25], start=1):
        report = jobs.deliver_due(clock=lambda c=clock: c, connect=busy)
        m = get(mid)
        assert (m.status, m.attempts) == ("pending", attempt)
        assert "451" in m.last_error
        assert m.next_attempt_at == clock + timedelta(minutes=wait)
        assert report.retrying == 1
        assert jobs.deliver_due(clock=lambda c=clock: c + timedelta(seconds=30), connect=busy).claimed == 0
        clock = m.next_attempt_at
    report = jobs.deliver_due(clock=lambda c=clock: c, connect=busy)
    m = get(mid)
    assert (m.status, m.attempts, report.failed) == ("failed", 4, 1)
    # A failed mail is not retried by the worker on its own...
    assert jobs.deliver_due(clock=lambda: clock + timedelta(days=1), connect=FakeSMTP()).claimed == 0
    # ...until an organizer asks for it.
    organizer = _organizer()
    outbox.retry(m, actor=organizer, now=clock)
    db.session.commit()
    m = get(mid)
    assert (m.status, m.attempts) == ("pending", 0)
    smtp = FakeSMTP()
    assert jobs.deliver_due(clock=lambda: clock, connect=smtp).sent == 1
    assert get(mid).status == "sent" and len(smtp.sent) == 1
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "mail.retried"))
    assert entry.actor_id == organizer.id and entry.data["message_id"] == mid and entry.data["attempts"] == 4


def _organizer():
    from tests.factories import create_organizer

    return create_organizer()


def test_only_failed_mails_can_be_retried(app):
    now = utcnow()
    [mid] = make_messages(1, now)
    with pytest.raises(ServiceError):
        outbox.retry(get(mid), actor=None, now=now)


def test_permanently_refused_recipient_fails_at_once_and_alone(app):
    now = utcnow()
    ids = make_messages(3, now)
    smtp = FakeSMTP(refuse={"user1@example.jp"})  # 550
    report = jobs.deliver_due(clock=lambda: now, connect=smtp)
    assert report.sent == 2 and report.failed == 1 and report.retrying == 0
    assert [get(i).status for i in ids] == ["sent", "failed", "sent"]
    assert get(ids[1]).attempts == 1
    assert "SMTPRecipientsRefused" in get(ids[1]).last_error


@pytest.mark.parametrize("exc,status", [
    (smtplib.SMTPDataError(554, b"message rejected"), "failed"),
    (smtplib.SMTPSenderRefused(553, b"sender refused", "noreply@tsudoi.example.jp"), "failed"),
    (smtplib.SMTPDataError(452, b"insufficient storage"), "pending"),
    (smtplib.SMTPRecipientsRefused({"user0@example.jp": (450, b"mailbox busy")}), "pending"),
])
def test_5xx_fails_at_once_4xx_is_retried(app, exc, status):
    now = utcnow()
    [mid] = make_messages(1, now)

    class Refusing(FakeSMTP):
        def send(self, message):
            raise exc

    jobs.deliver_due(clock=lambda: now, connect=Refusing())
    m = get(mid)
    assert (m.status, m.attempts) == (status, 1)
    if status == "pending":
        assert m.next_attempt_at == now + timedelta(minutes=1)


def test_connection_lost_mid_batch_gives_back_the_rest_uncounted(app):
    app.config["MAIL_OUTAGE_BACKOFF"] = 120
    now = utcnow()
    ids = make_messages(4, now)
    smtp = FakeSMTP(drop_after=2)
    report = jobs.deliver_due(clock=lambda: now, connect=smtp)
    assert report.sent == 2 and report.deferred == 2 and report.retrying == 0
    statuses = [get(i) for i in ids]
    assert [m.status for m in statuses] == ["sent", "sent", "pending", "pending"]
    assert all(m.attempts == 0 for m in statuses[2:])
    assert all(m.next_attempt_at == now + timedelta(minutes=2) for m in statuses[2:])
    # When the server is back, the rest go, and the first two are not sent again.
    smtp2 = FakeSMTP()
    jobs.deliver_due(clock=lambda: now + timedelta(minutes=2), connect=smtp2)
    assert [m.recipients[0] for m in smtp2.sent] == ["user2@example.jp", "user3@example.jp"]


def test_a_crashed_workers_claim_is_taken_over_after_its_lease(app):
    now = utcnow()
    [stuck, held] = make_messages(2, now)
    for mid, until in ((stuck, now - timedelta(seconds=1)), (held, now + timedelta(minutes=3))):
        m = get(mid)
        m.status, m.locked_until, m.attempts = "sending", until, 1
    db.session.commit()
    smtp = FakeSMTP()
    jobs.deliver_due(clock=lambda: now, connect=smtp)
    assert [m.recipients[0] for m in smtp.sent] == ["user0@example.jp"]
    assert (get(stuck).status, get(stuck).attempts) == ("sent", 2)
    assert get(held).status == "sending"  # another worker still holds it


def test_a_slow_batch_gives_back_what_it_cannot_send_within_its_lease(app):
    now = utcnow()
    ids = make_messages(3, now)
    ticks = iter([now, now, now, now + timedelta(minutes=10)] + [now + timedelta(minutes=10)] * 20)
    smtp = FakeSMTP()
    report = jobs.deliver_batch(clock=lambda: next(ticks), connect=smtp)
    assert report.sent == 1 and report.released == 2
    assert [(get(i).status, get(i).attempts) for i in ids] == [("sent", 1), ("pending", 0), ("pending", 0)]


def test_suppressed_send_records_messages_with_calendar_attachment(app, create_event):
    from tests.factories import register

    assert app.extensions["mail"].suppress
    event = create_event(format="online", online_url="https://meet.example.jp/abc")
    register(event, 1)
    with mail.record_messages() as recorded:
        report = jobs.deliver_due()
    assert report.sent == 1 and len(recorded) == 1
    sent = recorded[0]
    assert sent.recipients == ["taro1@example.jp"]
    raw = sent.as_string()
    assert "multipart/alternative" in raw and "text/html" in raw
    assert "text/calendar" in raw and 'filename="event-' in raw
    assert "Auto-Submitted: auto-generated" in raw
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"


def test_jobs_run_command_prints_a_summary(app, runner):
    make_messages(2, utcnow())
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "mails sent: 2" in result.output
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 2


def test_worker_stops_cleanly_on_sigterm(app, runner, monkeypatch):
    calls = []

    def one_pass(**kwargs):
        calls.append(1)
        os.kill(os.getpid(), signal.SIGTERM)  # the worker's handler turns this into a clean stop
        return jobs.PassReport(0, jobs.DeliveryReport())

    monkeypatch.setattr(jobs, "run_once", one_pass)
    before = signal.getsignal(signal.SIGTERM)
    result = runner.invoke(args=["jobs", "worker", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert "stopped after 1 passes" in result.output
    assert calls == [1]
    assert signal.getsignal(signal.SIGTERM) == before


def test_worker_survives_a_failing_pass(app, monkeypatch):
    stop = threading.Event()
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        stop.set()
        return jobs.PassReport(0, jobs.DeliveryReport())

    monkeypatch.setattr(jobs, "run_once", flaky)
    assert jobs.run_worker(0.01, stop) == 1
    assert len(calls) == 2


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_workers_deliver_each_message_exactly_once(app, workers):
    now = utcnow()
    ids = make_messages(30, now)
    smtp = FakeSMTP()
    start = threading.Barrier(workers)
    errors = []

    def worker():
        try:
            with app.app_context():
                start.wait()
                for _ in range(5):
                    jobs.deliver_due(clock=utcnow, connect=smtp, batch_size=4)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    recipients = sorted(m.recipients[0] for m in smtp.sent)
    assert recipients == sorted(f"user{i}@example.jp" for i in range(30))  # each once, none twice
    db.session.expire_all()
    assert {get(i).status for i in ids} == {"sent"}
    assert all(get(i).attempts == 1 for i in ids)
