"""services.attendance: the one writer of attendance rows."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.models import Attendance, AuditLog
from app.services import attendance, registrations
from tests import factories


def _setup(**kw):
    event = factories.create_event(sessions=2, **kw)
    staff = factories.create_organizer()
    return event, staff


def test_first_record_then_already(app):
    event, staff = _setup()
    reg = factories.register(event).registration
    s1, s2 = event.sessions
    now = utcnow()
    first = attendance.record(reg.id, s1.id, method="door", now=now, actor=staff)
    db.session.commit()
    assert first.status == attendance.RECORDED and first.created
    again = attendance.record(reg.id, s1.id, method="door", now=now + timedelta(minutes=5), actor=staff)
    db.session.commit()
    assert again.status == attendance.ALREADY
    assert again.attendance.attended_at == now  # the earlier time is kept
    other_session = attendance.record(reg.id, s2.id, method="online", now=now + timedelta(days=1))
    db.session.commit()
    assert other_session.created
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2
    db.session.refresh(reg)
    assert reg.checked_in_at == now
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "attendance.recorded")) == 2


def test_refusals(app):
    event, staff = _setup(capacity=1)
    seated = factories.register(event).registration
    waiting = factories.register(event).registration
    assert waiting.status == "waitlisted"
    cancelled = factories.register(factories.create_event()).registration
    other_event_session = cancelled.event.sessions[0]
    registrations.cancel(cancelled, now=utcnow())
    db.session.commit()
    s1 = event.sessions[0]
    now = utcnow()
    assert attendance.record(waiting.id, s1.id, method="door", now=now).status == attendance.NOT_CONFIRMED
    assert attendance.record(cancelled.id, other_event_session.id, method="door",
                             now=now).status == attendance.CANCELLED
    assert attendance.record(seated.id, other_event_session.id, method="door",
                             now=now).status == attendance.WRONG_EVENT
    assert attendance.record(seated.id, s1.id, method="door", now=now,
                             event_id=cancelled.event_id).status == attendance.WRONG_EVENT
    assert attendance.record(10**9, s1.id, method="door", now=now).status == attendance.NOT_FOUND
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_undo_keeps_checked_in_at_true(app):
    event, staff = _setup()
    reg = factories.register(event).registration
    s1, s2 = event.sessions
    t1 = utcnow()
    attendance.record(reg.id, s1.id, method="door", now=t1, actor=staff)
    attendance.record(reg.id, s2.id, method="door", now=t1 + timedelta(days=1), actor=staff)
    db.session.commit()
    assert attendance.undo(reg.id, s1.id, now=t1 + timedelta(days=1), actor=staff)
    db.session.commit()
    db.session.refresh(reg)
    assert reg.checked_in_at == t1 + timedelta(days=1)
    assert attendance.undo(reg.id, s2.id, now=t1 + timedelta(days=1), actor=staff)
    assert not attendance.undo(reg.id, s2.id, now=t1 + timedelta(days=1), actor=staff)
    db.session.commit()
    db.session.refresh(reg)
    assert reg.checked_in_at is None
    undone = db.session.scalars(select(AuditLog).where(AuditLog.action == "attendance.undone")).all()
    assert [u.actor_id for u in undone] == [staff.id, staff.id]
