"""An organizer tells the applicants the outcome, in a real browser (Chromium): a decision made on
the list, the confirmation page that says who gets which mail, one press, and the outbox showing the
queued mails (the award mail naming its own award only); a second press queues nothing."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import OutboxMessage
from app.services import applications as service
from app.services import results as results_service
from tests.concurrency import read_beside_a_server as _read
from tests.factories import create_organizer, register


def _outcome_mails():
    return [(m.to_email, m.context["outcome"]) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "application_outcome").order_by(OutboxMessage.id))]


def test_organizer_notifies_applicants_and_reads_the_mails_in_the_outbox(page, browser_login, create_event):
    event = create_event(title="TOHOKU DX大賞", ticket_types=[("製品・サービス部門", None), ("業務プロセス部門", None)],
                         accepts_applications=True, publishes_results=True)
    now = utcnow()
    winner = register(event, 1, organization="株式会社みちのくソフト").registration
    shortlisted = register(event, 2, organization="仙台ロボティクス株式会社",
                           ticket_type_id=event.ticket_types[1].id).registration
    undecided = register(event, 3, organization="やまがたデータ合同会社").registration
    service.set_status(winner, "awarded", now=now, actor=None)
    service.set_status(shortlisted, "shortlisted", now=now, actor=None)
    results_service.add(event, award="最優秀賞", ticket_type_id=None, registration_id=winner.id, title="",
                        now=now, actor=None)
    db.session.commit()
    event_id, undecided_id = event.id, undecided.id
    organizer = create_organizer()
    db.session.rollback()

    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event_id}/applications")
    row = page.locator(f"#application-{undecided_id}")
    row.get_by_label("選考結果").select_option(label="選外")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#category-counts tfoot td").nth(3)).to_have_text("1")  # not selected: 1

    page.get_by_role("link", name="応募者に選考結果を通知").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("応募者に選考結果を通知しますか？")
    panel = page.locator(".confirm-panel")
    expect(panel).to_contain_text("一次選考通過：1人")
    expect(panel).to_contain_text("受賞：1人")
    expect(panel).to_contain_text("選外：1人")
    assert _read(_outcome_mails) == []  # nothing is queued before the press
    page.get_by_role("button", name="3件のメールを送信する").click()
    expect(page.get_by_text("選考結果のメールを作成しました")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("応募")

    assert sorted(_read(_outcome_mails)) == [("taro1@example.jp", "awarded"), ("taro2@example.jp", "shortlisted"),
                                             ("taro3@example.jp", "not_selected")]

    page.goto(f"/organizer/outbox?event_id={event_id}")
    rows = page.locator("tr.outbox-row", has_text="選考結果の通知")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="taro1@example.jp")).to_contain_text("【受賞のお知らせ】TOHOKU DX大賞")
    expect(rows.filter(has_text="taro3@example.jp")).to_contain_text("【選考結果のお知らせ】TOHOKU DX大賞")
    rows.filter(has_text="taro1@example.jp").get_by_role("link").click()
    page.get_by_role("heading", name="テキスト版").wait_for()
    text = page.locator(".mail-text").inner_text()
    assert "受賞： 最優秀賞" in text
    assert "仙台ロボティクス" not in text and "やまがたデータ" not in text
    expect(page.frame_locator("iframe.mail-html").locator("body")).to_contain_text("最優秀賞")
    page.screenshot(path="/tmp/browser-application-outcome.png", full_page=True)

    # a second press: everyone was told their decision already
    page.goto(f"/organizer/events/{event_id}/applications/notify")
    expect(page.locator(".confirm-panel")).to_contain_text("3人の応募者には現在の選考結果を通知済み")
    page.get_by_role("button", name="0件のメールを送信する").click()
    expect(page.get_by_text("新たに通知が必要な応募者はいないため")).to_be_visible()
    assert len(_read(_outcome_mails)) == 3
