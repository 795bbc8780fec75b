"""The public event page: programme, 参加枠 and seats, registration window, safety."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.db_types import utcnow
from app.domain.dates import format_datetime, format_range, jst_datetime
from app.extensions import db
from app.models import EventSession

SECRET_URL = "https://zoom.example.jp/j/123456?pwd=secret"


def page(client, event, **params) -> str:
    response = client.get(f"/events/{event.slug}", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_event_page_shows_the_facts_and_the_whole_programme(client, create_event):
    year = utcnow().year + 1
    start = jst_datetime(year, 7, 12, 13, 30)
    ev = create_event(
        title="TOHOKU DX塾", summary="2日間の実践講座", category="workshop", format="hybrid",
        venue="仙台国際センター", address="仙台市青葉区青葉山", prefecture="04", starts_at=start,
        organizer_name="東北経済産業局", co_organizers="東北大学\n\n宮城県中小企業団体中央会",
        contact="事務局 022-000-0000\ndx@example.jp", online_url=SECRET_URL, sessions=0,
    )
    ev.sessions.append(EventSession(title="1日目 基礎", starts_at=start, ends_at=start + timedelta(hours=3)))
    ev.sessions.append(EventSession(title="2日目 実践", starts_at=start + timedelta(days=1),
                                    ends_at=start + timedelta(days=1, hours=4), venue="AER 会議室"))
    ev.sessions.append(EventSession(title="成果発表", starts_at=start + timedelta(days=7), is_online=True))
    db.session.commit()

    html = page(client, ev)
    for text in ("TOHOKU DX塾", "2日間の実践講座", "ワークショップ・塾", "ハイブリッド（会場＋オンライン）",
                 "仙台国際センター", "宮城県仙台市青葉区青葉山", "東北経済産業局", "<li>東北大学</li>",
                 "<li>宮城県中小企業団体中央会</li>", "事務局 022-000-0000", "1日目 基礎", "2日目 実践", "成果発表",
                 "AER 会議室", "先着順"):
        assert text in html, text
    assert format_range(start, start + timedelta(hours=3)) in html
    assert format_range(start + timedelta(days=1), start + timedelta(days=1, hours=4)) in html
    assert format_datetime(start + timedelta(days=7)) in html
    programme = html.split('id="programme-heading"')[1].split("</section>")[0]
    assert programme.index("1日目 基礎") < programme.index("2日目 実践") < programme.index("成果発表")
    assert "オンライン" in programme.split("成果発表")[1]


@pytest.mark.parametrize("status", ["published", "closed", "cancelled", "postponed", "finished"])
def test_online_url_is_never_shown(client, create_event, status):
    ev = create_event(format="online", online_url=SECRET_URL, status=status, description="オンライン開催です。")
    for lang in ("ja", "en"):
        html = page(client, ev, lang=lang)
        assert "zoom.example.jp" not in html
        assert "secret" not in html
    assert "参加用URLは参加確定の方にお知らせします。" in page(client, ev, lang="ja")  # ?lang= is remembered


def test_drafts_and_unknown_slugs_are_404(client, create_event):
    draft = create_event(status="draft")
    assert client.get(f"/events/{draft.slug}").status_code == 404
    assert client.get("/events/no-such-event").status_code == 404


def test_description_is_markdown_and_sanitised(client, create_event):
    ev = create_event(description=(
        "# 概要\n\n**太字**と[リンク](https://example.jp)\n\n"
        "<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[悪い](javascript:alert(1))"
    ))
    html = page(client, ev)
    details = html.split('id="details-heading"')[1].split("</section>")[0]
    assert "<strong>太字</strong>" in details
    assert 'href="https://example.jp"' in details
    assert "<script" not in html.lower()
    assert "onerror" not in details
    assert "javascript:" not in details
    # The description's own headings sit below the page's h2 sections.
    assert "<h3>概要</h3>" in details and "<h1>" not in details


def test_title_and_texts_are_escaped(client, create_event):
    ev = create_event(title="<b>見出し</b>", summary="<i>x</i>", contact="<a href=x>y</a>")
    html = page(client, ev)
    assert "&lt;b&gt;見出し&lt;/b&gt;" in html
    assert "<i>x</i>" not in html and "<a href=x>" not in html


@pytest.mark.parametrize(
    ("setup", "expected", "absent"),
    [
        ({"capacity": 30, "confirmed": 28}, ["定員30名", "残り2席"], ["満席", "キャンセル待ち受付中"]),
        ({"capacity": 30, "confirmed": 30}, ["定員30名", "キャンセル待ち受付中"], ["残り"]),
        ({"capacity": 30, "confirmed": 30, "waitlist_enabled": False}, ["満席"], ["残り", "キャンセル待ち受付中"]),
        ({"capacity": None, "confirmed": 5}, ["定員なし", "空席あり"], ["残り"]),
        ({"capacity": 20, "admission_mode": "lottery"}, ["定員20名", "抽選"], ["残り"]),
        ({"capacity": 20, "admission_mode": "approval"}, ["定員20名", "承認制"], ["残り"]),
    ],
)
def test_seats_per_ticket_type(client, create_event, setup, expected, absent):
    confirmed = setup.pop("confirmed", 0)
    ev = create_event(ticket_types=[("SIer企業", setup.pop("capacity"))], **setup)
    ev.ticket_types[0].confirmed_count = confirmed
    ev.ticket_types[0].description = "システム開発会社の方"
    db.session.commit()
    tickets = page(client, ev).split('id="tickets-heading"')[1].split("</section>")[0]
    assert "SIer企業" in tickets and "システム開発会社の方" in tickets
    for text in expected:
        assert text in tickets, text
    for text in absent:
        assert text not in tickets, text


def test_several_ticket_types_each_have_their_own_count(client, create_event):
    ev = create_event(ticket_types=[("SIer企業", 10), ("ユーザー企業", 5)], waitlist_enabled=False)
    ev.ticket_types[0].confirmed_count = 3
    ev.ticket_types[1].confirmed_count = 5
    db.session.commit()
    tickets = page(client, ev).split('id="tickets-heading"')[1]
    sier, user = tickets.split("ユーザー企業")
    assert "残り7席" in sier
    assert "満席" in user


def _window(html: str) -> str:
    return html.split('id="registration-heading"')[1].split("</section>")[0]


def test_window_not_yet_open_says_when(client, create_event):
    opens = jst_datetime(utcnow().year + 1, 4, 1, 10, 0)
    ev = create_event(registration_opens_at=opens, starts_at=opens + timedelta(days=60))
    box = _window(page(client, ev))
    assert "受付開始前" in box
    assert f"{format_datetime(opens)}から受付を開始します。" in box


def test_window_ended(client, create_event):
    ev = create_event(registration_closes_at=utcnow() - timedelta(hours=1))
    box = _window(page(client, ev))
    assert "受付終了" in box and "申込受付は終了しました" in box


@pytest.mark.parametrize(("status", "headline"), [("cancelled", "中止となりました"), ("postponed", "延期となりました")])
def test_window_cancelled_or_postponed_gives_the_reason(client, create_event, status, headline):
    ev = create_event(status=status, status_reason="新型コロナウイルス感染症の拡大を受け、\n開催を見合わせます。")
    box = _window(page(client, ev))
    assert headline in box
    assert "新型コロナウイルス感染症の拡大を受け" in box
    assert "残り" not in page(client, ev)  # no seat counts for an event that will not happen as planned


def test_window_open_says_until_when(client, create_event):
    ev = create_event()
    box = _window(page(client, ev))
    assert "受付中" in box
    assert f"{format_datetime(ev.registration_closes_at)}まで" in box


def test_register_button_only_while_open(app, client, create_event):
    open_ev = create_event()
    closed_ev = create_event(registration_closes_at=utcnow() - timedelta(hours=1))
    assert f'href="/events/{open_ev.slug}/register"' in page(client, open_ev)
    assert "register" not in page(client, closed_ev).split('id="registration-heading"')[1]



def test_event_page_in_english(client, create_event):
    ev = create_event(category="symposium", format="online", ticket_types=[("一般", 100)])
    html = page(client, ev, lang="en")
    for text in ("Programme", "Symposium", "Online", "Registration open", "100 seats left", "Capacity: 100",
                 "Back to the event list"):
        assert text in html, text
    assert "残り" not in html and "開催概要" not in html
