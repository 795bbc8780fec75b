"""An event's registrants in a real browser: search, cancel (the waiting list moves up), restore, move.

An organizer clicks from the dashboard to the event page and its 申込者 (registrants)
page; a viewer sees the same list but no action buttons.
"""
from __future__ import annotations

from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, OutboxMessage, Registration, TicketType
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register

TITLE = "SIer's Day 2026"


def _setup(create_event, create_organizer, role="organizer"):
    """一般 (2 seats, full, one waiting) and 学生 (1 seat, full)."""
    event = create_event(title=TITLE, waitlist_enabled=True, ticket_types=[("一般", 2), ("学生", 1)])
    general, student = (tt.id for tt in event.ticket_types)
    ids = {}
    for n, tt in ((1, general), (2, general), (3, general), (4, student)):
        ids[n] = register(event, n, ticket_type_id=tt).registration.id
    user = create_organizer(role=role)
    data = SimpleNamespace(event_id=event.id, general=general, student=student, ids=ids, email=user.email)
    db.session.rollback()
    return data


def _statuses(ids):
    def read():
        return {n: db.session.get(Registration, rid).status for n, rid in ids.items()}
    return _read(read)


def _open_registrants(page):
    page.goto("/organizer/")
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_url("**/organizer/events/*")
    page.get_by_role("link", name="申込者", exact=True).click()
    page.wait_for_url("**/registrants")
    expect(page.get_by_role("heading", level=1)).to_have_text("申込者")


