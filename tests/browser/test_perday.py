"""Per-day registration in a real browser: a registrant picks 2 of 3 days, sees them on the 受付票,
changes to another day; the organizer sees the counts per day and 延べ."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, SessionChoice
from app.services import outbox
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register


def _day(page, title):
    return page.get_by_role("checkbox", name=re.compile(f"^{title}"))


def test_pick_two_days_see_them_on_the_ticket_then_change(page, phone_page, create_event, create_organizer,
                                                         browser_login):
    event = create_event(title="三陸水産イノベーションサミット", sessions=3, capacity=None, choose_sessions=True,
                         format="online", online_url="https://webinar.example.com/j/sanriku")
    event.sessions[1].capacity = 50
    db.session.commit()
    slug, event_id = event.slug, event.id
    d1, d2, d3 = (s.id for s in sorted(event.sessions, key=lambda s: s.starts_at))
    register(event, 7, sessions=[d2])  # someone already on day 2
    organizer = create_organizer()
    db.session.rollback()

    # The form on a phone: nothing wider than the screen.
    phone_page.goto(f"/events/{slug}/register")
    expect(_day(phone_page, "1日目")).to_be_visible()
    assert scroll_width(phone_page) <= 390

    page.goto(f"/events/{slug}/register")
    page.get_by_label("姓", exact=True).fill("三陸")
    page.get_by_label("名", exact=True).fill("太郎")
    page.get_by_label("セイ", exact=True).fill("さんりく")
    page.get_by_label("メイ", exact=True).fill("たろう")
    page.get_by_label("メールアドレス", exact=True).fill("sanriku@example.jp")
    page.get_by_label("メールアドレス（確認用）").fill("sanriku@example.jp")
    page.get_by_label("会社名・団体名").fill("株式会社三陸水産")
    page.get_by_label("組織区分").select_option(label="企業")
    page.get_by_label("都道府県").select_option(label="宮城県")
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()
    page.get_by_role("button", name="確認画面へ進む").click()  # no day chosen yet
    expect(page.locator("#sessions-error")).to_have_text("参加する日を1日以上選んでください。")
    expect(page.get_by_label("会社名・団体名")).to_have_value("株式会社三陸水産")  # nothing lost
    expect(page.get_by_text("残り49席")).to_be_visible()
    _day(page, "1日目").check()
    _day(page, "3日目").check()
    page.get_by_role("button", name="確認画面へ進む").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込み内容の確認")
    review = page.locator(".chosen-days")
    expect(review).to_contain_text("1日目")
    expect(review).to_contain_text("3日目")
    expect(review).not_to_contain_text("2日目")
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{slug}/register/done")
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込みが確定しました")

    def mail():
        return outbox.text_as_sent(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "confirmed", OutboxMessage.to_email == "sanriku@example.jp")).one())

    body = _read(mail)
    assert "参加日:" in body and "2日目" not in body.split("参加日:")[1].split("\n\n")[0]
    manage_url = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_\-]+(?=\s)", body).group(0)

    page.goto(manage_url)
    page.get_by_role("link", name="受付票を表示する").click()
    ticket = page.locator(".ticket-days")
    expect(ticket).to_contain_text("1日目")
    expect(ticket).to_contain_text("3日目")
    expect(ticket).not_to_contain_text("2日目")
    expect(page.locator(".ticket-qr-box svg")).to_be_visible()
    page.screenshot(path="/tmp/perday-ticket.png", full_page=True)

    page.goto(manage_url)
    page.get_by_role("link", name="参加日を変更する").click()
    expect(_day(page, "1日目")).to_be_checked()
    expect(_day(page, "3日目")).to_be_checked()
    _day(page, "3日目").uncheck()
    _day(page, "2日目").check()
    page.get_by_role("button", name="参加日を保存する").click()
    page.wait_for_url(manage_url)
    expect(page.get_by_text("参加日を保存しました。")).to_be_visible()
    days = page.locator(".status-box .chosen-days")
    expect(days).to_contain_text("2日目")
    expect(days).not_to_contain_text("3日目")

    def chosen():
        return sorted(db.session.scalars(select(SessionChoice.session_id).where(
            SessionChoice.status == "confirmed", SessionChoice.session_id.in_([d1, d2, d3]))))

    assert _read(chosen) == sorted([d1, d2, d2])

    # The organizer: per day and 延べ.
    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event_id}")
    table = page.locator("#sessions + .table-wrap table")
    rows = table.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("1 / 制限なし")
    expect(rows.nth(1)).to_contain_text("2 / 50")
    expect(rows.nth(2)).to_contain_text("0 / 制限なし")
    expect(table.locator("tfoot")).to_contain_text("延べ人数")
    expect(table.locator("tfoot td").first).to_have_text("3")
    page.screenshot(path="/tmp/perday-organizer.png", full_page=True)
