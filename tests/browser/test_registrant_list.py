"""The registrant list in a real browser: filter, choose columns, export CSV and XLSX and download them;
select rows and cancel them together; on a 390 px phone the page never scrolls sideways (the table does,
in its own keyboard-reachable region)."""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Registration
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register

TITLE = "TOHOKU DXセミナー 2026"


def _setup(create_event, create_organizer, export_dir, app):
    app.config["EXPORT_DIR"] = str(export_dir)
    event = create_event(title=TITLE, ticket_types=[("一般", 50), ("学生", 50)])
    student = event.ticket_types[1].id
    register(event, 1, family_name="髙橋", given_name="一郎", family_name_kana="タカハシ", given_name_kana="イチロウ",
             organization="株式会社ＡＢＣ商事", phone="03-1234-5678")
    register(event, 2, family_name="佐藤", given_name="花子", family_name_kana="サトウ", given_name_kana="ハナコ",
             organization="宮城大学", organization_type="academia", ticket_type_id=student)
    for n in range(3, 8):
        register(event, n, organization=f"とても長い会社名の株式会社東北デジタルトランスフォーメーション推進機構{n}")
    user = create_organizer(role="organizer")
    # The browser signs in with the email alone: no model read from the test thread later (SQLite snapshot).
    data = SimpleNamespace(event_id=event.id, email=user.email, user=SimpleNamespace(email=user.email))
    db.session.rollback()
    return data


def _csv_rows(path, encoding="utf-8-sig"):
    with open(path, "rb") as fh:
        raw = fh.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode(encoding))))


def test_filter_choose_columns_and_download_csv_and_xlsx(page, browser_login, create_event, create_organizer,
                                                         tmp_path, app):
    data = _setup(create_event, create_organizer, tmp_path / "exports", app)
    browser_login(page, data.user)
    page.goto(f"/organizer/events/{data.event_id}/registrants")
    page.get_by_label("検索").fill("たかはし")
    page.locator("summary", has_text="表示する列").click()
    for name in ("氏名", "電話番号", "会社名・団体名", "受付番号", "申込日時", "参加枠", "状態", "メールアドレス"):
        box = page.get_by_role("checkbox", name=name, exact=True)
        if name in ("氏名", "電話番号", "会社名・団体名"):
            box.check()
        else:
            box.uncheck()
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url("**q=*")
    table = page.get_by_role("region", name="申込者")
    expect(table.get_by_role("columnheader")).to_have_count(4)  # the selection box and the three chosen
    expect(table.get_by_text("03-1234-5678")).to_be_visible()  # the page formats; the exports below keep the digits
    expect(page.get_by_text("宮城大学")).to_have_count(0)

    # CSV (the default format)
    page.get_by_role("button", name="エクスポート", exact=True).click()
    page.wait_for_url("**/exports/*")
    expect(page.locator("[data-rows]")).to_have_text("1")
    with page.expect_download() as info:
        page.get_by_role("link", name="ファイルをダウンロード").click()
    rows = _csv_rows(info.value.path())
    assert rows == [["氏名", "電話番号", "会社名・団体名"], ["髙橋 一郎", "0312345678", "株式会社ＡＢＣ商事"]]
    assert info.value.suggested_filename.endswith(".csv")

    # XLSX, same filter and columns
    page.get_by_role("link", name="一覧に戻る").click()
    expect(page.get_by_label("検索")).to_have_value("たかはし")
    page.get_by_label("Excel（XLSX）").check()
    page.get_by_role("button", name="エクスポート", exact=True).click()
    page.wait_for_url("**/exports/*")
    with page.expect_download() as info:
        page.get_by_role("link", name="ファイルをダウンロード").click()
    ws = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    assert [c.value for c in ws[1]] == ["氏名", "電話番号", "会社名・団体名"]
    assert (ws["B2"].value, ws["B2"].data_type) == ("0312345678", "s")
    assert ws.max_row == 2 and ws.freeze_panes == "A2"


def test_select_rows_and_cancel_them_together(page, browser_login, create_event, create_organizer, tmp_path, app):
    data = _setup(create_event, create_organizer, tmp_path / "exports", app)
    browser_login(page, data.user)
    page.goto(f"/organizer/events/{data.event_id}/registrants?status=confirmed&sort=reference")
    page.get_by_role("checkbox", name="髙橋 一郎 を選択").check()
    page.get_by_role("checkbox", name="佐藤 花子 を選択").check()
    expect(page.locator("#selected-count")).to_have_text("(2)")
    page.get_by_label("申込をキャンセルする").check()
    page.get_by_label("理由（操作履歴に記録されます）").fill("主催者都合")
    questions = []  # cancelling in bulk asks first (static/js/confirm.js)
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page.get_by_role("status")).to_have_text("2件中2件を処理しました。")
    assert questions and "キャンセルしますか" in questions[0]
    page.get_by_role("link", name="一覧に戻る").click()
    expect(page.get_by_text("髙橋 一郎")).to_have_count(0)  # still filtered on confirmed

    def statuses():
        return sorted(db.session.execute(select(Registration.family_name, Registration.status)).all())
    assert [name for name, status in _read(statuses) if status == "cancelled"] == ["佐藤", "髙橋"]


def test_the_list_on_a_phone(phone_page, browser_login, create_event, create_organizer, tmp_path, app):
    data = _setup(create_event, create_organizer, tmp_path / "exports", app)
    page = phone_page
    browser_login(page, data.user)
    page.goto(f"/organizer/events/{data.event_id}/registrants?columns=reference,full_name,organization,email,"
              "phone,ticket_type,status,created_at")
    region = page.get_by_role("region", name="申込者")
    expect(region).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths  # no page-level horizontal scroll
    scroll = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll[0] > scroll[1]  # the table scrolls inside its region
    region.focus()
    expect(region).to_be_focused()  # the keyboard reaches it (tabindex=0) ...
    page.keyboard.press("ArrowRight")  # ... and scrolls it (scrolling may be animated: wait for it)
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
