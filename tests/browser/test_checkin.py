"""受付 in a real browser: a 受付票 scanned through Chromium's fake camera, kana search on a phone
with undo, and scans kept on the phone while offline, sent once when the network returns."""
from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import Attendance, AuditLog
from app.services import checkin
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read
from tests.factories import create_event, create_organizer, register

TITLE = "TOHOKU DXセミナー2026"


def _setup(n_people: int = 3):
    event = create_event(title=TITLE, capacity=None)
    kana = ["ハナコ", "ハルカ", "ハヤト"]
    people = [register(event, family_name="山田", given_name=f"花子{i}", family_name_kana="ヤマダ",
                       given_name_kana=kana[i], organization=f"株式会社東北テック{i}").registration
              for i in range(n_people)]
    other = register(event, family_name="佐藤", given_name="次郎", family_name_kana="サトウ",
                     given_name_kana="ジロウ", organization="仙台商事").registration
    door = create_organizer(role=Role.CHECKIN, display_name="受付係 一郎")
    checkin.assign(door, event, actor=None, now=utcnow())
    db.session.commit()
    data = SimpleNamespace(event_id=event.id, email=door.email, people=[(p.id, p.reference, p.manage_token)
                                                                         for p in people],
                           other=(other.id, other.reference))
    db.session.rollback()
    return data


def _attendances() -> int:
    return _read(lambda: db.session.scalar(select(func.count()).select_from(Attendance)))


def _login(page, email):
    from tests.factories import DEFAULT_PASSWORD

    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/checkin/")


def _fake_camera_video(page, ticket_path: str, out_dir) -> str:
    """A video of the registrant's own 受付票 page's QR code (a screenshot of it), for Chromium's fake camera."""
    page.goto(ticket_path)
    png = out_dir / "ticket.png"
    page.locator("svg.ticket-qr").screenshot(path=str(png))
    video = out_dir / "ticket.y4m"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(png), "-t", "3", "-r", "5",
                    "-vf", "scale=360:360:flags=neighbor,pad=640:480:140:60:white", "-pix_fmt", "yuv420p",
                    str(video)], check=True, timeout=60)
    return str(video)


def test_scan_a_real_ticket_through_the_fake_camera(page, live_server, tmp_path):
    s = _setup(1)
    reg_id, reference, token = s.people[0]
    video = _fake_camera_video(page, f"/r/{token}/ticket", tmp_path)

    if True:  # a second Chromium (the same Playwright), whose camera sees the video
        camera_browser = page.context.browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                  f"--use-file-for-fake-video-capture={video}"])
        try:
            context = camera_browser.new_context(base_url=live_server.url, locale="ja-JP",
                                                 viewport={"width": 390, "height": 844}, is_mobile=True,
                                                 has_touch=True)
            context.set_default_timeout(15_000)
            phone = context.new_page()
            _login(phone, s.email)
            phone.get_by_role("link", name=TITLE).click()
            phone.wait_for_url(f"**/checkin/events/{s.event_id}")
            phone.get_by_role("button", name="カメラを起動").click()
            result = phone.locator("#result")
            expect(result.locator("[data-result]")).to_have_attribute("data-result", "checked_in")
            expect(result).to_contain_text("受付完了")
            expect(result).to_contain_text("山田 花子0")
            expect(result).to_contain_text(reference)
            phone.screenshot(path="/tmp/browser-checkin-camera.png", full_page=True)
            # The camera keeps seeing the same 受付票: still one check-in.
            phone.wait_for_timeout(1000)
            phone.get_by_role("button", name="カメラを止める").click()
        finally:
            camera_browser.close()
    assert _attendances() == 1


def test_kana_search_check_in_and_undo_on_a_phone(phone_page, live_server):
    s = _setup(3)
    page = phone_page
    _login(page, s.email)
    page.goto(f"/checkin/events/{s.event_id}")
    page.get_by_label("フリガナ・氏名・会社名・受付番号で検索").fill("ﾔﾏﾀﾞ")  # half-width kana, as a phone may type
    hits = page.locator("#hits li")
    expect(hits).to_have_count(3)
    page.get_by_label("フリガナ・氏名・会社名・受付番号で検索").fill("やまだ はるか")
    expect(hits).to_have_count(1)
    hits.first.get_by_role("button", name="受付する").click()
    result = page.locator("#result")
    expect(result).to_contain_text("受付完了")
    expect(result).to_contain_text("株式会社東北テック1")
    expect(result.locator(".result-ok")).to_be_visible()
    expect(hits.first).to_contain_text("受付済み")
    assert _attendances() == 1
    # no horizontal scrolling on a 390 px phone
    assert scroll_width(page) <= 390
    page.screenshot(path="/tmp/browser-checkin-search.png", full_page=True)

    result.get_by_role("button", name="この受付を取り消す").click()
    expect(result).to_contain_text("受付を取り消しました")
    expect(hits.first.get_by_role("button", name="受付する")).to_be_visible()
    assert _attendances() == 0
    actions = _read(lambda: db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("attendance.%"))
                                               .order_by(AuditLog.id)).all())
    assert actions == ["attendance.recorded", "attendance.undone"]


