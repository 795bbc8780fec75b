"""A registration completed with the keyboard alone (WCAG 2.1.1): Tab to move, typing to fill,
arrows in a select, Space to tick, Enter to follow a link or submit; no clicks. The pages it passes through (the
event page, the form, the review and the done page) are checked with axe-core on the way, at
desktop and phone sizes, in Japanese and English (the done page is reached only this way)."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.extensions import db
from app.models import Question, Registration
from tests.browser.test_accessibility import BLOCKING, SIZES
from tests.concurrency import read_beside_a_server as _read

#: What to type into each field of the form, by its name.
TYPED = {
    "family_name": "東北", "given_name": "花子", "family_name_kana": "トウホク", "given_name_kana": "ハナコ",
    "email": "keyboard@example.jp", "email_confirm": "keyboard@example.jp", "phone": "0222214876",
    "organization": "株式会社キーボード", "department": "DX推進室", "job_title": "主任",
}
#: Selects: how many times ArrowDown moves from the empty choice (企業; 宮城県, the 4th prefecture).
SELECTS = {"organization_type": 1, "prefecture": 4}


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),
        type: (e.getAttribute('type') || '').toLowerCase(), name: e.getAttribute('name') || '',
        text: (e.innerText || e.value || '').trim(), checked: !!e.checked, href: e.getAttribute('href') || ''}; }""")


def _tab_to(page, wanted, limit: int = 120) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError("never reached by Tab")


def _serious(page) -> list[str]:
    return [f"{page.url}: {v['impact']} {v['id']}" for v in Axe().run(page).response["violations"]
            if v["impact"] in BLOCKING]


@pytest.mark.parametrize("lang, size", [("ja", "desktop"), ("ja", "phone"), ("en", "desktop"), ("en", "phone")])
def test_keyboard_only_registration(browser, live_server, create_event, lang, size):
    event = create_event(title="TOHOKU DXセミナー", ticket_types=[("一般", 30), ("学生", 10)])
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], required=True))
    db.session.commit()
    slug, question_id = event.slug, event.questions[0].id
    db.session.rollback()

    context = browser.new_context(base_url=live_server.url, locale="ja-JP" if lang == "ja" else "en-US",
                                  viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto(f"/events/{slug}" + ("?lang=en" if lang == "en" else ""))
        problems += _serious(page)
        _tab_to(page, lambda f: f["tag"] == "a" and f["href"].split("?")[0] == f"/events/{slug}/register")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/events/{slug}/register**")
        problems += _serious(page)

        seen: set[str] = set()
        while True:
            page.keyboard.press("Tab")
            f = _focused(page)
            if f["tag"] == "button" and f["type"] == "submit":
                break
            name = f["name"]
            if name in TYPED and name not in seen:
                page.keyboard.type(TYPED[name])
            elif name in SELECTS and name not in seen:
                for _ in range(SELECTS[name]):
                    page.keyboard.press("ArrowDown")
            elif f["type"] == "radio" and name not in seen:
                page.keyboard.press("Space")  # the first of the group: 一般 / 会場
            elif f["type"] == "checkbox" and name == "consent" and not f["checked"]:
                page.keyboard.press("Space")
            seen.add(name)
        assert {"family_name", "email_confirm", "organization_type", "prefecture", "consent"} <= seen
        with page.expect_navigation():
            page.keyboard.press("Enter")  # 確認画面へ進む
        assert page.locator(".error").all_inner_texts() == [], (seen, page.locator(".has-error").evaluate_all("els => els.map(e => e.id || e.innerHTML.slice(0, 80))"))
        assert page.locator("button[value=register]").count() == 1
        problems += _serious(page)

        _tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "action" and f["text"] in ("申し込む", "Register"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/events/{slug}/register/done**")
        problems += _serious(page)
        assert page.locator("h1").inner_text() in ("お申し込みが確定しました", "Your registration is confirmed")
    finally:
        context.close()
    assert not problems, problems

    got = _read(lambda: [(r.status, r.family_name_kana, r.organization_type, r.prefecture, r.answers,
                          r.ticket_type.name) for r in db.session.scalars(select(Registration).where(
                              Registration.email == "keyboard@example.jp"))])
    assert got == [("confirmed", "トウホク", "company", "04", {str(question_id): "会場"}, "一般")]
