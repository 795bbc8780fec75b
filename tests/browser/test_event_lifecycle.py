"""An event's life in a real browser: cancelling one that has registrants (中止, mails), copying last year's edition."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from app.db_types import utcnow
from app.domain.dates import JST
from app.extensions import db
from app.models import Event, EventSession, OutboxMessage, Registration
from app.services import registrations
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register

REASON = "台風接近に伴い、参加者の安全を考慮して開催を中止いたします。"


def test_cancel_a_published_event_with_registrants(page, browser_login, create_event, create_organizer):
    event = create_event(title="SIer's Day", slug="siers-day-2026", capacity=2, waitlist_enabled=True)
    for n in (1, 2, 3, 4):  # two confirmed, two waiting...
        register(event, n)
    gone = db.session.scalars(select(Registration).where(Registration.email == "taro4@example.jp")).one()
    registrations.cancel(gone, now=utcnow())  # ...of whom one has cancelled already
    db.session.commit()
    s = SimpleNamespace(event_id=event.id, email=create_organizer().email)
    db.session.rollback()

    browser_login(page, s)
    page.goto("/organizer/")
    page.get_by_role("link", name="SIer's Day", exact=True).click()
    page.get_by_role("link", name="イベントを中止する").click()
    page.wait_for_url(f"**/organizer/events/{s.event_id}/cancel")
    expect(page.get_by_role("heading", level=1)).to_have_text("イベントを中止する")

    # The reason is required: submitting it empty is refused, with the message next to the field.
    page.get_by_role("button", name="イベントを中止する").click()
    expect(page.locator("#reason-error")).to_have_text(re.compile("必須|入力してください"))  # WTForms' or ours
    expect(page.get_by_label("理由（イベントページと申込者へのメールに表示）")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path="/tmp/browser2-cancel-empty.png", full_page=True)
    assert _read(lambda: db.session.get(Event, s.event_id).status) == "published"

    page.get_by_label("理由（イベントページと申込者へのメールに表示）").fill(REASON)
    page.get_by_role("button", name="イベントを中止する").click()
    page.wait_for_url(f"**/organizer/events/{s.event_id}")
    expect(page.get_by_text("イベントを中止にしました。申込者にメールでお知らせします。")).to_be_visible()
    expect(page.locator("p.meta .badge")).to_have_text("中止")
    expect(page.get_by_text(REASON)).to_be_visible()
    assert page.get_by_role("link", name="イベントを中止する").count() == 0

    # The public page says so, with the reason, and offers no registration.
    page.get_by_role("link", name="公開ページ").click()
    page.wait_for_url("**/events/siers-day-2026")
    expect(page.locator(".event-head .badge").first).to_have_text("中止")
    box = page.locator(".registration-box")
    expect(box).to_contain_text("このイベントは中止となりました。")
    expect(box.locator(".reason")).to_have_text(REASON)
    assert page.locator(".register-button").count() == 0
    page.screenshot(path="/tmp/browser2-public-cancelled.png", full_page=True)

    # One 開催中止のお知らせ per active registrant (not the one who had cancelled).
    def mails():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "event_cancelled")).all()
        return sorted((m.to_email, REASON in m.body_text) for m in rows)
    expected = [(f"taro{n}@example.jp", True) for n in (1, 2, 3)]
    assert _read(mails) == expected

    page.goto(f"/organizer/events/{s.event_id}")
    page.get_by_role("link", name="このイベントのメール").click()
    page.wait_for_url(f"**/organizer/outbox?event_id={s.event_id}")
    notices = page.locator("tr.outbox-row", has_text="開催中止のお知らせ")
    expect(notices).to_have_count(3)
    for n in (1, 2, 3):
        expect(notices.filter(has_text=f"taro{n}@example.jp")).to_have_count(1)
    assert page.locator("tr.outbox-row", has_text="開催中止のお知らせ").filter(has_text="taro4@").count() == 0
    page.screenshot(path="/tmp/browser2-outbox-cancelled.png", full_page=True)
    notices.filter(has_text="taro1@example.jp").get_by_role("link").click()
    expect(page.locator(".mail-text")).to_contain_text(REASON)


def test_copy_last_years_edition_and_publish_it(page, browser_login, create_event, create_organizer):
    now = utcnow()
    last_year = (now - timedelta(days=300)).astimezone(JST).replace(hour=13, minute=30, second=0, microsecond=0)
    source = create_event(title="IoTアイデアソン＆ハッカソン", slug="iot-hackathon-2025", status="finished",
                          starts_at=last_year, sessions=0, ticket_types=[("学生", 40), ("社会人", 20)],
                          registration_opens_at=last_year - timedelta(days=90),
                          registration_closes_at=last_year - timedelta(days=2))
    source.sessions.append(EventSession(title="1日目 アイデアソン", starts_at=last_year,
                                        ends_at=last_year + timedelta(hours=4)))
    source.sessions.append(EventSession(title="2日目 ハッカソン", starts_at=last_year + timedelta(days=1, hours=-3),
                                        ends_at=last_year + timedelta(days=1, hours=5)))
    db.session.commit()
    old_sessions = sorted((x.title, x.starts_at, x.ends_at) for x in source.sessions)
    s = SimpleNamespace(event_id=source.id, email=create_organizer().email)
    db.session.rollback()

    browser_login(page, s)
    page.goto("/")
    assert page.get_by_text("IoTアイデアソン＆ハッカソン").count() == 0  # last year's is not on the list

    page.goto("/organizer/")
    page.get_by_role("link", name="IoTアイデアソン＆ハッカソン", exact=True).click()
    page.wait_for_url(f"**/organizer/events/{s.event_id}")
    page.get_by_role("link", name="複製して新しい回を作成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("複製して新しい回を作成")

    page.get_by_role("button", name="複製する").click()  # no date: refused, next to the field
    expect(page.locator("#first_start-error")).to_be_visible()

    new_start = (now + timedelta(days=60)).astimezone(JST).replace(hour=10, minute=0, second=0, microsecond=0)
    page.get_by_label("新しい回の初回開始日時（日本時間）").fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="複製する").click()
    page.wait_for_url(re.compile(r"/organizer/events/\d+$"))
    expect(page.get_by_text("複製を下書きとして作成しました。日程と内容を確認してから公開してください。")).to_be_visible()
    expect(page.locator("p.meta .badge")).to_have_text("下書き")
    copy_id = int(page.url.rsplit("/", 1)[1])
    assert copy_id != s.event_id
    page.screenshot(path="/tmp/browser2-copy.png", full_page=True)

    offset = new_start - last_year

    def copied():
        copy = db.session.get(Event, copy_id)
        return (copy.status, copy.title, copy.slug, copy.copied_from_id,
                sorted((x.title, x.starts_at, x.ends_at) for x in copy.sessions),
                [(t.name, t.capacity, t.confirmed_count) for t in copy.ticket_types])
    status, title, slug, copied_from, sessions, tickets = _read(copied)
    assert (status, title, copied_from) == ("draft", "IoTアイデアソン＆ハッカソン", s.event_id)
    assert sessions == [(t, start + offset, end + offset) for t, start, end in old_sessions]
    assert tickets == [("学生", 40, 0), ("社会人", 20, 0)]
    # The sessions on the page show the new Japanese dates and times (10:00 JST; the second day 07:00).
    expect(page.locator("#sessions + .table-wrap")).to_contain_text(f"{new_start:%Y}年{new_start.month}月{new_start.day}日")
    expect(page.locator("#sessions + .table-wrap")).to_contain_text("10:00")

    page.goto("/")
    assert page.get_by_text("IoTアイデアソン＆ハッカソン").count() == 0  # a draft is not public

    page.goto(f"/organizer/events/{copy_id}")
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("イベントを公開しました。公開一覧に表示されています。")).to_be_visible()
    expect(page.locator("p.meta .badge")).to_have_text("公開中")

    page.goto("/")
    card = page.locator(".event-card", has_text="IoTアイデアソン＆ハッカソン")
    expect(card).to_have_count(1)
    card.get_by_role("link", name="IoTアイデアソン＆ハッカソン").click()
    page.wait_for_url(f"**/events/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text("IoTアイデアソン＆ハッカソン")
    expect(page.locator(".registration-box .register-button")).to_be_visible()  # registration is open for the new edition
    page.screenshot(path="/tmp/browser2-copy-public.png", full_page=True)
