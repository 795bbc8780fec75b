"""Organizer registrant pages: list, search, counts, waiting list; cancel / restore / move (editors only)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog, OutboxMessage
from tests.factories import register


def _url(event, reg=None, action=""):
    base = f"/organizer/events/{event.id}/registrants"
    if reg is None:
        return base
    return f"{base}/{reg.id}" + (f"/{action}" if action else "")


@pytest.fixture
def editor(create_organizer):
    return create_organizer(role="organizer")


@pytest.fixture
def viewer(create_organizer):
    return create_organizer(role="viewer")


def test_anonymous_visitors_are_sent_to_sign_in(client, create_event):
    event = create_event()
    reg = register(event, 1).registration
    for url in (_url(event), _url(event, reg)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(_url(event, reg, "cancel")).status_code == 302
    db.session.refresh(reg)
    assert reg.status == "confirmed"


def test_list_counts_waiting_list_and_search(client, login, viewer, create_event):
    event = create_event(ticket_types=[("一般", 2), ("学生", None)], waitlist_enabled=True)
    regs = [register(event, n).registration for n in range(4)]  # 2 confirmed, 2 waitlisted in 一般
    register(event, 9, ticket_type_id=event.ticket_types[1].id, family_name="佐藤", given_name="花子",
             family_name_kana="サトウ", given_name_kana="ハナコ", organization="宮城大学")
    login(viewer)
    html = client.get(_url(event)).text
    assert re.search(r'data-status="confirmed">3<', html)
    assert re.search(r'data-status="waitlisted">2<', html)
    assert "5 件" in html
    # The waiting list, in order.
    waitlist = html[html.index('<ol class="waitlist">'):]
    assert waitlist.index(regs[2].full_name) < waitlist.index(regs[3].full_name)
    assert "1 番目" in waitlist and "2 番目" in waitlist

    def names(**params):
        page = client.get(_url(event), query_string=params).text
        return re.findall(r'<td>(\S+ \S+)<br><span class="muted">', page)

    assert names(q="佐藤") == ["佐藤 花子"]
    assert names(q="さとう") == ["佐藤 花子"]  # kana search, hiragana typed
    assert names(q="宮城大学") == ["佐藤 花子"]
    assert names(q="TARO1@example.jp") == [regs[1].full_name]
    assert names(q="山田太郎2") == [regs[2].full_name]
    assert len(names(status="waitlisted")) == 2
    assert len(names(status="confirmed")) == 3
    assert names(ticket_type=event.ticket_types[1].id) == ["佐藤 花子"]
    assert names(q="100%_") == []


def test_detail_page_shows_personal_data_to_staff(client, login, viewer, create_event):
    event = create_event()
    reg = register(event, 1).registration
    login(viewer)
    html = client.get(_url(event, reg)).text
    assert reg.email in html and "022-221-4876" in html and reg.reference in html  # the phone shown the Japanese way
    assert "申込" in html.split('id="history-heading"')[1]  # the history, in words
    assert 'action="' + _url(event, reg, "cancel") not in html  # viewers get no action forms


def test_viewer_gets_403_on_every_action(client, login, viewer, create_event):
    event = create_event(ticket_types=[("一般", 5), ("学生", 5)])
    reg = register(event, 1).registration
    login(viewer)
    for action, data in (("cancel", {"reason": "x"}), ("restore", {}),
                         ("move", {"ticket_type_id": event.ticket_types[1].id})):
        assert client.post(_url(event, reg, action), data=data).status_code == 403, action
    db.session.refresh(reg)
    assert (reg.status, reg.ticket_type_id) == ("confirmed", event.ticket_types[0].id)


def test_editor_cancels_with_a_reason_and_the_next_is_promoted(client, login, editor, create_event):
    event = create_event(capacity=1, waitlist_enabled=True)
    first = register(event, 1).registration
    waiting = register(event, 2).registration
    login(editor)
    response = client.post(_url(event, first, "cancel"), data={"reason": "本人から電話で連絡"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "キャンセルしました" in page
    db.session.expire_all()
    assert first.status == "cancelled" and waiting.status == "confirmed"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.cancelled"))
    assert entry.actor_id == editor.id and entry.data["reason"] == "本人から電話で連絡"
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "promoted")).registration_id == waiting.id


def test_editor_restores_a_cancelled_registration(client, login, editor, create_event):
    event = create_event(capacity=1, waitlist_enabled=True)
    first = register(event, 1).registration
    login(editor)
    client.post(_url(event, first, "cancel"), data={"reason": ""})
    register(event, 2)  # takes the seat
    client.post(_url(event, first, "restore"))
    db.session.expire_all()
    assert first.status == "waitlisted"  # no free seat, no override
    client.post(_url(event, first, "cancel"), data={"reason": ""})
    client.post(_url(event, first, "restore"), data={"override": "y"})
    db.session.expire_all()
    assert first.status == "confirmed" and first.capacity_override is True
    assert event.ticket_types[0].confirmed_count == 2


def test_move_within_capacity_without_and_with_override(client, login, editor, create_event):
    event = create_event(ticket_types=[("SIer", 5), ("ユーザー企業", 1), ("学生", 3)], waitlist_enabled=False)
    sier, user, student = event.ticket_types
    reg = register(event, 1).registration
    register(event, 2, ticket_type_id=user.id)  # ユーザー企業 is now full
    login(editor)

    client.post(_url(event, reg, "move"), data={"ticket_type_id": student.id})
    db.session.expire_all()
    assert reg.ticket_type_id == student.id and reg.capacity_override is False
    assert (sier.confirmed_count, student.confirmed_count) == (0, 1)

    response = client.post(_url(event, reg, "move"), data={"ticket_type_id": user.id})
    assert "満席です" in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert reg.ticket_type_id == student.id

    client.post(_url(event, reg, "move"), data={"ticket_type_id": user.id, "override": "y"})
    db.session.expire_all()
    assert reg.ticket_type_id == user.id and reg.capacity_override is True
    assert user.confirmed_count == 2
    moves = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.moved")
                               .order_by(AuditLog.id)).all()
    assert [m.data["override"] for m in moves] == [False, True]
    assert "定員超過" in client.get(_url(event)).text


def test_move_to_another_events_ticket_type_is_refused(client, login, editor, create_event):
    event = create_event()
    other = create_event()
    reg = register(event, 1).registration
    login(editor)
    client.post(_url(event, reg, "move"), data={"ticket_type_id": other.ticket_types[0].id})
    db.session.expire_all()
    assert reg.ticket_type_id == event.ticket_types[0].id


def test_registration_of_another_event_is_not_found(client, login, viewer, create_event):
    event = create_event()
    other = create_event()
    reg = register(other, 1).registration
    login(viewer)
    assert client.get(_url(event, reg)).status_code == 404
    assert client.get("/organizer/events/999999/registrants").status_code == 404


def test_history_is_told_in_words(client, login, create_organizer, create_event):
    from app.services import registrations as svc

    staff = create_organizer()
    event = create_event(ticket_types=[("SIer", 1), ("ユーザー企業", 1)])
    sier, user = event.ticket_types
    reg = register(event, 1, ticket_type_id=sier.id).registration
    register(event, 2, ticket_type_id=user.id)
    svc.move(reg, user, now=utcnow(), actor=staff, override=True)
    svc.cancel(reg, now=utcnow(), actor=staff, reason="重複申込")
    db.session.commit()
    login(staff)
    html = client.get(f"/organizer/events/{event.id}/registrants/{reg.id}").get_data(as_text=True)
    history = html.split('id="history-heading"')[1]
    assert "参加枠の変更" in history and "SIer → ユーザー企業" in history and "（定員超過）" in history
    assert "重複申込" in history and "申込" in history
    assert "registration.moved" not in history and "override" not in history


def test_every_action_recorded_with_a_registration_has_words(app, create_event):
    """Scan the code for the audit actions it records: each one that can name a registration is told
    in words in the registrant's history, never as its code (attendance.recorded, ...)."""
    from pathlib import Path

    from app.models import AuditLog
    from app.organizer.registrants import describe_history

    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(app.root_path).rglob("*.py"))
    about_people = r"(?:registration|attendance|checkin|mail|team|application|review|results)\.[a-z_]+"
    recorded = set(re.findall(r'(?:record|_audit)\(\s*"(' + about_people + ')"', source))
    mapped = set(re.findall(r':\s*"(' + about_people + ')"', source))  # {"confirmed": "registration.lottery_won"}
    actions = (recorded | mapped) - set(app.view_functions)  # (not the pages: "registration.done" is an endpoint)
    assert {"attendance.recorded", "registration.approved", "checkin.scanned"} <= actions
    event = create_event()
    with app.test_request_context():
        event_level = {"checkin.assigned", "checkin.unassigned", "results.published", "results.unpublished",
                       "review.criterion_added", "review.criterion_removed",
                       "application.outcomes_notified"}  # recorded without a registration
        for action in sorted(actions - event_level):
            what, _details, _who = describe_history(AuditLog(action=action, data={}), event)
            assert what != action, f"{action} has no words in the registrant's history"


def test_attendance_and_door_scans_show_in_the_history(client, login, create_organizer, create_event):
    from app.services import attendance

    staff = create_organizer()
    event = create_event()
    reg = register(event, 1).registration
    attendance.record(reg.id, event.sessions[0].id, method="door", now=utcnow(), actor=staff)
    db.session.commit()
    login(staff)
    html = client.get(f"/organizer/events/{event.id}/registrants/{reg.id}").get_data(as_text=True)
    history = html.split('id="history-heading"')[1]
    assert "出席を記録" in history and "受付" in history and "attendance.recorded" not in history
