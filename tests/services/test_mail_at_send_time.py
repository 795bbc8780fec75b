"""Mail is checked at send time: superseded mails, reminders by session date, 日程変更 mails,
poison mails, SMTP timeout, private links rendered at delivery (issue 6)."""
from __future__ import annotations

import base64
import email
import smtplib
import socket
import threading
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app import jobs
from app.db_types import utcnow
from app.domain.reminders import due_at
from app.extensions import db, mail
from app.models import OutboxMessage, ReminderRule
from app.services import events as event_service
from app.services import outbox, registrations, reminders
from tests.factories import register
from tests.services.test_outbox import FakeSMTP


def _mails(kind=None, status=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).all()


def _deliver(clock, smtp=None):
    return jobs.deliver_due(clock=lambda: clock, connect=smtp or FakeSMTP())


def _event_with_reminder(create_event, **fields):
    event = create_event(**fields)
    event.reminder_rules.append(ReminderRule(days_before=7, send_time="10:00"))
    db.session.commit()
    return event


# --- superseded: a mail no longer true is not sent -----------------------------------------------


def test_reminder_queued_before_a_cancellation_is_not_sent(app, create_event):
    event = _event_with_reminder(create_event)
    keep = register(event, 1).registration
    leave = register(event, 2).registration
    due = due_at(event.starts_at, 7, "10:00")
    _deliver(due)  # the confirmations
    assert reminders.queue_due_reminders(due) == 2
    db.session.commit()
    registrations.cancel(leave, now=due + timedelta(seconds=1))
    db.session.commit()
    smtp = FakeSMTP()
    report = _deliver(due + timedelta(seconds=2), smtp)
    sent = [(m.recipients[0], m.subject) for m in smtp.sent]
    assert (keep.email, f"【開催のご案内】{event.title}") in sent
    assert all(not (to == leave.email and "開催のご案内" in subject) for to, subject in sent)
    assert any(to == leave.email for to, _ in sent)  # the cancellation notice itself does go
    reminder = next(m for m in _mails("reminder") if m.registration_id == leave.id)
    assert reminder.status == "superseded" and reminder.sent_at is None and reminder.attempts == 0
    assert reminder.context["superseded"] == "registration_changed"
    assert report.superseded == 1


def test_reminder_queued_before_the_event_is_cancelled_is_not_sent(app, create_event, create_organizer):
    event = _event_with_reminder(create_event)
    register(event, 1)
    due = due_at(event.starts_at, 7, "10:00")
    _deliver(due)
    reminders.queue_due_reminders(due)
    db.session.commit()
    event_service.cancel(event, "台風のため", create_organizer(), due)
    db.session.commit()
    smtp = FakeSMTP()
    _deliver(due + timedelta(seconds=1), smtp)
    assert [m.subject for m in smtp.sent] == [f"【開催中止のお知らせ】{event.title}"]
    [reminder] = _mails("reminder")
    assert reminder.status == "superseded"


def test_confirmation_queued_before_a_cancellation_is_not_sent(app, create_event):
    event = create_event()
    registration = register(event, 1).registration
    registrations.cancel(registration, now=utcnow())
    db.session.commit()
    smtp = FakeSMTP()
    report = _deliver(utcnow(), smtp)
    assert [m.recipients[0] for m in smtp.sent] == [registration.email]  # only the cancellation notice
    assert "キャンセル" in smtp.sent[0].subject
    statuses = {m.kind: m.status for m in _mails()}
    assert statuses == {"confirmed": "superseded", "cancelled": "sent"}
    assert report.superseded == 1 and report.sent == 1


def test_postponement_notice_not_sent_once_the_event_is_published_again(app, create_event, create_organizer):
    event = create_event()
    register(event, 1)
    now = utcnow()
    _deliver(now)
    organizer = create_organizer()
    event_service.postpone(event, "会場の都合", organizer, now)
    event_service.publish(event, organizer, now)
    db.session.commit()
    _deliver(now + timedelta(hours=1))
    kinds = {m.kind: m.status for m in _mails()}
    assert kinds["event_postponed"] == "superseded"
    assert kinds["schedule_changed"] == "sent"  # they are told the (new) dates instead


# --- reminders keyed by the session's date; 日程変更 mails ---------------------------------------


