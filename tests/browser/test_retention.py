"""In a real browser: the organizer opens the registrant list of an event whose registrants' personal
data was erased after the retention period, reads when and why, opens one registrant and finds no
action to take."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect

from app import jobs
from app.db_types import utcnow
from app.domain import retention as rules
from app.domain.dates import format_date, jst_datetime, to_jst
from app.extensions import db
from app.models import Registration
from tests.factories import register


def _erased_event(app, create_event, create_organizer):
    """An event ended the retention period and ten days ago (Japan's calendar), its registrants erased."""
    today = to_jst(utcnow()).date()
    months = app.config["IDENTITY"].retention_months
    day = to_jst(rules.add_months(jst_datetime(today.year, today.month, today.day, 12), -months)).date()
    day -= timedelta(days=10)
    start = jst_datetime(day.year, day.month, day.day, 10)
    event = create_event(title="保存期間の過ぎたセミナー", starts_at=start,
                         registration_opens_at=start - timedelta(days=30),
                         registration_closes_at=start - timedelta(days=1))
    ids = [register(event, n, now=start - timedelta(days=2), family_name="消去太郎").registration.id
           for n in (1, 2, 3)]
    jobs.erase_registrants(utcnow())
    erased_at = db.session.get(Registration, ids[0]).erased_at
    user = create_organizer(role="organizer")
    data = SimpleNamespace(event_id=event.id, first=ids[0], when=format_date(erased_at),
                           user=SimpleNamespace(email=user.email))
    db.session.rollback()
    return data


def test_the_organizer_sees_that_the_registrants_were_erased(page, browser_login, create_event, create_organizer,
                                                             app):
    data = _erased_event(app, create_event, create_organizer)
    browser_login(page, data.user)
    page.goto(f"/organizer/events/{data.event_id}/registrants")
    note = page.locator("#erased-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(data.when)
    expect(note).to_contain_text("保存期間")
    rows = page.locator("table.registrants tbody tr").filter(has_text=f"個人情報は{data.when}に消去済み")
    expect(rows).to_have_count(3)
    expect(page.get_by_text("消去太郎")).to_have_count(0)
    expect(page.locator('input[name="ids"]')).to_have_count(0)

    page.locator("table.registrants tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"個人情報は{data.when}に消去済み")
    expect(page.locator("#erased-note")).to_contain_text("変更はできません")
    expect(page.locator('form[action$="/cancel"]')).to_have_count(0)
    expect(page.get_by_role("heading", name="操作", exact=True)).to_have_count(0)
    _no_blocking_axe_violation(page)
    page.goto(f"/organizer/events/{data.event_id}/registrants?lang=en")
    expect(page.locator("#erased-note")).to_contain_text("as the retention policy says")
    _no_blocking_axe_violation(page)


def _no_blocking_axe_violation(page) -> None:
    """The erased pages are not in the demo the accessibility sweep reads: checked here (axe-core)."""
    from axe_playwright_python.sync_playwright import Axe

    found = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert found == [], found
