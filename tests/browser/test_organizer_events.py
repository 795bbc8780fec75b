"""Organizer event management in a real browser: create, add a 参加枠, publish, see it public; viewers read only."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect

from app.db_types import utcnow
from app.domain.dates import to_jst
from app.extensions import db
from tests.browser.layout import scroll_width


def _detached(**values):
    """Plain values for the test to keep, and the test thread's transaction ended.

    Reading a committed row starts a new transaction (BEGIN IMMEDIATE on SQLite), which
    would keep the live server from writing; so read what we need, then roll back.
    """
    db.session.rollback()
    return SimpleNamespace(**values)


def _staff(create_organizer, role="organizer"):
    user = create_organizer(role=role)
    return _detached(email=user.email)


def test_organizer_creates_and_publishes_an_event(page, browser_login, create_organizer):
    browser_login(page, _staff(create_organizer))
    page.goto("/organizer/")
    page.get_by_role("link", name="イベントを作成").click()
    page.wait_for_url("**/organizer/events/new")
    page.screenshot(path="/tmp/organizer_new_event.png", full_page=True)

    # A mistake first: no title. The error is next to the field and the rest is kept.
    page.get_by_label("会場", exact=True).fill("仙台国際センター")
    page.get_by_role("button", name="下書きを作成").click()
    expect(page.locator("#title-error")).to_be_visible()
    assert page.get_by_label("会場", exact=True).input_value() == "仙台国際センター"

    day = to_jst(utcnow() + timedelta(days=45)).date()
    page.locator("#title").fill("MaaS シンポジウム")
    page.locator("#format").select_option("hybrid")
    page.locator("#prefecture").select_option("04")
    page.locator("#first_date").fill(day.isoformat())
    page.locator("#first_start").fill("13:30")
    page.locator("#first_end").fill("16:00")
    page.locator("#first_ticket_name").fill("一般")
    page.locator("#first_ticket_capacity").fill("250")
    page.get_by_role("button", name="下書きを作成").click()
    page.wait_for_url(re.compile(r"/organizer/events/\d+$"))
    expect(page.get_by_text("下書きとして作成しました")).to_be_visible()
    expect(page.get_by_role("heading", name="MaaS シンポジウム")).to_be_visible()

    # A second 参加枠 from the event page.
    page.get_by_role("link", name="参加枠を追加").click()
    page.locator("#name").fill("自治体")
    page.locator("#capacity").fill("50")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("参加枠を追加しました")).to_be_visible()
    expect(page.get_by_role("cell", name="自治体", exact=True)).to_be_visible()

    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("イベントを公開しました")).to_be_visible()
    page.screenshot(path="/tmp/organizer_event_page.png", full_page=True)

    page.goto("/")
    expect(page.get_by_text("MaaS シンポジウム").first).to_be_visible()


def test_viewer_sees_no_edit_buttons_and_gets_403(page, browser_login, create_organizer, create_event):
    event = create_event(title="三陸水産イノベーションサミット")
    event = _detached(id=event.id)
    browser_login(page, _staff(create_organizer, role="viewer"))
    page.goto("/organizer/")
    assert page.get_by_role("link", name="イベントを作成").count() == 0
    page.get_by_role("link", name="三陸水産イノベーションサミット", exact=True).click()
    page.wait_for_url(f"**/organizer/events/{event.id}")
    expect(page.get_by_role("heading", name="三陸水産イノベーションサミット")).to_be_visible()
    for name in ("イベントを編集", "公開する", "非公開にする", "イベントを中止する", "参加枠を追加", "日程を追加", "削除"):
        assert page.get_by_role("link", name=name).count() == 0
        assert page.get_by_role("button", name=name).count() == 0
    response = page.goto(f"/organizer/events/{event.id}/edit")
    assert response.status == 403


def test_event_form_fits_a_phone(phone_page, browser_login, create_organizer):
    browser_login(phone_page, _staff(create_organizer))
    phone_page.goto("/organizer/events/new")
    width = scroll_width(phone_page)
    assert width <= 400
    phone_page.screenshot(path="/tmp/organizer_new_event_phone.png", full_page=True)