def test_after_a_date_change_a_reminder_for_the_new_date_is_sent(app, create_event, create_organizer):
    event = _event_with_reminder(create_event)
    registration = register(event, 1).registration
    old_start = event.starts_at
    due = due_at(old_start, 7, "10:00")
    _deliver(due)
    assert reminders.queue_due_reminders(due) == 1
    db.session.commit()
    # Moved three weeks later before the reminder went out.
    session = event.sessions[0]
    new_start = old_start + timedelta(days=21)
    event_service.update_session(session, {"starts_at": new_start.isoformat(),
                                           "ends_at": (new_start + timedelta(hours=2)).isoformat()},
                                 create_organizer(), due + timedelta(minutes=1))
    db.session.commit()
    smtp = FakeSMTP()
    _deliver(due + timedelta(minutes=2), smtp)
    assert not any("開催のご案内" in m.subject for m in smtp.sent)  # the old date's reminder is stale
    [old] = _mails("reminder")
    assert old.status == "superseded" and old.context["superseded"] == "session_moved"
    new_due = due_at(new_start, 7, "10:00")
    assert reminders.queue_due_reminders(new_due) == 1
    db.session.commit()
    smtp = FakeSMTP()
    _deliver(new_due, smtp)
    assert [m.subject for m in smtp.sent if "開催のご案内" in m.subject] == [f"【開催のご案内】{event.title}"]
    assert {m.dedupe_key for m in _mails("reminder")} == {
        f"reminder:{registration.id}:{event.reminder_rules[0].id}:{int(old_start.timestamp())}",
        f"reminder:{registration.id}:{event.reminder_rules[0].id}:{int(new_start.timestamp())}",
    }


def test_session_date_change_tells_each_active_registrant_once(app, create_event, create_organizer):
    app.config["MAIL_SCHEDULE_SETTLE"] = 300
    event = create_event(capacity=1)
    first = register(event, 1).registration
    waiting = register(event, 2).registration
    gone = register(event, 3).registration
    registrations.cancel(gone, now=utcnow())
    db.session.commit()
    now = utcnow()
    _deliver(now)
    organizer = create_organizer()
    session = event.sessions[0]
    start = session.starts_at
    # Three edits in a row: one mail each, with the final dates.
    for hours in (1, 2, 3):
        moved = start + timedelta(hours=hours)
        event_service.update_session(session, {"starts_at": moved.isoformat(),
                                               "ends_at": (moved + timedelta(hours=2)).isoformat()},
                                     organizer, now + timedelta(seconds=hours))
        db.session.commit()
    # A change that is not a date (the title) tells nobody.
    event_service.update_session(session, {"title": "本編", "starts_at": moved.isoformat(),
                                           "ends_at": (moved + timedelta(hours=2)).isoformat()},
                                 organizer, now + timedelta(seconds=5))
    db.session.commit()
    assert _deliver(now + timedelta(seconds=10)).sent == 0  # still settling
    smtp = FakeSMTP()
    _deliver(now + timedelta(minutes=6), smtp)
    subjects = sorted((m.recipients[0], m.subject) for m in smtp.sent)
    assert subjects == [(first.email, f"【日程変更のお知らせ】{event.title}"),
                        (waiting.email, f"【日程変更のお知らせ】{event.title}")]
    body = smtp.sent[0].body
    assert "日時が変更になりました" in body
    from app.domain.dates import format_date
    assert format_date(moved, "ja") in body  # the final date
    assert len(_mails("schedule_changed", "superseded")) == 4  # the two earlier edits, for both


def test_adding_or_removing_a_session_tells_registrants(app, create_event, create_organizer):
    event = create_event(sessions=2)
    register(event, 1)
    now = utcnow()
    _deliver(now)
    organizer = create_organizer()
    added = event_service.add_session(event, {"starts_at": (event.starts_at + timedelta(days=7)).isoformat()},
                                      organizer, now)
    db.session.commit()
    assert len(_mails("schedule_changed", "pending")) == 1
    event_service.delete_session(added, organizer, now + timedelta(seconds=1))
    db.session.commit()
    [pending] = _mails("schedule_changed", "pending")
    assert len(_mails("schedule_changed")) == 2
    smtp = FakeSMTP()
    _deliver(now + timedelta(hours=1), smtp)
    assert len(smtp.sent) == 1 and "日程変更" in smtp.sent[0].subject


