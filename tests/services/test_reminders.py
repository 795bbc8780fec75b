"""Reminder scheduling: due rules, once per registration and rule, catch-up, no stale reminders."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import jobs
from app.db_types import utcnow
from app.domain.dates import jst_datetime, to_jst
from app.domain.reminders import due_at
from app.extensions import db
from app.models import AuditLog, OutboxMessage, ReminderRule
from app.services import registrations, reminders
from tests.factories import register


def _start_in(days: int, hour: int = 14):
    local = to_jst(utcnow() + timedelta(days=days))
    return jst_datetime(local.year, local.month, local.day, hour, 0)


def _event(create_event, *, rules=((7, "10:00"), (1, "10:00")), sessions=1, **fields):
    event = create_event(starts_at=_start_in(20), sessions=sessions, **fields)
    for days, at in rules:
        event.reminder_rules.append(ReminderRule(days_before=days, send_time=at))
    db.session.commit()
    return event


def _reminders():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")
                              .order_by(OutboxMessage.id)).all()


def _rule(event, days):
    return next(r for r in event.reminder_rules if r.days_before == days and r.session_id is None)


def test_due_reminders_are_queued_once_per_registration_and_rule(app, create_event):
    event = _event(create_event, capacity=2)
    a, b, waiting = (register(event, n).registration for n in (1, 2, 3))
    assert waiting.status == "waitlisted"
    seven = _rule(event, 7)
    due7 = due_at(event.starts_at, 7, "10:00")
    assert reminders.queue_due_reminders(due7 - timedelta(minutes=1)) == 0
    assert reminders.queue_due_reminders(due7) == 2
    db.session.commit()
    queued = _reminders()
    start = int(event.starts_at.timestamp())  # keyed by the session's date: a reschedule queues new ones
    assert {m.dedupe_key for m in queued} == {f"reminder:{a.id}:{seven.id}:{start}",
                                             f"reminder:{b.id}:{seven.id}:{start}"}
    assert {m.to_email for m in queued} == {a.email, b.email}  # not the waiting list
    assert all(m.subject == f"【開催のご案内】{event.title}" for m in queued)
    # Running again (the worker runs every few seconds) queues nothing more.
    assert reminders.queue_due_reminders(due7 + timedelta(hours=1)) == 0
    # The 1-day rule comes later, for the same people.
    due1 = due_at(event.starts_at, 1, "10:00")
    assert reminders.queue_due_reminders(due1) == 2
    db.session.commit()
    assert len(_reminders()) == 4
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "reminder.queued")).all()
    assert [e.data["count"] for e in audit] == [2, 2]


def test_late_run_catches_up_but_not_after_the_start(app, create_event):
    event = _event(create_event, rules=((7, "10:00"),))
    register(event, 1)
    due7 = due_at(event.starts_at, 7, "10:00")
    assert reminders.queue_due_reminders(event.starts_at + timedelta(minutes=1)) == 0  # started: too late
    assert reminders.queue_due_reminders(due7 + timedelta(days=3)) == 1  # late but useful


def test_registration_after_the_due_time_gets_no_stale_reminder(app, create_event):
    event = _event(create_event, rules=((7, "10:00"), (1, "10:00")))
    early = register(event, 1).registration
    due7 = due_at(event.starts_at, 7, "10:00")
    late = register(event, 2, now=due7 + timedelta(hours=2)).registration
    assert reminders.queue_due_reminders(due7 + timedelta(hours=3)) == 1
    db.session.commit()
    assert [m.registration_id for m in _reminders()] == [early.id]
    # The 1-day reminder goes to both.
    assert reminders.queue_due_reminders(due_at(event.starts_at, 1, "10:00")) == 2
    db.session.commit()
    assert sorted(m.registration_id for m in _reminders()) == [early.id, early.id, late.id]


def test_cancelled_registrations_and_events_get_none(app, create_event):
    event = _event(create_event, rules=((7, "10:00"),))
    r = register(event, 1).registration
    registrations.cancel(r, now=utcnow())
    db.session.commit()
    due7 = due_at(event.starts_at, 7, "10:00")
    assert reminders.queue_due_reminders(due7) == 0
    other = _event(create_event, rules=((7, "10:00"),))
    register(other, 2)
    other.status = "cancelled"
    db.session.commit()
    assert reminders.queue_due_reminders(due_at(other.starts_at, 7, "10:00")) == 0


def test_events_without_rules_get_no_reminders(app, create_event):
    event = _event(create_event, rules=())
    register(event, 1)
    assert reminders.queue_due_reminders(event.starts_at - timedelta(hours=1)) == 0
    assert db.session.scalars(select(ReminderRule)).all() == []  # none invented


def test_per_session_rule_uses_its_session_date(app, create_event):
    event = _event(create_event, rules=(), sessions=3)
    third = event.sessions[2]
    rule = ReminderRule(event_id=event.id, session_id=third.id, days_before=1, send_time="18:00")
    db.session.add(rule)
    db.session.commit()
    register(event, 1)
    due = due_at(third.starts_at, 1, "18:00")
    assert due > event.starts_at  # after the first session has started
    assert reminders.queue_due_reminders(due - timedelta(minutes=1)) == 0
    assert reminders.queue_due_reminders(due) == 1
    db.session.commit()
    [message] = _reminders()
    assert "3日目" in message.body_text


def test_reminder_carries_the_join_link_for_online_events(app, create_event):
    event = _event(create_event, rules=((1, "10:00"),), format="online", online_url="https://meet.example.jp/xyz")
    registration = register(event, 1).registration
    assert reminders.queue_due_reminders(due_at(event.starts_at, 1, "10:00")) == 1
    db.session.commit()
    [message] = _reminders()
    # The personal join link, filled in at delivery; never the online URL itself.
    for body in (message.body_text, message.body_html):
        assert "[[tsudoi-private:join_url]]" in body
        assert "https://meet.example.jp/xyz" not in body
    from app import urls
    from app.services import outbox
    assert urls.join_url(registration) in outbox.text_as_sent(message)
    assert message.subject == f"【開催のご案内】{event.title}"
    assert "山田 太郎1 様" in message.body_text


def test_in_person_reminder_has_no_online_url(app, create_event):
    event = _event(create_event, rules=((1, "10:00"),), format="in_person", online_url="https://secret.example.jp/")
    register(event, 1)
    reminders.queue_due_reminders(due_at(event.starts_at, 1, "10:00"))
    db.session.commit()
    [message] = _reminders()
    assert "secret.example.jp" not in message.body_text + message.body_html
    assert "join_url" not in message.body_text + message.body_html


def test_jobs_run_queues_and_delivers_reminders(app, create_event):
    event = _event(create_event, rules=((7, "10:00"),))
    register(event, 1)
    due7 = due_at(event.starts_at, 7, "10:00")
    result = jobs.run_once(clock=lambda: due7 + timedelta(minutes=5))
    assert result.reminders == 1
    assert result.delivery.sent == 2  # the confirmation and the reminder
    assert {m.status for m in _reminders()} == {"sent"}
