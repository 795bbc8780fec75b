"""What the mails say: HTML + text, the personal join link (never the online URL) only for confirmed
registrants, the .ics attachment."""
from __future__ import annotations

import base64

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import OutboxMessage
from app.services import outbox, registrations
from tests.factories import register

ONLINE_URL = "https://meet.example.jp/secret-room"


def _mails(kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt).all()


def test_confirmed_mail_has_html_join_link_links_and_calendar(app, create_event):
    event = create_event(format="hybrid", online_url=ONLINE_URL, venue="仙台国際センター", title="TOHOKU DXセミナー")
    registration = register(event, 1).registration
    [mail] = _mails("confirmed")
    for body in (mail.body_text, mail.body_html):
        # The online URL is reached through the personal join link (/j/<token>), filled in at delivery.
        assert ONLINE_URL not in body and "/j/" not in body
        assert "[[tsudoi-private:join_url]]" in body
        assert "TOHOKU DXセミナー" in body
        assert "仙台国際センター" in body
        # The private links are not stored: placeholders, filled in at delivery.
        assert registration.manage_token not in body and "/r/" not in body
        for name in ("manage_url", "ticket_url", "calendar_url"):  # 受付票 and calendar too
            assert f"[[tsudoi-private:{name}]]" in body
        assert "年" in body and "月" in body and "日(" in body  # the Japanese date
    assert mail.body_html.lstrip().startswith("<!doctype html>")
    assert "参加登録が完了しました" in mail.body_html
    # queued without its data; the calendar is built when the mail is sent
    assert mail.attachments == [{"filename": f"event-{event.id}.ics", "content_type": "text/calendar",
                                 "generate": "calendar"}]
    [attachment] = outbox.attachment_data(mail, utcnow())
    assert attachment["content_type"] == "text/calendar"
    data = base64.b64decode(attachment["data_b64"])
    assert len(data) < 10_000
    calendar = Calendar.from_ical(data)
    [vevent] = list(calendar.walk("VEVENT"))
    assert str(vevent["summary"]).startswith("TOHOKU DXセミナー")


@pytest.mark.parametrize("mode,kind", [("first_come", "waitlisted"), ("lottery", "applied"),
                                       ("approval", "pending")])
def test_no_online_url_before_confirmation(app, create_event, mode, kind):
    event = create_event(format="online", online_url=ONLINE_URL, admission_mode=mode, capacity=1 if mode ==
                         "first_come" else 30)
    if mode == "first_come":
        register(event, 1)
    register(event, 2)
    [mail] = _mails(kind)
    assert ONLINE_URL not in mail.body_text
    assert ONLINE_URL not in mail.body_html
    assert "join_url" not in mail.body_text + mail.body_html
    assert mail.body_html  # every mail has its HTML version
    assert mail.attachments == []


def test_promoted_mail_has_join_link_and_calendar(app, create_event):
    event = create_event(format="online", online_url=ONLINE_URL, capacity=1)
    first = register(event, 1).registration
    register(event, 2)
    registrations.cancel(first, now=utcnow())
    db.session.commit()
    [mail] = _mails("promoted")
    assert "[[tsudoi-private:join_url]]" in mail.body_text and "[[tsudoi-private:join_url]]" in mail.body_html
    assert ONLINE_URL not in mail.body_text + mail.body_html
    [attachment] = outbox.attachment_data(mail, utcnow())
    assert Calendar.from_ical(base64.b64decode(attachment["data_b64"])).walk("VEVENT")
    [cancelled] = _mails("cancelled")
    assert ONLINE_URL not in cancelled.body_text + cancelled.body_html
    assert "join_url" not in cancelled.body_text + cancelled.body_html
    assert cancelled.attachments == []


def test_html_escapes_what_people_typed(app, create_event):
    event = create_event(title="<script>alert(1)</script>セミナー", contact="<b>事務局</b>")
    register(event, 1, family_name="<img src=x>", given_name="太郎")
    [mail] = _mails("confirmed")
    assert "<script>" not in mail.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;セミナー" in mail.body_html
    assert "<img src=x>" not in mail.body_html
    assert "<b>事務局</b>" not in mail.body_html
    # The text version keeps the characters as typed (it is plain text).
    assert "<script>alert(1)</script>セミナー" in mail.body_text


def test_every_mail_kind_has_an_html_version(app, create_event):
    from app import notifications

    event = create_event(status_reason="台風のため")
    registration = register(event, 1).registration
    now = utcnow()
    notifications.manage_link(registration, now=now)
    event.status = "postponed"
    notifications.event_status_changed(event, registration, now)
    event.status = "cancelled"
    notifications.event_status_changed(event, registration, now)
    db.session.commit()
    kinds = {m.kind: m for m in _mails()}
    assert set(kinds) >= {"confirmed", "manage_link", "event_postponed", "event_cancelled"}
    assert all(m.body_html.strip() for m in kinds.values())
    assert "台風のため" in kinds["event_cancelled"].body_html
