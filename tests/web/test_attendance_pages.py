"""Organizer attendance pages over HTTP: counts on the event page, per-person table, report import; the API."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.models import Attendance, Event
from app.services import attendance
from tests import factories

DATA = Path(__file__).resolve().parents[1] / "data" / "attendee_reports"
SAMPLES = ["zoom_participants_ja_cp932.csv", "zoom_participants_en_utf8bom.csv", "teams_attendance_utf16.csv",
           "webex_attendees_utf8.csv"]


def _event():
    event = factories.create_event(format="online", online_url="https://meet.example.jp/maas", sessions=2,
                                   title="東北MaaSシンポジウム", completion_min_sessions=1)
    regs = [factories.register(event, 1, email="sato@example.jp", family_name="佐藤").registration,
            factories.register(event, 2, email="suzuki@example.jp", family_name="鈴木").registration,
            factories.register(event, 3, email="takahashi@example.jp", family_name="高橋").registration]
    return event, regs


def _upload(client, event, name, **extra):
    data = {"session_id": str(event.sessions[0].id), "report": (BytesIO((DATA / name).read_bytes()), name), **extra}
    return client.post(f"/organizer/events/{event.id}/attendance/import", data=data,
                       content_type="multipart/form-data")


def _plan(page: str) -> str:
    import re
    return re.search(r'name="plan" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("name", SAMPLES)
def test_import_preview_and_confirm(client, login, create_organizer, name):
    event, regs = _event()
    login(create_organizer())
    preview = _upload(client, event, name)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "記録する出席 (3)" in page
    assert "someone@unknown.example.com" in page and "照合できなかった行" in page
    assert "211 分" in page
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0  # nothing before confirming
    done = client.post(f"/organizer/events/{event.id}/attendance/import/confirm", data={"plan": _plan(page)})
    assert done.status_code == 302 and done.headers["Location"].endswith("#attendance")
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 3
    # idempotent: the same confirmation again records nothing new
    client.post(f"/organizer/events/{event.id}/attendance/import/confirm", data={"plan": _plan(page)})
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 3
    again = _upload(client, event, name).get_data(as_text=True)
    assert "記録済み (3)" in again and "新たに記録する出席はありません" in again
    detail = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert 'id="attendance"' in detail and "100.0%" in detail


def test_minimum_minutes(client, login, create_organizer):
    event, regs = _event()
    login(create_organizer())
    page = _upload(client, event, "webex_attendees_utf8.csv", min_minutes="30").get_data(as_text=True)
    assert "記録する出席 (2)" in page and "最低参加時間未満" in page


def test_bad_files_are_answered_next_to_the_field(client, login, create_organizer):
    event, _regs = _event()
    login(create_organizer())
    r = client.post(f"/organizer/events/{event.id}/attendance/import",
                    data={"session_id": str(event.sessions[0].id), "min_minutes": "5",
                          "report": (BytesIO(b"Name,Duration\nA,5\n"), "x.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="report-error"' in page and "メールアドレスの列" in page
    assert 'value="5"' in page  # what was typed is kept
    r = client.post(f"/organizer/events/{event.id}/attendance/import",
                    data={"session_id": str(event.sessions[0].id)}, content_type="multipart/form-data")
    assert r.status_code == 422 and 'id="report-error"' in r.get_data(as_text=True)


def test_tampered_or_foreign_plan_is_refused(client, login, create_organizer):
    event, regs = _event()
    other = factories.create_event()
    login(create_organizer())
    page = _upload(client, event, "webex_attendees_utf8.csv").get_data(as_text=True)
    plan = _plan(page)
    r = client.post(f"/organizer/events/{event.id}/attendance/import/confirm", data={"plan": plan[:-2] + "xx"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/attendance/import")
    r = client.post(f"/organizer/events/{other.id}/attendance/import/confirm", data={"plan": plan})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_roles(client, login, create_organizer):
    event, _regs = _event()
    assert client.get(f"/organizer/events/{event.id}/attendance").status_code == 302  # sign in first
    login(create_organizer(role="viewer"))
    assert client.get(f"/organizer/events/{event.id}/attendance").status_code == 200
    assert client.get(f"/organizer/events/{event.id}/attendance/import").status_code == 403
    assert _upload(client, event, "webex_attendees_utf8.csv").status_code == 403
    assert client.post(f"/organizer/events/{event.id}/attendance/import/confirm", data={"plan": "x"}).status_code == 403
    detail = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert 'id="attendance"' in detail and "レポート取り込み" not in detail


def test_per_person_page_lists_full_attendance_and_completion(client, login, create_organizer):
    event, regs = _event()
    now = utcnow()
    for s in event.sessions:
        attendance.record(regs[0].id, s.id, method="online", now=now)
    attendance.record(regs[1].id, event.sessions[1].id, method="report", now=now)
    db.session.commit()
    login(create_organizer(role="viewer"))
    page = client.get(f"/organizer/events/{event.id}/attendance").get_data(as_text=True)
    full = page[page.index('class="plain-list full-attendance"'):]
    assert "佐藤" in full[:full.index("</ul>")] and "鈴木" not in full[:full.index("</ul>")]
    completed = page[page.index('class="plain-list completed-list"'):]
    assert "佐藤" in completed[:completed.index("</ul>")] and "鈴木" in completed[:completed.index("</ul>")]
    assert "高橋" in page  # a confirmed registrant who attended nothing is listed too


def test_event_form_sets_join_window_and_completion_rule(client, login, create_organizer):
    event, _regs = _event()
    login(create_organizer())
    form = client.get(f"/organizer/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="join_opens_minutes"' in form and 'value="15"' in form
    base = {"title": event.title, "slug": event.slug, "category": "symposium", "format": "online",
            "admission_mode": "first_come", "online_url": event.online_url}
    r = client.post(f"/organizer/events/{event.id}/edit", data={**base, "join_opens_minutes": "30",
                                                                 "completion_min_sessions": "3"})
    assert r.status_code == 422 and 'id="completion_min_sessions-error"' in r.get_data(as_text=True)
    assert "開催回は 2 回です" in r.get_data(as_text=True)
    r = client.post(f"/organizer/events/{event.id}/edit", data={**base, "join_opens_minutes": "30",
                                                                 "completion_min_sessions": "2"})
    assert r.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert (saved.join_opens_minutes, saved.completion_min_sessions) == (30, 2)
    r = client.post(f"/organizer/events/{event.id}/edit", data={**base, "join_opens_minutes": "-1"})
    assert r.status_code == 422 and 'id="join_opens_minutes-error"' in r.get_data(as_text=True)


# --- API --------------------------------------------------------------------------------------


def test_api_attendance_counts(client, create_organizer):
    event, regs = _event()
    now = utcnow()
    for s in event.sessions:
        attendance.record(regs[0].id, s.id, method="online", now=now)
    attendance.record(regs[1].id, event.sessions[0].id, method="walk_in", now=now)
    db.session.commit()
    token = factories.create_api_token(create_organizer(role="viewer"))
    r = client.get(f"/api/v1/events/{event.id}/attendance", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    body = r.json
    s1, s2 = event.sessions
    assert body["sessions"] == [
        {"id": s1.id, "confirmed": 3, "attended": 2, "walk_ins": 1, "cumulative": 2, "rate": 0.6667, "no_shows": 1},
        {"id": s2.id, "confirmed": 3, "attended": 1, "walk_ins": 0, "cumulative": 1, "rate": 0.3333, "no_shows": 2},
    ]
    total = body["total"]
    assert {k: total[k] for k in ("confirmed", "attended", "walk_ins", "cumulative", "unique_attendees",
                                  "no_shows", "full_attendance", "completed")} == {
        "confirmed": 3, "attended": 2, "walk_ins": 1, "cumulative": 3, "unique_attendees": 2, "no_shows": 1,
        "full_attendance": 1, "completed": 2}
    assert total["rate"] == 0.6667 and total["completion_min_sessions"] == 1


def test_api_attendance_needs_a_token(client):
    event, _regs = _event()
    assert client.get(f"/api/v1/events/{event.id}/attendance").status_code == 401
    assert client.get(f"/api/v1/events/{event.id}/attendance",
                      headers={"Authorization": "Bearer nope"}).status_code == 401


def test_api_attendance_unknown_event(client, create_organizer):
    token = factories.create_api_token(create_organizer())
    r = client.get("/api/v1/events/999999/attendance", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404 and r.json["error"] == "not_found"


def test_api_event_carries_and_takes_the_new_fields(client, create_organizer):
    token = factories.create_api_token(create_organizer())
    r = client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "右腕人材育成プログラム", "join_opens_minutes": 20, "completion_min_sessions": 6,
        "sessions": [{"starts_at": f"2027-01-{d:02d}T10:30:00"} for d in range(10, 17)],
        "ticket_types": [{"name": "一般", "capacity": 20}]})
    assert r.status_code == 201, r.json
    assert (r.json["join_opens_minutes"], r.json["completion_min_sessions"]) == (20, 6)
    bad = client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "x", "join_opens_minutes": 5000, "sessions": [], "ticket_types": []})
    assert bad.status_code == 422 and "join_opens_minutes" in bad.json["errors"]
