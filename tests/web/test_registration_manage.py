"""The registrant's private pages: /r/<token>, edit, cancel, 受付票 (QR) and calendar file."""
from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from app import urls
from app.domain.dates import JST
from app.extensions import db
from app.models import AuditLog, OutboxMessage, Question
from app.services.tickets import ticket_code, verify_ticket_code
from tests.factories import register
from tests.web.test_registration import error_of


def test_unknown_token_is_404_and_pages_are_private(client, create_event):
    assert client.get("/r/not-a-real-token").status_code == 404
    assert client.get("/r/not-a-real-token/ticket").status_code == 404
    assert client.get("/r/" + "x" * 80).status_code == 404
    reg = register(create_event(), 1).registration
    response = client.get(f"/r/{reg.manage_token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_manage_page_shows_status_ticket_type_and_reference(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=True)
    first = register(event, 1).registration
    second = register(event, 2).registration
    third = register(event, 3).registration
    html = client.get(f"/r/{first.manage_token}").text
    assert first.reference in html and "一般" in html and event.title in html
    assert "受付票を表示する" in html and "カレンダーに追加" in html
    html = client.get(f"/r/{third.manage_token}").text
    assert "キャンセル待ち 2 番目です。" in html
    assert "受付票を表示する" not in html
    assert second.email not in html  # nobody else's data


def test_join_link_only_for_confirmed_registrants_and_never_the_online_url(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=True, format="online", online_url="https://meet.example.jp/dx")
    confirmed = register(event, 1).registration
    waiting = register(event, 2).registration
    join = urls.join_url(confirmed)
    for path in (f"/r/{confirmed.manage_token}", f"/r/{confirmed.manage_token}/ticket"):
        page = client.get(path).text
        assert join in page and "https://meet.example.jp/dx" not in page
    ics = client.get(f"/r/{confirmed.manage_token}/calendar.ics").text
    assert "meet.example.jp" not in ics and "/j/" in ics.replace("\r\n ", "")
    for path in (f"/r/{waiting.manage_token}", f"/r/{waiting.manage_token}/calendar.ics"):
        page = client.get(path).text
        assert "https://meet.example.jp/dx" not in page and "/j/" not in page
    assert "https://meet.example.jp/dx" not in client.get(f"/events/{event.slug}/register").text


def test_edit_details_and_answers(client, create_event):
    event = create_event()
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], required=True))
    db.session.commit()
    q = event.questions[0]
    reg = register(event, 1, answers={str(q.id): "会場"}).registration
    page = client.get(f"/r/{reg.manage_token}/edit").text
    assert 'value="株式会社テスト1"' in page and re.search(r'value="会場"\s+checked', page)
    assert 'name="email"' not in page  # the email is not editable here

    form = {
        "family_name": "山田", "given_name": "花子", "family_name_kana": "やまだ", "given_name_kana": "ﾊﾅｺ",
        "phone": "090-1234-5678", "organization": "東北テック株式会社", "department": "", "job_title": "",
        "organization_type": "company", "prefecture": "03", "corporate_number": "", f"q_{q.id}": "オンライン",
    }
    bad = client.post(f"/r/{reg.manage_token}/edit", data={**form, "phone": "123"})
    assert error_of(bad.text, "phone") == "電話番号は 022-221-4876 のように10桁または11桁で入力してください。"
    assert 'value="東北テック株式会社"' in bad.text

    response = client.post(f"/r/{reg.manage_token}/edit", data=form)
    assert response.status_code == 303
    db.session.refresh(reg)
    assert (reg.given_name, reg.given_name_kana, reg.phone, reg.prefecture) == ("花子", "ハナコ", "09012345678", "03")
    assert reg.answers[str(q.id)] == "オンライン"
    assert reg.email == "taro1@example.jp"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.updated")) is not None
    assert "登録内容を保存しました。" in client.get(response.headers["Location"]).text


def test_cancel_asks_first_then_cancels_and_promotes_the_next(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=True)
    first = register(event, 1).registration
    waiting = register(event, 2).registration
    page = client.get(f"/r/{first.manage_token}/cancel")
    assert "お申し込みをキャンセルしますか？" in page.text
    db.session.refresh(first)
    assert first.status == "confirmed"  # GET changes nothing

    response = client.post(f"/r/{first.manage_token}/cancel")
    assert response.status_code == 303
    db.session.expire_all()
    assert first.status == "cancelled"
    assert waiting.status == "confirmed"
    kinds = {(m.kind, m.registration_id) for m in db.session.scalars(select(OutboxMessage))}
    assert ("cancelled", first.id) in kinds and ("promoted", waiting.id) in kinds
    html = client.get(f"/r/{first.manage_token}").text
    assert "キャンセルしました" in html
    assert "申し込みをキャンセルする" not in html
    # A second attempt and an edit of a cancelled registration are refused politely.
    assert client.post(f"/r/{first.manage_token}/cancel").status_code == 302
    assert client.get(f"/r/{first.manage_token}/edit").status_code == 302


