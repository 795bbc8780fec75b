"""Online attendance in real Chromium: the join link from a delivered mail (before / inside its window,
after cancellation), and the organizer importing Zoom, Teams and Webex attendee reports."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app import jobs
from app.db_types import utcnow
from app.extensions import db, mail
from app.models import Attendance, EventSession
from app.services import registrations
from tests.browser.layout import scroll_width
from tests.factories import register

ONLINE_URL = "https://meet.example.jp/maas-room"
DATA = Path(__file__).resolve().parents[1] / "data" / "attendee_reports"


def _join_link_from_the_mail(registration, base_url: str) -> str:
    """Deliver the outbox and read the join link out of the mail the registrant received."""
    with mail.record_messages() as sent:
        jobs.deliver_due()
    [message] = [m for m in sent if m.recipients == [registration.email]]
    [link] = set(re.findall(re.escape(base_url) + r"/j/[0-9]+\.[A-Za-z0-9_-]+", message.body))
    return link


def _attendances() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Attendance))


def _move_session(session_id: int, starts_in: timedelta) -> None:
    session = db.session.get(EventSession, session_id)
    session.starts_at = utcnow() + starts_in
    session.ends_at = session.starts_at + timedelta(hours=2)
    db.session.commit()


def test_join_link_opens_only_inside_its_window(page, live_server, create_event):
    # The "video platform" is a page of the live server (Chromium cannot reach meet.example.jp, and
    # Playwright does not intercept the target of a redirect): the event's public page, with a room.
    online_url = f"{live_server.url}/events/maas-live?room=maas"
    event = create_event(title="東北MaaSシンポジウム", slug="maas-live", format="online", online_url=online_url,
                         starts_at=(utcnow() + timedelta(days=2)).replace(microsecond=0))
    registration = register(event, 1).registration
    session_id = event.sessions[0].id
    link = _join_link_from_the_mail(registration, live_server.url)
    reg_id = registration.id
    db.session.rollback()

    # Two days before: a page that says when it opens, and no URL.
    page.goto(link)
    status = page.get_by_role("status")
    expect(status).to_contain_text("この参加リンクはまだ開いていません。")
    expect(status).to_contain_text("開始の15分前")
    assert online_url not in page.content()
    assert _attendances() == 0

    # Ten minutes before the start: the link records the attendance and leads to the meeting.
    _move_session(session_id, timedelta(minutes=10))
    page.goto(link)
    page.wait_for_url(online_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("東北MaaSシンポジウム")
    assert _attendances() == 1
    page.goto(link)  # a second use goes there again and records nothing more
    page.wait_for_url(online_url)
    assert _attendances() == 1

    # After the registration is cancelled, the link no longer opens (English page too).
    registrations.cancel(db.session.get(type(registration), reg_id), now=utcnow())
    db.session.commit()
    page.goto(link + "?lang=en")
    expect(page.get_by_role("status")).to_contain_text("Your registration has been cancelled")
    assert online_url not in page.content()


def _detached(user):
    details = SimpleNamespace(email=user.email)
    db.session.rollback()
    return details


@pytest.mark.parametrize("name,platform", [("zoom_participants_ja_cp932.csv", "ZOOM"),
                                           ("teams_attendance_utf16.csv", "TEAMS"),
                                           ("webex_attendees_utf8.csv", "WEBEX")])
def test_organizer_imports_an_attendee_report(page, live_server, browser_login, create_organizer, create_event,
                                              name, platform):
    event = create_event(title="東北MaaSシンポジウム", format="online", online_url=ONLINE_URL)
    for n, (email, family) in enumerate((("sato@example.jp", "佐藤"), ("suzuki@example.jp", "鈴木"),
                                         ("takahashi@example.jp", "高橋")), start=1):
        register(event, n, email=email, family_name=family)
    event_id = event.id
    user = _detached(create_organizer())

    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}")
    page.locator("table.attendance-counts").get_by_role("link", name="レポート取り込み").click()
    page.get_by_label("参加者レポート").set_input_files(str(DATA / name))
    page.get_by_label("最低参加時間").fill("5")
    page.get_by_role("button", name="確認する").click()

    page.get_by_role("heading", name="取り込み内容の確認").wait_for()
    assert platform in page.locator("dl.facts").inner_text()
    matched = page.locator("table.report-matched")
    expect(matched.locator("tbody tr")).to_have_count(3)
    expect(matched).to_contain_text("鈴木")
    expect(matched).to_contain_text("211 分")
    unmatched = page.locator("table.report-unmatched")
    expect(unmatched).to_contain_text("someone@unknown.example.com")
    assert _attendances() == 0

    page.get_by_role("button", name="3 名の出席を記録する").click()
    expect(page.get_by_text("出席を記録しました：新規 3 名")).to_be_visible()
    row = page.locator("table.attendance-counts tbody tr").first
    expect(row).to_contain_text("100.0%")
    assert _attendances() == 3


def test_join_page_on_a_phone(phone_page, live_server, create_event):
    event = create_event(format="online", online_url=ONLINE_URL,
                         starts_at=(utcnow() + timedelta(days=2)).replace(microsecond=0))
    registration = register(event, 1).registration
    link = _join_link_from_the_mail(registration, live_server.url)
    db.session.rollback()
    phone_page.goto(link)
    expect(phone_page.get_by_role("status")).to_contain_text("まだ開いていません")
    assert scroll_width(phone_page) <= 390
