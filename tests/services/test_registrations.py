"""The registration service: admission, waiting list, cancellation, moves, concurrency."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.registration_input import clean_registration
from app.extensions import db
from app.models import AuditLog, Event, OutboxMessage, Registration, TicketType
from app.services import outbox, registrations
from app.services.errors import ServiceError
from tests.factories import register, registration_data
from tests.races import assert_no_breach


def _outbox(kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt).all()


def test_first_come_confirms_then_waitlists(app, create_event):
    event = create_event(capacity=2, waitlist_enabled=True)
    results = [register(event, n) for n in range(4)]
    assert [r.registration.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert event.ticket_types[0].confirmed_count == 2
    assert [registrations.waitlist_position(r.registration) for r in results] == [None, None, 1, 2]
    assert [m.kind for m in _outbox()] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert all(m.to_email == r.registration.email for m, r in zip(_outbox(), results, strict=True))


def test_full_without_waiting_list_is_refused(app, create_event):
    event = create_event(capacity=1, waitlist_enabled=False)
    register(event, 1)
    with pytest.raises(registrations.Full):
        register(event, 2)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


@pytest.mark.parametrize("status,code", [("draft", "not_published"), ("cancelled", "cancelled"),
                                         ("postponed", "postponed"), ("closed", "ended")])
def test_closed_events_refuse(app, create_event, status, code):
    event = create_event(status=status)
    with pytest.raises(registrations.RegistrationClosed) as info:
        register(event)
    assert info.value.code == code


def test_not_yet_open_and_ended(app, create_event):
    now = utcnow()
    event = create_event(registration_opens_at=now + timedelta(days=1))
    with pytest.raises(registrations.RegistrationClosed) as info:
        register(event)
    assert info.value.code == "not_yet_open"
    event2 = create_event(registration_closes_at=now - timedelta(minutes=1))
    with pytest.raises(registrations.RegistrationClosed) as info:
        register(event2)
    assert info.value.code == "ended"


def test_same_email_twice_resends_the_link_and_creates_nothing(app, create_event):
    event = create_event()
    first = register(event, 1, email="Same@Example.jp")
    second = register(event, 2, email="same@example.jp")
    assert second.created is False
    assert second.registration.id == first.registration.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    [resent] = _outbox("manage_link")
    assert resent.to_email == "Same@example.jp"
    assert first.registration.manage_token in outbox.text_as_sent(resent)  # filled in at delivery


def test_after_cancelling_the_same_email_may_register_again(app, create_event):
    event = create_event()
    first = register(event, 1, email="again@example.jp")
    registrations.cancel(first.registration, now=utcnow())
    db.session.commit()
    second = register(event, 2, email="again@example.jp")
    assert second.created and second.registration.id != first.registration.id


def test_one_per_organisation(app, create_event):
    event = create_event(one_per_organization=True)
    register(event, 1, organization="株式会社 東北テック")
    with pytest.raises(registrations.OrganizationTaken):
        register(event, 2, organization="㈱東北テック")
    other_event = create_event(one_per_organization=False)
    register(other_event, 3, organization="株式会社 東北テック")
    register(other_event, 4, organization="㈱東北テック")


def test_cancel_promotes_first_in_line_and_mails_them(app, create_event):
    event = create_event(capacity=1)
    a = register(event, 1).registration
    b = register(event, 2).registration
    c = register(event, 3).registration
    registrations.cancel(a, now=utcnow())
    db.session.commit()
    assert (a.status, b.status, c.status) == ("cancelled", "confirmed", "waitlisted")
    assert registrations.waitlist_position(c) == 1
    assert event.ticket_types[0].confirmed_count == 1
    assert [m.to_email for m in _outbox("promoted")] == [b.email]
    assert [m.to_email for m in _outbox("cancelled")] == [a.email]
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "registration.cancelled" in actions and "registration.promoted" in actions


def test_cancelling_twice_is_refused(app, create_event):
    event = create_event()
    reg = register(event).registration
    registrations.cancel(reg, now=utcnow())
    with pytest.raises(ServiceError):
        registrations.cancel(reg, now=utcnow())


def test_raising_capacity_promotes(app, create_event):
    event = create_event(capacity=1)
    register(event, 1)
    waiting = [register(event, n).registration for n in (2, 3, 4)]
    tt = event.ticket_types[0]
    tt.capacity = 3
    registrations.promote_waitlist(tt, now=utcnow())
    db.session.commit()
    assert [r.status for r in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert tt.confirmed_count == 3


def test_move_within_capacity_and_with_override(app, create_event, create_organizer):
    staff = create_organizer()
    event = create_event(ticket_types=[("SIer", 1), ("ユーザー企業", 1)], waitlist_enabled=True)
    sier, user = event.ticket_types
    a = register(event, 1, ticket_type_id=sier.id).registration
    b = register(event, 2, ticket_type_id=user.id).registration
    w = register(event, 3, ticket_type_id=sier.id).registration  # waits for SIer
    with pytest.raises(registrations.Full):
        registrations.move(a, user, now=utcnow(), actor=staff)
    db.session.rollback()
    registrations.move(a, user, now=utcnow(), actor=staff, override=True)
    db.session.commit()
    assert a.ticket_type_id == user.id and a.capacity_override
    assert (sier.confirmed_count, user.confirmed_count) == (1, 2)
    assert w.status == "confirmed"  # took the seat a left
    assert b.status == "confirmed"
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.moved")).one()
    assert log.data["override"] is True and log.actor_id == staff.id


def test_restore(app, create_event, create_organizer):
    staff = create_organizer()
    event = create_event(capacity=1)
    a = register(event, 1).registration
    registrations.cancel(a, now=utcnow(), actor=staff)
    b = register(event, 2).registration
    registrations.restore(a, now=utcnow(), actor=staff)
    db.session.commit()
    assert (a.status, b.status) == ("waitlisted", "confirmed")


def test_lottery_and_approval_modes(app, create_event):
    lottery = create_event(capacity=1, admission_mode="lottery")
    approval = create_event(capacity=1, admission_mode="approval")
    assert [register(lottery, n).registration.status for n in (1, 2)] == ["applied", "applied"]
    assert register(approval, 3).registration.status == "pending"
    assert lottery.ticket_types[0].confirmed_count == 0


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


def test_fifty_simultaneous_registrations_for_ten_seats(app, create_event):
    event = create_event(capacity=10, waitlist_enabled=False)
    event_id = event.id
    db.session.remove()

    def attempt(i):
        ev = db.session.get(Event, event_id)
        clean, errors = clean_registration(registration_data(ev, 1000 + i), questions=[],
                                           ticket_type_ids=[tt.id for tt in ev.ticket_types])
        try:
            registrations.register(ev, clean, now=utcnow())
            db.session.commit()
            return "ok"
        except registrations.Full:
            db.session.rollback()
            return "full"

    outcomes = _concurrent(app, attempt, 50, workers=16)
    assert outcomes.count("ok") == 10 and outcomes.count("full") == 40
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(Registration.status == "confirmed"))
    assert confirmed == 10
    assert db.session.scalar(select(TicketType.confirmed_count).where(TicketType.event_id == event_id)) == 10
    assert_no_breach()  # what `flask check` checks


def test_concurrent_cancellations_and_registrations_never_oversell_or_double_promote(app, create_event):
    event = create_event(capacity=5, waitlist_enabled=True)
    confirmed = [register(event, n).registration.id for n in range(5)]
    waiting = [register(event, n).registration.id for n in range(5, 10)]
    event_id = event.id
    db.session.remove()

    def work(i):
        if i < 5:
            reg = db.session.get(Registration, confirmed[i])
            registrations.cancel(reg, now=utcnow())
        else:
            ev = db.session.get(Event, event_id)
            clean, _ = clean_registration(registration_data(ev, 100 + i), questions=[],
                                          ticket_type_ids=[tt.id for tt in ev.ticket_types])
            registrations.register(ev, clean, now=utcnow())
        db.session.commit()

    _concurrent(app, work, 15, workers=15)
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
    statuses = {r.id: r.status for r in rows}
    assert sum(1 for s in statuses.values() if s == "confirmed") == 5
    assert all(statuses[i] == "confirmed" for i in waiting)  # the 5 waiting were promoted, in order
    promoted_mails = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "promoted"))
    assert promoted_mails == 5
    assert db.session.scalar(select(TicketType.confirmed_count).where(TicketType.event_id == event_id)) == 5
    assert_no_breach()  # what `flask check` checks


def test_a_stale_look_never_gives_a_seat_and_leaves_nothing_behind(app, create_event, monkeypatch):
    """The optimistic path believes a seat is free (stale read); the claim fails and the locked path decides."""
    event = create_event(capacity=1, waitlist_enabled=True)
    register(event, 1)
    monkeypatch.setattr(registrations, "probe", lambda tt_id, email: registrations.Probe(1, 0, None))
    late = register(event, 2).registration
    assert late.status == "waitlisted"
    assert event.ticket_types[0].confirmed_count == 1
    assert [m.kind for m in _outbox()] == ["confirmed", "waitlisted"]  # the rolled-back confirmed mail is gone
    created = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.created")).all()
    assert [a.data["status"] for a in created] == ["confirmed", "waitlisted"]


def test_snapshot_refuses_only_a_new_email_on_a_full_first_come_event_without_waiting_list(app, create_event):
    full = create_event(capacity=1, waitlist_enabled=False)
    register(full, 1, email="first@example.jp")

    def refusal(ev, email, ticket_type_id=None):
        snap = registrations.snapshot(ev.id, email)
        assert snap.ticket_types == {t.id: (t.capacity, t.confirmed_count) for t in ev.ticket_types}
        return snap.refusal(ticket_type_id)

    assert isinstance(refusal(full, "new@example.jp"), registrations.Full)
    assert isinstance(refusal(full, "new@example.jp", str(full.ticket_types[0].id)), registrations.Full)
    assert refusal(full, "new@example.jp", "not-a-number") is None  # left to validation
    # an already registered email is not refused: register() re-sends its link
    assert refusal(full, "first@example.jp") is None
    waitlist = create_event(capacity=1, waitlist_enabled=True)
    register(waitlist, 2)
    assert refusal(waitlist, "new@example.jp") is None
    assert registrations.snapshot(999_999, "x@example.jp") is None
    snap = registrations.snapshot(full.id, "new@example.jp")
    assert snap.window(utcnow()).is_open and snap.has_questions is False
