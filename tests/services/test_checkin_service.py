"""services.checkin: who may check in, walk-ins under the admission rules, queued scans."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import Role
from app.domain.registration_input import clean_registration
from app.extensions import db
from app.models import Attendance, Registration
from app.services import checkin, registrations
from app.services.errors import ServiceError
from tests import factories


def _clean(event, n):
    data, errors = clean_registration(factories.registration_data(event, n), questions=[],
                                      ticket_type_ids=[tt.id for tt in event.ticket_types])
    assert not errors
    return data


def test_who_may_check_in(app):
    event, other = factories.create_event(), factories.create_event()
    door = factories.create_organizer(role=Role.CHECKIN)
    viewer = factories.create_organizer(role=Role.VIEWER)
    organizer = factories.create_organizer()
    checkin.assign(door, event, actor=organizer, now=utcnow())
    db.session.commit()
    assert checkin.may_check_in(door, event.id) and not checkin.may_check_in(door, other.id)
    assert checkin.may_check_in(organizer, other.id)
    assert not checkin.may_check_in(viewer, event.id)
    assert [e.id for e in checkin.events_for(door)] == [event.id]
    door.active = False
    assert not checkin.may_check_in(door, event.id)
    with pytest.raises(ServiceError):
        checkin.assign(viewer, event, actor=organizer, now=utcnow())


def test_walk_in_on_a_lottery_event_is_confirmed_within_capacity(app):
    event = factories.create_event(capacity=5, admission_mode="lottery")
    staff = factories.create_organizer(role=Role.CHECKIN)
    out = checkin.walk_in(event, _clean(event, 1), session=event.sessions[0], now=utcnow(), actor=staff)
    db.session.commit()
    assert out.created and out.result.status == checkin.CHECKED_IN
    assert out.registration.status == "confirmed" and out.registration.origin == "walk_in"
    assert event.ticket_types[0].confirmed_count == 1
    # the same email again: checked in as that registration (already), no second registration
    again = checkin.walk_in(event, _clean(event, 1), session=event.sessions[0], now=utcnow(), actor=staff)
    db.session.commit()
    assert not again.created and again.result.status == checkin.ALREADY
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_walk_in_never_jumps_the_waiting_list_nor_passes_capacity_without_an_organizer(app):
    event = factories.create_event(capacity=1, waitlist_enabled=True)
    factories.register(event)
    factories.register(event)  # waiting
    door = factories.create_organizer(role=Role.CHECKIN)
    with pytest.raises(registrations.Full):
        checkin.walk_in(event, _clean(event, 50), session=event.sessions[0], now=utcnow(), actor=door)
    db.session.rollback()
    with pytest.raises(ServiceError):
        checkin.walk_in(event, _clean(event, 51), session=event.sessions[0], now=utcnow(), actor=door,
                        override=True)
    db.session.rollback()
    with pytest.raises(ServiceError):
        registrations.register(event, _clean(event, 52), now=utcnow(), origin="walk_in")
    db.session.rollback()
    organizer = factories.create_organizer()
    out = checkin.walk_in(event, _clean(event, 53), session=event.sessions[0], now=utcnow(), actor=organizer,
                          override=True)
    db.session.commit()
    assert out.registration.capacity_override and out.registration.status == "confirmed"
    from app.services import invariants
    assert invariants.breaches(event.id) == []


def test_a_queued_scan_is_recorded_once_even_after_an_answer_was_lost(app):
    event = factories.create_event()
    reg = factories.register(event).registration
    staff = factories.create_organizer()
    kw = {"now": utcnow(), "actor": staff, "secret": app.config["SECRET_KEY"], "client_ref": "phone-1-0001"}
    first = checkin.check_in(event.id, reg.reference, **kw)
    db.session.commit()
    second = checkin.check_in(event.id, reg.reference, **kw)
    db.session.commit()
    assert first.status == second.status == checkin.CHECKED_IN and second.replayed
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
