"""Importing a past list in a real browser: upload → columns → preview → import, on desktop and phone."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendance, Event, Registration
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def _counts():
    def read():
        return (db.session.scalar(select(func.count()).select_from(Registration)),
                db.session.scalar(select(func.count()).select_from(Attendance)),
                [e.title for e in db.session.scalars(select(Event))])
    return _read(read)


def _import_cp932(page):
    page.goto("/organizer/")
    page.get_by_role("link", name="過去の名簿を取り込む").click()
    page.wait_for_url("**/organizer/imports/new")
    expect(page.get_by_label("タイトル")).to_be_visible()
    page.get_by_label("参加者名簿").set_input_files(str(DATA / "past-cp932.csv"))
    page.get_by_label("タイトル").fill("TOHOKU DXセミナー2024")
    page.get_by_label("開催日").fill("2024-11-20")
    page.get_by_label("開始時刻").fill("13:30")
    page.get_by_role("button", name="アップロードして列を選ぶ").click()
    page.wait_for_url("**/columns")
    expect(page.get_by_text("cp932")).to_be_visible()
    expect(page.get_by_label("氏名", exact=True)).to_have_value("full_name")  # guessed from 氏名
    expect(page.get_by_label("出欠", exact=True)).to_have_value("attended")
    page.get_by_label("電話番号", exact=True).select_option("")  # the organizer leaves the phones out
    page.get_by_role("button", name="行を確認する").click()
    page.wait_for_url("**/preview")
    rows = page.locator("table.import-rows-import tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("髙橋 一郎")
    expect(rows.first).to_contain_text("㈱髙橋製作所")
    expect(page.locator("table.import-rows-duplicate tbody tr")).to_have_count(1)


def test_upload_columns_preview_import(page, browser_login, create_organizer):
    user = SimpleNamespace(email=create_organizer(role="organizer").email)
    db.session.rollback()  # no read transaction left open beside the server (SQLite snapshot)
    browser_login(page, user)
    _import_cp932(page)
    page.screenshot(path="/tmp/browser-import-preview.png", full_page=True)
    page.get_by_role("button", name="3行を取り込む").click()
    page.wait_for_url("**/registrants")
    expect(page.locator(".flashes")).to_contain_text("3名を取り込みました（出席 2名）")
    assert _counts() == (3, 2, ["TOHOKU DXセミナー2024"])


def test_import_on_a_phone(phone_page, browser_login, create_organizer):
    user = SimpleNamespace(email=create_organizer(role="organizer").email)
    db.session.rollback()  # no read transaction left open beside the server (SQLite snapshot)
    browser_login(phone_page, user)
    _import_cp932(phone_page)
    width = scroll_width(phone_page)
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    phone_page.get_by_role("button", name="3行を取り込む").click()
    phone_page.wait_for_url("**/registrants")
    assert _counts()[0] == 3
