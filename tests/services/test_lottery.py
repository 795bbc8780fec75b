"""The lottery service: draw (locks, statuses, waiting list, mails, audit), verify, confirm, release, races."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain import lottery as rules
from app.extensions import db
from app.models import AuditLog, Event, LotteryDraw, OutboxMessage, Registration
from app.services import lottery, registrations
from app.services.errors import ServiceError
from tests.factories import create_event, register
from tests.races import assert_no_breach, while_holding


def lottery_event(capacity=3, applicants=6, *, close=True, prefectures=None, **fields):
    """A published lottery event with a committed seed and `applicants` applications; closed when `close`."""
    now = utcnow()
    event = create_event(capacity=capacity, admission_mode="lottery", commit=False, **fields)
    db.session.flush()
    lottery.commit_seed(event, now=now)
    db.session.commit()
    regs = []
    for i in range(applicants):
        overrides = {"prefecture": prefectures[i]} if prefectures else {}
        regs.append(register(event, **overrides).registration)
    if close:
        close_applications(event)
    return event, regs


def close_applications(event):
    event = db.session.get(Event, event.id)
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def _statuses(regs):
    db.session.expire_all()
    return {r.id: db.session.get(Registration, r.id).status for r in regs}


def test_a_seed_is_committed_once_and_its_hash_published(app):
    event = create_event(admission_mode="lottery", commit=False)
    db.session.flush()
    assert lottery.commit_seed(event, now=utcnow())
    seed, digest = event.lottery_seed, event.lottery_seed_hash
    assert rules.seed_hash(seed) == digest
    assert not lottery.commit_seed(event, now=utcnow())
    assert event.lottery_seed == seed
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "lottery.seed_committed")).data[
        "seed_hash"] == digest


def test_draw_fills_capacity_in_drawn_order_and_the_rest_are_lost(app):
    event, regs = lottery_event(capacity=3, applicants=6)
    [record] = lottery.draw(event, now=utcnow())
    db.session.commit()
    assert sorted(record.order) == sorted(r.id for r in regs)
    assert record.order == rules.draw_order(event.lottery_seed, [(r.id, 0) for r in regs])
    assert record.winners == record.order[:3]
    statuses = _statuses(regs)
    assert [statuses[i] for i in record.order] == ["confirmed"] * 3 + ["lost"] * 3
    assert db.session.get(Event, event.id).ticket_types[0].confirmed_count == 3
    kinds = {m.registration_id: m.kind for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind.like("lottery_%")))}
    assert [kinds[i] for i in record.order] == ["lottery_won"] * 3 + ["lottery_lost"] * 3
    actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions.count("lottery.drawn") == 1 and actions.count("registration.lottery_won") == 3
    assert_no_breach()


def test_losers_waitlisted_in_drawn_order_and_a_freed_seat_goes_to_the_next_drawn(app):
    event, regs = lottery_event(capacity=2, applicants=5, lottery_losers="waitlist")
    [record] = lottery.draw(event, now=utcnow())
    db.session.commit()
    rest = record.order[2:]
    seqs = [db.session.get(Registration, i).waitlist_seq for i in rest]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert [registrations.waitlist_position(db.session.get(Registration, i)) for i in rest] == [1, 2, 3]
    registrations.cancel(db.session.get(Registration, record.winners[0]), now=utcnow())
    db.session.commit()
    statuses = _statuses(regs)
    assert statuses[rest[0]] == "confirmed" and statuses[rest[1]] == "waitlisted"
    assert_no_breach()


def test_a_draw_cannot_run_twice_nor_while_applications_are_open(app):
    event, _regs = lottery_event(close=False)
    with pytest.raises(ServiceError) as info:
        lottery.draw(event, now=utcnow())
    assert info.value.code == "not_drawable"
    db.session.rollback()
    close_applications(event)
    lottery.draw(event, now=utcnow())
    db.session.commit()
    with pytest.raises(ServiceError) as info:
        lottery.draw(db.session.get(Event, event.id), now=utcnow())
    assert info.value.code == "already_drawn"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LotteryDraw)) == 1


def test_priority_group_is_drawn_first(app):
    prefectures = ["13", "04", "13", "02", "13", "07"]
    event, regs = lottery_event(capacity=3, applicants=6, prefectures=prefectures,
                                lottery_priority_prefectures=list(rules.TOHOKU))
    [record] = lottery.draw(event, now=utcnow())
    db.session.commit()
    tohoku = {r.id for r, p in zip(regs, prefectures, strict=True) if p != "13"}
    assert set(record.winners) == tohoku
    assert set(record.order[:3]) == tohoku


def test_one_winner_per_organisation(app):
    event, regs = lottery_event(capacity=5, applicants=4)
    # two applications of one organisation (as if registered before the rule, or under two spellings)
    for r in regs[:2]:
        r.organization_key = "same-org"
    db.session.commit()
    event = db.session.get(Event, event.id)
    event.one_per_organization = True
    db.session.commit()
    [record] = lottery.draw(event, now=utcnow())
    db.session.commit()
    statuses = _statuses(regs)
    pair = [statuses[regs[0].id], statuses[regs[1].id]]
    assert sorted(pair) == ["confirmed", "lost"]
    assert len(record.winners) == 3


def test_verify_reproduces_and_detects_tampering(app, runner):
    event, _regs = lottery_event(capacity=2, applicants=5)
    lottery.draw(event, now=utcnow())
    db.session.commit()
    result = runner.invoke(args=["lottery", "verify", str(event.id)])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output
    record = db.session.scalar(select(LotteryDraw))
    record.order = list(reversed(record.order))
    db.session.commit()
    result = runner.invoke(args=["lottery", "verify", str(event.id)])
    assert result.exit_code == 1
    assert "another order" in result.output
    check = runner.invoke(args=["check"])
    assert check.exit_code == 1 and "[lottery]" in check.output


def test_verify_detects_a_seed_that_does_not_match_its_commitment(app, runner):
    event, _regs = lottery_event(capacity=2, applicants=3)
    lottery.draw(event, now=utcnow())
    db.session.commit()
    record = db.session.scalar(select(LotteryDraw))
    record.seed = rules.new_seed()
    record.order = rules.draw_order(record.seed, record.applicants)
    db.session.commit()
    assert runner.invoke(args=["lottery", "verify", str(event.id)]).exit_code == 1


def test_cli_draw(app, runner):
    event, regs = lottery_event(capacity=1, applicants=3)
    result = runner.invoke(args=["lottery", "draw", str(event.id)])
    assert result.exit_code == 0, result.output
    assert "seed" in result.output
    assert runner.invoke(args=["lottery", "draw", str(event.id)]).exit_code != 0
    assert runner.invoke(args=["check"]).exit_code == 0


def test_the_jobs_draw_at_the_draw_time(app):
    from app import jobs

    event, regs = lottery_event(capacity=2, applicants=4)
    event = db.session.get(Event, event.id)
    event.lottery_draw_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert jobs.lottery_pass(utcnow()) == (0, 0)
    assert jobs.lottery_pass(utcnow() + timedelta(hours=2)) == (1, 0)
    assert sorted(_statuses(regs).values()) == ["confirmed", "confirmed", "lost", "lost"]
    assert jobs.lottery_pass(utcnow() + timedelta(hours=3)) == (0, 0)


def test_winner_confirms_in_time_or_the_seat_passes_on(app):
    from app import jobs

    event, regs = lottery_event(capacity=2, applicants=4, lottery_losers="waitlist", lottery_confirm_days=3)
    now = utcnow()
    [record] = lottery.draw(event, now=now)
    db.session.commit()
    first, second = (db.session.get(Registration, i) for i in record.winners)
    assert first.confirm_by == now + timedelta(days=3)
    lottery.accept(first, now=now + timedelta(days=1))
    db.session.commit()
    assert db.session.get(Registration, first.id).confirm_by is None
    later = now + timedelta(days=4)
    with pytest.raises(ServiceError):
        lottery.accept(db.session.get(Registration, second.id), now=later)
    db.session.rollback()
    assert jobs.lottery_pass(later) == (0, 1)
    statuses = _statuses(regs)
    assert statuses[first.id] == "confirmed"
    assert statuses[second.id] == "cancelled"
    assert statuses[record.order[2]] == "confirmed"  # the next drawn
    promoted = db.session.get(Registration, record.order[2])
    assert promoted.confirm_by == later + timedelta(days=3)
    assert db.session.scalar(select(OutboxMessage.kind).where(OutboxMessage.registration_id == second.id,
                                                              OutboxMessage.kind == "lottery_released"))
    assert_no_breach()


def test_a_draw_racing_a_cancellation_never_oversells(app):
    event, regs = lottery_event(capacity=2, applicants=4, lottery_losers="waitlist")

    def draw():
        return lottery.draw(db.session.get(Event, event.id), now=utcnow())

    def cancel():
        registrations.cancel(db.session.get(Registration, regs[0].id), now=utcnow())

    first, second = while_holding(app, draw, cancel)
    assert first.error is None and second.error is None
    tt = db.session.get(Event, event.id).ticket_types[0]
    assert tt.confirmed_count == 2
    assert_no_breach()


def test_a_cancellation_racing_a_draw(app):
    event, regs = lottery_event(capacity=2, applicants=4, lottery_losers="waitlist")

    def draw():
        return lottery.draw(db.session.get(Event, event.id), now=utcnow())

    def cancel():
        registrations.cancel(db.session.get(Registration, regs[1].id), now=utcnow())

    first, second = while_holding(app, cancel, draw)
    assert first.error is None and second.error is None
    assert db.session.get(Registration, regs[1].id).status == "cancelled"
    assert regs[1].id not in db.session.scalar(select(LotteryDraw)).order
    assert db.session.get(Event, event.id).ticket_types[0].confirmed_count == 2
    assert_no_breach()


def test_a_registration_racing_a_draw_is_refused_or_drawn(app):
    from app.services.registrations import RegistrationClosed

    event, regs = lottery_event(capacity=2, applicants=3)

    def reopen_and_register():
        return register(db.session.get(Event, event.id), 900, commit=False).registration.id

    def draw():
        return lottery.draw(db.session.get(Event, event.id), now=utcnow())

    # applications closed: a late registration is refused, whatever the order
    first, second = while_holding(app, draw, reopen_and_register)
    assert first.error is None
    assert isinstance(second.error, RegistrationClosed)
    assert db.session.get(Event, event.id).ticket_types[0].confirmed_count == 2
    assert_no_breach()


def test_a_draw_among_many_cancellations_and_late_registrations_never_oversells(app):
    """Threads cancel applicants and try to register while the draw runs; then `flask check`."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    event, regs = lottery_event(capacity=4, applicants=12, lottery_losers="waitlist")
    event_id, ids = event.id, [r.id for r in regs]
    rng = random.Random(20261130)
    to_cancel = rng.sample(ids, 6)
    db.session.rollback()

    def run(op):
        kind, value = op
        with app.app_context():
            try:
                if kind == "draw":
                    lottery.draw(db.session.get(Event, event_id), now=utcnow())
                elif kind == "cancel":
                    registrations.cancel(db.session.get(Registration, value), now=utcnow())
                else:
                    register(db.session.get(Event, event_id), value, commit=False)
                db.session.commit()
                return kind, "ok"
            except ServiceError as exc:
                db.session.rollback()
                return kind, exc.code
            finally:
                db.session.remove()

    ops = [("cancel", i) for i in to_cancel] + [("register", 700 + n) for n in range(3)]
    rng.shuffle(ops)
    ops.insert(rng.randrange(len(ops)), ("draw", None))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, ops))
    assert ("draw", "ok") in results
    assert all(code == "ended" for kind, code in results if kind == "register")
    db.session.expire_all()
    tt = db.session.get(Event, event_id).ticket_types[0]
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.ticket_type_id == tt.id, Registration.status == "confirmed"))
    assert confirmed == tt.confirmed_count == 4  # 6 left of 12: the seats are all taken, never more
    assert_no_breach()