def test_drafts_and_postponed_events_tell_on_republish_only(app, create_event, create_organizer):
    event = create_event()
    register(event, 1)
    organizer = create_organizer()
    now = utcnow()
    event_service.postpone(event, "会場の都合", organizer, now)
    session = event.sessions[0]
    moved = session.starts_at + timedelta(days=60)
    event_service.update_session(session, {"starts_at": moved.isoformat()}, organizer, now)
    db.session.commit()
    assert _mails("schedule_changed") == []  # postponed: not yet
    event_service.publish(event, organizer, now + timedelta(minutes=1))
    db.session.commit()
    [mail_] = _mails("schedule_changed")
    assert mail_.context["dates"] == [[int(moved.timestamp()), None]]
    draft = create_event(status="draft")
    event_service.update_session(draft.sessions[0], {"starts_at": moved.isoformat()}, organizer, now)
    db.session.commit()
    assert len(_mails("schedule_changed")) == 1


# --- poison mails --------------------------------------------------------------------------------


def test_title_with_a_line_break_neither_blocks_delivery_nor_breaks_the_calendar(app, create_event, client):
    bad = create_event(title="悪い\r\nBcc: everyone@example.jp\nタイトル")
    good = create_event(title="良いセミナー")
    victim = register(bad, 1).registration
    register(good, 2)
    with mail.record_messages() as recorded:
        report = jobs.deliver_due()
    assert report.sent == 2 and report.failed == 0
    subjects = {m.recipients[0]: m.subject for m in recorded}
    assert "\n" not in subjects["taro1@example.jp"] and "\r" not in subjects["taro1@example.jp"]
    parsed = email.message_from_string(next(m for m in recorded if m.recipients == ["taro1@example.jp"]).as_string())
    assert parsed["Bcc"] is None and not any(m.bcc for m in recorded)  # no header injected
    response = client.get(f"/r/{victim.manage_token}/calendar.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert "\n" not in str(calendar["x-wr-calname"])


def test_a_mail_that_cannot_be_built_fails_alone_and_eventually(app, create_event, monkeypatch):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    event = create_event()
    poison = register(event, 1).registration
    register(event, 2)
    from app.services import tickets

    real = tickets.calendar_ics

    def broken(registration, **kwargs):
        if registration.id == poison.id:
            raise AssertionError("Content line can not contain unescaped new line characters.")
        return real(registration, **kwargs)

    monkeypatch.setattr(outbox, "calendar_ics", broken)
    now = utcnow()
    smtp = FakeSMTP()
    report = _deliver(now, smtp)
    assert [m.recipients[0] for m in smtp.sent] == ["taro2@example.jp"]  # the other one is not blocked
    assert report.retrying == 1
    [bad] = [m for m in _mails() if m.registration_id == poison.id]
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert "AssertionError" in bad.last_error
    clock = now
    for _ in range(2):
        clock = bad.next_attempt_at
        _deliver(clock, smtp)
        bad = db.session.get(OutboxMessage, bad.id, populate_existing=True)
    assert (bad.status, bad.attempts) == ("failed", 3)
    assert len(smtp.sent) == 1


# --- SMTP timeout --------------------------------------------------------------------------------


def test_smtp_connection_has_the_configured_timeout(app, monkeypatch):
    seen = {}

    class FakeHost:
        def __init__(self, server, port, timeout=None):
            seen.update(server=server, port=port, timeout=timeout)

        def set_debuglevel(self, level):
            pass

        def quit(self):
            pass

        def close(self):
            pass

    app.config["MAIL_TIMEOUT"] = 7
    monkeypatch.setattr(jobs.smtplib, "SMTP", FakeHost)
    state = app.extensions["mail"]
    monkeypatch.setattr(state, "suppress", False)
    with jobs.smtp_connect() as connection:
        assert isinstance(connection.host, FakeHost)
    assert seen["timeout"] == 7


def test_a_hung_smtp_server_times_out_and_the_batch_waits_uncounted(app, monkeypatch):
    """A server that accepts the connection and never answers: the try ends at MAIL_TIMEOUT."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # never says hello
            except OSError:
                continue

    def safety_net():  # without a client timeout the test would hang for ever: hang up after a while
        if not stop.wait(60):
            for conn in held:
                conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    threading.Thread(target=safety_net, daemon=True).start()
    state = app.extensions["mail"]
    monkeypatch.setattr(state, "suppress", False)
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", listener.getsockname()[1])
    app.config["MAIL_TIMEOUT"] = 0.5
    from tests.services.test_outbox import make_messages

    now = utcnow()
    ids = make_messages(2, now)
    try:
        report = jobs.deliver_batch(clock=lambda: now)
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    assert report.deferred == 2 and report.failed == 0 and report.retrying == 0
    for mid in ids:
        m = db.session.get(OutboxMessage, mid, populate_existing=True)
        assert (m.status, m.attempts) == ("pending", 0)
        assert "timed out" in m.last_error.lower() or "timeout" in m.last_error.lower()


# --- private links rendered at delivery ----------------------------------------------------------


def test_delivered_mail_has_working_private_links_the_stored_one_does_not(app, create_event, client):
    event = create_event(title="TOHOKU DXセミナー")
    registration = register(event, 1).registration
    token = registration.manage_token
    [stored] = _mails("confirmed")
    assert token not in stored.body_text + stored.body_html
    with mail.record_messages() as recorded:
        jobs.deliver_due()
    [sent] = recorded
    base = app.config["BASE_URL"].rstrip("/")
    for body in (sent.body, sent.html):
        assert f"{base}/r/{token}" in body
        assert f"{base}/r/{token}/ticket" in body
        assert f"{base}/r/{token}/calendar.ics" in body
        assert "tsudoi-private" not in body
    # ...and the link works.
    path = f"/r/{token}"
    assert client.get(path).status_code == 200
    # The attached calendar carries the link too (built at delivery).
    ics = next(a for a in sent.attachments if a.content_type == "text/calendar")
    assert f"/r/{token}" in Calendar.from_ical(ics.data).walk("VEVENT")[0]["description"]
    # The stored row still holds no token after sending.
    [stored] = _mails("confirmed")
    assert stored.status == "sent" and token not in stored.body_text + stored.body_html


def test_links_come_from_app_urls_at_send_time(app, create_event, monkeypatch):
    event = create_event()
    register(event, 1)
    from app import urls

    monkeypatch.setattr(urls, "manage_url", lambda registration: "https://derived.example.jp/r/NEW")
    with mail.record_messages() as recorded:
        jobs.deliver_due()
    assert "https://derived.example.jp/r/NEW" in recorded[0].body
    assert "https://derived.example.jp/r/NEW" in recorded[0].html


def test_build_message_keeps_the_subject_on_one_line(app):
    message = OutboxMessage(id=1, subject="件名\r\nBcc: x@example.jp", to_email="a@example.jp", body_text="本文",
                            body_html="", attachments=[])
    built = outbox.build_message(message, "Tsudoi <noreply@example.jp>")
    assert built.subject == "件名 Bcc: x@example.jp"
    message.to_email = "a@example.jp\nBcc: x@example.jp"
    with pytest.raises(outbox.BadMessage):
        outbox.build_message(message, "Tsudoi <noreply@example.jp>")


def test_attachment_data_is_base64(app, create_event):
    event = create_event()
    register(event, 1)
    [stored] = _mails("confirmed")
    [item] = outbox.attachment_data(stored, utcnow())
    assert base64.b64decode(item["data_b64"]).startswith(b"BEGIN:VCALENDAR")


def test_smtp_errors_are_classified():
    assert jobs._is_connection_error(smtplib.SMTPServerDisconnected("gone"))
    assert jobs._is_connection_error(TimeoutError("timed out"))
    assert jobs._is_connection_error(smtplib.SMTPResponseException(421, b"closing"))
    assert not jobs._is_connection_error(smtplib.SMTPDataError(554, b"no"))
    assert jobs._is_permanent(smtplib.SMTPDataError(554, b"no"))
    assert jobs._is_permanent(smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}))
    assert not jobs._is_permanent(smtplib.SMTPRecipientsRefused({"a@x": (450, b"busy")}))
    assert not jobs._is_permanent(smtplib.SMTPSenderRefused(451, b"later", "a@x"))


def test_schedule_change_mail_in_english(app, create_event, create_organizer):
    event = create_event(title="DX Seminar")
    registration = register(event, 1).registration
    registration.language = "en"
    db.session.commit()
    moved = event.sessions[0].starts_at + timedelta(days=3)
    event_service.update_session(event.sessions[0], {"starts_at": moved.isoformat()}, create_organizer(), utcnow())
    db.session.commit()
    [message] = _mails("schedule_changed")
    assert message.subject == "Schedule changed: DX Seminar"
    assert "The date or time of the event you registered for has changed." in message.body_text
    assert message.body_html.strip() and "tsudoi-private:manage_url" in message.body_html
