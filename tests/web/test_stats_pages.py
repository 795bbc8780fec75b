"""The stats pages: any staff role reads them; tables, charts and downloads agree with the service."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.domain import dates
from app.extensions import db
from app.models import Attendance
from tests import factories


@pytest.fixture
def past_events(app):
    made = []
    for title, start, n, came in (("令和3年度 DXセミナー", dates.jst_datetime(2021, 7, 12, 13), 5, 3),
                                  ("=HYPERLINK(\"x\")", dates.jst_datetime(2022, 1, 20, 13), 3, 1),
                                  ("令和5年度 DX塾", dates.jst_datetime(2023, 11, 10, 10), 2, 2)):
        event = factories.create_event(title=title, starts_at=start, capacity=None,
                                       registration_opens_at=start - timedelta(days=30),
                                       registration_closes_at=start - timedelta(days=1))
        regs = [factories.register(event, now=start - timedelta(days=5 - i % 3), organization=f"会社{i}",
                                   prefecture="04" if i % 2 else "03").registration for i in range(n)]
        for r in regs[:came]:
            db.session.add(Attendance(event_id=event.id, session_id=event.sessions[0].id, registration_id=r.id,
                                      method="door", attended_at=start))
        event.status = "finished"
        made.append(event)
    db.session.commit()
    return made


def test_sign_in_required(client):
    assert client.get("/organizer/stats/").status_code == 302


def test_fiscal_year_page_table_and_chart_agree(client, login, past_events):
    login(factories.create_organizer(role="viewer"))
    html = client.get("/organizer/stats/?from=2021&to=2023").get_data(as_text=True)
    assert "令和3年度" in html and "令和4年度" in html and "令和5年度" in html
    bars = dict(re.findall(r'data-label="([^"]+)" data-series="[^"]*" data-value="(\d+)"', html))
    assert bars  # the chart has one bar per year and series
    applicants = re.findall(r'data-fiscal-year="(\d+)">.*?data-key="applicants">(\d+)<', html, re.S)
    assert applicants == [("2021", "8"), ("2022", "0"), ("2023", "2")]  # 2022-01-20 belongs to 令和3年度
    values = [int(v) for v in re.findall(r'data-series="[^"]*" data-value="(\d+)"', html)]
    assert values == [8, 4, 0, 0, 2, 2]  # applicants, attendees per year: the table's figures


def test_filters_with_errors_next_to_the_field(client, login, past_events):
    login(factories.create_organizer(role="viewer"))
    r = client.get("/organizer/stats/?from=2024&to=2021")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="f-from-error"' in html and 'aria-invalid="true"' in html


def test_downloads_open_cleanly(client, login, past_events):
    login(factories.create_organizer(role="viewer"))
    r = client.get("/organizer/stats/fiscal-years.csv?from=2021&to=2023")
    assert r.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[1][:4] == ["令和3年度", "2021", "2", "8"]
    x = client.get("/organizer/stats/held-events.xlsx?from=2021&to=2023")
    sheet = load_workbook(io.BytesIO(x.data)).active
    titles = [sheet.cell(row=i, column=3).value for i in range(2, sheet.max_row + 1)]
    assert titles[0] == "令和3年度 DXセミナー"
    assert titles[1] == "'=HYPERLINK(\"x\")"  # neutralised, not a formula
    assert sheet.cell(row=2, column=6).value == 5 and sheet.freeze_panes == "A2"
    assert sheet.cell(row=1, column=1).font.b and sheet.cell(row=2, column=2).number_format == "yyyy/mm/dd"
    assert sheet.auto_filter.ref == f"A1:H{sheet.max_row}"
    assert client.get("/organizer/stats/held-events.xlsx?from=abc").status_code == 400


def test_event_page(client, login, past_events):
    login(factories.create_organizer(role="viewer"))
    event = past_events[0]
    html = client.get(f"/organizer/stats/events/{event.id}").get_data(as_text=True)
    assert "宮城県" in html and "岩手県" in html
    tiles = dict(re.findall(r'class="chart-tile" data-label="([^"]+)" data-value="(\d+)"', html))
    assert tiles["宮城県"] == "2" and tiles["岩手県"] == "3"  # i odd: 04, even: 03
    assert client.get("/organizer/stats/events/999999").status_code == 404


def test_event_page_and_api_show_sessions_and_cumulative(client, login, app):
    from app.services import attendance

    event = factories.create_event(sessions=3)
    regs = [factories.register(event).registration for _ in range(3)]
    for reg, n in zip(regs, (3, 2, 0), strict=True):
        for s in event.sessions[:n]:
            attendance.record(reg.id, s.id, method="door", now=s.starts_at)
    db.session.commit()
    login(factories.create_organizer(role="viewer"))
    html = client.get(f"/organizer/stats/events/{event.id}").get_data(as_text=True)
    assert 'data-key="cumulative">5<' in html
    token = factories.create_api_token(factories.create_organizer(role="viewer"))
    body = client.get(f"/api/v1/events/{event.id}/stats", headers={"Authorization": f"Bearer {token}"}).json
    assert body["cumulative"] == 5 and body["attended"] == 2
    assert body["by_session"] == {str(event.sessions[0].id): 2, str(event.sessions[1].id): 2,
                                  str(event.sessions[2].id): 1}


def test_event_page_and_api_compare_editions_of_a_series(client, login, app):
    from app.models import EventSeries

    series = EventSeries(slug="gaibu-jinzai", name="外部人材活用セミナー")
    db.session.add(series)
    made = []
    for start, pref, days in ((dates.jst_datetime(2025, 7, 1, 13), "02", (9, 4)),
                              (dates.jst_datetime(2026, 7, 1, 13), "04", (6, 6, 1))):
        event = factories.create_event(starts_at=start, capacity=None, series=series, prefecture=pref,
                                       registration_opens_at=start - timedelta(days=30),
                                       registration_closes_at=start - timedelta(hours=1))
        for i, d in enumerate(days):
            factories.register(event, now=start - timedelta(days=d, hours=1), organization=f"会社{i}")
        event.status = "finished"
        made.append(event)
    db.session.commit()
    login(factories.create_organizer(role="viewer"))
    html = client.get(f"/organizer/stats/events/{made[1].id}").get_data(as_text=True)
    table = html[html.index('id="editions-table"'):]
    table = table[:table.index("</table>")]
    cells = [[int(c) for c in re.findall(r'<td class="num">(\d+)</td>', row)]
             for row in re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>"):], re.S)]
    assert cells == [[9, 1, 0], [6, 1, 2], [4, 2, 2], [1, 2, 3]]
    chart = html[html.index('aria-describedby="editions-table"'):]
    lines = re.findall(r'<g class="chart-line" data-series="([^"]+)">(.*?)</g>', chart, re.S)
    assert [name for name, _ in lines] == ["2025年7月1日(火) 青森県", "2026年7月1日(水) 宮城県"]
    assert [re.findall(r'data-value="(\d+)" data-days="(\d+)"', body) for _, body in lines] == [
        [("1", "9"), ("2", "4")], [("2", "6"), ("3", "1")]]
    token = factories.create_api_token(factories.create_organizer(role="viewer"))
    body = client.get(f"/api/v1/events/{made[1].id}/stats", headers={"Authorization": f"Bearer {token}"}).json
    assert [e["event_id"] for e in body["editions"]] == [made[0].id, made[1].id]
    assert body["editions"][0]["over_time"][-1]["cumulative"] == 2
    first = client.get(f"/api/v1/events/{made[0].id}/stats", headers={"Authorization": f"Bearer {token}"}).json
    assert first["editions"] == []


def test_held_events_are_paged_and_events_not_yet_counted_are_announced(client, login, app, monkeypatch):
    from app.services import participation, stats

    monkeypatch.setattr(stats, "HELD_PER_PAGE", 2)
    start = dates.jst_datetime(2023, 5, 10, 13)
    made = [factories.create_event(title=f"イベント{i}", starts_at=start + timedelta(days=i), status="finished",
                                   capacity=None) for i in range(5)]
    login(factories.create_organizer(role="viewer"))
    html = client.get("/organizer/stats/?from=2023&to=2023").get_data(as_text=True)
    held = html[html.index('id="held-table"'):]
    assert "イベント0" in held and "イベント1" in held and "イベント2" not in held
    assert "3ページ中1ページ目" in held
    third = client.get("/organizer/stats/?from=2023&to=2023&page=3").get_data(as_text=True)
    assert "イベント4" in third[third.index('id="held-table"'):]
    assert "集計中" not in html
    # an event that has just started is counted by the jobs; until then the page says so
    event = factories.create_event(capacity=None)
    factories.register(event)
    later = event.starts_at + timedelta(minutes=5)
    monkeypatch.setattr("app.stats.views.utcnow", lambda: later)
    page = client.get(f"/organizer/stats/?from=2023&to={dates.fiscal_year(later)}").get_data(as_text=True)
    assert "開始済みのイベント1件を集計中です" in page
    participation.count_started_events(later)
    page = client.get(f"/organizer/stats/?from=2023&to={dates.fiscal_year(later)}").get_data(as_text=True)
    assert "集計中" not in page
    assert made
