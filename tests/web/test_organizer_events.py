"""Organizer event pages over HTTP: roles, every action, validation shown next to the field."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.domain.dates import jst_datetime
from app.extensions import db
from app.models import AuditLog, Event, Question, Registration, ReminderRule

CONFIRMED = {"confirmed": "1"}  # what static/js/confirm.js adds on a yes (app/confirmations.py)


def _event(create_event, **kw):
    event = create_event(title="IoTアイデアソン", slug="iot-ideathon-2025",
                         starts_at=jst_datetime(2026, 9, 5, 10, 0), **kw)
    return event


def _ids(event):
    return {"e": event.id, "s": event.sessions[0].id, "t": event.ticket_types[0].id}


# (method, url template) for every editor route; {e}, {s}, {t}, {q}, {r} are filled in.
EDITOR_ROUTES = [
    ("GET", "/organizer/events/new"),
    ("POST", "/organizer/events/new"),
    ("GET", "/organizer/events/{e}/edit"),
    ("POST", "/organizer/events/{e}/edit"),
    ("GET", "/organizer/events/{e}/sessions/new"),
    ("POST", "/organizer/events/{e}/sessions/new"),
    ("GET", "/organizer/events/{e}/sessions/{s}/edit"),
    ("POST", "/organizer/events/{e}/sessions/{s}/edit"),
    ("POST", "/organizer/events/{e}/sessions/{s}/delete"),
    ("GET", "/organizer/events/{e}/tickets/new"),
    ("POST", "/organizer/events/{e}/tickets/new"),
    ("GET", "/organizer/events/{e}/tickets/{t}/edit"),
    ("POST", "/organizer/events/{e}/tickets/{t}/edit"),
    ("POST", "/organizer/events/{e}/tickets/{t}/delete"),
    ("POST", "/organizer/events/{e}/questions"),
    ("POST", "/organizer/events/{e}/questions/{q}/delete"),
    ("POST", "/organizer/events/{e}/reminders"),
    ("POST", "/organizer/events/{e}/reminders/{r}/delete"),
    ("POST", "/organizer/events/{e}/publish"),
    ("POST", "/organizer/events/{e}/unpublish"),
    ("GET", "/organizer/events/{e}/cancel"),
    ("POST", "/organizer/events/{e}/cancel"),
    ("GET", "/organizer/events/{e}/postpone"),
    ("POST", "/organizer/events/{e}/postpone"),
    ("GET", "/organizer/events/{e}/copy"),
    ("POST", "/organizer/events/{e}/copy"),
]


def test_every_editor_route_is_listed(app):
    listed = {re.sub(r"\{\w\}", "X", url) for _m, url in EDITOR_ROUTES}
    views = app.view_functions
    rules = {re.sub(r"<int:\w+>", "X", r.rule) for r in app.url_map.iter_rules()
             if views[r.endpoint].__module__ == "app.organizer.events" and r.endpoint != "organizer.event_detail"}
    assert len(rules) >= 17 and rules <= listed


@pytest.mark.parametrize(("method", "url"), EDITOR_ROUTES)
def test_viewer_gets_403_on_every_edit_page_and_post(client, login, create_organizer, create_event, method, url):
    event = _event(create_event)
    q = Question(event_id=event.id, kind="text", label="質問")
    r = ReminderRule(event_id=event.id, days_before=3)
    db.session.add_all([q, r])
    db.session.commit()
    login(create_organizer(role="viewer"))
    target = url.format(q=q.id, r=r.id, **_ids(event))
    response = client.open(target, method=method, data={"title": "x", "reason": "x", "name": "x"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "IoTアイデアソン"
    assert db.session.get(Event, event.id).status == "published"


def test_anonymous_is_sent_to_login(client, create_event):
    event = _event(create_event)
    response = client.get(f"/organizer/events/{event.id}/edit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_viewer_sees_the_event_page_without_edit_buttons(client, login, create_organizer, create_event):
    event = _event(create_event)
    login(create_organizer(role="viewer"))
    page = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert "IoTアイデアソン" in page
    assert f"/organizer/events/{event.id}/edit" not in page
    assert "/publish" not in page and "/delete" not in page
    dashboard = client.get("/organizer/").get_data(as_text=True)
    assert "/organizer/events/new" not in dashboard
    assert f"/organizer/events/{event.id}" in dashboard


def test_dashboard_lists_events_newest_first_with_counts(client, login, create_organizer, create_event):
    old = create_event(title="2024年度セミナー", starts_at=jst_datetime(2024, 7, 1, 13, 0), capacity=50)
    new = create_event(title="2026年度セミナー", starts_at=jst_datetime(2026, 7, 1, 13, 0),
                       ticket_types=[("一般", 40), ("学生", None)])
    new.ticket_types[0].confirmed_count = 12
    old.ticket_types[0].confirmed_count = 48
    db.session.commit()
    login(create_organizer())
    page = client.get("/organizer/").get_data(as_text=True)
    assert page.index("2026年度セミナー") < page.index("2024年度セミナー")
    assert "48 / 50" in page
    assert "12 / 制限なし" in page
    assert "2026年7月1日(水) 13:00" in page
    assert "/organizer/events/new" in page
    assert f"/events/{new.slug}" in page


def test_organizer_creates_an_event_with_first_session_and_ticket(client, login, create_organizer):
    login(create_organizer())
    response = client.post("/organizer/events/new", data={
        "title": "Cyber Security Seminar", "category": "seminar", "format": "hybrid", "prefecture": "04",
        "admission_mode": "first_come", "waitlist_enabled": "y",
        "registration_opens_at": "2026-06-01T09:00", "registration_closes_at": "2026-07-10T17:00",
        "co_organizers": "宮城県警察\n東北総合通信局",
        "first_date": "2026-07-12", "first_start": "13:30", "first_end": "16:00",
        "first_ticket_name": "一般", "first_ticket_capacity": "80",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    assert response.headers["Location"].endswith(f"/organizer/events/{event.id}")
    assert (event.slug, event.status, event.format) == ("2026-07-12-cyber-security-seminar", "draft", "hybrid")
    assert event.registration_opens_at == jst_datetime(2026, 6, 1, 9, 0)
    assert event.starts_at == jst_datetime(2026, 7, 12, 13, 30)
    assert event.sessions[0].ends_at == jst_datetime(2026, 7, 12, 16, 0)
    assert [(t.name, t.capacity) for t in event.ticket_types] == [("一般", 80)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "下書きとして作成しました" in page
    assert "2026年7月12日(日) 13:30–16:00" in page


def test_validation_errors_are_shown_next_to_the_field_and_input_kept(client, login, create_organizer, create_event):
    create_event(slug="taken-slug")
    login(create_organizer())
    response = client.post("/organizer/events/new", data={
        "title": "", "slug": "taken-slug", "category": "seminar", "format": "in_person",
        "admission_mode": "lottery", "venue": "仙台国際センター", "summary": "概要そのまま",
        "first_ticket_capacity": "-3", "first_ticket_name": "一般",
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="title-error"', page)
    assert 'value="仙台国際センター"' in page
    assert "概要そのまま" in page
    assert re.search(r'<option selected value="lottery">|<option value="lottery" selected', page)
    assert 'id="first_ticket_capacity-error"' in page
    # the slug clash is found by the service once the form itself is valid
    response = client.post("/organizer/events/new", data={
        "title": "題", "slug": "taken-slug", "category": "seminar", "format": "in_person",
        "admission_mode": "first_come", "venue": "仙台国際センター",
        "registration_opens_at": "2026-06-10T09:00", "registration_closes_at": "2026-06-01T09:00",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="slug-error"' in page and "このURL名は別のイベントで使われています" in page
    assert 'id="registration_closes_at-error"' in page
    assert 'value="2026-06-10T09:00"' in page
    assert db.session.scalar(select(Event).where(Event.title == "題")) is None


def test_edit_event_prefills_and_saves(client, login, create_organizer, create_event):
    event = _event(create_event, registration_opens_at=jst_datetime(2026, 8, 1, 9, 0))
    login(create_organizer())
    page = client.get(f"/organizer/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2026-08-01T09:00"' in page and 'value="iot-ideathon-2025"' in page
    response = client.post(f"/organizer/events/{event.id}/edit", data={
        "title": "IoTアイデアソン＆ハッカソン", "slug": "iot-ideathon-2025", "category": "hackathon",
        "format": "in_person", "admission_mode": "first_come", "prefecture": "02",
        "registration_opens_at": "2026-08-01T09:00",
    })
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, event.category, event.prefecture) == ("IoTアイデアソン＆ハッカソン", "hackathon", "02")
    assert "event.updated" in db.session.scalars(select(AuditLog.action)).all()


def test_sessions_add_edit_delete(client, login, create_organizer, create_event):
    event = _event(create_event)
    login(create_organizer())
    r = client.post(f"/organizer/events/{event.id}/sessions/new",
                    data={"title": "2日目", "date": "2026-09-06", "start_time": "10:00", "end_time": "17:00"})
    assert r.status_code == 302
    r = client.post(f"/organizer/events/{event.id}/sessions/new",
                    data={"date": "2026-09-06", "start_time": "10:00", "end_time": "09:00"})
    assert r.status_code == 422 and 'id="end_time-error"' in r.get_data(as_text=True)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    second = next(s for s in event.sessions if s.title == "2日目")
    r = client.post(f"/organizer/events/{event.id}/sessions/{second.id}/edit",
                    data={"title": "Day 0", "date": "2026-09-04", "start_time": "10:00"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).starts_at == jst_datetime(2026, 9, 4, 10, 0)
    first = next(s for s in db.session.get(Event, event.id).sessions if s.id != second.id)
    assert client.post(f"/organizer/events/{event.id}/sessions/{first.id}/delete").status_code == 302
    # the last session of a published event stays
    r = client.post(f"/organizer/events/{event.id}/sessions/{second.id}/delete", follow_redirects=True)
    assert "公開中のイベントには日程が1つ以上必要です" in r.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Event, event.id).sessions) == 1


def test_ticket_types_add_edit_delete_and_rules(client, login, create_organizer, create_event):
    event = _event(create_event, capacity=30)
    ticket = event.ticket_types[0]
    ticket.confirmed_count = 10
    db.session.add(Registration(event_id=event.id, ticket_type_id=ticket.id, manage_token="tok-1",
                                email="a@example.jp", email_normalized="a@example.jp", family_name="佐藤",
                                given_name="花子"))
    db.session.commit()
    login(create_organizer())
    r = client.post(f"/organizer/events/{event.id}/tickets/{ticket.id}/edit", data={"name": "一般", "capacity": "5"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="capacity-error"' in page and "10名より少なくできません" in page and 'value="5"' in page
    r = client.post(f"/organizer/events/{event.id}/tickets/{ticket.id}/delete", follow_redirects=True)
    assert "削除できません" in r.get_data(as_text=True)
    r = client.post(f"/organizer/events/{event.id}/tickets/new", data={"name": "学生", "capacity": ""})
    assert r.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    student = next(t for t in event.ticket_types if t.name == "学生")
    assert student.capacity is None
    assert client.post(f"/organizer/events/{event.id}/tickets/{student.id}/delete").status_code == 302
    db.session.expire_all()
    assert [t.name for t in db.session.get(Event, event.id).ticket_types] == ["一般"]


def test_questions_and_reminders_on_the_event_page(client, login, create_organizer, create_event):
    event = _event(create_event)
    login(create_organizer())
    r = client.post(f"/organizer/events/{event.id}/questions",
                    data={"q-label": "参加部門", "q-kind": "single", "q-choices": "高校の部"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="q-choices-error"' in page and 'value="参加部門"' in page
    r = client.post(f"/organizer/events/{event.id}/questions",
                    data={"q-label": "参加部門", "q-kind": "single", "q-choices": "高校の部\n中学の部", "q-required": "y"})
    assert r.status_code == 302
    r = client.post(f"/organizer/events/{event.id}/reminders", data={"rr-days_before": "3", "rr-send_time": "09:00"})
    assert r.status_code == 302
    r = client.post(f"/organizer/events/{event.id}/reminders", data={"rr-days_before": "", "rr-send_time": "09:00"})
    assert r.status_code == 422 and 'id="rr-days_before-error"' in r.get_data(as_text=True)
    page = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert "参加部門" in page and "高校の部 / 中学の部" in page and "3日前 09:00" in page
    q = db.session.scalars(select(Question)).one()
    rule = db.session.scalars(select(ReminderRule)).one()
    assert client.post(f"/organizer/events/{event.id}/questions/{q.id}/delete", data=CONFIRMED).status_code == 302
    assert client.post(f"/organizer/events/{event.id}/reminders/{rule.id}/delete", data=CONFIRMED).status_code == 302
    assert db.session.scalars(select(Question)).all() == []


def test_publish_unpublish_and_publish_refusal(client, login, create_organizer, create_event):
    event = _event(create_event, status="draft", sessions=0)
    login(create_organizer())
    r = client.post(f"/organizer/events/{event.id}/publish", follow_redirects=True)
    assert "日程（日時）を1つ以上追加してください" in r.get_data(as_text=True)
    day = (utcnow() + timedelta(days=40)).date().isoformat()
    client.post(f"/organizer/events/{event.id}/sessions/new", data={"date": day, "start_time": "10:00"})
    r = client.post(f"/organizer/events/{event.id}/publish", follow_redirects=True)
    assert "イベントを公開しました" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"
    assert "IoTアイデアソン" in client.get("/").get_data(as_text=True)
    r = client.post(f"/organizer/events/{event.id}/unpublish", data=CONFIRMED, follow_redirects=True)
    assert "下書きに戻しました" in r.get_data(as_text=True)
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.event_id == event.id)).all()
    assert {"event.published", "event.unpublished"} <= set(actions)


@pytest.mark.parametrize(("kind", "status", "flash"), [("cancel", "cancelled", "中止にしました"),
                                                       ("postpone", "postponed", "延期にしました")])
def test_cancel_and_postpone_need_a_reason(client, login, create_organizer, create_event, kind, status, flash):
    event = _event(create_event)
    login(create_organizer())
    assert client.get(f"/organizer/events/{event.id}/{kind}").status_code == 200
    r = client.post(f"/organizer/events/{event.id}/{kind}", data={"reason": ""})
    assert r.status_code == 422 and 'id="reason-error"' in r.get_data(as_text=True)
    r = client.post(f"/organizer/events/{event.id}/{kind}", data={"reason": "台風のため"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert flash in page and "台風のため" in page
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.status, event.status_reason) == (status, "台風のため")


def test_copy_creates_a_draft_at_the_new_date(client, login, create_organizer, create_event):
    event = _event(create_event, sessions=2)
    login(create_organizer())
    r = client.post(f"/organizer/events/{event.id}/copy", data={"first_start": ""})
    assert r.status_code == 422 and 'id="first_start-error"' in r.get_data(as_text=True)
    r = client.post(f"/organizer/events/{event.id}/copy", data={"first_start": "2027-09-04T10:00"})
    assert r.status_code == 302
    copy = db.session.scalars(select(Event).where(Event.copied_from_id == event.id)).one()
    assert r.headers["Location"].endswith(f"/organizer/events/{copy.id}")
    assert copy.status == "draft" and copy.slug == "2027-09-04-iot-ideathon"
    assert [s.starts_at for s in copy.sessions] == [jst_datetime(2027, 9, 4, 10, 0), jst_datetime(2027, 9, 5, 10, 0)]


def test_unknown_event_is_404(client, login, create_organizer):
    login(create_organizer())
    assert client.get("/organizer/events/999").status_code == 404
    assert client.post("/organizer/events/999/publish").status_code == 404


def test_child_of_another_event_is_404(client, login, create_organizer, create_event):
    a, b = _event(create_event), create_event()
    login(create_organizer())
    assert client.get(f"/organizer/events/{a.id}/tickets/{b.ticket_types[0].id}/edit").status_code == 404


def test_organizer_adds_a_reminder_before_one_session_of_a_series(client, login, create_organizer, create_event):
    login(create_organizer())
    event = create_event(sessions=3)
    third = event.sessions[2]
    page = client.get(f"/organizer/events/{event.id}")
    assert "rr-session_id" in page.get_data(as_text=True)
    response = client.post(f"/organizer/events/{event.id}/reminders",
                           data={"rr-days_before": "2", "rr-send_time": "09:30", "rr-session_id": str(third.id)})
    assert response.status_code == 302
    rule = db.session.scalars(select(ReminderRule).where(ReminderRule.session_id == third.id)).one()
    assert (rule.days_before, rule.send_time) == (2, "09:30")
    shown = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert "3日目" in shown


def test_missing_values_are_worded_like_in_the_registration_form(client, login, create_organizer, create_event):
    login(create_organizer())
    event = create_event()
    html = client.post(f"/organizer/events/{event.id}/cancel", data={"reason": ""}).get_data(as_text=True)
    assert "入力してください。" in html and "このフィールドは必須です" not in html
