"""Per-day registration: seats and lines per day, edits, cancellations, invariants, concurrency."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.registration_input import clean_registration
from app.extensions import db
from app.models import Event, EventSession, OutboxMessage, Registration, SessionChoice
from app.services import invariants, registrations, session_choices
from app.services.errors import ServiceError
from tests.factories import create_event, register, registration_data


def _summit(capacities=(2, 2, 2), waitlist=True, **fields):
    event = create_event(sessions=len(capacities), capacity=None, choose_sessions=True,
                         waitlist_enabled=waitlist, **fields)
    for session, cap in zip(event.sessions, capacities, strict=True):
        session.capacity = cap
    db.session.commit()
    return event


def _days(event):
    return [s.id for s in sorted(event.sessions, key=lambda s: s.starts_at)]


def _statuses(registration):
    return {c.session_id: c.status for c in db.session.scalars(
        select(SessionChoice).where(SessionChoice.registration_id == registration.id))}


def test_register_for_chosen_days_holds_a_seat_per_day(app):
    event = _summit()
    d1, d2, d3 = _days(event)
    reg = register(event, 1, sessions=[d1, d3]).registration
    assert reg.status == "confirmed"
    assert _statuses(reg) == {d1: "confirmed", d3: "confirmed"}
    counts = {s.id: s.confirmed_count for s in event.sessions}
    assert counts == {d1: 1, d2: 0, d3: 1}
    assert invariants.breaches() == []


def test_at_least_one_day_and_only_the_events_days(app):
    event = _summit()
    other = create_event(sessions=1)
    raw = registration_data(event, 1, sessions=[])
    _clean, errors = clean_registration(raw, questions=[], ticket_type_ids=[event.ticket_types[0].id],
                                        session_ids=_days(event))
    assert errors["sessions"] == ["Choose at least one day."]
    raw["sessions"] = [other.sessions[0].id]
    _clean, errors = clean_registration(raw, questions=[], ticket_type_ids=[event.ticket_types[0].id],
                                        session_ids=_days(event))
    assert errors["sessions"] == ["Choose days of this event."]
    raw.pop("sessions")
    clean, errors = clean_registration(raw, questions=[], ticket_type_ids=[event.ticket_types[0].id])
    with pytest.raises(ServiceError) as exc:
        registrations.register(event, clean, now=utcnow())
    assert exc.value.code == "invalid_sessions"


def test_a_full_day_waitlists_that_day_only(app):
    event = _summit(capacities=(1, 5, 5))
    d1, d2, _d3 = _days(event)
    register(event, 1, sessions=[d1])
    late = register(event, 2, sessions=[d1, d2]).registration
    assert late.status == "confirmed"
    assert _statuses(late) == {d1: "waitlisted", d2: "confirmed"}
    choice = next(c for c in late.session_choices if c.session_id == d1)
    assert session_choices.day_position(choice) == 1
    assert invariants.breaches() == []


def test_a_full_day_without_waiting_list_refuses_and_leaves_nothing(app):
    event = _summit(capacities=(1, 5, 5), waitlist=False)
    d1, d2, _ = _days(event)
    register(event, 1, sessions=[d1])
    with pytest.raises(session_choices.DayFull) as exc:
        register(event, 2, sessions=[d1, d2])
    db.session.rollback()
    assert exc.value.session_id == d1
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert db.session.get(EventSession, d2).confirmed_count == 0
    assert invariants.breaches() == []


def test_cancelling_frees_each_day_for_the_next_in_that_days_line(app):
    event = _summit(capacities=(1, 1, 5))
    d1, d2, d3 = _days(event)
    first = register(event, 1, sessions=[d1, d2]).registration
    second = register(event, 2, sessions=[d1, d3]).registration
    third = register(event, 3, sessions=[d2]).registration
    assert _statuses(second) == {d1: "waitlisted", d3: "confirmed"}
    registrations.cancel(first, now=utcnow())
    db.session.commit()
    assert _statuses(first) == {d1: "cancelled", d2: "cancelled"}
    assert _statuses(second) == {d1: "confirmed", d3: "confirmed"}
    assert _statuses(third) == {d2: "confirmed"}
    promoted = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "promoted")).all()
    assert {m.registration_id for m in promoted} == {second.id, third.id}
    assert invariants.breaches() == []


def test_editing_the_days_keeps_the_capacity_rules(app):
    event = _summit(capacities=(1, 1, 5))
    d1, d2, d3 = _days(event)
    holder = register(event, 1, sessions=[d1]).registration
    waiting = register(event, 2, sessions=[d3, d1]).registration
    me = register(event, 3, sessions=[d2]).registration
    # adding a full day: the end of its line
    change = session_choices.change(me, [d1, d2], now=utcnow())
    db.session.commit()
    assert change.added == (d1,) and change.waitlisted == (d1,)
    assert _statuses(me) == {d1: "waitlisted", d2: "confirmed"}
    # removing a day frees its seat for the next waiting
    session_choices.change(holder, [d3], now=utcnow())
    db.session.commit()
    assert _statuses(waiting)[d1] == "confirmed"
    assert _statuses(me)[d1] == "waitlisted"
    assert db.session.get(EventSession, d1).confirmed_count == 1
    with pytest.raises(ServiceError) as exc:
        session_choices.change(me, [], now=utcnow())
    assert exc.value.code == "invalid_sessions"
    db.session.rollback()
    assert invariants.breaches() == []


def test_editing_to_a_full_day_is_refused_without_waiting_list(app):
    event = _summit(capacities=(1, 5, 5), waitlist=False)
    d1, d2, _ = _days(event)
    register(event, 1, sessions=[d1])
    me = register(event, 2, sessions=[d2]).registration
    with pytest.raises(session_choices.DayFull):
        session_choices.change(me, [d1, d2], now=utcnow())
    db.session.rollback()
    assert _statuses(me) == {d2: "confirmed"}
    assert invariants.breaches() == []


def test_a_registration_waiting_for_its_ticket_type_holds_no_day_until_promoted(app):
    event = create_event(sessions=2, capacity=1, choose_sessions=True)
    d1, d2 = _days(event)
    first = register(event, 1, sessions=[d1]).registration
    second = register(event, 2, sessions=[d1, d2]).registration
    assert second.status == "waitlisted"
    assert _statuses(second) == {d1: "pending", d2: "pending"}
    registrations.cancel(first, now=utcnow())
    db.session.commit()
    assert second.status == "confirmed"
    assert _statuses(second) == {d1: "confirmed", d2: "confirmed"}
    assert invariants.breaches() == []


def test_restore_chooses_the_days_again(app, create_organizer):
    staff = create_organizer()
    event = _summit(capacities=(1, 5, 5))
    d1, d2, _ = _days(event)
    reg = register(event, 1, sessions=[d1, d2]).registration
    registrations.cancel(reg, now=utcnow(), actor=staff)
    register(event, 2, sessions=[d1])
    registrations.restore(reg, now=utcnow(), actor=staff)
    db.session.commit()
    assert _statuses(reg) == {d1: "waitlisted", d2: "confirmed"}
    assert invariants.breaches() == []


def test_invariants_name_a_drifted_day_counter(app):
    event = _summit()
    d1 = _days(event)[0]
    register(event, 1, sessions=[d1])
    db.session.get(EventSession, d1).confirmed_count = 0
    db.session.commit()
    assert [b.rule for b in invariants.breaches()] == ["day_counter"]


def test_day_totals_per_day_and_person_days(app):
    event = _summit(capacities=(1, 5, 5))
    d1, d2, d3 = _days(event)
    register(event, 1, sessions=[d1, d2])
    register(event, 2, sessions=[d1, d2, d3])
    totals = session_choices.day_totals(event)
    assert [(d.confirmed, d.waitlisted) for d in totals.days] == [(1, 1), (2, 0), (1, 0)]
    assert totals.person_days_confirmed == 4 and totals.person_days_chosen == 5


def _concurrent(app, fn, n, workers):
    barrier = threading.Barrier(workers)

    def run(i):
        with app.app_context():
            if i < workers:
                barrier.wait()
            try:
                return fn(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.parametrize("waitlist", [False, True])
def test_threads_racing_for_the_last_seat_of_a_day(app, waitlist):
    event = _summit(capacities=(3, 100, 100), waitlist=waitlist)
    d1, d2, _ = _days(event)
    register(event, 1, sessions=[d1])
    register(event, 2, sessions=[d1, d2])  # one seat left on day 1
    event_id = event.id
    db.session.remove()

    def attempt(i):
        ev = db.session.get(Event, event_id)
        clean, errors = clean_registration(registration_data(ev, 1000 + i, sessions=[d1, d2]), questions=[],
                                           ticket_type_ids=[tt.id for tt in ev.ticket_types],
                                           session_ids=[s.id for s in ev.sessions])
        assert not errors
        try:
            registrations.register(ev, clean, now=utcnow())
            db.session.commit()
            return "ok"
        except session_choices.DayFull:
            db.session.rollback()
            return "full"

    outcomes = _concurrent(app, attempt, 12, workers=12)
    day1 = db.session.get(EventSession, d1)
    assert day1.confirmed_count == 3
    confirmed = db.session.scalar(select(func.count()).select_from(SessionChoice).where(
        SessionChoice.session_id == d1, SessionChoice.status == "confirmed"))
    assert confirmed == 3
    if waitlist:
        assert outcomes.count("ok") == 12
        assert db.session.get(EventSession, d2).confirmed_count == 13
    else:
        assert outcomes.count("ok") == 1 and outcomes.count("full") == 11
        assert db.session.get(EventSession, d2).confirmed_count == 2
    assert invariants.breaches() == []  # what `flask check` checks


def test_threads_cancelling_and_editing_days_never_oversell(app):
    event = _summit(capacities=(2, 2, 50))
    d1, d2, d3 = _days(event)
    holders = [register(event, n, sessions=[d1, d2]).registration.id for n in range(2)]
    others = [register(event, n, sessions=[d3]).registration.id for n in range(2, 10)]
    db.session.remove()

    def work(i):
        if i < 2:
            registrations.cancel(db.session.get(Registration, holders[i]), now=utcnow())
        else:
            session_choices.change(db.session.get(Registration, others[i - 2]), [d1, d2, d3], now=utcnow())
        db.session.commit()

    _concurrent(app, work, 10, workers=10)
    for day in (d1, d2):
        assert db.session.get(EventSession, day).confirmed_count == 2
    assert invariants.breaches() == []


def test_attendance_counts_expect_each_day_its_own_registrants(app, create_organizer):
    from app.services import attendance, attendance_counts

    staff = create_organizer()
    event = _summit(capacities=(None, None, None))
    d1, d2, d3 = _days(event)
    a = register(event, 1, sessions=[d1, d2]).registration
    register(event, 2, sessions=[d2])
    attendance.record(a.id, d1, method="door", now=utcnow(), actor=staff)
    db.session.commit()
    counts = attendance_counts.event_counts(event)
    by_day = {s.id: (s.confirmed, s.attended, s.no_shows) for s in counts.sessions}
    assert by_day == {d1: (1, 1, 0), d2: (2, 0, 2), d3: (0, 0, 0)}
    assert counts.confirmed == 2


def test_a_days_promotion_mail_given_up_before_it_is_sent_is_not_sent(app):
    from app.services import outbox

    event = _summit(capacities=(1, 5, 5))
    d1, d2, _ = _days(event)
    holder = register(event, 1, sessions=[d1]).registration
    waiting = register(event, 2, sessions=[d1, d2]).registration
    registrations.cancel(holder, now=utcnow())
    db.session.commit()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "promoted",
                                                          OutboxMessage.registration_id == waiting.id)).one()
    assert outbox.why_not_relevant(mail, waiting, utcnow()) is None
    session_choices.change(waiting, [d2], now=utcnow())  # gives the day up before delivery
    db.session.commit()
    assert outbox.why_not_relevant(mail, waiting, utcnow()) == "registration_changed"