def test_search_cancel_restore_and_move(page, browser_login, create_event, create_organizer):
    s = _setup(create_event, create_organizer)
    assert _statuses(s.ids) == {1: "confirmed", 2: "confirmed", 3: "waitlisted", 4: "confirmed"}

    browser_login(page, s)
    _open_registrants(page)
    expect(page.locator('strong[data-status="confirmed"]')).to_have_text("3")
    expect(page.locator('strong[data-status="waitlisted"]')).to_have_text("1")
    waitlist = page.locator("section", has=page.get_by_role("heading", name="キャンセル待ち", exact=True))
    expect(waitlist.locator("ol.waitlist li")).to_have_count(1)
    expect(waitlist.locator("ol.waitlist li")).to_contain_text("山田 太郎3")
    page.screenshot(path="/tmp/browser2-registrants.png", full_page=True)

    # Search by organisation, then by name in katakana (the registrant typed hiragana).
    page.get_by_label("検索", exact=True).fill("テスト1")
    page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("table.registrants tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("taro1@example.jp")
    expect(page.get_by_label("検索", exact=True)).to_have_value("テスト1")  # the search box keeps it
    page.get_by_label("検索", exact=True).fill("ヤマダ")
    page.get_by_role("button", name="絞り込む").click()
    expect(rows).to_have_count(4)
    page.get_by_label("検索", exact=True).fill("太郎1")
    page.get_by_role("button", name="絞り込む").click()
    expect(rows).to_have_count(1)

    # Cancel 太郎1 with a reason: 太郎3, first on the waiting list, gets the seat.
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 太郎1")
    page.get_by_label("理由（操作履歴に記録されます）").fill("本人から電話で取消の連絡")
    page.get_by_role("button", name="このお申し込みをキャンセルする…").click()
    # A confirmation page first: what happens and the mail the registrant gets (the reason only if told).
    expect(page.get_by_role("heading", level=1)).to_have_text("このお申し込みをキャンセルしますか？")
    expect(page.locator("pre.mail-text")).to_contain_text("主催者によりお申し込みがキャンセルされました")
    expect(page.locator("pre.mail-text")).not_to_contain_text("本人から電話で取消の連絡")
    page.get_by_role("button", name="お申し込みをキャンセルしてメールを送る").click()
    expect(page.get_by_text("山田 太郎1 さんのお申し込みをキャンセルしました。")).to_be_visible()
    expect(page.locator("dl.facts .badge").first).to_have_text("キャンセル済み")
    expect(page.get_by_role("cell", name="本人から電話で取消の連絡", exact=False)).to_be_visible()  # history
    page.screenshot(path="/tmp/browser2-registrant-cancelled.png", full_page=True)

    page.get_by_role("link", name="申込者", exact=True).click()  # the breadcrumb
    expect(page.locator('strong[data-status="cancelled"]')).to_have_text("1")
    expect(page.locator('strong[data-status="waitlisted"]')).to_have_text("0")
    assert page.get_by_role("heading", name="キャンセル待ち", exact=True).count() == 0
    row3 = page.locator("table.registrants tbody tr", has_text="taro3@example.jp")
    expect(row3.locator(".badge")).to_have_text("参加確定")
    assert _statuses(s.ids) == {1: "cancelled", 2: "confirmed", 3: "confirmed", 4: "confirmed"}

    def after_cancel():
        audit = db.session.scalars(select(AuditLog).where(AuditLog.registration_id == s.ids[1],
                                                          AuditLog.action == "registration.cancelled")).one()
        promoted = db.session.scalars(select(OutboxMessage.to_email).where(OutboxMessage.kind == "promoted")).all()
        return audit.data["reason"], promoted, db.session.get(TicketType, s.general).confirmed_count
    assert _read(after_cancel) == ("本人から電話で取消の連絡", ["taro3@example.jp"], 2)

    # Restore 太郎1: 一般 is full again, so the registration joins the waiting list.
    page.locator("table.registrants tbody tr", has_text="taro1@example.jp").get_by_role("link").click()
    assert page.get_by_role("button", name="このお申し込みをキャンセルする").count() == 0
    page.get_by_role("button", name="復活する").click()
    expect(page.get_by_text("山田 太郎1 さんのお申し込みを復活しました（キャンセル待ち）。")).to_be_visible()
    expect(page.locator("dl.facts .badge").first).to_have_text("キャンセル待ち")
    assert _statuses(s.ids)[1] == "waitlisted"

    # Move 太郎2 (confirmed, 一般) to the full 学生: refused without the override...
    page.get_by_role("link", name="申込者", exact=True).click()
    page.locator("table.registrants tbody tr", has_text="taro2@example.jp").get_by_role("link").click()
    page.get_by_label("変更先の参加枠").select_option(label="学生")
    page.get_by_role("button", name="移動する").click()
    expect(page.get_by_text("学生 は満席です。それでも移動する場合は「定員超過を許可」にチェックしてください。")).to_be_visible()
    page.screenshot(path="/tmp/browser2-move-refused.png", full_page=True)
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("一般")
    assert _read(lambda: db.session.get(Registration, s.ids[2]).ticket_type_id) == s.general

    # ...and moved, recorded as over capacity, with it; the freed 一般 seat goes to 太郎1.
    page.get_by_label("変更先の参加枠").select_option(label="学生")
    page.get_by_label("変更先の定員を超えても移動する（定員超過を許可）").check()
    page.get_by_role("button", name="移動する").click()
    expect(page.get_by_text("山田 太郎2 さんを 学生 に移動しました。")).to_be_visible()
    expect(facts.locator(".tag")).to_have_text("定員超過")
    page.screenshot(path="/tmp/browser2-moved.png", full_page=True)

    def after_move():
        r2 = db.session.get(Registration, s.ids[2])
        moved = db.session.scalars(select(AuditLog).where(AuditLog.registration_id == s.ids[2],
                                                          AuditLog.action == "registration.moved")).one()
        counts = (db.session.get(TicketType, s.general).confirmed_count,
                  db.session.get(TicketType, s.student).confirmed_count)
        return r2.ticket_type_id, r2.capacity_override, moved.data["override"], counts
    assert _read(after_move) == (s.student, True, True, (2, 2))
    assert _statuses(s.ids) == {1: "confirmed", 2: "confirmed", 3: "confirmed", 4: "confirmed"}

    page.get_by_role("link", name="申込者", exact=True).click()
    row2 = page.locator("table.registrants tbody tr", has_text="taro2@example.jp")
    expect(row2).to_contain_text("学生")
    expect(row2.locator(".tag")).to_have_text("定員超過")


def test_viewer_sees_the_list_but_no_actions(page, browser_login, create_event, create_organizer):
    s = _setup(create_event, create_organizer, role="viewer")
    browser_login(page, s)
    _open_registrants(page)
    expect(page.locator("table.registrants tbody tr")).to_have_count(4)
    page.locator("table.registrants tbody tr", has_text="taro1@example.jp").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 太郎1")
    assert page.get_by_role("heading", name="操作", exact=True).count() == 0
    assert page.locator("main form[method=post]").count() == 0
    for name in ("このお申し込みをキャンセルする", "復活する", "移動する"):
        assert page.get_by_role("button", name=name).count() == 0
    page.screenshot(path="/tmp/browser2-registrant-viewer.png", full_page=True)

    # Posting anyway is refused, and nothing changes.
    response = page.request.post(f"/organizer/events/{s.event_id}/registrants/{s.ids[1]}/cancel",
                                 data={"reason": "x"}, max_redirects=0)
    assert response.status == 403
    assert _statuses(s.ids)[1] == "confirmed"
