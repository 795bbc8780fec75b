"""A visitor finds an event in a real browser: list, filter, search, event page (desktop and phone)."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.db_types import utcnow
from app.extensions import db
from app.models import EventSession
from tests.browser.layout import scroll_width


def _events(create_event):
    start = (utcnow() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    dx = create_event(title="TOHOKU DX塾", slug="tohoku-dx-juku", prefecture="04", venue="仙台国際センター",
                      starts_at=start, sessions=0, ticket_types=[("一般", 30), ("学生", 10)],
                      description="**実践型**のワークショップです。", online_url="https://zoom.example.jp/secret")
    dx.sessions.append(EventSession(title="1日目 基礎編", starts_at=start, ends_at=start + timedelta(hours=3)))
    dx.sessions.append(EventSession(title="2日目 実践編", starts_at=start + timedelta(days=1),
                                    ends_at=start + timedelta(days=1, hours=3)))
    dx.ticket_types[0].confirmed_count = 27
    dx.ticket_types[1].confirmed_count = 10
    create_event(title="青森IoTハッカソン", prefecture="02", category="hackathon", venue="青森市民ホール")
    create_event(title="MaaSシンポジウム", format="online", category="symposium", venue="")
    db.session.commit()
    return dx


def test_find_an_event_by_prefecture_and_see_its_programme(page, create_event):
    _events(create_event)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("イベント一覧")
    expect(page.locator(".event-card")).to_have_count(3)

    page.get_by_label("都道府県").select_option(label="宮城県")
    page.get_by_role("button", name="検索").click()
    expect(page.locator(".event-card")).to_have_count(2)  # the online symposium is in 宮城県 by default too
    page.get_by_label("キーワード").fill("dx塾")
    page.get_by_role("button", name="検索").click()
    expect(page.locator(".event-card")).to_have_count(1)
    expect(page.get_by_label("都道府県")).to_have_value("04")  # the filters keep their values
    expect(page.get_by_label("キーワード")).to_have_value("dx塾")

    page.get_by_role("link", name="TOHOKU DX塾").click()
    page.wait_for_url("**/events/tohoku-dx-juku")
    expect(page.get_by_role("heading", level=1)).to_have_text("TOHOKU DX塾")
    programme = page.locator("section", has=page.get_by_role("heading", name="プログラム・日程"))
    expect(programme.get_by_role("heading", level=3)).to_have_text(["1日目 基礎編", "2日目 実践編"])
    seats = page.locator(".ticket-type")
    expect(seats.nth(0)).to_contain_text("残り3席")
    expect(seats.nth(1)).to_contain_text("キャンセル待ち受付中")
    expect(page.locator(".prose strong")).to_have_text("実践型")
    assert "zoom.example.jp" not in page.content()


def test_search_with_no_result_and_reset(page, create_event):
    _events(create_event)
    page.goto("/")
    page.get_by_label("キーワード").fill("存在しないイベント")
    page.keyboard.press("Enter")
    expect(page.get_by_text("条件に合うイベントはありません。")).to_be_visible()
    page.get_by_role("link", name="条件をクリアしてすべてのイベントを表示").click()
    expect(page.locator(".event-card")).to_have_count(3)
    expect(page.get_by_label("キーワード")).to_have_value("")


def test_phone_width_list_and_event(phone_page, create_event):
    _events(create_event)
    page = phone_page
    page.goto("/")
    # Nothing wider than the screen.
    assert scroll_width(page) <= 390
    page.get_by_label("開催形式").select_option("online")
    page.get_by_role("button", name="検索").click()
    expect(page.locator(".event-card")).to_have_count(1)
    page.get_by_role("link", name="MaaSシンポジウム").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("MaaSシンポジウム")
    expect(page.get_by_role("heading", name="参加申込")).to_be_visible()
    expect(page.locator(".ticket-type")).to_contain_text("残り30席")
    assert scroll_width(page) <= 390


def test_english_interface(page, create_event):
    _events(create_event)
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=2, name="Upcoming events")).to_be_visible()
    page.get_by_label("Prefecture").select_option(label="Aomori")
    page.get_by_role("button", name="Search").click()
    # The Aomori event, and the online one (open to every prefecture).
    expect(page.locator(".event-card")).to_have_count(2)
    expect(page.locator(".event-card").filter(has_text="MaaS")).to_have_count(1)
    page.get_by_label("Prefecture").select_option(label="Online (join from anywhere)")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".event-card")).to_have_count(1)
    expect(page.locator(".event-card")).to_contain_text("MaaS")
    expect(page.locator("html")).to_have_attribute("lang", "en")
