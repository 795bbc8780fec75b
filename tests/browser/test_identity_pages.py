"""The bureau's identity in a real browser: its name and logo in the header, its colour from
/theme.css, the footer's links to 個人情報の取扱い, ウェブアクセシビリティ方針 and お問い合わせ on a phone,
and the wide staff layout on a desktop."""
from __future__ import annotations

from playwright.sync_api import expect

from app.identity import identity_from_env
from tests.browser.layout import scroll_width
from tests.web.test_identity import BUREAU


def test_footer_links_lead_to_the_bureaus_pages_on_a_phone(app, phone_page, create_event):
    app.config["IDENTITY"] = identity_from_env(BUREAU)
    event = create_event(title="TOHOKU DXセミナー", consent_text="アンケート結果を共催者と共有します。")
    slug = event.slug
    page = phone_page
    page.goto("/")
    expect(page.locator(".brand")).to_contain_text("東北経済産業局")
    assert page.locator(".brand-logo").get_attribute("alt") == ""  # the name beside it says it
    # The configured colour (#0b5394), not the design tokens' default, paints the header.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(11, 83, 148)"
    assert scroll_width(page) <= 390

    footer = page.get_by_role("navigation", name="このサイトについて")
    footer.get_by_role("link", name="個人情報の取扱い").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("個人情報の取扱い")
    page.locator(f"#event-{slug} summary").click()
    expect(page.locator(f"#event-{slug}")).to_contain_text("アンケート結果を共催者と共有します。")

    footer.get_by_role("link", name="ウェブアクセシビリティ方針").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ウェブアクセシビリティ方針")
    expect(page.locator("main")).to_contain_text("JIS X 8341-3:2016")
    expect(page.locator("main")).to_contain_text("2026年11月30日")

    footer.get_by_role("link", name="お問い合わせ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お問い合わせ")
    expect(page.get_by_role("link", name="022-221-4876")).to_have_attribute("href", "tel:0222214876")
    assert scroll_width(page) <= 390

    # The registration form links the event's purposes on the privacy page.
    page.goto(f"/events/{slug}/register")
    link = page.get_by_role("link", name="個人情報の取扱い").first
    assert link.get_attribute("href") == f"/privacy#event-{slug}"

    page.goto("/contact?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")
    expect(page.locator(".brand")).to_contain_text("Tohoku Bureau of Economy, Trade and Industry")


def test_staff_pages_use_a_wide_layout_on_a_desktop(browser, live_server, browser_login, create_organizer):
    user = create_organizer()
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1600, "height": 900})
    page = context.new_page()
    try:
        browser_login(page, user)
        page.goto("/organizer/")
        assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") > 1300
        page.goto("/")
        assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") <= 1040
    finally:
        context.close()
