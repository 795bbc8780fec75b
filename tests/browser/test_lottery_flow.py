"""The lottery end to end in Chromium: apply, the organizer previews then draws, result mails, a winner
confirms, a winner cancels and the seat goes to the next drawn."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from app import urls
from app.db_types import utcnow
from app.extensions import db
from app.models import Event, LotteryDraw, OutboxMessage, Registration
from app.services import lottery
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read
from tests.factories import create_event, register


def _apply(page):
    page.get_by_label("姓", exact=True).fill("東北")
    page.get_by_label("名", exact=True).fill("花子")
    page.get_by_label("セイ", exact=True).fill("とうほく")
    page.get_by_label("メイ", exact=True).fill("はなこ")
    page.get_by_label("メールアドレス", exact=True).fill("hanako@example.jp")
    page.get_by_label("メールアドレス（確認用）").fill("hanako@example.jp")
    page.get_by_label("電話番号").fill("022-221-4876")
    page.get_by_label("会社名・団体名").fill("株式会社東北テック")
    page.get_by_label("組織区分").select_option(label="企業")
    page.get_by_label("都道府県").select_option(label="宮城県")
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()


def test_apply_draw_mail_confirm_and_cancel(page, browser_login, create_organizer):
    event = create_event(capacity=2, title="右腕人材育成プログラム", admission_mode="lottery",
                         lottery_losers="waitlist", lottery_confirm_days=3, commit=False)
    db.session.flush()
    lottery.commit_seed(event, now=utcnow())
    db.session.commit()
    event_id, slug, seed_hash = event.id, event.slug, event.lottery_seed_hash
    user = SimpleNamespace(email=create_organizer().email)
    db.session.rollback()

    # A registrant applies through the form: the page tells it is a lottery and shows the published hash.
    page.goto(f"/events/{slug}")
    assert seed_hash in page.locator(".lottery-commitment").inner_text()
    page.goto(f"/events/{slug}/register")
    _apply(page)
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{slug}/register/done")
    assert "抽選" in page.locator("main").inner_text()

    for n in range(1, 4):
        register(db.session.get(Event, event_id), n)
    event = db.session.get(Event, event_id)
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    db.session.rollback()

    # The organizer previews the numbers, then draws.
    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}")
    page.get_by_role("link", name="確認して抽選する").click()
    preview = page.locator("table.lottery-preview tbody tr").first.inner_text()
    assert preview.split() == ["一般", "4", "2", "2", "2", "0"]
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="今すぐ抽選する").click()
    page.get_by_text("申込者4名のうち2名が当選です").wait_for()
    page.screenshot(path="/tmp/lottery_results.png", full_page=True)

    record = _read(lambda: db.session.scalar(select(LotteryDraw).where(LotteryDraw.event_id == event_id)))
    order, winners = list(record.order), list(record.winners)
    refs = [f"T{event_id:04d}-{rid:06d}" for rid in order]
    rows = page.locator("table.lottery-order tbody tr").all_inner_texts()
    assert [r.split()[1] for r in rows] == refs  # drawn order with 受付番号
    assert page.get_by_text(record.seed).count() == 1

    # Result mails in the outbox: 2 winners, 2 on the waiting list in drawn order.
    def mails():
        return {m.registration_id: m.kind for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind.like("lottery_%")))}
    kinds = _read(mails)
    assert [kinds[rid] for rid in order] == ["lottery_won", "lottery_won", "lottery_waitlisted", "lottery_waitlisted"]
    page.goto("/organizer/outbox")
    assert page.get_by_text("【抽選結果】").count() >= 4

    # The first winner confirms from their private page.
    first_url, second_url = _read(lambda: [urls.manage_url(db.session.get(Registration, rid)) for rid in winners])
    page.goto(first_url)
    page.get_by_role("button", name="参加します（参加を確定する）").click()
    page.get_by_text("参加を確定しました").wait_for()
    assert page.get_by_role("button", name="参加します（参加を確定する）").count() == 0

    # The second winner cancels: the seat goes to the next drawn, who is asked to confirm in turn.
    page.goto(second_url)
    page.get_by_role("link", name="申し込みをキャンセルする").click()
    page.get_by_role("button", name="はい、キャンセルします").click()
    page.get_by_text("お申し込みをキャンセルしました。").wait_for()

    def outcome():
        regs = {rid: db.session.get(Registration, rid) for rid in order}
        promoted = db.session.scalars(select(OutboxMessage.registration_id).where(
            OutboxMessage.kind == "promoted")).all()
        return ([regs[rid].status for rid in order], regs[order[2]].confirm_by is not None,
                regs[winners[0]].confirm_by, promoted)

    statuses, asked, first_deadline, promoted = _read(outcome)
    assert statuses == ["confirmed", "cancelled", "confirmed", "waitlisted"]
    assert asked and first_deadline is None and promoted == [order[2]]


def test_the_public_check_page_fits_a_phone_in_english(phone_page):
    event = create_event(capacity=1, admission_mode="lottery", commit=False)
    db.session.flush()
    lottery.commit_seed(event, now=utcnow())
    db.session.commit()
    for n in range(1, 4):
        register(db.session.get(Event, event.id), n)
    event = db.session.get(Event, event.id)
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    lottery.draw(db.session.get(Event, event.id), now=utcnow(), actor_label="cli")
    db.session.commit()
    slug, seed = event.slug, event.lottery_seed
    db.session.rollback()

    phone_page.goto(f"/events/{slug}/lottery?lang=en")
    assert phone_page.get_by_role("heading", level=1).inner_text() == "How the lottery is drawn, and how to check it"
    assert seed in phone_page.locator("main").inner_text()
    assert "hmac.new" in phone_page.locator("pre.code").inner_text()
    width = scroll_width(phone_page)
    assert width <= 390, width  # hashes wrap; the snippet scrolls in its own box
    phone_page.screenshot(path="/tmp/lottery_public_phone.png", full_page=True)


def test_the_lottery_settings_appear_when_the_lottery_is_chosen(page, browser_login, create_organizer):
    event = create_event()
    event_id = event.id
    user = SimpleNamespace(email=create_organizer().email)
    db.session.rollback()
    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}/edit")
    assert not page.get_by_label("抽選日時（日本時間）").is_visible()
    page.get_by_label("参加決定方法", exact=True).select_option("lottery")
    assert page.get_by_label("抽選日時（日本時間）").is_visible()
    page.get_by_label("落選した申込者").select_option("waitlist")
    page.get_by_label("当選者の参加確定期限（日数）").fill("7")
    page.get_by_label("宮城県").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/organizer/events/{event_id}")
    assert page.locator("#lottery").is_visible()

    def saved():
        e = db.session.get(Event, event_id)
        return e.admission_mode, e.lottery_losers, e.lottery_confirm_days, e.lottery_priority_prefectures

    assert _read(saved) == ("lottery", "waitlist", 7, ["04"])
    page.goto(f"/organizer/events/{event_id}/edit")
    page.get_by_label("参加決定方法", exact=True).select_option("first_come")
    assert not page.get_by_label("抽選日時（日本時間）").is_visible()
