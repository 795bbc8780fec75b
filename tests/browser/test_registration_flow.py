"""Registering in a real browser: form (with a mistake first), review, done; then the mail's link, cancel, promotion."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Question, Registration
from app.services import outbox
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register


def _fill_form(page, *, email_confirm: str):
    page.get_by_label("姓", exact=True).fill("東北")
    page.get_by_label("名", exact=True).fill("花子")
    page.get_by_label("セイ", exact=True).fill("とうほく")  # hiragana is fine
    page.get_by_label("メイ", exact=True).fill("ﾊﾅｺ")  # and so is half-width kana
    page.get_by_label("メールアドレス", exact=True).fill("hanako@example.jp")
    page.get_by_label("メールアドレス（確認用）").fill(email_confirm)
    page.get_by_label("電話番号").fill("022-221-4876")
    page.get_by_label("会社名・団体名").fill("株式会社東北テック")
    page.get_by_label("部署").fill("DX推進室")
    page.get_by_label("組織区分").select_option(label="企業")
    page.get_by_label("都道府県").select_option(label="宮城県")
    page.get_by_role("radio", name="オンライン").check()
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()


def test_register_then_cancel_from_the_mail_link_promotes_the_next(page, create_event):
    event = create_event(capacity=1, waitlist_enabled=True, title="TOHOKU DXセミナー")
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], required=True))
    db.session.commit()
    slug, question_id = event.slug, event.questions[0].id
    db.session.rollback()

    page.goto(f"/events/{slug}/register")
    assert page.get_by_role("heading", level=1).inner_text() == "申込フォーム"
    _fill_form(page, email_confirm="hanako@example.com")  # a typo in the second address
    page.get_by_role("button", name="確認画面へ進む").click()

    error = page.locator("#email_confirm-error")
    assert error.inner_text() == "確認用のメールアドレスが一致しません。"
    assert page.get_by_label("メールアドレス（確認用）").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("会社名・団体名").input_value() == "株式会社東北テック"  # nothing lost
    assert page.get_by_role("radio", name="オンライン").is_checked()
    assert page.get_by_label("上記の個人情報の取り扱いに同意します。").is_checked()

    page.get_by_label("メールアドレス（確認用）").fill("hanako@example.jp")
    page.get_by_role("button", name="確認画面へ進む").click()
    assert page.get_by_role("heading", level=1).inner_text() == "お申し込み内容の確認"
    assert page.get_by_text("トウホク ハナコ").is_visible()

    page.get_by_role("button", name="入力画面に戻る").click()  # back to edit keeps the values
    assert page.get_by_label("セイ", exact=True).input_value() == "とうほく"
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{slug}/register/done")
    assert page.get_by_role("heading", level=1).inner_text() == "お申し込みが確定しました"
    assert page.get_by_text("hanako@example.jp に確認メールをお送りしました").is_visible()

    # Someone else joins the waiting list.
    waiting_id = register(event, 2, answers={str(question_id): "会場"}).registration.id
    db.session.rollback()

    def confirmation_mail():
        return outbox.text_as_sent(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "confirmed", OutboxMessage.to_email == "hanako@example.jp")).one())

    manage_url = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_\-]+(?=\s)", _read(confirmation_mail)).group(0)

    page.goto(manage_url)
    assert page.locator(".status").inner_text() == "参加確定"
    page.get_by_role("link", name="申し込みをキャンセルする").click()
    assert page.get_by_role("heading", level=1).inner_text() == "お申し込みをキャンセルしますか？"
    page.get_by_role("button", name="はい、キャンセルします").click()
    page.wait_for_url(manage_url)
    assert page.get_by_text("お申し込みをキャンセルしました。").is_visible()
    assert page.get_by_role("link", name="申し込みをキャンセルする").count() == 0

    def outcome():
        me = db.session.scalars(select(Registration).where(Registration.email == "hanako@example.jp")).one()
        waiting = db.session.get(Registration, waiting_id)
        promoted = db.session.scalars(select(OutboxMessage.registration_id).where(
            OutboxMessage.kind == "promoted")).all()
        return me.status, me.family_name_kana, me.given_name_kana, waiting.status, promoted

    assert _read(outcome) == ("cancelled", "トウホク", "ハナコ", "confirmed", [waiting_id])


def test_the_form_fits_a_phone(phone_page, create_event):
    event = create_event(ticket_types=[("一般", 10), ("学生", 5)])
    slug = event.slug
    db.session.rollback()
    phone_page.goto(f"/events/{slug}/register")
    width = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width  # no sideways scrolling
    for name in ("姓", "名", "メールアドレス"):
        box = phone_page.get_by_label(name, exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width[1]
    phone_page.get_by_role("button", name="確認画面へ進む").click()  # empty: errors shown, still fits
    assert phone_page.locator("#error-summary").is_visible()
    assert phone_page.locator("#family_name-error").inner_text() == "入力してください。"
    width = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
