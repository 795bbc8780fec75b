"""Destructive organizer actions ask first, on a page of their own (JavaScript off), saying what happens
and showing the mail that goes out; the organizer chooses whether the cancellation mail gives the reason."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import EventSession, OutboxMessage, Registration, TicketType
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register

REASON = "会場の定員変更のため、ご参加いただけなくなりました。"


@pytest.fixture
def nojs_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _setup(create_event, create_organizer):
    event = create_event(title="TOHOKU DX塾", sessions=2, waitlist_enabled=True,
                         ticket_types=[("一般", 2), ("学生", None)])
    ids = [register(event, n).registration.id for n in (1, 2)]
    user = create_organizer()
    # Plain values only: an ORM object read later would open a read transaction in the test thread
    # (SQLite: an old snapshot) that hides what the server commits meanwhile.
    data = SimpleNamespace(event_id=event.id, ids=ids, sessions=[s.id for s in event.sessions],
                           tickets=[t.id for t in event.ticket_types], user=SimpleNamespace(email=user.email))
    db.session.rollback()
    return data


def _mails(kind):
    def read():
        return [(m.to_email, m.body_text) for m in
                db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()]
    return _read(read)


def test_cancel_a_registrant_with_the_reason_told(nojs_page, browser_login, create_event, create_organizer):
    s = _setup(create_event, create_organizer)
    page = nojs_page
    browser_login(page, s.user)
    page.goto(f"/organizer/events/{s.event_id}/registrants/{s.ids[0]}")
    page.get_by_label("理由（操作履歴に記録されます）").fill(REASON)
    page.get_by_label("理由を申込者へのメールに記載する").check()
    page.get_by_role("button", name="このお申し込みをキャンセルする…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("このお申し込みをキャンセルしますか？")
    expect(page.locator(".confirm-panel")).to_contain_text("taro1@example.jp")
    expect(page.locator(".confirm-panel")).to_contain_text("席が空きます")
    mail = page.locator("pre.mail-text")
    expect(mail).to_contain_text("主催者によりお申し込みがキャンセルされました。")
    expect(mail).to_contain_text(REASON)
    page.screenshot(path="/tmp/public2-confirm-cancel-phone.png", full_page=True)
    assert scroll_width(page) <= 400

    # Changing one's mind about telling the reason: the preview follows.
    page.get_by_label("理由を申込者へのメールに記載する").uncheck()
    page.get_by_role("button", name="下のメールに反映する").click()
    expect(mail).not_to_contain_text(REASON)
    page.get_by_label("理由を申込者へのメールに記載する").check()
    page.get_by_role("button", name="下のメールに反映する").click()
    expect(mail).to_contain_text(REASON)
    assert _read(lambda: db.session.get(Registration, s.ids[0]).status) == "confirmed"  # nothing done yet

    page.get_by_role("button", name="お申し込みをキャンセルしてメールを送る").click()
    expect(page.get_by_text("山田 太郎1 さんのお申し込みをキャンセルしました。")).to_be_visible()
    assert _read(lambda: db.session.get(Registration, s.ids[0]).status) == "cancelled"
    [(to, body)] = _mails("cancelled")
    assert to == "taro1@example.jp" and REASON in body


def test_the_reason_stays_out_of_the_mail_unless_chosen(nojs_page, browser_login, create_event, create_organizer):
    s = _setup(create_event, create_organizer)
    page = nojs_page
    browser_login(page, s.user)
    page.goto(f"/organizer/events/{s.event_id}/registrants/{s.ids[1]}")
    page.get_by_label("理由（操作履歴に記録されます）").fill("重複申込（内部メモ）")
    page.get_by_role("button", name="このお申し込みをキャンセルする…").click()
    expect(page.locator("pre.mail-text")).not_to_contain_text("重複申込")
    page.get_by_role("button", name="お申し込みをキャンセルしてメールを送る").click()
    expect(page.get_by_text("山田 太郎2 さんのお申し込みをキャンセルしました。")).to_be_visible()
    [(_to, body)] = _mails("cancelled")
    assert "重複申込" not in body


def test_deleting_a_session_says_who_is_told_and_shows_the_mail(nojs_page, browser_login, create_event,
                                                               create_organizer):
    s = _setup(create_event, create_organizer)
    page = nojs_page
    browser_login(page, s.user)
    page.goto(f"/organizer/events/{s.event_id}")
    page.locator(f"a[href$='/sessions/{s.sessions[1]}/delete']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("この日程を削除しますか？")
    expect(page.locator(".confirm-panel")).to_contain_text("申込者2名")
    expect(page.locator("pre.mail-text")).to_contain_text("日時")
    page.screenshot(path="/tmp/public2-confirm-session.png", full_page=True)
    assert _read(lambda: db.session.scalars(select(EventSession.id).where(
        EventSession.event_id == s.event_id)).all()) == s.sessions  # nothing deleted by looking
    page.get_by_role("button", name="日程を削除する").click()
    expect(page.get_by_text("日程を削除しました。")).to_be_visible()
    assert _read(lambda: len(db.session.scalars(select(EventSession.id).where(
        EventSession.event_id == s.event_id)).all())) == 1


def test_a_ticket_type_in_use_cannot_be_deleted_and_the_page_says_why(nojs_page, browser_login, create_event,
                                                                      create_organizer):
    s = _setup(create_event, create_organizer)
    page = nojs_page
    browser_login(page, s.user)
    page.goto(f"/organizer/events/{s.event_id}/tickets/{s.tickets[0]}/delete")
    expect(page.get_by_role("alert")).to_contain_text("2件の申込")
    assert page.get_by_role("button", name="参加枠を削除する").count() == 0
    page.goto(f"/organizer/events/{s.event_id}/tickets/{s.tickets[1]}/delete")
    expect(page.locator(".confirm-panel")).to_contain_text("申込者はいないため")
    page.get_by_role("button", name="参加枠を削除する").click()
    expect(page.get_by_text("参加枠を削除しました。")).to_be_visible()
    assert _read(lambda: db.session.scalars(select(TicketType.id).where(
        TicketType.event_id == s.event_id)).all()) == [s.tickets[0]]


def test_cancelling_the_event_previews_the_mail_with_the_reason(nojs_page, browser_login, create_event,
                                                               create_organizer):
    s = _setup(create_event, create_organizer)
    page = nojs_page
    browser_login(page, s.user)
    page.goto(f"/organizer/events/{s.event_id}/cancel")
    expect(page.get_by_text("申込者2名にこのメールを送ります。")).to_be_visible()
    page.get_by_label("理由（イベントページと申込者へのメールに表示）").fill("台風接近のため")
    page.get_by_role("button", name="下のメールに反映する").click()
    expect(page.locator("pre.mail-text")).to_contain_text("台風接近のため")
    assert _read(lambda: db.session.get(Registration, s.ids[0]).event.status) == "published"
    page.get_by_role("button", name="イベントを中止する").click()
    expect(page.get_by_text("イベントを中止にしました。申込者にメールでお知らせします。")).to_be_visible()
