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
