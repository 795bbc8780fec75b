"""Queue the reminders that are due (idempotent: run it as often as you like).

For each reminder rule of a live event (published or closed), the due time is
computed by app.domain.reminders from the first session (or the rule's own
session, for per-session rules in a series). When it has passed and the
session has not started, every confirmed registration that was confirmed by
then gets one `reminder` mail, dedupe key
``reminder:<registration>:<rule>:<session start, epoch seconds>``: a late run
catches up, a second run queues nothing, and someone who registers after the
due time does not get that stale reminder. When the session moves, the key
changes, so the reminder for the new date is queued; one still waiting for the
old date is superseded at send time (app.domain.mail_relevance). Events
without rule rows get no reminders (none are invented here).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, text
from sqlalchemy.orm import selectinload

from app import notifications
from app.database import is_postgres
from app.domain import reminders as rules
from app.domain.codes import EventStatus, RegistrationStatus
from app.extensions import db
from app.models import Event, EventSession, OutboxMessage, Registration, ReminderRule, SessionChoice
from app.services import audit

LIVE_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CLOSED)
#: PostgreSQL advisory lock: one scheduler at a time (other workers skip the step).
ADVISORY_LOCK_KEY = 7_201_001


@dataclass
class DueRule:
    rule: ReminderRule
    session: EventSession
    due: datetime


def due_rules(now: datetime) -> list[DueRule]:
    """The rules whose reminder is due now (due time passed, session not started), on live events."""
    stmt = (
        select(ReminderRule)
        .join(Event, Event.id == ReminderRule.event_id)
        .where(
            Event.status.in_(LIVE_EVENT_STATUSES),
            exists().where(EventSession.event_id == Event.id, EventSession.starts_at > now),
        )
        .options(selectinload(ReminderRule.event).selectinload(Event.sessions), selectinload(ReminderRule.session))
        .order_by(ReminderRule.event_id, ReminderRule.id)
    )
    found = []
    for rule in db.session.scalars(stmt):
        if rule.session_id is not None:
            session = rule.session
        else:
            sessions = sorted(rule.event.sessions, key=lambda s: s.starts_at)
            session = sessions[0] if sessions else None
        if session is None:
            continue
        due = rules.due_at(session.starts_at, rule.days_before, rule.send_time)
        if rules.is_due(due, session.starts_at, now):
            found.append(DueRule(rule, session, due))
    return found


def _take_scheduler_lock() -> bool:
    if not is_postgres():
        return True  # SQLite: the transaction began IMMEDIATE and holds the write lock
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}))


def queue_due_reminders(now: datetime) -> int:
    """Add the due reminder mails to the outbox (flush only). Returns how many were queued."""
    if not _take_scheduler_lock():
        return 0
    queued = 0
    for item in due_rules(now):
        rule = item.rule
        existing = set(db.session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like(f"reminder:%:{rule.id}:%"))
        ))
        stmt = (select(Registration)
                .where(Registration.event_id == rule.event_id, Registration.status == RegistrationStatus.CONFIRMED)
                .order_by(Registration.id))
        if rule.session_id is not None and rule.event.choose_sessions:
            # per-day registration: a day's reminder goes to those with a seat that day
            stmt = stmt.where(select(SessionChoice.id).where(
                SessionChoice.registration_id == Registration.id, SessionChoice.session_id == rule.session_id,
                SessionChoice.status == "confirmed").exists())
        candidates = db.session.scalars(stmt)
        count = 0
        for registration in candidates:
            if notifications.reminder_key(registration.id, rule.id, item.session.starts_at) in existing:
                continue
            if not rules.wants_reminder(registration.confirmed_at or registration.created_at, item.due):
                continue
            notifications.reminder(registration, rule, session=item.session, now=now, skip_if_exists=False)
            count += 1
        if count:
            audit.record("reminder.queued", actor_label="system", now=now, event_id=rule.event_id,
                         data={"rule_id": rule.id, "days_before": rule.days_before, "count": count})
            db.session.flush()
        queued += count
    return queued