def test_after_the_draw_the_organizer_may_open_the_seats_left_first_come(app, create_organizer):
    from app.services import events as event_service
    from app.services.errors import ValidationError

    organizer = create_organizer()
    event, regs = lottery_event(capacity=3, applicants=4, lottery_losers="waitlist")
    with pytest.raises(ValidationError) as info:
        event_service.update_event(db.session.get(Event, event.id), {"lottery_first_come": True}, organizer,
                                   utcnow())
    assert "lottery_first_come" in info.value.errors
    db.session.rollback()
    with pytest.raises(registrations.RegistrationClosed):
        register(db.session.get(Event, event.id), 800)
    db.session.rollback()
    [record] = lottery.draw(db.session.get(Event, event.id), now=utcnow())
    db.session.commit()
    event_service.update_event(db.session.get(Event, event.id), {"lottery_first_come": True}, organizer, utcnow())
    db.session.commit()
    # someone still waits (the 4th drawn): a freed seat is theirs, a newcomer queues behind them
    registrations.cancel(db.session.get(Registration, record.winners[0]), now=utcnow())
    db.session.commit()
    assert db.session.get(Registration, record.order[3]).status == "confirmed"
    newcomer = register(db.session.get(Event, event.id), 801).registration
    assert newcomer.status == "waitlisted"
    registrations.cancel(db.session.get(Registration, record.winners[1]), now=utcnow())
    db.session.commit()
    assert db.session.get(Registration, newcomer.id).status == "confirmed"
    registrations.cancel(db.session.get(Registration, record.winners[2]), now=utcnow())
    db.session.commit()
    late = register(db.session.get(Event, event.id), 802).registration  # nobody waits, a seat is free
    assert late.status == "confirmed"
    assert_no_breach()


def test_a_registration_restored_after_the_draw_joins_the_end_of_the_drawn_line(app, create_organizer):
    organizer = create_organizer()
    event, regs = lottery_event(capacity=1, applicants=3, lottery_losers="waitlist")
    registrations.cancel(db.session.get(Registration, regs[0].id), now=utcnow())
    db.session.commit()
    [record] = lottery.draw(db.session.get(Event, event.id), now=utcnow())
    db.session.commit()
    restored = registrations.restore(db.session.get(Registration, regs[0].id), now=utcnow(), actor=organizer)
    db.session.commit()
    assert restored.status == "waitlisted"
    assert registrations.waitlist_position(restored) == 2  # behind the one drawn second
    assert_no_breach()
