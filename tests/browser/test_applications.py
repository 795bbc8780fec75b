"""Applications and results in a real browser (Chromium):

- an applicant applies to a 部門 on a phone (agreeing that a result may name them), adds a file
  from the private page (a renamed program refused next to the field, a PDF accepted), and an
  organizer downloads it from the application's page;
- an organizer enters an award and publishes the results, which appear on the event page only then.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ApplicationFile, OutboxMessage, Registration
from app.services import outbox
from tests.concurrency import read_beside_a_server as _read
from tests.factories import create_organizer, register

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200


def _award(create_event, **fields):
    return create_event(title="TOHOKU DX大賞", ticket_types=[("製品・サービス部門", None), ("業務プロセス部門", None),
                                                         ("支援部門", None)],
                        accepts_applications=True, application_files_allowed=True, application_file_max_mb=2,
                        application_file_max_count=3, application_file_types=["pdf", "office"],
                        publishes_results=True, **fields)


def _no_page_scroll(page) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_apply_with_a_file_on_a_phone_and_the_organizer_downloads_it(phone_page, page, browser_login,
                                                                     create_event, tmp_path):
    event = _award(create_event)
    slug = event.slug
    organizer = create_organizer()
    db.session.rollback()

    p = phone_page
    p.goto(f"/events/{slug}/register")
    p.get_by_label("姓", exact=True).fill("東北")
    p.get_by_label("名", exact=True).fill("花子")
    p.get_by_label("セイ", exact=True).fill("とうほく")
    p.get_by_label("メイ", exact=True).fill("はなこ")
    p.get_by_label("メールアドレス", exact=True).fill("hanako@example.jp")
    p.get_by_label("メールアドレス（確認用）").fill("hanako@example.jp")
    p.get_by_label("会社名・団体名").fill("株式会社みちのくソフト")
    p.get_by_label("組織区分").select_option(label="企業")
    p.get_by_label("都道府県").select_option(label="宮城県")
    p.get_by_role("radio", name="業務プロセス部門").check()
    p.get_by_label("上記の個人情報の取り扱いに同意します。").check()
    p.get_by_label("受賞した場合、結果とともに応募者の名称（会社・団体の名前）を公表することに同意します。").check()
    assert _no_page_scroll(p)
    p.get_by_role("button", name="確認画面へ進む").click()
    expect(p.get_by_text("結果での名称の公表")).to_be_visible()
    p.get_by_role("button", name="申し込む").click()
    p.wait_for_url(f"**/events/{slug}/register/done")

    def mail():
        return outbox.text_as_sent(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.to_email == "hanako@example.jp")).first())

    manage_url = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_\-]+(?=\s)", _read(mail)).group(0)
    p.goto(manage_url)
    expect(p.locator(".application-deadline")).to_contain_text("締切")
    p.get_by_role("link", name="応募書類（ファイル）").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("応募書類（ファイル）")
    assert _no_page_scroll(p)

    exe = tmp_path / "事業計画書.pdf"  # a program, renamed
    exe.write_bytes(EXE)
    p.get_by_label("追加するファイル").set_input_files(str(exe))
    p.get_by_role("button", name="アップロード").click()
    expect(p.locator("#file-error")).to_contain_text("この種類のファイルは受け付けていません")
    expect(p.get_by_label("追加するファイル")).to_have_attribute("aria-invalid", "true")
    pdf = tmp_path / "事業計画書（最終版）.pdf"
    pdf.write_bytes(PDF)
    p.get_by_label("追加するファイル").set_input_files(str(pdf))
    p.get_by_role("button", name="アップロード").click()
    expect(p.get_by_text("ファイルを追加しました。")).to_be_visible()
    expect(p.locator("#application-files")).to_contain_text("事業計画書（最終版）.pdf")
    assert p.locator("#application-files a[href*='/organizer/']").count() == 0  # the applicant cannot open it
    p.screenshot(path="/tmp/browser-application-files.png", full_page=True)

    registration_id = _read(lambda: db.session.scalars(select(Registration.id)).one())
    assert _read(lambda: db.session.scalars(select(ApplicationFile.kind)).all()) == ["pdf"]

    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event.id}/applications")
    expect(page.locator("#category-counts tr", has_text="業務プロセス部門").locator(".total")).to_have_text("1")
    page.goto(f"/organizer/events/{event.id}/applications/{registration_id}")
    with page.expect_download() as info:
        page.get_by_role("link", name="事業計画書（最終版）.pdf").click()
    download = info.value
    assert download.suggested_filename == "事業計画書（最終版）.pdf"
    assert open(download.path(), "rb").read() == PDF
    page.get_by_label("選考結果").select_option(label="一次選考通過")
    page.get_by_role("button", name="選考結果を保存").click()
    expect(page.locator("#decision")).to_have_text("一次選考通過")


def test_publish_results_and_see_them_on_the_event_page(page, phone_page, browser_login, create_event):
    event = _award(create_event)
    winner = register(event, 1, organization="株式会社みちのくソフト", public_name_consent=True).registration
    register(event, 2, organization="非公開工業株式会社", public_name_consent=False,
             ticket_type_id=event.ticket_types[2].id)
    slug, event_id, winner_id = event.slug, event.id, winner.id
    organizer = create_organizer()
    db.session.rollback()

    phone_page.goto(f"/events/{slug}")
    expect(phone_page.locator(".results")).to_have_count(0)

    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event_id}/results")
    expect(page.locator("#results-state")).to_contain_text("未公表")
    page.get_by_role("button", name="結果を追加する").click()  # nothing chosen yet: errors, nothing added
    expect(page.locator("#award-error")).to_be_visible()
    page.get_by_label("部門").select_option(label="製品・サービス部門")
    page.get_by_label("賞・順位").fill("最優秀賞")
    page.get_by_label("応募・参加者").select_option(value=str(winner_id))
    page.get_by_label("応募テーマ・作品名（任意）").fill("AI検品システム")
    page.get_by_role("button", name="結果を追加する").click()
    expect(page.get_by_text("結果を追加しました。")).to_be_visible()
    page.get_by_label("部門").select_option(label="支援部門")
    page.get_by_label("賞・順位").fill("特別賞")
    page.get_by_label("応募・参加者").select_option(index=2)
    page.get_by_role("button", name="結果を追加する").click()
    expect(page.locator("#results tbody tr")).to_have_count(2)

    phone_page.reload()
    expect(phone_page.locator(".results")).to_have_count(0)  # not before publishing

    page.get_by_role("button", name="結果を公表する").click()
    expect(page.get_by_text("結果をイベントページで公表しました。")).to_be_visible()

    phone_page.reload()
    results = phone_page.locator(".results")
    expect(results).to_contain_text("最優秀賞")
    expect(results).to_contain_text("株式会社みちのくソフト")
    expect(results).to_contain_text("AI検品システム")
    expect(results).to_contain_text("名称非公表")
    expect(results).not_to_contain_text("非公開工業")
    assert _no_page_scroll(phone_page)
    phone_page.screenshot(path="/tmp/browser-results.png", full_page=True)
