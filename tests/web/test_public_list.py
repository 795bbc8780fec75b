"""The public event list: upcoming / past, filters, search, drafts, pagination, English."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import event as sa_event

from app.db_types import utcnow
from app.domain.dates import format_range, jst_datetime
from app.extensions import db


def titles(response) -> list[str]:
    """Event titles on the page, in order (the card links)."""
    html = response.get_data(as_text=True)
    # Titles are wrapped for phrase-aware line breaks (<span class="phrases">…<wbr>…</span>).
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<h3><a href="/events/[^"]+">(.*?)</a></h3>', html)]


def past(days: int = 10):
    return (utcnow() - timedelta(days=days)).replace(microsecond=0)


def future(days: int = 10):
    return (utcnow() + timedelta(days=days)).replace(microsecond=0)


def test_upcoming_and_past_are_separate_and_sorted(client, create_event):
    create_event(title="来月のセミナー", starts_at=future(40))
    create_event(title="来週のセミナー", starts_at=future(7))
    create_event(title="先月のセミナー", starts_at=past(40), status="finished")
    create_event(title="先週のセミナー", starts_at=past(7), status="finished")

    upcoming = client.get("/")
    assert upcoming.status_code == 200
    assert titles(upcoming) == ["来週のセミナー", "来月のセミナー"]
    assert "開催予定のイベント" in upcoming.get_data(as_text=True)

    old = client.get("/?when=past")
    assert titles(old) == ["先週のセミナー", "先月のセミナー"]  # most recent first
    assert "過去のイベント" in old.get_data(as_text=True)


def test_running_events_and_open_registration_count_as_upcoming(client, create_event):
    # A 3-day summit that started yesterday: its later sessions are still ahead.
    create_event(title="開催中のサミット", starts_at=past(1), sessions=3)
    # A series whose first session is over but which still takes registrations.
    create_event(title="受付中の連続講座", starts_at=past(3), registration_closes_at=future(5))
    create_event(title="終わった講座", starts_at=past(3))
    assert set(titles(client.get("/"))) == {"開催中のサミット", "受付中の連続講座"}
    assert titles(client.get("/?when=past")) == ["終わった講座"]


def test_drafts_are_never_listed(client, create_event):
    create_event(title="下書きのセミナー", status="draft")
    create_event(title="下書きの過去分", status="draft", starts_at=past(5))
    for status in ("published", "closed", "cancelled", "postponed", "finished"):
        create_event(title=f"状態{status}", status=status)
    listed = titles(client.get("/"))
    assert len(listed) == 5
    assert not any("下書き" in t for t in listed + titles(client.get("/?when=past")))


@pytest.mark.parametrize(
    ("fields", "badge"),
    [
        ({}, "受付中"),
        ({"registration_opens_at": future(3)}, "受付開始前"),
        ({"registration_closes_at": past(1)}, "受付終了"),
        ({"status": "cancelled"}, "中止"),
        ({"status": "postponed"}, "延期"),
        ({"admission_mode": "lottery"}, "抽選受付中"),
        ({"admission_mode": "approval"}, "承認制"),
        ({"capacity": 20, "_confirmed": 17}, "残りわずか"),
        ({"capacity": 2, "_confirmed": 2}, "満席（キャンセル待ち受付中）"),
        ({"capacity": 2, "_confirmed": 2, "waitlist_enabled": False}, "満席"),
    ],
)
def test_card_badge(client, create_event, fields, badge):
    confirmed = fields.pop("_confirmed", 0)
    ev = create_event(title="バッジ確認", **fields)
    ev.ticket_types[0].confirmed_count = confirmed
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="badge badge-[a-z]+">' + badge + "</span>", html), html


def test_card_shows_date_place_and_category(client, create_event):
    start = jst_datetime(utcnow().year + 1, 7, 12, 13, 30)
    ev = create_event(title="DXセミナー", starts_at=start, venue="仙台国際センター", category="symposium")
    online = create_event(title="オンライン講座", format="online", venue="", starts_at=start)
    assert ev.sessions[0].ends_at == start + timedelta(hours=2)
    html = client.get("/").get_data(as_text=True)
    assert format_range(start, start + timedelta(hours=2)) in html  # e.g. 2027年7月12日(月) 13:30–15:30
    assert "仙台国際センター（宮城県）" in html
    assert "シンポジウム" in html
    card = html.split(online.title)[1].split("</li>")[0]
    assert "オンライン" in card


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=symposium", {"MaaSシンポジウム"}),
        ("prefecture=02", {"青森の講座", "MaaSシンポジウム"}),  # an online event is open to every prefecture
        ("prefecture=04", {"仙台の講座", "MaaSシンポジウム"}),
        ("prefecture=online", {"MaaSシンポジウム", "青森の講座"}),  # joinable online: online and hybrid
        ("format=online", {"MaaSシンポジウム"}),
        ("format=hybrid", {"青森の講座"}),
        ("format=in_person", {"仙台の講座"}),
    ],
)
def test_filters(client, create_event, query, expected):
    create_event(title="MaaSシンポジウム", category="symposium", format="online", prefecture="04")
    create_event(title="青森の講座", category="seminar", format="hybrid", prefecture="02")
    create_event(title="仙台の講座", category="seminar", format="in_person", prefecture="04")
    response = client.get("/?" + query)
    assert set(titles(response)) == expected
    # The form keeps the chosen value.
    name, value = query.split("=")
    assert re.search(rf'<option selected value="{value}">|<option value="{value}" selected>', response.get_data(as_text=True))


def test_prefecture_filter_lists_names(client, create_event):
    create_event(prefecture="02")
    create_event(prefecture="04")
    html = client.get("/").get_data(as_text=True)
    assert '<option value="02">青森県</option>' in html
    assert '<option value="04">宮城県</option>' in html


def test_month_filter_uses_japan_time(client, create_event):
    year = utcnow().year + 1
    # 1 August 08:00 in Japan is still 31 July in UTC.
    create_event(title="8月1日朝", starts_at=jst_datetime(year, 8, 1, 8, 0))
    create_event(title="7月31日夜", starts_at=jst_datetime(year, 7, 31, 19, 0))
    create_event(title="9月", starts_at=jst_datetime(year, 9, 15, 13, 0))
    assert titles(client.get(f"/?month={year}-08")) == ["8月1日朝"]
    assert titles(client.get(f"/?month={year}-07")) == ["7月31日夜"]
    html = client.get("/").get_data(as_text=True)
    assert f'<option value="{year}-08">{year}年8月</option>' in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dx", {"TOHOKU DXセミナー"}),  # case-insensitive
        ("ＤＸ", {"TOHOKU DXセミナー"}),  # full-width typed, half-width stored
        ("仙台国際", {"TOHOKU DXセミナー"}),  # venue
        ("東北経済産業局", {"TOHOKU DXセミナー", "省エネディベート"}),  # organiser
        ("宮城県中小企業", {"省エネディベート"}),  # co-organiser
        ("ディベート 高校", {"省エネディベート"}),  # every word must match
        ("ディベート 小学", set()),
        ("100%", {"参加率100%の講座"}),  # % matched literally
        ("%", {"参加率100%の講座"}),
        ("a_b", {"a_bの会"}),  # _ matched literally
        ("x\\y", set()),
    ],
)
def test_search(client, create_event, q, expected):
    create_event(title="TOHOKU DXセミナー", venue="仙台国際センター", organizer_name="東北経済産業局")
    create_event(title="省エネディベート", summary="高校・中学の部", organizer_name="東北経済産業局",
                 co_organizers="宮城県中小企業団体中央会\n東北大学")
    create_event(title="参加率100%の講座", description="1000人")
    create_event(title="a_bの会")
    create_event(title="axbの会")
    response = client.get("/", query_string={"q": q})
    assert set(titles(response)) == expected
    assert f'value="{escape(q)}"' in response.get_data(as_text=True)  # the search box keeps it


def test_search_is_kept_and_no_match_offers_a_reset(client, create_event):
    create_event(title="DXセミナー")
    response = client.get("/?q=存在しない&category=award")
    html = response.get_data(as_text=True)
    assert titles(response) == []
    assert "条件に合うイベントはありません。" in html
    assert 'value="存在しない"' in html
    assert 'href="/">条件をクリアしてすべてのイベントを表示' in html


def test_invalid_filter_values_are_reported_not_500(client, create_event):
    create_event(title="DXセミナー")
    response = client.get("/?category=nope&prefecture=99&format=x&month=2026-13&page=abc&q=" + "あ" * 101)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for message in ("カテゴリは一覧から選んでください。", "都道府県は一覧から選んでください。",
                    "開催形式は一覧から選んでください。", "開催月は一覧から選んでください。", "100文字以内で入力してください。"):
        assert message in html
    assert titles(response) == ["DXセミナー"]  # the bad filters are ignored


def test_pagination_keeps_filters(client, create_event):
    base = future(5)
    for i in range(25):
        create_event(title=f"講座{i:02d}", starts_at=base + timedelta(hours=i), category="seminar")
    create_event(title="別カテゴリ", category="award")

    first = client.get("/?category=seminar")
    assert titles(first) == [f"講座{i:02d}" for i in range(20)]
    html = first.get_data(as_text=True)
    assert "25件" in html and "2ページ中1ページ目" in html
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "category=seminar" in next_link and "page=2" in next_link

    second = client.get(next_link)
    assert titles(second) == [f"講座{i:02d}" for i in range(20, 25)]
    assert 'rel="prev"' in second.get_data(as_text=True)
    # Out of range pages land on the last one; nonsense lands on the first.
    assert titles(client.get("/?category=seminar&page=99")) == titles(second)
    assert titles(client.get("/?category=seminar&page=-3")) == titles(first)


def _count_queries(client, url) -> int:
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", _before)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def test_list_query_count_does_not_grow_with_events(client, create_event):
    create_event(sessions=2)
    few = _count_queries(client, "/")
    for _ in range(8):
        create_event(sessions=3, ticket_types=[("企業", 10), ("学生", 5)])
    assert _count_queries(client, "/") == few


def test_english_with_lang_parameter(client, create_event):
    create_event(title="DXセミナー", category="symposium")
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    for text in ("Upcoming events", "Past events", "Registration open", "Symposium", "Keyword", "Prefecture", "Miyagi"):
        assert text in html, text
    for text in ("開催予定", "受付中", "宮城県"):
        assert text not in html, text
    # Links keep the language.
    assert "lang=en" in re.search(r'<h3><a href="([^"]+)"', html).group(1)
    assert '<input type="hidden" name="lang" value="en">' in html


def test_language_switch_drops_a_stale_lang_parameter(client):
    response = client.get("/lang/ja?next=/%3Fwhen%3Dpast%26lang%3Den")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?when=past"
    assert "lang=ja" in response.headers["Set-Cookie"]
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/"
