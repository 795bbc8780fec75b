"""The Content-Security-Policy blocks nothing the pages need: their script runs, no violation is reported."""
from __future__ import annotations

from app.extensions import db
from app.models import Question
from tests.browser.test_registration_flow import _fill_form

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def _watch(page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(WATCH_VIOLATIONS)
    return errors


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_registration_pages_run_their_script_under_the_csp(page, create_event):
    event = create_event(title="CSPセミナー")
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], required=True))
    db.session.commit()
    slug = event.slug
    db.session.rollback()
    errors = _watch(page)

    page.goto(f"/events/{slug}/register")
    assert page.evaluate("document.documentElement.dataset.registrationJs") == "ready"
    _fill_form(page, email_confirm="other@example.jp")
    page.get_by_role("button", name="確認画面へ進む").click()
    # The form came back with an error: the script moved the focus to the error summary.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")

    page.get_by_label("メールアドレス（確認用）").fill("hanako@example.jp")
    page.get_by_role("button", name="確認画面へ進む").click()
    assert page.get_by_role("heading", level=1).inner_text() == "お申し込み内容の確認"
    # The heading can be there before the deferred script has run (a loaded machine): wait for it.
    page.wait_for_function("document.documentElement.dataset.registrationJs === 'ready'")
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{slug}/register/done")

    assert _violations(page) == []
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
