"""Team registration in a real browser on a phone (390 px): a teacher registers a team of four
high-school students for the debate contest's 高校の部; a missing member's name is reported next to
the field with everything else kept; then the teacher changes a member on the private page."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Registration, Team
from app.services import outbox
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read

STUDENTS = [("佐藤", "花子", "さとう", "はなこ", "高校2年"), ("鈴木", "一郎", "すずき", "いちろう", "高校2年"),
            ("高橋", "美咲", "たかはし", "みさき", "高校1年"), ("田中", "翔", "たなか", "しょう", "高校1年")]


def _no_sideways_scroll(page):
    assert scroll_width(page) <= 390


def test_a_teacher_registers_a_team_of_four_on_a_phone(phone_page, create_event):
    event = create_event(title="省エネ政策提案型パブリック・ディベートコンテスト", team_mode="team",
                         team_min_members=3, team_max_members=6,
                         team_consent_text="生徒の参加と氏名の提出について、学校長の承諾を得てください。",
                         ticket_types=[("高校の部", 8), ("中学の部", 8)])
    slug = event.slug
    db.session.rollback()
    page = phone_page

    page.goto(f"/events/{slug}/register")
    _no_sideways_scroll(page)
    page.locator("#team_name").fill("仙台一高ディベート部")
    for i, (fam, giv, fk, gk, grade) in enumerate(STUDENTS):
        page.locator(f'[name="m{i}_family_name"]').fill(fam)
        if i != 3:  # the fourth member's given name is forgotten at first
            page.locator(f'[name="m{i}_given_name"]').fill(giv)
        page.locator(f'[name="m{i}_family_name_kana"]').fill(fk)
        page.locator(f'[name="m{i}_given_name_kana"]').fill(gk)
        page.locator(f'[name="m{i}_grade"]').fill(grade)
    page.get_by_label("学校または保護者が、メンバーの参加と氏名の提供に同意しています。").check()
    page.locator("#family_name").fill("青葉")
    page.locator("#given_name").fill("先生")
    page.locator("#family_name_kana").fill("あおば")
    page.locator("#given_name_kana").fill("せんせい")
    page.get_by_label("メールアドレス", exact=True).fill("aoba.teacher@example.jp")
    page.get_by_label("メールアドレス（確認用）").fill("aoba.teacher@example.jp")
    page.locator("#phone").fill("022-222-1234")
    page.get_by_label("会社名・団体名").fill("宮城県立仙台第一高等学校")
    page.get_by_label("組織区分").select_option(label="学生")
    page.get_by_label("都道府県").select_option(label="宮城県")
    page.get_by_label("高校の部").check()
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()
    page.get_by_role("button", name="確認画面へ進む").click()

    expect(page.locator("#m3_given_name-error")).to_have_text("入力してください。")
    expect(page.locator('[name="m3_family_name"]')).to_have_value("田中")  # nothing typed is lost
    expect(page.locator("#team_name")).to_have_value("仙台一高ディベート部")
    _no_sideways_scroll(page)
    page.locator('[name="m3_given_name"]').fill("翔")
    page.get_by_role("button", name="確認画面へ進む").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込み内容の確認")
    review = page.locator(".team-review")
    expect(review).to_contain_text("仙台一高ディベート部")
    expect(review.locator(".member-list li")).to_have_count(4)
    expect(review).to_contain_text("タナカ ショウ")
    page.screenshot(path="/tmp/teams-review-phone.png", full_page=True)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{slug}/register/done")

    def saved():
        reg = db.session.scalars(select(Registration)).one()
        team = db.session.scalars(select(Team)).one()
        return reg.status, reg.ticket_type.name, team.name, [(m.family_name, m.grade) for m in team.members]

    assert _read(saved) == ("confirmed", "高校の部", "仙台一高ディベート部",
                            [("佐藤", "高校2年"), ("鈴木", "高校2年"), ("高橋", "高校1年"), ("田中", "高校1年")])

    def mail():
        return outbox.text_as_sent(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.to_email == "aoba.teacher@example.jp")).first())

    manage_url = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_\-]+(?=\s)", _read(mail)).group(0)
    page.goto(manage_url)
    expect(page.locator(".team-box")).to_contain_text("高橋 美咲")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="メンバーを変更する").click()
    page.locator('[name="m2_family_name"]').fill("伊藤")
    page.locator('[name="m2_given_name"]').fill("結衣")
    page.get_by_role("button", name="メンバーを保存する").click()
    expect(page.locator(".team-box")).to_contain_text("伊藤 結衣")
    expect(page.locator(".team-box")).not_to_contain_text("高橋 美咲")


def test_hackathon_invite_code_then_organizer_adjusts(page, phone_page, create_event, create_organizer,
                                                      browser_login):
    from app.urls import manage_url
    from tests.factories import register

    event = create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", team_max_members=4, sessions=2)
    event_id = event.id
    a, b, c = (register(event).registration for _ in range(3))
    links = [manage_url(r) for r in (a, b, c)]
    c_name = c.full_name
    organizer = create_organizer()
    db.session.rollback()

    phone_page.goto(links[0])
    phone_page.get_by_role("link", name="チームを作る・参加する・抜ける").click()
    phone_page.get_by_label("チーム名").fill("スマート農業ラボ")
    phone_page.get_by_role("button", name="チームを作る").click()
    code = phone_page.locator(".invite-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    _no_sideways_scroll(phone_page)

    phone_page.goto(links[1])
    phone_page.get_by_role("link", name="チームを作る・参加する・抜ける").click()
    phone_page.get_by_label("招待コード").fill(code.lower())
    phone_page.get_by_role("button", name="チームに参加する").click()
    expect(phone_page.locator(".team-box")).to_contain_text("スマート農業ラボ")
    expect(phone_page.locator(".team-box")).to_contain_text("2人")

    browser_login(page, organizer)
    page.goto(f"/organizer/events/{event_id}/teams")
    expect(page.get_by_text("チームに入っていない申込者：1人")).to_be_visible()
    page.get_by_label(re.compile(f"^{c_name}")).check()
    page.get_by_label("移動先").select_option(label="スマート農業ラボ")
    page.get_by_role("button", name="チームを変更する").click()
    card = page.locator(".team-card", has_text="スマート農業ラボ")
    expect(card).to_contain_text("3人")
    expect(card).to_contain_text(c_name)