def test_ticket_has_a_qr_code_that_verifies(client, app, create_event):
    event = create_event()
    reg = register(event, 1).registration
    html = client.get(f"/r/{reg.manage_token}/ticket").text
    assert "<svg" in html and 'class="ticket-qr"' in html
    assert reg.reference in html and reg.full_name in html and event.title in html
    code = ticket_code(reg, app.config["SECRET_KEY"])
    assert code.startswith(f"TSUDOI:{reg.reference}:")
    assert reg.email not in code and reg.family_name not in code and reg.manage_token not in code
    verified = verify_ticket_code(code, app.config["SECRET_KEY"])
    assert (verified.registration_id, verified.event_id) == (reg.id, event.id)


def test_no_ticket_before_confirmation(client, create_event):
    event = create_event(capacity=0, waitlist_enabled=True)
    reg = register(event, 1).registration
    html = client.get(f"/r/{reg.manage_token}/ticket").text
    assert "<svg" not in html
    assert "受付票はまだありません" in html


def test_calendar_file_has_every_session_in_japan_time(client, create_event):
    event = create_event(sessions=2, format="hybrid", online_url="https://meet.example.jp/juku", venue="AER 5階")
    reg = register(event, 1).registration
    response = client.get(f"/r/{reg.manage_token}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    items = cal.walk("VEVENT")
    assert len(items) == 2
    for item, session in zip(items, event.sessions, strict=True):
        start = item.decoded("dtstart")
        assert str(start.tzinfo) == "Asia/Tokyo"
        assert start == session.starts_at.astimezone(JST)
        assert item.decoded("dtend") == session.ends_at
        assert "AER 5階" in str(item["location"])
        # the personal join link, which leads to the online URL in its window; never the URL itself
        assert "https://meet.example.jp/juku" not in str(item["description"])
        assert urls.join_url(reg) in str(item["description"]) and str(item["url"]) == urls.join_url(reg)
        assert str(item["status"]) == "CONFIRMED"
    uids = [str(i["uid"]) for i in items]
    assert len(set(uids)) == 2
    again = Calendar.from_ical(client.get(f"/r/{reg.manage_token}/calendar.ics").data)
    assert [str(i["uid"]) for i in again.walk("VEVENT")] == uids  # stable
    assert cal.walk("VTIMEZONE")


def test_calendar_of_a_waitlisted_registration_has_no_online_url(client, create_event):
    event = create_event(capacity=0, format="online", online_url="https://meet.example.jp/secret",
                         starts_at=None)
    reg = register(event, 1).registration
    body = client.get(f"/r/{reg.manage_token}/calendar.ics").data
    assert b"meet.example.jp" not in body
    assert b"TENTATIVE" in body


def test_calendar_of_a_cancelled_registration_cancels_the_events(client, create_event):
    event = create_event(starts_at=None)
    reg = register(event, 1).registration
    client.post(f"/r/{reg.manage_token}/cancel")
    cal = Calendar.from_ical(client.get(f"/r/{reg.manage_token}/calendar.ics").data)
    assert [str(i["status"]) for i in cal.walk("VEVENT")] == ["CANCELLED"]


def test_session_times_render_the_japanese_way(client, create_event):
    from app.domain.dates import jst_datetime

    start = jst_datetime(2030, 7, 12, 13, 30)
    event = create_event(starts_at=start, registration_closes_at=start - timedelta(hours=1))
    reg = register(event, 1).registration
    assert "2030年7月12日(金) 13:30–15:30" in client.get(f"/r/{reg.manage_token}").text


def test_the_registrant_chooses_the_language_of_later_mails(client, create_event):
    from app.services import registrations
    event = create_event(title="TOHOKU DXセミナー", title_en="TOHOKU DX Seminar", capacity=5)
    reg = register(event, 1).registration
    page = client.get(f"/r/{reg.manage_token}").text
    assert 'name="language"' in page and "メールの言語" in page
    token = reg.manage_token
    answer = client.post(f"/r/{token}/language", data={"language": "en"})
    assert answer.status_code == 303
    assert "今後のメールはEnglishでお送りします。" in client.get(answer.headers["Location"]).text
    db.session.expire_all()
    assert reg.language == "en"
    # the next mail is rendered in English with the English title
    registrations.cancel(reg, now=reg.created_at, actor=None)
    db.session.commit()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == reg.id,
                                                          OutboxMessage.kind == "cancelled")).one()
    assert "TOHOKU DX Seminar" in mail.subject and "キャンセル" not in mail.body_text
    history = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.language_changed")).all()
    assert [(h.data["from"], h.data["to"]) for h in history] == [("ja", "en")]
    # a cancelled registration is not offered the choice
    assert 'name="language"' not in client.get(f"/r/{token}").text


def test_an_unknown_mail_language_is_refused_and_nothing_changes(client, create_event):
    reg = register(create_event(), 1).registration
    answer = client.post(f"/r/{reg.manage_token}/language", data={"language": "fr"}, follow_redirects=True)
    assert "表示されている言語から選んでください。" in answer.text
    db.session.expire_all()
    assert reg.language == "ja"
    assert client.post("/r/not-a-real-token/language", data={"language": "en"}).status_code == 404
