"""承認制: approving and rejecting pending registrations (issue 10): seats, waiting list, mails, audit, races."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import jobs
from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog, OutboxMessage, Registration, TicketType
from app.services import outbox, registrations
from app.services.errors import ServiceError
from tests.concurrency import fire_at_once
from tests.factories import register
from tests.races import assert_no_breach, while_holding
from tests.services.test_outbox import FakeSMTP


def _mails(kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).all()


def _pending(event, n):
    regs = [register(event, 100 + i).registration for i in range(n)]
    assert {r.status for r in regs} == {"pending"}
    return regs


def _reg(reg_id):
    return db.session.get(Registration, reg_id, populate_existing=True)


def _tt(tt_id):
    return db.session.get(TicketType, tt_id, populate_existing=True)


def test_approving_claims_a_seat_and_mails_the_message(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    [a] = _pending(event, 1)
    assert event.ticket_types[0].confirmed_count == 0  # pending holds no seat
    registrations.approve(a, now=utcnow(), actor=staff, message="会場は2階です。")
    db.session.commit()
    assert _reg(a.id).status == "confirmed" and _reg(a.id).confirmed_at is not None
    assert _tt(event.ticket_types[0].id).confirmed_count == 1
    [mail] = _mails("approved")
    assert mail.to_email == a.email
    assert "承認しました" in mail.body_text and "会場は2階です。" in mail.body_text
    assert "会場は2階です。" in mail.body_html
    assert mail.attachments  # the calendar file, like a confirmation
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.approved")).all()
    assert entry.actor_id == staff.id and entry.data == {"status": "confirmed", "message": "会場は2階です。"}
    assert_no_breach()


def test_rejecting_mails_and_audits_and_frees_the_email(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    [a] = _pending(event, 1)
    registrations.reject(a, now=utcnow(), actor=staff, message="今回は対象外です。")
    db.session.commit()
    assert _reg(a.id).status == "rejected"
    assert _tt(event.ticket_types[0].id).confirmed_count == 0
    [mail] = _mails("rejected")
    assert "お受けできませんでした" in mail.body_text and "今回は対象外です。" in mail.body_text
    assert db.session.scalar(select(AuditLog.data).where(AuditLog.action == "registration.rejected")) == {
        "message": "今回は対象外です。"}
    # No longer active: the same address may apply again.
    again = register(event, 100)
    assert again.created and again.registration.status == "pending"


def test_only_a_pending_registration_is_decided(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    [a] = _pending(event, 1)
    registrations.approve(a, now=utcnow(), actor=staff)
    db.session.commit()
    for decide in (registrations.approve, registrations.reject):
        with pytest.raises(registrations.NotPending):
            decide(_reg(a.id), now=utcnow(), actor=staff)
        db.session.rollback()


def test_approving_past_capacity_is_refused_by_default(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=1, admission_mode="approval")
    a, b = _pending(event, 2)
    registrations.approve(a, now=utcnow(), actor=staff)
    db.session.commit()
    with pytest.raises(registrations.Full):
        registrations.approve(b, now=utcnow(), actor=staff)
    db.session.rollback()
    assert _reg(b.id).status == "pending"
    assert _mails("approved") and not _mails("waitlisted")
    assert_no_breach()


def test_approving_past_capacity_waitlists_when_the_event_says_so_and_a_freed_seat_promotes(
        app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=1, admission_mode="approval", approval_overflow="waitlist")
    a, b, c = _pending(event, 3)
    registrations.approve(a, now=utcnow(), actor=staff)
    registrations.approve(b, now=utcnow(), actor=staff, message="空き次第ご案内します。")
    db.session.commit()
    assert _reg(b.id).status == "waitlisted" and registrations.waitlist_position(_reg(b.id)) == 1
    [told] = _mails("waitlisted")
    assert "承認しましたが、満席" in told.body_text and "空き次第ご案内します。" in told.body_text
    # A seat frees: the approved registrant in line takes it (before any later approval).
    registrations.cancel(_reg(a.id), now=utcnow(), actor=staff)
    db.session.commit()
    assert _reg(b.id).status == "confirmed"
    assert [m.registration_id for m in _mails("promoted")] == [b.id]
    registrations.approve(c, now=utcnow(), actor=staff)
    db.session.commit()
    assert _reg(c.id).status == "waitlisted"  # the seat is b's
    assert_no_breach()


def test_approving_in_a_cancelled_event_is_refused(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=5, admission_mode="approval")
    [a] = _pending(event, 1)
    event.status = "postponed"
    db.session.commit()
    with pytest.raises(ServiceError) as info:
        registrations.approve(a, now=utcnow(), actor=staff)
    assert info.value.code == "event_not_live"
    db.session.rollback()
    registrations.reject(_reg(a.id), now=utcnow(), actor=staff)  # rejecting is still possible
    db.session.commit()


def test_a_decision_mail_is_superseded_when_the_decision_no_longer_holds(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    [a] = _pending(event, 1)
    registrations.approve(a, now=utcnow(), actor=staff)
    db.session.commit()
    registrations.cancel(_reg(a.id), now=utcnow(), actor=staff)
    db.session.commit()
    jobs.deliver_due(connect=FakeSMTP())
    [approved] = _mails("approved")
    assert approved.status == "superseded"


def test_the_message_is_sent_to_the_registrant_at_delivery(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    [a] = _pending(event, 1)
    registrations.approve(a, now=utcnow(), actor=staff, message="お待ちしています。")
    db.session.commit()
    [approved] = _mails("approved")
    assert "お待ちしています。" in outbox.text_as_sent(approved)


def test_a_too_long_message_is_refused(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    [a] = _pending(event, 1)
    with pytest.raises(ServiceError) as info:
        registrations.approve(a, now=utcnow(), actor=staff, message="あ" * 1001)
    assert info.value.code == "message_too_long"


def test_bulk_approve_and_reject_give_each_row_its_outcome(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=2, admission_mode="approval")
    regs = _pending(event, 4)
    ids = [r.id for r in regs]
    outcomes = registrations.approve_many(event.id, ids[:3], now=utcnow(), actor=staff, message="ようこそ")
    assert [(o.done, o.code) for o in outcomes] == [(True, "confirmed"), (True, "confirmed"), (False, "full")]
    outcomes = registrations.reject_many(event.id, ids[2:] + [999999], now=utcnow(), actor=staff, message="満席")
    assert [(o.done, o.code) for o in outcomes] == [(True, "rejected"), (True, "rejected"), (False, "not_found")]
    assert [_reg(i).status for i in ids] == ["confirmed", "confirmed", "rejected", "rejected"]
    assert len(_mails("approved")) == 2 and len(_mails("rejected")) == 2
    assert_no_breach()


def test_pending_since_lists_the_old_ones(app, create_event):
    now = utcnow()
    event = create_event(capacity=10, admission_mode="approval", registration_opens_at=now - timedelta(days=10))
    old = register(event, 1, now=now - timedelta(days=5)).registration
    register(event, 2, now=now - timedelta(days=1))
    assert [r.id for r in registrations.pending_since(event.id, before=now - timedelta(days=3))] == [old.id]


def test_an_approval_racing_the_registrants_cancellation(app, create_event):
    event = create_event(capacity=1, admission_mode="approval")
    [a] = _pending(event, 1)
    a_id = a.id
    held, other = while_holding(
        app,
        lambda: registrations.cancel(_reg(a_id), now=utcnow()),
        lambda: registrations.approve(db.session.get(Registration, a_id), now=utcnow(), actor=None),
    )
    assert held.error is None
    assert isinstance(other.error, registrations.NotPending)  # decided on the re-read row
    assert _tt(event.ticket_types[0].id).confirmed_count == 0
    assert_no_breach()


def test_two_approvals_of_the_last_seat_at_once_confirm_one(app, create_organizer, create_event):
    staff = create_organizer()
    event = create_event(capacity=1, admission_mode="approval")
    a, b = _pending(event, 2)
    a_id, b_id, staff_id = a.id, b.id, staff.id
    held, other = while_holding(
        app,
        lambda: registrations.approve(_reg(a_id), now=utcnow(), actor=staff),
        lambda: registrations.approve(db.session.get(Registration, b_id), now=utcnow(), actor=None),
    )
    assert held.error is None and isinstance(other.error, registrations.Full)
    assert staff_id
    assert _tt(event.ticket_types[0].id).confirmed_count == 1
    assert_no_breach()


SEATS = 5
PENDING = 24
THREADS = 8


def test_many_concurrent_approvals_never_oversell(app, create_event):
    """Threads approve more pending registrations than there are seats: exactly the seats are given."""
    event = create_event(capacity=SEATS, admission_mode="approval")
    ids = [r.id for r in _pending(event, PENDING)]
    event_id, tt_id = event.id, event.ticket_types[0].id
    db.session.rollback()

    def approve(reg_id):
        with app.app_context():
            try:
                registrations.approve(db.session.get(Registration, reg_id), now=utcnow(), actor=None)
                db.session.commit()
                return "confirmed"
            except ServiceError as exc:
                db.session.rollback()
                return exc.code
            finally:
                db.session.remove()

    answers = fire_at_once(approve, ids, THREADS)
    assert sorted(answers).count("confirmed") == SEATS
    assert sorted(answers).count("full") == PENDING - SEATS
    db.session.expire_all()
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == "confirmed"))
    assert confirmed == SEATS == _tt(tt_id).confirmed_count
    assert len(_mails("approved")) == SEATS
    db.session.rollback()
    assert_no_breach()  # what `flask check` checks


def test_many_concurrent_approvals_with_waitlisting_give_distinct_places(app, create_event):
    event = create_event(capacity=SEATS, admission_mode="approval", approval_overflow="waitlist")
    ids = [r.id for r in _pending(event, PENDING)]
    tt_id = event.ticket_types[0].id
    db.session.rollback()

    def approve(reg_id):
        with app.app_context():
            try:
                status = registrations.approve(db.session.get(Registration, reg_id), now=utcnow(), actor=None).status
                db.session.commit()
                return status
            finally:
                db.session.remove()

    answers = fire_at_once(approve, ids, THREADS)
    assert answers.count("confirmed") == SEATS and answers.count("waitlisted") == PENDING - SEATS
    assert _tt(tt_id).confirmed_count == SEATS
    db.session.rollback()
    assert_no_breach()
