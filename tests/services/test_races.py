"""Pairs of operations racing on one registration or event, in the interleaving that used to break them.

Each race ends with `invariants.breaches() == []` (what `flask check` runs).
On PostgreSQL the second operation loads its objects before the first commits
(the stale read that broke move, restore and cancel); see tests/races.py.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage, Registration, TicketType
from app.services import events as event_service
from app.services import invariants, registrations
from app.services.errors import ServiceError
from tests import factories
from tests.races import assert_no_breach, while_holding


def _reg(reg_id: int) -> Registration:
    return db.session.get(Registration, reg_id)


def _tt(tt_id: int) -> TicketType:
    return db.session.get(TicketType, tt_id)


def _two_ticket_types(capacity_a=3, capacity_b=3, confirmed_a=3, confirmed_b=2):
    event = factories.create_event(ticket_types=[("会場", capacity_a), ("オンライン", capacity_b)])
    a, b = (tt.id for tt in event.ticket_types)
    regs_a = [factories.register(event, ticket_type_id=a).registration.id for _ in range(confirmed_a)]
    regs_b = [factories.register(event, ticket_type_id=b).registration.id for _ in range(confirmed_b)]
    return event.id, a, b, regs_a, regs_b


def test_two_moves_of_one_registrant_at_once(app, create_organizer):
    staff = create_organizer()
    staff_id = staff.id
    _event_id, a, b, regs_a, _ = _two_ticket_types(capacity_b=4, confirmed_b=2)
    moved = regs_a[0]

    def move():
        return registrations.move(_reg(moved), _tt(b), now=utcnow(), actor=db.session.get(type(staff), staff_id))

    first, second = while_holding(app, move, move)
    assert first.error is None and second.error is None
    assert _reg(moved).ticket_type_id == b
    assert _tt(a).confirmed_count == 2 and _tt(b).confirmed_count == 3
    assert_no_breach()


def test_a_move_racing_the_registrants_own_cancellation(app, create_organizer):
    staff_id = create_organizer().id
    _event_id, a, b, regs_a, _ = _two_ticket_types(capacity_b=3, confirmed_b=2)
    target = regs_a[0]
    from app.models import Organizer

    first, second = while_holding(
        app,
        lambda: registrations.move(_reg(target), _tt(b), now=utcnow(), actor=db.session.get(Organizer, staff_id)),
        lambda: registrations.cancel(_reg(target), now=utcnow()),
    )
    assert first.error is None and second.error is None
    assert _reg(target).status == "cancelled"
    assert _tt(a).confirmed_count == 2 and _tt(b).confirmed_count == 2
    assert_no_breach()
    # and later cancellations still work (the counters did not drift)
    for reg_id in regs_a[1:]:
        registrations.cancel(_reg(reg_id), now=utcnow())
    db.session.commit()
    assert_no_breach()


def test_two_restores_at_once_confirm_once(app, create_organizer):
    from app.models import Organizer

    staff_id = create_organizer().id
    event = factories.create_event(capacity=2)
    reg_id = factories.register(event).registration.id
    registrations.cancel(_reg(reg_id), now=utcnow())
    db.session.commit()

    def restore():
        return registrations.restore(_reg(reg_id), now=utcnow(), actor=db.session.get(Organizer, staff_id))

    first, second = while_holding(app, restore, restore)
    assert first.error is None
    assert isinstance(second.error, ServiceError) and second.error.code == "not_cancelled"
    assert _tt(event.ticket_types[0].id).confirmed_count == 1
    assert_no_breach()


def test_a_registration_racing_the_events_cancellation_is_refused_or_told(app, create_organizer):
    staff_id = create_organizer().id
    event = factories.create_event(capacity=10)
    event_id = event.id
    data = factories.registration_data(event, 4242)
    from app.domain.registration_input import clean_registration
    from app.models import Organizer

    clean, errors = clean_registration(data, questions=[], ticket_type_ids=[tt.id for tt in event.ticket_types])
    assert not errors

    def register():
        ev = db.session.get(Event, event_id)  # loaded (published) before the cancellation commits
        _ = ev.ticket_types, ev.sessions
        return registrations.register(ev, clean, now=utcnow())

    first, second = while_holding(
        app,
        lambda: event_service.cancel(db.session.get(Event, event_id), "台風のため", db.session.get(Organizer, staff_id),
                                     utcnow()),
        register,
    )
    assert first.error is None
    assert isinstance(second.error, registrations.RegistrationClosed), second.error
    assert db.session.scalar(select(Registration.id).where(Registration.event_id == event_id)) is None
    assert_no_breach()


def test_simultaneous_waitlisting_hands_out_distinct_places(app):
    event_id = factories.create_event(capacity=1).id
    factories.register(db.session.get(Event, event_id))

    def register(n):
        return lambda: factories.register(db.session.get(Event, event_id), n, commit=False).registration.id

    first, second = while_holding(app, register(501), register(502))
    assert first.error is None and second.error is None
    a, b = _reg(first.value), _reg(second.value)
    assert {a.status, b.status} == {"waitlisted"}
    assert registrations.waitlist_position(a) == 1 and registrations.waitlist_position(b) == 2
    assert_no_breach()


def test_nobody_is_confirmed_by_first_come_while_someone_waits(app, create_organizer):
    """A waitlisted registrant moved into a 参加枠 with free seats is confirmed there, not left waiting."""
    staff = create_organizer()
    event = factories.create_event(ticket_types=[("会場", 1), ("オンライン", 5)])
    a, b = (tt.id for tt in event.ticket_types)
    factories.register(event, ticket_type_id=a)
    waiting = factories.register(event, ticket_type_id=a).registration
    assert waiting.status == "waitlisted"
    registrations.move(waiting, _tt(b), now=utcnow(), actor=staff)
    db.session.commit()
    assert waiting.status == "confirmed" and waiting.ticket_type_id == b
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.registration_id == waiting.id,
                                                            OutboxMessage.kind == "promoted"))
    newcomer = factories.register(event, ticket_type_id=b).registration
    assert newcomer.status == "confirmed"
    assert_no_breach()


def test_cancelling_a_seat_of_a_cancelled_or_postponed_event_promotes_nobody(app, create_organizer):
    staff = create_organizer()
    for change in (event_service.cancel, event_service.postpone):
        event = factories.create_event(capacity=1)
        holder = factories.register(event).registration
        waiting = factories.register(event).registration
        change(event, "会場の都合", staff, utcnow())
        db.session.commit()
        registrations.cancel(holder, now=utcnow())
        db.session.commit()
        assert waiting.status == "waitlisted"
        assert not db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "promoted"))
    assert_no_breach()


def test_republishing_a_postponed_event_promotes_into_seats_freed_meanwhile(app, create_organizer):
    staff = create_organizer()
    event = factories.create_event(capacity=1)
    holder = factories.register(event).registration
    waiting = factories.register(event).registration
    event_service.postpone(event, "講師の都合", staff, utcnow())
    registrations.cancel(holder, now=utcnow())
    db.session.commit()
    assert waiting.status == "waitlisted"
    event_service.publish(event, staff, utcnow())
    db.session.commit()
    assert waiting.status == "confirmed"
    assert_no_breach()


def test_restore_in_a_cancelled_event_is_refused_and_mails_nothing(app, create_organizer):
    staff = create_organizer()
    event = factories.create_event(capacity=5)
    reg = factories.register(event).registration
    registrations.cancel(reg, now=utcnow())
    event_service.cancel(event, "中止", staff, utcnow())
    db.session.commit()
    before = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    with pytest.raises(ServiceError) as info:
        registrations.restore(reg, now=utcnow(), actor=staff)
    assert info.value.code == "event_cancelled"
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == before
    assert _reg(reg.id).status == "cancelled"


@pytest.mark.parametrize("mode, expected", [("lottery", "applied"), ("approval", "pending")])
def test_restore_returns_the_status_the_admission_mode_gives(app, create_organizer, mode, expected):
    staff = create_organizer()
    event = factories.create_event(capacity=1, admission_mode=mode)
    reg = factories.register(event).registration
    assert reg.status == expected
    registrations.cancel(reg, now=utcnow())
    db.session.commit()
    registrations.restore(reg, now=utcnow(), actor=staff, override=True)
    db.session.commit()
    assert reg.status == expected  # never confirmed past the draw or the approval


def test_restore_joins_the_end_of_the_line_when_people_wait(app, create_organizer):
    staff = create_organizer()
    event = factories.create_event(capacity=1)
    holder = factories.register(event).registration
    waiting = factories.register(event).registration
    registrations.cancel(holder, now=utcnow())
    db.session.commit()
    assert waiting.status == "confirmed"
    registrations.restore(holder, now=utcnow(), actor=staff)
    db.session.commit()
    assert holder.status == "waitlisted" and registrations.waitlist_position(holder) == 1
    assert_no_breach()


@pytest.mark.parametrize("first, second", [
    ({"organization": "株式会社東北テック", "corporate_number": "7000012050002"},
     {"organization": "東北テック株式会社", "corporate_number": ""}),
    ({"organization": "㈱東北テック", "corporate_number": ""},
     {"organization": "株式会社 東北テック", "corporate_number": "7000012050002"}),
    ({"organization": "東北テック（株）", "corporate_number": "7000012050002"},
     {"organization": "別名義の会社", "corporate_number": "7000012050002"}),
])
def test_one_per_organisation_holds_with_or_without_the_corporate_number(app, first, second):
    event = factories.create_event(capacity=10, one_per_organization=True)
    factories.register(event, **first)
    with pytest.raises(registrations.OrganizationTaken):
        factories.register(event, **second)
    db.session.rollback()
    assert_no_breach()


def test_two_companies_of_one_name_with_different_numbers_may_both_register(app):
    event = factories.create_event(capacity=10, one_per_organization=True)
    factories.register(event, organization="山田商店株式会社", corporate_number="7000012050002")
    other = factories.register(event, organization="山田商店株式会社", corporate_number="1000013050238")
    assert other.registration.status == "confirmed"
    assert_no_breach()


def test_check_names_each_breach(app, runner):
    event = factories.create_event(capacity=2)
    factories.register(event)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    tt = event.ticket_types[0]
    tt.confirmed_count = 5  # behind the services' back
    tt.capacity = 0
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "[counter]" in result.output and f"参加枠 {tt.id}" in result.output
    assert "[capacity]" in result.output


def test_check_sees_someone_waiting_beside_a_free_seat(app):
    event = factories.create_event(capacity=1)
    holder = factories.register(event).registration
    factories.register(event)
    holder.status = "cancelled"  # behind the services' back: the seat is free, nobody promoted
    event.ticket_types[0].confirmed_count = 0
    db.session.commit()
    assert [b.rule for b in invariants.breaches()] == ["line"]


def test_check_sees_a_registrant_not_told_of_a_cancellation(app):
    event = factories.create_event(capacity=3)
    factories.register(event)
    event.status = "cancelled"  # behind the services' back
    event.updated_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    assert [b.rule for b in invariants.breaches()] == ["told"]
