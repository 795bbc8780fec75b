"""A registrant's private page in a real browser: from the mail's link, change details, 受付票 (QR), calendar file."""
from __future__ import annotations

import re

import icalendar
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Registration
from app.services import outbox
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register


def _registered(create_event):
    """A two-day event, one confirmed registrant; returns what the test needs and the link from the mail."""
    event = create_event(title="TOHOKU DX塾", sessions=2, venue="仙台国際センター")
    result = register(event, 1)
    sessions = [(s.starts_at, s.ends_at) for s in event.sessions]
    registration_id, reference = result.registration.id, result.registration.reference
    db.session.rollback()

    def mail_body():
        return outbox.text_as_sent(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "confirmed", OutboxMessage.to_email == "taro1@example.jp")).one())

    match = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_\-]+(?=\s)", _read(mail_body))
    assert match, "the confirmation mail has the private link"
    return match.group(0), registration_id, reference, sessions


def test_change_details_from_the_mail_link(page, create_event):
    manage_url, registration_id, reference, _ = _registered(create_event)
    page.goto(manage_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込み内容")
    expect(page.locator(".status")).to_have_text("参加確定")
    expect(page.locator(".status-box")).to_contain_text(reference)

    page.get_by_role("link", name="登録内容を変更する").click()
    page.wait_for_url(f"{manage_url}/edit")
    expect(page.get_by_label("電話番号")).to_have_value("022-221-4876")  # shown the Japanese way, stored as digits
    # A mistake first: a phone number with too few digits; the department is changed too.
    page.get_by_label("電話番号").fill("022-221")
    page.get_by_label("部署").fill("経営企画部")
    page.get_by_label("役職").fill("")
    page.get_by_role("button", name="保存する").click()
    error = page.locator("#phone-error")
    expect(error).to_have_text("電話番号は 022-221-4876 のように10桁または11桁で入力してください。")
    expect(page.get_by_label("電話番号")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("電話番号")).to_have_value("022-221")  # what was typed is kept
    expect(page.get_by_label("部署")).to_have_value("経営企画部")
    expect(page.get_by_label("役職")).to_have_value("")
    page.screenshot(path="/tmp/browser2-edit-error.png", full_page=True)
    assert _read(lambda: db.session.get(Registration, registration_id).department) == "DX推進室"  # nothing saved

    page.get_by_label("電話番号").fill("０２２－７１１－１２３４")  # full-width digits are fine
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(manage_url)
    expect(page.get_by_text("登録内容を保存しました。")).to_be_visible()
    details = page.locator("dl.facts", has_text="会社名・団体名")
    expect(details).to_contain_text("経営企画部")
    page.screenshot(path="/tmp/browser2-manage-saved.png", full_page=True)

    def saved():
        r = db.session.get(Registration, registration_id)
        return r.phone, r.department, r.job_title, r.status
    assert _read(saved) == ("0227111234", "経営企画部", "", "confirmed")

    # Opening the form again shows the saved values.
    page.get_by_role("link", name="登録内容を変更する").click()
    expect(page.get_by_label("部署")).to_have_value("経営企画部")


def test_ticket_with_qr_and_calendar_file(page, create_event):
    manage_url, _, reference, sessions = _registered(create_event)
    page.goto(manage_url)
    page.get_by_role("link", name="受付票を表示する").click()
    page.wait_for_url(f"{manage_url}/ticket")
    expect(page.get_by_role("heading", level=1)).to_have_text("受付票")
    qr = page.locator(".ticket-qr-box svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] > 100 and box["height"] > 100  # big enough to scan
    expect(page.locator(".ticket-ref")).to_have_text(f"受付番号： {reference}")
    expect(page.locator(".ticket")).to_contain_text("山田 太郎1")
    page.screenshot(path="/tmp/browser2-ticket.png", full_page=True)

    page.get_by_role("link", name="お申し込み内容に戻る").click()
    page.wait_for_url(manage_url)
    with page.expect_download() as info:
        page.get_by_role("link", name="カレンダーに追加（.ics）").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as fh:
        calendar = icalendar.Calendar.from_ical(fh.read())
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(events) == len(sessions) == 2
    for vevent, (start, end) in zip(events, sorted(sessions), strict=True):
        assert vevent.decoded("DTSTART") == start
        assert vevent.decoded("DTEND") == end
        assert "TOHOKU DX塾" in str(vevent["SUMMARY"])
    assert len({str(e["UID"]) for e in events}) == 2

    # The same file through the request API (as a calendar app would fetch it).
    response = page.request.get(f"{manage_url}/calendar.ics")
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    assert len(icalendar.Calendar.from_ical(response.body()).walk("VEVENT")) == 2


def test_choose_the_language_of_later_mails_on_a_phone(page, create_event):
    manage_url, registration_id, _reference, _ = _registered(create_event)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(manage_url)
    page.get_by_label("メールの言語").select_option("en")
    page.get_by_role("button", name="言語を保存する").click()
    page.wait_for_url(manage_url)
    expect(page.locator(".flash-success")).to_contain_text(
        "今後のメールはEnglishでお送りします。")
    expect(page.get_by_label("メールの言語")).to_have_value("en")
    assert _read(lambda: db.session.get(Registration, registration_id).language) == "en"
    assert scroll_width(page) <= 390
