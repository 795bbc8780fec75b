"""Attendance counts (services.attendance_counts, grouped SQL) against a plain Python count of the rows."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import Attendance, Registration
from app.services import attendance, attendance_counts, registrations
from tests import factories

METHODS = ("door", "walk_in", "online", "report", "import")


def _python_counts(event):
    regs = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    rows = db.session.scalars(select(Attendance).where(Attendance.event_id == event.id)).all()
    by_id = {r.id: r for r in regs}
    confirmed = {r.id for r in regs if r.status == "confirmed"}
    rows = [a for a in rows if a.registration_id in confirmed]  # a cancelled registration never counts
    walk = {a.id for a in rows if a.method == "walk_in" or by_id[a.registration_id].origin == "walk_in"}
    sessions = {}
    for s in event.sessions:
        mine = [a for a in rows if a.session_id == s.id]
        sessions[s.id] = {
            "id": s.id, "confirmed": len(confirmed), "attended": len(mine), "cumulative": len(mine),
            "walk_ins": sum(a.id in walk for a in mine),
            "no_shows": len(confirmed - {a.registration_id for a in mine}),
            "rate": round(len(mine) / len(confirmed), 4) if confirmed else None,
        }
    people = {}
    for a in rows:
        people.setdefault(a.registration_id, set()).add(a.session_id)
    n = len(event.sessions)
    total = {
        "confirmed": len(confirmed), "attended": len(people), "unique_attendees": len(people),
        "cumulative": len(rows), "walk_ins": len({a.registration_id for a in rows if a.id in walk}),
        "no_shows": len(confirmed - set(people)),
        "rate": round(len(people) / len(confirmed), 4) if confirmed else None,
        "session_count": n, "full_attendance": sum(len(v) == n for v in people.values()) if n > 1 else None,
        "completion_min_sessions": event.completion_min_sessions,
        "completed": sum(len(v) >= event.completion_min_sessions for v in people.values())
        if event.completion_min_sessions else None,
    }
    return total, [sessions[s.id] for s in event.sessions]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_a_python_count(app, seed):
    rng = random.Random(seed)
    sessions = rng.choice([1, 3, 7])
    event = factories.create_event(sessions=sessions, capacity=25, completion_min_sessions=max(1, sessions - 1))
    other = factories.create_event(sessions=2)  # its attendance must not leak in
    now = utcnow()
    regs = [factories.register(event, i).registration for i in range(30)]  # 25 confirmed, 5 waitlisted
    for reg in rng.sample(regs[:25], 4):
        registrations.cancel(reg, now=now)  # promotes from the waiting list
    db.session.commit()
    for reg in rng.sample(regs, 3):
        reg.origin = "walk_in"
    db.session.commit()
    confirmed_ids = [r.id for r in db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == "confirmed"))]
    for rid in confirmed_ids:
        for s in event.sessions:
            if rng.random() < 0.7:
                attendance.record(rid, s.id, method=rng.choice(METHODS), now=now + timedelta(minutes=rng.randint(0, 99)))
    # one attendance, then the registration was cancelled: no longer counted at all
    gone = confirmed_ids[0]
    attendance.record(gone, event.sessions[0].id, method="door", now=now)
    db.session.commit()
    registrations.cancel(db.session.get(Registration, gone), now=now)
    o = factories.register(other, 99).registration
    attendance.record(o.id, other.sessions[0].id, method="door", now=now)
    db.session.commit()

    counts = attendance_counts.event_counts(event).as_json()
    expected_total, expected_sessions = _python_counts(event)
    assert counts["total"] == expected_total
    assert counts["sessions"] == expected_sessions
    assert counts["total"]["cumulative"] == sum(s["attended"] for s in counts["sessions"])


def test_empty_event(app):
    event = factories.create_event(sessions=2)
    counts = attendance_counts.event_counts(event).as_json()
    assert counts["total"]["confirmed"] == 0 and counts["total"]["rate"] is None
    assert counts["total"]["full_attendance"] == 0 and counts["total"]["completed"] is None
    assert [s["attended"] for s in counts["sessions"]] == [0, 0]


def test_series_per_person_full_attendance_and_completion(app):
    event = factories.create_event(sessions=7, completion_min_sessions=6)
    now = utcnow()
    regs = [factories.register(event, i).registration for i in range(5)]
    attended = {0: 7, 1: 6, 2: 5, 3: 0, 4: 7}
    for i, n in attended.items():
        for s in event.sessions[:n]:
            attendance.record(regs[i].id, s.id, method="door", now=now)
    db.session.commit()
    sessions, rows = attendance_counts.per_person(event)
    assert len(sessions) == 7
    by_id = {r.registration.id: r for r in rows}
    assert [by_id[regs[i].id].count for i in range(5)] == [7, 6, 5, 0, 7]
    assert {r.registration.id for r in rows if r.full} == {regs[0].id, regs[4].id}
    assert {r.registration.id for r in rows if r.completed} == {regs[0].id, regs[1].id, regs[4].id}
    total = attendance_counts.event_counts(event).as_json()["total"]
    assert (total["full_attendance"], total["completed"], total["cumulative"]) == (2, 3, 25)
    assert rows[0].count == 7  # most sessions first
