"""The event page tells the truth: one state, the right button; one address line; old links by id; outline."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.db_types import utcnow
from app.extensions import db


def page(client, event, **params) -> str:
    response = client.get(f"/events/{event.slug}", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def box(html: str) -> str:
    return html.split('aria-labelledby="registration-heading"')[1].split("</section>")[0]


def buttons(html: str) -> list[str]:
    return re.findall(r'class="button primary register-button"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("fields", "confirmed", "state", "button"),
    [
        ({"capacity": 100}, 10, "受付中", "このイベントに申し込む"),
        ({"capacity": 100}, 96, "残りわずか", "このイベントに申し込む"),
        ({"capacity": 30, "waitlist_enabled": True}, 30, "満席（キャンセル待ち受付中）", "キャンセル待ちで申し込む"),
        ({"capacity": 30, "waitlist_enabled": False}, 30, "満席", None),
        ({"admission_mode": "lottery"}, 0, "抽選受付中", "抽選に申し込む"),
        ({"admission_mode": "approval"}, 0, "承認制", "参加を申し込む（承認制）"),
        ({"registration_opens_at": utcnow() + timedelta(days=3)}, 0, "受付開始前", None),
        ({"registration_closes_at": utcnow() - timedelta(hours=1)}, 0, "受付終了", None),
        ({"status": "cancelled", "status_reason": "台風のため"}, 0, "中止", None),
        ({"status": "postponed"}, 0, "延期", None),
    ],
)
def test_state_and_action_match_the_truth(client, create_event, fields, confirmed, state, button):
    ev = create_event(**fields)
    ev.ticket_types[0].confirmed_count = confirmed
    db.session.commit()
    html = page(client, ev)
    registration = box(html)
    assert f"<strong>{state}</strong>" in registration
    assert re.search(r'<span class="badge badge-[a-z]+">' + re.escape(state) + "</span>", html)
    if button is None:
        assert buttons(html) == []
    else:
        assert buttons(html) == [button, button]  # in the box and at the end of the page
    # Never 受付中 or the plain button beside a full event (the bug this fixes).
    if "満席" in state:
        assert "受付中</strong>" not in registration.replace("キャンセル待ち受付中", "")
        assert "このイベントに申し込む" not in html


def test_a_few_seats_left_says_how_many(client, create_event):
    ev = create_event(capacity=40)
    ev.ticket_types[0].confirmed_count = 37
    db.session.commit()
    assert "残り3席です。" in box(page(client, ev))


def test_english_states(client, create_event):
    ev = create_event(capacity=5, waitlist_enabled=True)
    ev.ticket_types[0].confirmed_count = 5
    db.session.commit()
    html = page(client, ev, lang="en")
    assert "Full: waiting list" in box(html)
    assert buttons(html) == ["Join the waiting list", "Join the waiting list"]


@pytest.mark.parametrize(
    ("address", "line"),
    [("宮城県仙台市青葉区本町3-3-1", "宮城県仙台市青葉区本町3-3-1"), ("仙台市青葉区本町3-3-1", "宮城県仙台市青葉区本町3-3-1")],
)
def test_one_clean_address_line(client, create_event, address, line):
    ev = create_event(format="in_person", venue="仙台合同庁舎", prefecture="04", address=address)
    html = page(client, ev)
    assert line in html
    assert "宮城県 宮城県" not in html and "宮城県宮城県" not in html


def test_an_old_link_by_id_redirects_to_the_readable_address(client, create_event):
    ev = create_event(slug="2027-01-12-dx-seminar")
    response = client.get(f"/events/{ev.id}?lang=en")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/events/2027-01-12-dx-seminar?lang=en")
    assert client.get("/events/999999").status_code == 404
    draft = create_event(status="draft")
    assert client.get(f"/events/{draft.id}").status_code == 404  # drafts stay hidden


def test_description_headings_sit_under_the_details_heading(client, create_event):
    ev = create_event(description="## 概要\n\n本文\n\n#### 講師\n\n山田")
    html = page(client, ev)
    details = html.split('id="details-heading"')[1]
    assert "<h3>概要</h3>" in details and "<h4>講師</h4>" in details
    levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels  # never skips a level


def test_titles_break_between_phrases(client, create_event):
    ev = create_event(title="令和8年度 TOHOKU DXセミナー 〜地域企業のデジタル変革〜")
    html = page(client, ev)
    h1 = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert h1.startswith('<span class="phrases">') and "<wbr>" in h1
    assert all("セミナー" in part or "セミ" not in part for part in h1.split("<wbr>"))  # never セミ|ナー
    assert "<title>令和8年度 TOHOKU DXセミナー" in html  # the tab title stays plain text


def test_titles_are_still_escaped(client, create_event):
    ev = create_event(title="<script>alert(1)</script>セミナー")
    html = page(client, ev)
    assert "<script>alert(1)" not in html


def test_a_changed_address_keeps_old_links_working(client, create_event):
    from app.services import events as service
    from app.services.errors import ValidationError

    ev = create_event(slug="2027-01-12-seminar")
    service.update_event(ev, {"slug": "2027-01-12-dx-seminar"}, None, utcnow())
    db.session.commit()
    service.update_event(ev, {"slug": "2027-01-12-tohoku-dx-seminar"}, None, utcnow())
    db.session.commit()
    for old in ("2027-01-12-seminar", "2027-01-12-dx-seminar"):  # every earlier address, straight to the current one
        response = client.get(f"/events/{old}?lang=en")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/events/2027-01-12-tohoku-dx-seminar?lang=en")
        register = client.get(f"/events/{old}/register")
        assert register.status_code == 301
        assert register.headers["Location"].endswith("/events/2027-01-12-tohoku-dx-seminar/register")
    assert client.get("/events/2027-01-12-tohoku-dx-seminar").status_code == 200
    # Another event may not take an old address (its links would change event) ...
    other = create_event(slug="2027-02-01-other")
    try:
        service.update_event(other, {"slug": "2027-01-12-seminar"}, None, utcnow())
        raise AssertionError("an old address was given to another event")
    except ValidationError as error:
        assert "slug" in error.errors
    db.session.rollback()
    # ... but the event itself may take one back, which then is simply its address again.
    service.update_event(ev, {"slug": "2027-01-12-seminar"}, None, utcnow())
    db.session.commit()
    assert client.get("/events/2027-01-12-seminar").status_code == 200
    moved = client.get("/events/2027-01-12-tohoku-dx-seminar")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/events/2027-01-12-seminar")
    assert client.get("/events/never-was").status_code == 404
