"""Statistics in a real browser: the 年度 page is filtered through its form, and its chart and table agree."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.domain import dates
from app.extensions import db
from app.models import Attendance
from tests.factories import register


def _past(create_event, title, start, n, came, category="seminar"):
    event = create_event(title=title, starts_at=start, capacity=None, category=category,
                         registration_opens_at=start - timedelta(days=30),
                         registration_closes_at=start - timedelta(days=1))
    regs = [register(event, now=start - timedelta(days=3), organization=f"会社{i}").registration for i in range(n)]
    for r in regs[:came]:
        db.session.add(Attendance(event_id=event.id, session_id=event.sessions[0].id, registration_id=r.id,
                                  method="door", attended_at=start))
    event.status = "finished"
    db.session.commit()
    return event


def test_fiscal_year_page_filters_and_chart_matches_table(page, create_event, create_organizer, browser_login):
    _past(create_event, "DXセミナー", dates.jst_datetime(2021, 7, 12, 13), 6, 4)
    _past(create_event, "DX塾", dates.jst_datetime(2022, 3, 15, 13), 3, 3, category="workshop")
    _past(create_event, "DXセミナー 次年度", dates.jst_datetime(2022, 7, 12, 13), 5, 2)
    viewer = create_organizer(role="viewer")
    email = viewer.email
    db.session.rollback()

    browser_login(page, type("U", (), {"email": email})())
    page.get_by_role("link", name="統計").click()
    expect(page.get_by_role("heading", name="年度別の参加実績")).to_be_visible()
    page.get_by_label("開始年度").select_option("2021")
    page.get_by_label("終了年度").select_option("2022")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**from=2021**")

    def table_and_chart():
        rows = page.locator("#fy-table tbody tr")
        table = {}
        for i in range(rows.count()):
            row = rows.nth(i)
            fy = row.get_attribute("data-fiscal-year")
            table[fy] = (int(row.locator("[data-key=applicants]").inner_text()),
                         int(row.locator("[data-key=attendees]").inner_text()))
        bars = page.locator("svg.chart .chart-bar")
        chart = [int(bars.nth(i).get_attribute("data-value")) for i in range(bars.count())]
        return table, chart

    table, chart = table_and_chart()
    assert table == {"2021": (9, 7), "2022": (5, 2)}
    assert chart == [9, 7, 5, 2]  # the same figures, year by year

    page.get_by_label("カテゴリ").select_option("workshop")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**category=workshop**")
    table, chart = table_and_chart()
    assert table == {"2021": (3, 3), "2022": (0, 0)}
    assert chart == [3, 3, 0, 0]
    expect(page.locator("#held-table")).to_contain_text("DX塾")
    expect(page.locator("#held-table")).not_to_contain_text("DXセミナー")

    page.get_by_role("link", name="DX塾").click()
    expect(page.get_by_role("heading", name="統計: DX塾")).to_be_visible()
    expect(page.locator(".figures")).to_contain_text("100.0%")


def test_admin_defines_a_kpi_with_a_target_list_and_reads_its_progress(page, create_event, create_organizer,
                                                                       browser_login):
    from pathlib import Path

    event = _past(create_event, "外部人材活用セミナー（青森）", dates.jst_datetime(2021, 9, 14, 13), 0, 0)
    start = event.starts_at
    event.status = "published"
    db.session.commit()
    r = register(event, now=start - timedelta(days=3), organization="株式会社東北テック").registration
    db.session.add(Attendance(event_id=event.id, session_id=event.sessions[0].id, registration_id=r.id,
                              method="door", attended_at=start))
    event.status = "finished"
    admin = create_organizer(role="admin")
    email = admin.email
    db.session.commit()

    browser_login(page, type("U", (), {"email": email})())
    page.goto("/organizer/stats/")
    page.get_by_role("link", name="KPI", exact=True).click()
    page.get_by_role("link", name="KPIを追加").click()
    page.get_by_label("名称").fill("地域未来牽引企業のDX展開")
    page.get_by_label("開始年度").select_option("2021")
    page.get_by_label("終了年度").select_option("2021")
    page.get_by_label("数えるもの").select_option("target_share")
    page.get_by_label("目標値").fill("10")
    page.get_by_label("対象企業リスト").set_input_files(
        str(Path(__file__).resolve().parents[1] / "data" / "kpi" / "targets-cp932.csv"))
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="地域未来牽引企業のDX展開")).to_be_visible()
    expect(page.locator("[data-kpi-value]")).to_have_text("25.0%")  # 1 of the 4 listed companies attended
    expect(page.get_by_text("4行目")).to_be_visible()  # the wrong check digit is reported
    expect(page.locator("#kpi-matched")).to_contain_text("株式会社東北テック")
    expect(page.locator("#kpi-unmatched")).to_contain_text("未参加工業")
    expect(page.locator("meter")).to_have_attribute("value", "1")  # 25 % of a 10 % target: reached