def test_offline_scans_are_queued_and_sent_once(phone_page, live_server):
    s = _setup(2)
    page = phone_page
    _login(page, s.email)
    page.goto(f"/checkin/events/{s.event_id}")
    expect(page.locator("#pending")).to_be_hidden()

    page.context.set_offline(True)
    code = page.get_by_label("受付番号（手入力）")
    for _reg_id, reference, _token in s.people:
        code.fill(reference.replace("-", "").lower())
        code.press("Enter")
        expect(page.locator("#result")).to_contain_text("この端末に保存しました")
    code.fill(s.people[0][1])  # the same 受付票 twice while offline
    code.press("Enter")
    expect(page.locator("#pending-count")).to_have_text("3")
    expect(page.locator("#pending")).to_be_visible()
    assert _attendances() == 0

    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
    log = page.locator("#sent-log li")
    expect(log).to_have_count(3)
    expect(log.nth(0)).to_contain_text("受付完了")
    expect(log.nth(2)).to_contain_text("受付済み")
    assert _attendances() == 2
    # a reload sends nothing again
    page.reload()
    expect(page.locator("#pending")).to_be_hidden()
    page.wait_for_timeout(500)
    assert _attendances() == 2
    assert page.evaluate(f"window.localStorage.getItem('tsudoi.checkin.queue.{s.event_id}')") == "[]"


@pytest.mark.parametrize("lang", ["en"])
def test_the_page_in_english(page, live_server, lang):
    s = _setup(1)
    _login(page, s.email)
    page.goto(f"/checkin/events/{s.event_id}?lang=en")
    page.get_by_label("Reference number (受付番号), typed").fill(s.people[0][1])
    page.get_by_label("Reference number (受付番号), typed").press("Enter")
    expect(page.locator("#result")).to_contain_text("Checked in")


def test_walk_in_at_the_door_on_a_phone(phone_page, live_server):
    event = create_event(title=TITLE, capacity=1)
    register(event)  # the only seat is taken
    door = create_organizer(role=Role.CHECKIN)
    checkin.assign(door, event, actor=None, now=utcnow())
    organizer = create_organizer()
    db.session.commit()
    event_id, door_email, organizer_email = event.id, door.email, organizer.email
    db.session.rollback()
    page = phone_page

    def fill_walk_in(n):
        page.get_by_label("姓", exact=True).fill("当日")
        page.get_by_label("名", exact=True).fill(f"太郎{n}")
        page.get_by_role("textbox", name="セイ").fill("とうじつ")
        page.get_by_role("textbox", name="メイ").fill("たろう")
        page.get_by_label("会社名・団体名").fill("飛込商店")
        page.get_by_label("組織区分").select_option("company")
        page.get_by_label("メールアドレス").fill(f"walk{n}@example.jp")
        page.get_by_label("ご本人が本イベントでの個人情報の取り扱いに同意しています。").check()

    _login(page, door_email)
    page.goto(f"/checkin/events/{event_id}")
    page.get_by_role("link", name="当日参加").click()
    fill_walk_in(1)
    expect(page.get_by_label("定員を超えて受け付ける（主催者の判断として記録されます）")).to_have_count(0)
    page.get_by_role("button", name="登録して受付").click()
    expect(page.get_by_role("alert")).to_contain_text("満席")
    expect(page.get_by_role("alert")).to_contain_text("主催者のみ")
    expect(page.get_by_label("名", exact=True)).to_have_value("太郎1")  # nothing typed is lost

    page.context.clear_cookies()
    _login_any(page, organizer_email)
    page.goto(f"/checkin/events/{event_id}/walk-in")
    fill_walk_in(2)
    page.get_by_label("定員を超えて受け付ける（主催者の判断として記録されます）").check()
    page.get_by_role("button", name="登録して受付").click()
    result = page.locator("#result")
    expect(result).to_contain_text("受付完了")
    expect(result).to_contain_text("当日 太郎2")
    assert _attendances() == 1


def _login_any(page, email):
    from tests.factories import DEFAULT_PASSWORD

    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/organizer/**")
