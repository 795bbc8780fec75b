"""Signing out in a real browser: the session ends on the server, here or everywhere."""
from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from tests.factories import DEFAULT_PASSWORD


def _email(create_organizer) -> str:
    email = create_organizer().email
    db.session.rollback()  # no transaction left open in the test thread (the server writes)
    return email


def _sign_in(page, email: str, *, remember: bool = False) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    if remember:
        page.get_by_label("ログインしたままにする").check()
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/organizer/**")


def _context(browser, live_server, cookies=None):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    context.set_default_timeout(10_000)
    if cookies:
        context.add_cookies(cookies)
    return context


def _is_signed_out(page) -> bool:
    page.goto("/organizer/")
    return "/login" in page.url


def test_sign_out_ends_the_session_even_for_a_copied_cookie(page, browser, live_server, create_organizer):
    email = _email(create_organizer)
    _sign_in(page, email)
    copied = page.context.cookies()
    thief = _context(browser, live_server, copied)
    try:
        assert not _is_signed_out(thief.new_page())  # the copy works while signed in

        page.goto("/organizer/")
        page.get_by_role("button", name="ログアウト").click()
        expect(page.get_by_text("ログアウトしました。")).to_be_visible()
        assert _is_signed_out(page)
        assert _is_signed_out(thief.new_page())  # the copied cookie no longer signs in
    finally:
        thief.close()


def test_sign_out_everywhere_asks_first_then_ends_every_session(page, browser, live_server, create_organizer):
    email = _email(create_organizer)
    other = _context(browser, live_server)
    try:
        other_page = other.new_page()
        _sign_in(other_page, email, remember=True)  # another computer, "keep me signed in"
        _sign_in(page, email)

        page.get_by_role("link", name="すべての端末からログアウト").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("すべてのブラウザ・端末からログアウトしますか？")
        page.screenshot(path="/tmp/browser-sign-out-everywhere.png", full_page=True)
        page.get_by_role("link", name="いいえ、戻ります").click()  # changing one's mind changes nothing
        page.wait_for_url("**/organizer/")
        assert not _is_signed_out(other_page)

        page.get_by_role("link", name="すべての端末からログアウト").click()
        page.get_by_role("button", name="はい、すべての端末からログアウトします").click()
        page.wait_for_url("**/login")
        expect(page.get_by_text("すべてのブラウザ・端末からログアウトしました。")).to_be_visible()
        assert _is_signed_out(page)
        assert _is_signed_out(other_page)  # the remembered sign-in on the other computer ended too
        other.clear_cookies(name="session")  # even its remember-me cookie alone no longer signs in
        assert _is_signed_out(other_page)
    finally:
        other.close()
