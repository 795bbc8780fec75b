"""The event page on a phone (390 px) and a desktop: the state and its button, phrase-aware title breaks,
the 参加枠 cards, the 必須 badges and the focus ring. Screenshots go to /tmp/public2-*.png."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db_types import utcnow
from app.extensions import db
from tests.browser.layout import scroll_width
from tests.unit.test_css_contrast import contrast

LONG_TITLE = "令和8年度 東北地域DX推進セミナー 〜地域企業のデジタル変革〜"


def _events(create_event):
    full = create_event(title=LONG_TITLE, slug="full-waitlist", capacity=30, waitlist_enabled=True,
                        format="in_person", venue="仙台国際センター", address="宮城県仙台市青葉区青葉山無番地",
                        ticket_types=[("一般", 30), ("学生", 10)],
                        description="## 概要\n\n地域企業のDXを考えます。\n\n#### 講師\n\n東北大学 教授")
    full.ticket_types[0].confirmed_count = 30
    full.ticket_types[1].confirmed_count = 10
    few = create_event(title="外部人材活用セミナー（青森会場）地域企業の経営課題解決に向けて", slug="few-left",
                       capacity=40, prefecture="02", venue="青森市民ホール")
    few.ticket_types[0].confirmed_count = 37
    create_event(title="MaaSシンポジウム", slug="lottery", admission_mode="lottery", format="online")
    create_event(title="SIer's Day", slug="cancelled", status="cancelled", status_reason="台風接近のため中止します。")
    create_event(title="IoTハッカソン", slug="not-yet", registration_opens_at=utcnow() + timedelta(days=5))
    db.session.commit()


def _shot(page, name):
    page.screenshot(path=f"/tmp/public2-{name}.png", full_page=True)


def _word_on_one_line(page, selector: str, word: str) -> bool:
    """True when every character of `word` in the element sits on the same line."""
    return page.evaluate("""([selector, word]) => {
        const el = document.querySelector(selector);
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let text = '', nodes = [];
        while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
        const start = text.indexOf(word);
        if (start < 0) throw new Error('word not found');
        const tops = new Set();
        for (let i = start; i < start + word.length; i++) {
            const [node, offset] = nodes.filter(([n, o]) => o <= i).pop();
            const range = document.createRange();
            range.setStart(node, i - offset); range.setEnd(node, i - offset + 1);
            tops.add(Math.round(range.getClientRects()[0].top));
        }
        return tops.size === 1;
    }""", [selector, word])


@pytest.mark.parametrize("fixture", ["phone_page", "page"])
def test_states_buttons_and_layout(request, create_event, fixture):
    page = request.getfixturevalue(fixture)
    size = "390" if fixture == "phone_page" else "desktop"
    _events(create_event)

    page.goto("/events/full-waitlist")
    box = page.locator(".registration-box")
    expect(box.locator(".window-state strong")).to_have_text("満席（キャンセル待ち受付中）")
    expect(page.locator(".register-button").first).to_have_text("キャンセル待ちで申し込む")
    assert page.get_by_text("このイベントに申し込む").count() == 0
    expect(page.get_by_text("宮城県仙台市青葉区青葉山無番地")).to_be_visible()
    # The description's headings sit under 詳細 (h2): h3, then h4.
    expect(page.locator(".prose h3")).to_have_text("概要")
    expect(page.locator(".prose h4")).to_have_text("講師")
    # 「セミナー」 never breaks inside the word, whatever the width.
    assert _word_on_one_line(page, "h1", "セミナー")
    # The 参加枠 cards fill the column, text to the left (not the 受付票's centred card).
    card = page.locator(".ticket-type").first
    assert card.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    list_box = page.locator(".tickets").bounding_box()
    card_box = card.bounding_box()
    assert abs(card_box["x"] - list_box["x"]) < 1 and abs(card_box["width"] - list_box["width"]) < 1
    assert scroll_width(page) <= page.viewport_size["width"]
    _shot(page, f"event-full-{size}")

    page.goto("/events/few-left")
    expect(page.locator(".registration-box .window-state strong")).to_have_text("残りわずか")
    expect(page.locator(".registration-box")).to_contain_text("残り3席です。")
    expect(page.locator(".register-button").first).to_have_text("このイベントに申し込む")
    assert _word_on_one_line(page, "h1", "セミナー")
    _shot(page, f"event-few-{size}")

    page.goto("/events/lottery")
    expect(page.locator(".registration-box .window-state strong")).to_have_text("抽選受付中")
    expect(page.locator(".register-button").first).to_have_text("抽選に申し込む")
    _shot(page, f"event-lottery-{size}")

    page.goto("/events/cancelled")
    expect(page.locator(".registration-box .window-state strong")).to_have_text("中止")
    assert page.locator(".register-button").count() == 0
    _shot(page, f"event-cancelled-{size}")

    page.goto("/events/not-yet")
    expect(page.locator(".registration-box .window-state strong")).to_have_text("受付開始前")
    assert page.locator(".register-button").count() == 0
    _shot(page, f"event-not-yet-{size}")

    page.goto("/")
    _shot(page, f"list-{size}")


def _rgb(css: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_focus_ring_and_required_badges(phone_page, create_event):
    page = phone_page
    _events(create_event)
    page.goto("/events/full-waitlist")
    link = page.locator(".register-button").first
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus: :focus-visible applies
    ring = _rgb(link.evaluate("e => getComputedStyle(e).outlineColor"))
    background = _rgb(page.locator(".registration-box").evaluate("e => getComputedStyle(e).backgroundColor"))
    assert contrast(ring, background) >= 3, (ring, background)

    link.click()
    page.wait_for_url("**/register")
    label = page.locator("label[for=family_name]")
    badge = label.locator("xpath=following-sibling::span[@class='req'][1]")
    lb, bb = label.bounding_box(), badge.bounding_box()
    assert abs((bb["y"] + bb["height"] / 2) - (lb["y"] + lb["height"] / 2)) < lb["height"] / 2  # same line
    _shot(page, "register-form-390")
