"""Destructive organizer actions that stay on their page ask first (static/js/confirm.js), saying who
is told: bulk cancel and reject on the registrant list, deleting a question or a reminder, unpublishing.
Without JavaScript a page asks the same question (app/confirmations.py).
Dismissing the question changes nothing; accepting it does the action."""
from __future__ import annotations

from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Question, Registration
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register


def test_bulk_cancel_asks_first_and_dismissing_keeps_everyone(page, browser_login, create_event, create_organizer):
    event = create_event(title="TOHOKU DX塾", capacity=5)
    ids = [register(event, n).registration.id for n in (1, 2)]
    event_id, user = event.id, SimpleNamespace(email=create_organizer().email)
    db.session.rollback()

    def statuses():
        return sorted(r.status for r in db.session.scalars(select(Registration).where(Registration.event_id == event_id)))

    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}/registrants")
    for registration_id in ids:
        page.locator(f'input[name="ids"][value="{registration_id}"]').first.check()
    page.get_by_role("radio", name="申込をキャンセルする").check()

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page).to_have_url(f"{page.url.split('/organizer')[0]}/organizer/events/{event_id}/registrants")
    assert questions and "キャンセルしますか" in questions[0] and "メールで通知" in questions[0]
    assert _read(statuses) == ["confirmed", "confirmed"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page.locator('tr[data-outcome="cancelled"]')).to_have_count(2)
    assert _read(statuses) == ["cancelled", "cancelled"]

    # Moving is not destructive: it asks nothing.
    page.goto(f"/organizer/events/{event_id}/registrants")
    assert page.get_by_role("radio", name="別の参加枠へ移動").get_attribute("data-confirm") is None


def test_deleting_a_question_asks_first(page, browser_login, create_event, create_organizer):
    event = create_event(title="TOHOKU DXセミナー")
    event.questions.append(Question(kind="text", label="ご質問", required=False))
    db.session.commit()
    event_id, user = event.id, SimpleNamespace(email=create_organizer().email)
    db.session.rollback()

    def labels():
        return [q.label for q in db.session.scalars(select(Question).where(Question.event_id == event_id))]

    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="削除 ご質問").click()
    assert questions == ["設問「ご質問」を削除しますか？申込フォームでは尋ねなくなります。"]
    assert _read(labels) == ["ご質問"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="削除 ご質問").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="削除 ご質問")).to_have_count(0)
    assert _read(labels) == []


def test_without_javascript_a_page_asks_instead(browser, live_server, browser_login, create_event, create_organizer):
    """No script (blocked, or failed to load): the lottery is not drawn on one click; a page asks the same
    question and its button draws."""
    from app.models import LotteryDraw
    from tests.services.test_lottery import lottery_event

    event, _regs = lottery_event(capacity=2, applicants=4)
    event_id, user = event.id, SimpleNamespace(email=create_organizer().email)
    db.session.rollback()
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        browser_login(page, user)
        page.goto(f"/organizer/events/{event_id}/lottery")
        page.get_by_role("button", name="今すぐ抽選する").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("確認してください")
        expect(page.locator(".confirm-question")).to_contain_text("抽選")
        assert _read(lambda: db.session.scalar(select(LotteryDraw))) is None  # asked, not drawn
        page.get_by_role("button", name="はい、実行します").click()
        page.wait_for_url(f"**/organizer/events/{event_id}/lottery")
        assert _read(lambda: db.session.scalar(select(LotteryDraw)).event_id) == event_id
    finally:
        context.close()
