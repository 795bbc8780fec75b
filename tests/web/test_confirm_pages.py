"""Confirmation pages of destructive organizer actions, and the reason in the cancellation mail when chosen."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, EventSession, OutboxMessage, Registration, TicketType
from tests.factories import register


def _cancel_mail(registration_id: int) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "cancelled", OutboxMessage.registration_id == registration_id)).one()


@pytest.mark.parametrize("tell", [True, False])
def test_the_reason_goes_into_the_mail_only_when_chosen(client, login, create_event, create_organizer, tell):
    event = create_event()
    reg = register(event, 1).registration
    login(create_organizer())
    data = {"reason": "会場変更のため", "action": "confirm"}
    if tell:
        data["tell_reason"] = "y"
    response = client.post(f"/organizer/events/{event.id}/registrants/{reg.id}/cancel", data=data)
    assert response.status_code == 303
    mail = _cancel_mail(reg.id)
    assert ("会場変更のため" in mail.body_text) is tell
    assert ("会場変更のため" in mail.body_html) is tell
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.cancelled")).one()
    assert log.data["reason"] == "会場変更のため" and log.data["reason_told"] is tell


def test_preview_changes_nothing_and_shows_the_mail(client, login, create_event, create_organizer):
    event = create_event()
    reg = register(event, 1).registration
    login(create_organizer())
    url = f"/organizer/events/{event.id}/registrants/{reg.id}/cancel"
    page = client.post(url, data={"reason": "定員調整", "tell_reason": "y", "action": "preview"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "このお申し込みをキャンセルしますか？" in html and "定員調整" in html.split('class="mail-text"')[1]
    assert "[[tsudoi-private" not in html  # private links are never shown, even masked placeholders
    assert client.get(url).status_code == 200
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == "confirmed"
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "cancelled")).all() == []


def test_session_and_ticket_confirmation_pages(client, login, create_event, create_organizer):
    event = create_event(sessions=2, ticket_types=[("一般", 10), ("学生", 5)])
    register(event, 1)
    login(create_organizer())
    first, second = event.sessions
    html = client.get(f"/organizer/events/{event.id}/sessions/{second.id}/delete").get_data(as_text=True)
    assert "この日程を削除しますか？" in html and "申込者1名" in html
    mail = html.split('class="mail-text"')[1]
    assert "日程変更" in html and "2日目" not in mail  # the mail shows the programme without it
    html = client.get(f"/organizer/events/{event.id}/tickets/{event.ticket_types[0].id}/delete").get_data(as_text=True)
    assert "1件の申込" in html and "参加枠を削除する" not in html
    html = client.get(f"/organizer/events/{event.id}/tickets/{event.ticket_types[1].id}/delete").get_data(as_text=True)
    assert "参加枠を削除する" in html
    assert len(db.session.scalars(select(EventSession).where(EventSession.event_id == event.id)).all()) == 2
    assert len(db.session.scalars(select(TicketType).where(TicketType.event_id == event.id)).all()) == 2


def test_event_cancel_page_previews_the_mail(client, login, create_event, create_organizer):
    event = create_event()
    register(event, 1)
    register(event, 2)
    login(create_organizer())
    html = client.get(f"/organizer/events/{event.id}/cancel").get_data(as_text=True)
    assert "申込者2名にこのメールを送ります。" in html and "（ここに理由が入ります）" in html
    html = client.post(f"/organizer/events/{event.id}/cancel",
                       data={"reason": "台風のため", "action": "preview"}).get_data(as_text=True)
    assert "台風のため" in html.split('class="mail-text"')[1]
    db.session.expire_all()
    assert event.status == "published"


@pytest.mark.parametrize("path", ["sessions/{s}/delete", "tickets/{t}/delete", "registrants/{r}/cancel"])
def test_viewers_get_no_confirmation_page(client, login, create_event, create_organizer, path):
    event = create_event()
    reg = register(event, 1).registration
    login(create_organizer(role="viewer"))
    url = f"/organizer/events/{event.id}/" + path.format(s=event.sessions[0].id, t=event.ticket_types[0].id, r=reg.id)
    assert client.get(url).status_code == 403
