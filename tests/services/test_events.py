"""app.services.events: create/validate, sessions, 参加枠, publish rules, cancel/postpone, copy, audit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.domain.dates import jst_datetime
from app.extensions import db
from app.models import AuditLog, Event, Registration
from app.services import events as service
from app.services.errors import ServiceError, ValidationError

NOW = jst_datetime(2026, 5, 1, 9, 0)


def _data(**over):
    data = {
        "title": "TOHOKU DXセミナー",
        "category": "seminar",
        "format": "online",
        "prefecture": "04",
        "online_url": "https://example.jp/live",
        "co_organizers": "東北経済連合会\n\n 仙台市 \n",
        "registration_opens_at": jst_datetime(2026, 5, 10, 9, 0),
        "registration_closes_at": jst_datetime(2026, 7, 10, 17, 0),
        "sessions": [{"starts_at": jst_datetime(2026, 7, 12, 13, 30), "ends_at": jst_datetime(2026, 7, 12, 16, 0)}],
        "ticket_types": [{"name": "一般", "capacity": 100}],
    }
    data.update(over)
    return data


def _actions(event_id=None):
    query = select(AuditLog.action).order_by(AuditLog.id)
    if event_id is not None:
        query = query.where(AuditLog.event_id == event_id)
    return list(db.session.scalars(query))


def _registration(event, ticket, status="confirmed", n=1):
    reg = Registration(event_id=event.id, ticket_type_id=ticket.id, status=status, manage_token=f"tok{n}-{event.id}",
                       email=f"p{n}@example.jp", email_normalized=f"p{n}@example.jp", family_name="山田",
                       given_name="太郎")
    db.session.add(reg)
    db.session.flush()
    return reg


def test_create_event_makes_a_draft_with_sessions_tickets_and_default_reminders(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    db.session.commit()
    assert event.status == "draft"
    assert event.slug == "2026-07-12-tohoku-dx-seminar"  # the first day, then the title's words
    assert event.starts_at == jst_datetime(2026, 7, 12, 13, 30)
    assert [t.name for t in event.ticket_types] == ["一般"]
    assert event.ticket_types[0].confirmed_count == 0
    assert event.co_organizers == "東北経済連合会\n仙台市"
    assert sorted((r.days_before, r.send_time) for r in event.reminder_rules) == [(1, "10:00"), (7, "10:00")]
    assert event.created_by_id == actor.id
    log = db.session.scalar(select(AuditLog).where(AuditLog.event_id == event.id))
    assert (log.action, log.actor_id) == ("event.created", actor.id)


def test_slug_is_made_unique_and_japanese_titles_get_a_dated_slug(app, create_organizer):
    actor = create_organizer()
    first = service.create_event(_data(title="省エネ ディベート"), actor, NOW)
    second = service.create_event(_data(title="省エネ ディベート"), actor, NOW)
    assert first.slug == "2026-07-12-debate"  # a known Japanese word (app.domain.events.SLUG_WORDS)
    assert second.slug == "2026-07-12-debate-2"
    third = service.create_event(_data(title="東北の集い", category="exchange"), actor, NOW)
    assert third.slug == "2026-07-12-exchange"  # no word known: the category


@pytest.mark.parametrize(("over", "key"), [
    ({"title": "  "}, "title"),
    ({"slug": "Bad Slug!"}, "slug"),
    ({"category": "party"}, "category"),
    ({"prefecture": "48"}, "prefecture"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"admission_mode": "random"}, "admission_mode"),
    ({"registration_closes_at": jst_datetime(2026, 5, 1, 9, 0)}, "registration_closes_at"),
    ({"registration_opens_at": "not a date"}, "registration_opens_at"),
    ({"sessions": [{"starts_at": None}]}, "sessions.0.starts_at"),
    ({"sessions": [{"starts_at": jst_datetime(2026, 7, 12, 13, 0), "ends_at": jst_datetime(2026, 7, 12, 12, 0)}]},
     "sessions.0.ends_at"),
    ({"ticket_types": [{"name": "", "capacity": 10}]}, "ticket_types.0.name"),
    ({"ticket_types": [{"name": "一般", "capacity": -1}]}, "ticket_types.0.capacity"),
    ({"ticket_types": [{"name": "一般", "capacity": "many"}]}, "ticket_types.0.capacity"),
    ({"questions": [{"kind": "single", "label": "部門", "choices": "一つだけ"}]}, "questions.0.choices"),
])
def test_create_event_validates_each_field(app, create_organizer, over, key):
    with pytest.raises(ValidationError) as info:
        service.create_event(_data(**over), create_organizer(), NOW)
    assert key in info.value.errors
    assert all(isinstance(m, str) and m for m in info.value.errors[key])


def test_duplicate_slug_is_refused(app, create_organizer):
    actor = create_organizer()
    service.create_event(_data(slug="dx-2026"), actor, NOW)
    with pytest.raises(ValidationError) as info:
        service.create_event(_data(slug="dx-2026"), actor, NOW)
    assert "slug" in info.value.errors


def test_create_event_accepts_iso_strings_as_japan_time(app, create_organizer):
    event = service.create_event(_data(sessions=[{"starts_at": "2026-07-12T13:30"}],
                                       registration_opens_at="2026-05-10T09:00+09:00"), create_organizer(), NOW)
    assert event.starts_at == jst_datetime(2026, 7, 12, 13, 30)
    assert event.registration_opens_at == jst_datetime(2026, 5, 10, 9, 0)


def test_update_event_changes_fields_and_audits(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    service.update_event(event, {"title": "新しい題", "venue": "仙台国際センター"}, actor, NOW)
    db.session.commit()
    assert (event.title, event.venue, event.slug) == ("新しい題", "仙台国際センター", "2026-07-12-tohoku-dx-seminar")
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "event.updated")).one()
    assert log.data["fields"] == ["title", "venue"]


def test_starts_at_follows_the_earliest_session(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    earlier = service.add_session(event, {"starts_at": jst_datetime(2026, 7, 11, 10, 0)}, actor, NOW)
    assert event.starts_at == jst_datetime(2026, 7, 11, 10, 0)
    service.update_session(earlier, {"starts_at": jst_datetime(2026, 7, 13, 10, 0)}, actor, NOW)
    assert event.starts_at == jst_datetime(2026, 7, 12, 13, 30)
    first = next(s for s in event.sessions if s.id != earlier.id)
    service.delete_session(first, actor, NOW)
    db.session.commit()
    assert db.session.get(Event, event.id).starts_at == jst_datetime(2026, 7, 13, 10, 0)
    assert {"event.session_added", "event.session_updated", "event.session_deleted"} <= set(_actions(event.id))


def test_publish_needs_a_session_and_a_ticket_type(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(sessions=[], ticket_types=[]), actor, NOW)
    with pytest.raises(ServiceError) as info:
        service.publish(event, actor, NOW)
    assert info.value.code == "not_ready"
    service.add_session(event, {"starts_at": jst_datetime(2026, 7, 12, 13, 0)}, actor, NOW)
    with pytest.raises(ServiceError):
        service.publish(event, actor, NOW)
    service.add_ticket_type(event, {"name": "一般", "capacity": ""}, actor, NOW)
    service.publish(event, actor, NOW)
    db.session.commit()
    assert event.status == "published"
    assert event.ticket_types[0].capacity is None
    assert "event.published" in _actions(event.id)


def test_published_event_keeps_its_last_session_and_ticket_type(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    service.publish(event, actor, NOW)
    with pytest.raises(ServiceError) as info:
        service.delete_session(event.sessions[0], actor, NOW)
    assert info.value.code == "last_session"
    with pytest.raises(ServiceError) as info:
        service.delete_ticket_type(event.ticket_types[0], actor, NOW)
    assert info.value.code == "last_ticket_type"


def test_ticket_type_with_registrations_cannot_be_deleted(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(ticket_types=[{"name": "SIer企業"}, {"name": "ユーザー企業"}]), actor, NOW)
    _registration(event, event.ticket_types[0], status="cancelled")
    with pytest.raises(ServiceError) as info:
        service.delete_ticket_type(event.ticket_types[0], actor, NOW)
    assert info.value.code == "ticket_type_in_use"
    service.delete_ticket_type(event.ticket_types[1], actor, NOW)
    assert [t.name for t in event.ticket_types] == ["SIer企業"]


def test_capacity_cannot_go_below_confirmed(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    ticket = event.ticket_types[0]
    ticket.confirmed_count = 5
    db.session.flush()
    with pytest.raises(ValidationError) as info:
        service.update_ticket_type(ticket, {"name": "一般", "capacity": 4}, actor, NOW)
    assert "capacity" in info.value.errors
    service.update_ticket_type(ticket, {"name": "一般", "capacity": 5}, actor, NOW)
    assert ticket.capacity == 5


def test_raising_capacity_promotes_the_waiting_list(app, create_organizer):
    from tests import factories

    actor = create_organizer()
    event = factories.create_event(capacity=1)
    ticket = event.ticket_types[0]
    first = factories.register(event).registration
    waiting = [factories.register(event).registration for _ in range(3)]
    assert first.status == "confirmed" and {r.status for r in waiting} == {"waitlisted"}

    service.update_ticket_type(ticket, {"name": "一般（改）", "capacity": 1}, actor, NOW)
    assert {r.status for r in waiting} == {"waitlisted"}  # a rename frees nothing
    service.update_ticket_type(ticket, {"name": "一般", "capacity": 2}, actor, NOW)
    db.session.commit()
    assert [r.status for r in waiting] == ["confirmed", "waitlisted", "waitlisted"]  # first in line first
    service.update_ticket_type(ticket, {"name": "一般", "capacity": None}, actor, NOW)
    db.session.commit()
    assert [r.status for r in waiting] == ["confirmed"] * 3
    assert ticket.confirmed_count == 4


def test_unpublish_refused_once_people_registered(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    service.publish(event, actor, NOW)
    _registration(event, event.ticket_types[0])
    with pytest.raises(ServiceError) as info:
        service.unpublish(event, actor, NOW)
    assert info.value.code == "has_registrations"


@pytest.mark.parametrize(("action", "status"), [("cancel", "cancelled"), ("postpone", "postponed")])
def test_cancel_and_postpone_need_a_reason_and_tell_each_active_registrant(app, create_organizer, monkeypatch,
                                                                             action, status):
    import app.notifications as notifications

    told = []
    monkeypatch.setattr(notifications, "event_status_changed",
                        lambda event, registration, now: told.append((event.status, registration.id)),
                        raising=False)
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    service.publish(event, actor, NOW)
    active = _registration(event, event.ticket_types[0], n=1)
    _registration(event, event.ticket_types[0], status="cancelled", n=2)
    waiting = _registration(event, event.ticket_types[0], status="waitlisted", n=3)
    with pytest.raises(ValidationError) as info:
        getattr(service, action)(event, "  ", actor, NOW)
    assert "reason" in info.value.errors
    getattr(service, action)(event, "台風接近のため", actor, NOW)
    db.session.commit()
    assert (event.status, event.status_reason) == (status, "台風接近のため")
    assert told == [(status, active.id), (status, waiting.id)]
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == f"event.{status}")).one()
    assert log.data["reason"] == "台風接近のため" and log.data["notified"] == 2


def test_postponed_event_can_be_published_again(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    service.publish(event, actor, NOW)
    service.postpone(event, "延期します", actor, NOW)
    service.publish(event, actor, NOW)
    assert event.status == "published" and event.status_reason == ""
    service.cancel(event, "中止します", actor, NOW)
    with pytest.raises(ServiceError):
        service.publish(event, actor, NOW)


def test_copy_shifts_every_date_and_copies_the_parts(app, create_organizer):
    actor = create_organizer()
    source = service.create_event(_data(
        slug="dx-juku-2025",
        sessions=[{"title": "1日目", "starts_at": jst_datetime(2025, 7, 12, 10, 0),
                   "ends_at": jst_datetime(2025, 7, 12, 17, 0)},
                  {"title": "2日目", "starts_at": jst_datetime(2025, 7, 13, 10, 0),
                   "ends_at": jst_datetime(2025, 7, 13, 17, 0)}],
        registration_opens_at=jst_datetime(2025, 6, 1, 9, 0),
        registration_closes_at=jst_datetime(2025, 7, 10, 17, 0),
        ticket_types=[{"name": "一般", "capacity": 30}],
        questions=[{"kind": "single", "label": "業種", "choices": "製造\nIT", "required": True}],
        reminder_rules=[{"days_before": 3, "send_time": "9:30"}],
    ), actor, NOW)
    service.publish(source, actor, NOW)
    source.ticket_types[0].confirmed_count = 30
    db.session.flush()

    new_start = jst_datetime(2026, 7, 11, 10, 0)
    copy = service.copy_event(source, new_start, actor, NOW)
    db.session.commit()
    offset = new_start - jst_datetime(2025, 7, 12, 10, 0)
    assert copy.status == "draft" and copy.id != source.id
    assert copy.slug == "2026-07-11-dx-juku"
    assert copy.copied_from_id == source.id
    assert copy.series_id is not None and copy.series_id == source.series_id
    assert [s.starts_at for s in copy.sessions] == [jst_datetime(2026, 7, 11, 10, 0), jst_datetime(2026, 7, 12, 10, 0)]
    assert [s.title for s in copy.sessions] == ["1日目", "2日目"]
    assert copy.sessions[1].ends_at == jst_datetime(2025, 7, 13, 17, 0) + offset
    assert copy.starts_at == new_start
    assert copy.registration_opens_at == jst_datetime(2025, 6, 1, 9, 0) + offset
    assert copy.registration_closes_at == jst_datetime(2025, 7, 10, 17, 0) + offset
    assert [(t.name, t.capacity, t.confirmed_count) for t in copy.ticket_types] == [("一般", 30, 0)]
    assert [(q.label, q.choices, q.required) for q in copy.questions] == [("業種", ["製造", "IT"], True)]
    assert [(r.days_before, r.send_time) for r in copy.reminder_rules] == [(3, "09:30")]
    assert copy.title == source.title and copy.online_url == source.online_url
    assert "event.copied" in _actions(copy.id)
    # A second copy to the same day gets its own slug and joins the same series.
    again = service.copy_event(source, new_start, actor, NOW)
    assert again.slug == "2026-07-11-dx-juku-2" and again.series_id == source.series_id


def test_questions_and_reminders_add_and_delete(app, create_organizer):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    q = service.add_question(event, {"kind": "yesno", "label": "懇親会に参加しますか", "choices": "a\nb"}, actor, NOW)
    assert q.choices == []
    with pytest.raises(ValidationError):
        service.add_question(event, {"kind": "text", "label": ""}, actor, NOW)
    with pytest.raises(ValidationError) as info:
        service.add_reminder_rule(event, {"days_before": 7, "send_time": "10:00"}, actor, NOW)
    assert "days_before" in info.value.errors
    with pytest.raises(ValidationError) as info:
        service.add_reminder_rule(event, {"days_before": 2, "send_time": "25:00"}, actor, NOW)
    assert "send_time" in info.value.errors
    rule = service.add_reminder_rule(event, {"days_before": 0, "send_time": "08:00"}, actor, NOW)
    service.delete_question(q, actor, NOW)
    service.delete_reminder_rule(rule, actor, NOW)
    db.session.commit()
    assert event.questions == [] and len(event.reminder_rules) == 2
    assert {"event.question_added", "event.question_deleted", "event.reminder_added",
            "event.reminder_deleted"} <= set(_actions(event.id))


def test_create_event_accepts_a_dataclass(app, create_organizer):
    from dataclasses import dataclass, field

    @dataclass
    class NewEvent:
        title: str
        sessions: list = field(default_factory=list)
        ticket_types: list = field(default_factory=list)

    event = service.create_event(NewEvent(title="Gov Pitch", sessions=[{"starts_at": utcnow() + timedelta(days=3)}]),
                                 None, NOW)
    assert event.slug.endswith("-gov-pitch") and event.slug[:4].isdigit() and len(event.sessions) == 1
    assert db.session.scalar(select(AuditLog.actor_label).where(AuditLog.event_id == event.id)) == "system"


def test_raising_capacity_really_promotes_with_the_registration_service(app, create_organizer):
    """Integration with app.services.registrations.promote_waitlist (first come)."""
    actor = create_organizer()
    event = service.create_event(_data(ticket_types=[{"name": "一般", "capacity": 1}]), actor, NOW)
    service.publish(event, actor, NOW)
    ticket = event.ticket_types[0]
    _registration(event, ticket, status="confirmed", n=1)
    ticket.confirmed_count = 1
    waiting = _registration(event, ticket, status="waitlisted", n=2)
    waiting.waitlisted_at = NOW
    db.session.flush()
    service.update_ticket_type(ticket, {"name": "一般", "capacity": 2}, actor, NOW)
    db.session.commit()
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    assert ticket.confirmed_count == 2


@pytest.mark.parametrize("bad", [5, "abc", [1, 2], {"starts_at": "x"}])
def test_create_event_reports_malformed_lists(app, create_organizer, bad):
    with pytest.raises(ValidationError) as info:
        service.create_event(_data(sessions=bad), create_organizer(), NOW)
    assert "sessions" in info.value.errors


def test_a_series_can_have_a_reminder_before_each_session(app, create_event, create_organizer):
    from app.db_types import utcnow
    from app.services import events as service
    from app.services.errors import ValidationError

    staff = create_organizer()
    event = create_event(sessions=3, status="draft")
    second = event.sessions[1]
    rule = service.add_reminder_rule(event, {"days_before": 1, "send_time": "10:00", "session_id": second.id},
                                     staff, utcnow())
    assert rule.session_id == second.id
    # the same offset for the whole event is another rule
    service.add_reminder_rule(event, {"days_before": 1, "send_time": "10:00"}, staff, utcnow())
    with pytest.raises(ValidationError) as info:
        service.add_reminder_rule(event, {"days_before": 1, "send_time": "09:00", "session_id": second.id},
                                  staff, utcnow())
    assert "days_before" in info.value.errors
    other = create_event()
    with pytest.raises(ValidationError) as info:
        service.add_reminder_rule(event, {"days_before": 2, "session_id": other.sessions[0].id}, staff, utcnow())
    assert "session_id" in info.value.errors


@pytest.mark.parametrize("change", [service.cancel, service.postpone])
def test_a_reason_with_control_characters_is_refused_next_to_the_field(app, create_organizer, change):
    actor = create_organizer()
    event = service.create_event(_data(), actor, NOW)
    service.publish(event, actor, NOW)
    db.session.commit()
    with pytest.raises(ValidationError) as info:
        change(event, "台風\x00のため", actor, NOW)
    assert "reason" in info.value.errors
    db.session.rollback()
    assert db.session.get(type(event), event.id).status == "published"


def test_a_reminders_time_as_the_api_documents_it(app, create_organizer):
    """OpenAPI's send_time: HH:MM or H:MM, empty for 10:00 (the fuzz test holds the schema to this)."""
    import re

    from app.api.openapi import document

    pattern = document()["components"]["schemas"]["EventInput"]["properties"]["reminder_rules"]["items"][
        "properties"]["send_time"]["pattern"]
    event = service.create_event(_data(reminder_rules=[{"days_before": 7, "send_time": ""},
                                                       {"days_before": 1, "send_time": "9:30"}]),
                                 create_organizer(), NOW)
    assert sorted(r.send_time for r in event.reminder_rules) == ["09:30", "10:00"]
    assert all(re.match(pattern, t) for t in ("", "9:30", "09:30", "23:59"))
    for bad in ("24:00", "9:60", "0930"):
        assert not re.match(pattern, bad)
        with pytest.raises(ValidationError):
            service.create_event(_data(reminder_rules=[{"days_before": 1, "send_time": bad}]), create_organizer(), NOW)
