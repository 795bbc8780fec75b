"""Organizer reads mails on the outbox page and sends a failed one again (real Chromium)."""
from __future__ import annotations

from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from app import jobs
from app.db_types import utcnow
from app.extensions import db, mail
from app.models import OutboxMessage
from app.services import registrations
from tests.browser.layout import scroll_width
from tests.factories import register


def _detached(user):
    """The sign-in details, and the test thread's transaction ended (SQLite: it would block the server)."""
    details = SimpleNamespace(email=user.email)
    db.session.rollback()
    return details


def test_organizer_reads_a_mail_and_retries_a_failed_one(page, browser_login, create_organizer, create_event):
    event = create_event(title="TOHOKU DXセミナー", format="online", online_url="https://meet.example.jp/dx")
    token = register(event, 1).registration.manage_token
    register(event, 2)
    failed = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[1]
    failed.status, failed.attempts, failed.last_error = "failed", 5, "SMTPConnectError: 421 try later"
    db.session.commit()
    failed_id = failed.id
    # A third registrant cancels before the mail job runs: the confirmation is no longer true.
    third = register(event, 3).registration
    registrations.cancel(third, now=utcnow())
    db.session.commit()
    jobs.deliver_due()
    user = _detached(create_organizer())

    browser_login(page, user)
    page.goto("/organizer/outbox")
    page.get_by_role("heading", name="送信メール").wait_for()
    assert "送信に失敗したメールが1件あります" in page.get_by_role("alert").inner_text()

    # Open the first registrant's confirmation and read it.
    row = page.locator("tr", has_text="taro1@example.jp")
    row.get_by_role("link").click()
    page.get_by_role("heading", name="テキスト版").wait_for()
    text = page.locator(".mail-text").inner_text()
    assert "山田 太郎1 様" in text and "参加登録が完了しました" in text
    # The online URL is reached through the registrant's personal join link, masked for staff too.
    assert "https://meet.example.jp/dx" not in text and "オンライン参加用のあなた専用リンク" in text
    # The registrant's private link is never shown to staff: a masked note instead.
    assert "（本人用リンク：送信時に挿入）" in text and token not in page.content()
    html = page.frame_locator("iframe.mail-html")
    assert "参加登録が完了しました" in html.locator("body").inner_text()
    assert "（本人用リンク：送信時に挿入）" in html.locator("body").inner_text()
    page.locator("iframe.mail-html").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/outbox_detail.png")

    # Mails that were no longer true are counted and explained, not sent.
    page.goto("/organizer/outbox")
    page.get_by_label("状態", exact=True).select_option("superseded")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**status=superseded**")
    assert page.locator('[data-status="superseded"]').inner_text() == "1"
    page.locator("tr", has_text="taro3@example.jp").get_by_role("link").click()
    assert "送信不要" in page.locator("dl.facts").inner_text()
    assert "送信前に申込の状態が変わりました。" in page.locator("dl.facts").inner_text()

    # Back to the list, open the failed one, send it again.
    page.goto("/organizer/outbox?status=failed")
    page.locator("tr", has_text="taro2@example.jp").get_by_role("link").click()
    assert "421 try later" in page.locator("dl.facts").inner_text()
    page.get_by_role("button", name="再送する").click()
    page.get_by_text("まもなくメールを再送します。").wait_for()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed_id).status == "pending"


def test_outbox_on_a_phone(phone_page, browser_login, create_organizer, create_event):
    event = create_event()
    register(event, 1)
    event_id = event.id
    user = _detached(create_organizer(role="viewer"))
    browser_login(phone_page, user)
    phone_page.goto("/organizer/outbox")
    phone_page.get_by_label("イベント").select_option(str(event_id))
    phone_page.get_by_role("button", name="表示").click()
    phone_page.wait_for_url(f"**event_id={event_id}**")
    assert scroll_width(phone_page) <= 400
    phone_page.screenshot(path="/tmp/outbox_list_phone.png")
    phone_page.locator("tr", has_text="taro1@example.jp").get_by_role("link").click()
    phone_page.get_by_role("heading", name="HTML版").wait_for()
    width = scroll_width(phone_page)
    assert width <= 400  # nothing overflows the phone screen
    phone_page.screenshot(path="/tmp/outbox_phone.png", full_page=True)


def test_moving_a_session_sends_one_schedule_change_mail(page, browser_login, create_organizer, create_event):
    """The organizer moves the date in the browser; registrants get ONE 日程変更 mail with the new date."""
    from datetime import timedelta

    from app.domain.dates import to_jst

    event = create_event(title="MaaSシンポジウム")
    register(event, 1)
    register(event, 2)
    jobs.deliver_due()  # the confirmations
    event_id, session_id = event.id, event.sessions[0].id
    new_day = to_jst(event.starts_at + timedelta(days=14)).date()
    user = _detached(create_organizer())

    browser_login(page, user)
    for hour in ("13:00", "14:00"):  # two edits in a row
        page.goto(f"/organizer/events/{event_id}/sessions/{session_id}/edit")
        page.locator("#date").fill(new_day.isoformat())
        page.locator("#start_time").fill(hour)
        page.locator("#end_time").fill("17:00")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"**/organizer/events/{event_id}**")
    page.goto(f"/organizer/outbox?event_id={event_id}")
    rows = page.locator("tr.outbox-row", has_text="日程変更のお知らせ")
    expect(rows).to_have_count(4)  # two per registrant: the first superseded by the second
    expect(page.locator("tr.outbox-row.status-pending", has_text="日程変更のお知らせ")).to_have_count(2)
    expect(page.locator("tr.outbox-row.status-superseded", has_text="送信不要")).to_have_count(2)

    db.session.rollback()
    with mail.record_messages() as recorded:
        jobs.deliver_due(clock=lambda: utcnow() + timedelta(minutes=10))
    db.session.rollback()
    assert sorted(m.recipients[0] for m in recorded) == ["taro1@example.jp", "taro2@example.jp"]
    assert all(m.subject == "【日程変更のお知らせ】MaaSシンポジウム" for m in recorded)
    assert f"{new_day.year}年{new_day.month}月{new_day.day}日" in recorded[0].body
    assert "14:00" in recorded[0].body
