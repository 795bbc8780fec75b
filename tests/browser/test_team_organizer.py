"""The organizer's team pages on a 390 px phone: exporting the teams with their members from the teams
page (the file read back), and a member limit below the confirmed teams' members refused next to the
field of the 参加枠 form."""
from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from app.extensions import db
from tests import factories


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _debate():
    event = factories.create_event(title="省エネ政策提案型パブリック・ディベートコンテスト", team_mode="team",
                                   team_min_members=3, team_max_members=5,
                                   ticket_types=[("高校の部", 8), ("中学の部", 8)])
    high, middle = event.ticket_types
    factories.register(event, 1, ticket_type_id=high.id, team=factories.team_data(name="仙台一高ディベート部"))
    factories.register(event, 2, ticket_type_id=middle.id,
                       team=factories.team_data(name="青葉中学校", members=3, grade="中学3年"))
    ids = event.id, high.id
    db.session.rollback()
    return ids


def test_an_organizer_exports_the_teams_with_their_members_on_a_phone(phone_page, browser_login):
    event_id, _high_id = _debate()
    organizer = factories.create_organizer(role="organizer")
    page = phone_page
    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event_id}/teams")
    _no_sideways_scroll(page)
    section = page.locator("section", has=page.get_by_role("heading", name="チームを書き出す"))
    expect(section.get_by_role("radio").first).to_be_checked()  # CSV with a BOM, for Excel
    section.get_by_role("button", name="チームを書き出す").click()
    page.wait_for_url(f"**/organizer/events/{event_id}/exports/*")
    _no_sideways_scroll(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="ファイルをダウンロード").click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["受付番号", "参加枠", "チーム名", "人数", "メンバー氏名"]
    assert [r[1:4] for r in rows[1:]] == [["高校の部", "仙台一高ディベート部", "4"], ["中学の部", "青葉中学校", "3"]]
    assert rows[1][4].startswith("佐藤 花子（高校2年）、佐藤 次郎（高校2年）")


def test_a_member_limit_below_the_teams_members_is_refused_next_to_the_field_on_a_phone(phone_page, browser_login):
    event_id, high_id = _debate()
    organizer = factories.create_organizer(role="organizer")
    page = phone_page
    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event_id}/tickets/{high_id}/edit")
    expect(page.locator(".panel")).to_contain_text("参加確定チームのメンバー：4名")
    page.locator("#member_capacity").fill("3")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#member_capacity-error")).to_contain_text(
        "参加確定チームのメンバーが4名いるため、メンバー数の上限をそれより少なくできません。")
    expect(page.locator("#member_capacity")).to_have_value("3")
    _no_sideways_scroll(page)
    page.locator("#member_capacity").fill("4")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/organizer/events/{event_id}#tickets")
