"""The 受付 pages: door staff's role, scan/typed code, search, undo, walk-ins, assignment."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import Attendance, AuditLog, CheckinAssignment, Registration
from app.services import checkin, tickets
from tests import factories

JSON = {"Accept": "application/json"}


def _door(event=None):
    door = factories.create_organizer(role=Role.CHECKIN, display_name="受付係 一郎")
    if event is not None:
        checkin.assign(door, event, actor=None, now=utcnow())
        db.session.commit()
    return door


def test_door_staff_can_do_nothing_but_check_in(app, client, login):
    event = factories.create_event()
    factories.register(event)
    door = _door(event)
    login(door)
    assert client.get("/organizer/").headers["Location"].endswith("/checkin/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organizer/") or rule.rule == "/organizer/":
            continue
        url = re.sub(r"<[^>]+>", str(event.id), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = client.open(url, method=method)
            assert answer.status_code == 403, (method, url, answer.status_code)
            checked += 1
    assert checked > 20
    page = client.get("/checkin/")
    assert page.status_code == 200 and event.title in page.get_data(as_text=True)
    desk = client.get(f"/checkin/events/{event.id}")
    assert desk.status_code == 200
    assert "camera=(self)" in desk.headers["Permissions-Policy"]
    assert "camera=()" in client.get("/").headers["Permissions-Policy"]
    other = factories.create_event()
    assert client.get(f"/checkin/events/{other.id}").status_code == 403
    assert client.post(f"/checkin/events/{other.id}/scan", json={"code": "T1"}).status_code == 403
    assert client.get(f"/checkin/events/{other.id}/search?q=yamada").status_code == 403
    assert client.post(f"/checkin/events/{event.id}/staff", data={"organizer_id": door.id}).status_code == 403


def test_viewer_cannot_open_the_door(app, client, login):
    event = factories.create_event()
    login(factories.create_organizer(role=Role.VIEWER))
    assert client.get("/checkin/").status_code == 403
    assert client.get(f"/checkin/events/{event.id}").status_code == 403
    assert client.get(f"/organizer/events/{event.id}").status_code == 200


def test_scan_already_and_undo_from_the_page(app, client, login):
    event = factories.create_event(ticket_types=[("一般", 10), ("学生", 10)])
    reg = factories.register(event, ticket_type_id=event.ticket_types[1].id,
                             organization="株式会社東北テック").registration
    login(_door(event))
    url = f"/checkin/events/{event.id}/scan"
    code = tickets.ticket_code(reg, app.config["SECRET_KEY"])
    first = client.post(url, json={"code": code, "session_id": event.sessions[0].id}, headers=JSON)
    assert first.status_code == 201
    html = first.json["html"]
    assert "受付完了" in html and "山田" in html and "株式会社東北テック" in html and "学生" in html
    assert first.json["summary"].startswith("受付完了")
    again = client.post(url, json={"code": reg.reference.lower()}, headers=JSON)
    assert again.status_code == 200 and "受付済み" in again.json["html"] and "受付係 一郎" in again.json["html"]
    undo = client.post(f"/checkin/events/{event.id}/undo",
                       json={"registration_id": reg.id, "session_id": event.sessions[0].id}, headers=JSON)
    assert undo.status_code == 200 and undo.json["undone"] is True
    assert client.post(f"/checkin/events/{event.id}/undo", json={"registration_id": reg.id},
                       headers=JSON).status_code == 404
    forged = client.post(url, json={"code": code[:-3] + "abc"}, headers=JSON)
    assert forged.status_code == 404 and "不明" in forged.json["html"]
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("attendance.%"))).all()
    assert sorted(actions) == ["attendance.recorded", "attendance.undone"]


def test_typed_code_without_script(app, client, login):
    event = factories.create_event()
    reg = factories.register(event).registration
    login(factories.create_organizer())
    page = client.post(f"/checkin/events/{event.id}/scan", data={"code": reg.reference.replace("-", "")})
    assert page.status_code == 201 and "受付完了" in page.get_data(as_text=True)
    empty = client.post(f"/checkin/events/{event.id}/scan", data={"code": ""})
    assert empty.status_code == 422 and 'class="error"' in empty.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "山田", "山田花子", "やまだ はなこ", "東北テック", "ｔｏｈｏｋｕ"])
def test_search_by_kana_name_company(app, client, login, typed):
    event = factories.create_event()
    hit = factories.register(event, family_name="山田", given_name="花子", family_name_kana="ヤマダ",
                             given_name_kana="ハナコ", organization="株式会社東北テック TOHOKU").registration
    factories.register(event, family_name="佐藤", given_name="次郎", family_name_kana="サトウ",
                       given_name_kana="ジロウ", organization="仙台商事")
    login(factories.create_organizer())
    answer = client.get(f"/checkin/events/{event.id}/search", query_string={"q": typed}, headers=JSON)
    assert answer.status_code == 200 and answer.json["count"] == 1, typed
    assert hit.reference in answer.json["html"]


def test_search_by_reference_and_limit(app, client, login):
    event = factories.create_event(capacity=None)
    regs = [factories.register(event).registration for _ in range(25)]
    login(factories.create_organizer())
    search = f"/checkin/events/{event.id}/search"
    answer = client.get(search, query_string={"q": regs[3].reference.replace("T", "t")}, headers=JSON)
    assert answer.json["count"] == 1 and regs[3].reference in answer.json["html"]
    assert client.get(search, query_string={"q": "やまだ"}, headers=JSON).json["count"] == checkin.SEARCH_LIMIT
    assert client.get(search, query_string={"q": "%"}, headers=JSON).json["count"] == 0
    assert client.get(search, query_string={"q": ""}, headers=JSON).json["count"] == 0


def test_walk_in_within_capacity_then_full_then_override(app, client, login):
    event = factories.create_event(capacity=1)

    def form(n, **extra):
        return {"family_name": "当日", "given_name": f"太郎{n}", "family_name_kana": "とうじつ",
                "given_name_kana": "たろう", "organization": "飛込商店", "organization_type": "company",
                "prefecture": "04", "email": f"walk{n}@example.jp", "ticket_type_id": event.ticket_types[0].id,
                "consent": "y", **extra}

    door = _door(event)
    login(door)
    url = f"/checkin/events/{event.id}/walk-in"
    assert client.get(url).status_code == 200
    invalid = client.post(url, data=form(0, email="nope"))
    assert invalid.status_code == 422 and "太郎0" in invalid.get_data(as_text=True)
    first = client.post(url, data=form(1))
    assert first.status_code == 201 and "受付完了" in first.get_data(as_text=True)
    reg = db.session.scalar(select(Registration).where(Registration.email == "walk1@example.jp"))
    assert reg.status == "confirmed" and reg.origin == "walk_in" and reg.family_name_kana == "トウジツ"
    assert db.session.scalar(select(Attendance.method).where(Attendance.registration_id == reg.id)) == "walk_in"

    full = client.post(url, data=form(2, override="y"))  # door staff cannot override
    assert full.status_code == 422
    assert "満席" in full.get_data(as_text=True) and "主催者のみ" in full.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1

    client.post("/logout")
    login(factories.create_organizer())
    over = client.post(url, data=form(3, override="y"))
    assert over.status_code == 201
    reg3 = db.session.scalar(select(Registration).where(Registration.email == "walk3@example.jp"))
    assert reg3.capacity_override is True and reg3.status == "confirmed"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.created",
                                                     AuditLog.registration_id == reg3.id))
    assert entry.data["override"] is True and entry.data["origin"] == "walk_in"
    from app.services import invariants
    assert invariants.breaches(event.id) == []


def test_organizer_assigns_door_staff_on_the_event_page(app, client, login):
    event = factories.create_event()
    door = _door()
    login(factories.create_organizer())
    page = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert f"/checkin/events/{event.id}" in page and door.email in page
    answer = client.post(f"/checkin/events/{event.id}/staff", data={"organizer_id": door.id})
    assert answer.status_code == 302
    assert checkin.may_check_in(door, event.id)
    client.post(f"/checkin/events/{event.id}/staff/remove", data={"organizer_id": door.id})
    db.session.expire_all()
    assert not checkin.may_check_in(door, event.id)
    other = factories.create_organizer()
    client.post(f"/checkin/events/{event.id}/staff", data={"organizer_id": other.id})
    assert db.session.scalar(select(func.count()).select_from(CheckinAssignment)) == 0


def test_cli_assign_and_unassign(app, runner):
    event = factories.create_event()
    door = _door()
    result = runner.invoke(args=["organizers", "assign-checkin", door.email, str(event.id)])
    assert result.exit_code == 0, result.output
    assert checkin.may_check_in(door, event.id)
    assert "already" in runner.invoke(args=["organizers", "assign-checkin", door.email, str(event.id)]).output
    result = runner.invoke(args=["organizers", "unassign-checkin", door.email, str(event.id)])
    assert result.exit_code == 0
    assert not checkin.may_check_in(door, event.id)
    organizer = factories.create_organizer()
    assert runner.invoke(args=["organizers", "assign-checkin", organizer.email, str(event.id)]).exit_code != 0
    assert runner.invoke(args=["organizers", "assign-checkin", door.email, "999999"]).exit_code != 0
    create = runner.invoke(args=["organizers", "create", "gate@example.jp", "--role", "checkin",
                                 "--password", "long enough password 1"])
    assert create.exit_code == 0, create.output
