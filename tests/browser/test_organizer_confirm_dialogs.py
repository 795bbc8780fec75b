"""Destructive organizer actions that stay on their page ask first (static/js/confirm.js), saying who
is told: bulk cancel and reject on the registrant list, deleting a question or a reminder, unpublishing.
Dismissing the question changes nothing; accepting it does the action."""
from __future__ import annotations

from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Question, Registration
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register


def test_bulk_cancel_asks_first_and_dismissing_keeps_everyone(page, browser_login, create_event, create_organizer):
    event = create_event(title="TOHOKU DX塾", capacity=5)
    ids = [register(event, n).registration.id for n in (1, 2)]
    event_id, user = event.id, SimpleNamespace(email=create_organizer().email)
    db.session.rollback()

    def statuses():
        return sorted(r.status for r in db.session.scalars(select(Registration).where(Registration.event_id == event_id)))

    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}/registrants")
    for registration_id in ids:
        page.locator(f'input[name="ids"][value="{registration_id}"]').first.check()
    page.get_by_role("radio", name="申込をキャンセルする").check()

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page).to_have_url(f"{page.url.split('/organizer')[0]}/organizer/events/{event_id}/registrants")
    assert questions and "キャンセルしますか" in questions[0] and "メールで通知" in questions[0]
    assert _read(statuses) == ["confirmed", "confirmed"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page.locator('tr[data-outcome="cancelled"]')).to_have_count(2)
    assert _read(statuses) == ["cancelled", "cancelled"]

    # Moving is not destructive: it asks nothing.
    page.goto(f"/organizer/events/{event_id}/registrants")
    assert page.get_by_role("radio", name="別の参加枠へ移動").get_attribute("data-confirm") is None


def test_deleting_a_question_asks_first(page, browser_login, create_event, create_organizer):
    event = create_event(title="TOHOKU DXセミナー")
    event.questions.append(Question(kind="text", label="ご質問", required=False))
    db.session.commit()
    event_id, user = event.id, SimpleNamespace(email=create_organizer().email)
    db.session.rollback()

    def labels():
        return [q.label for q in db.session.scalars(select(Question).where(Question.event_id == event_id))]

    browser_login(page, user)
    page.goto(f"/organizer/events/{event_id}")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="削除 ご質問").click()
    assert questions == ["設問「ご質問」を削除しますか？申込フォームでは尋ねなくなります。"]
    assert _read(labels) == ["ご質問"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="削除 ご質問").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="削除 ご質問")).to_have_count(0)
    assert _read(labels) == []
