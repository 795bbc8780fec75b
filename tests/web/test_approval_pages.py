"""承認制 on the organizer's pages and in the API (issue 10): decide one or many, with a message; old pendings."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import OutboxMessage, Registration
from tests import factories
from tests.factories import register


@pytest.fixture
def editor(create_organizer):
    return create_organizer(role="organizer")


def _status(reg_id):
    return db.session.get(Registration, reg_id, populate_existing=True).status


def _mails(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def test_the_event_form_offers_the_overflow_setting_for_approval_only(client, login, editor, create_event):
    login(editor)
    event = create_event(admission_mode="first_come")
    html = client.get(f"/organizer/events/{event.id}/edit").text
    assert 'id="approval-settings" data-shown-for-admission="approval" hidden' in html
    assert 'name="approval_overflow"' in html
    form = {"title": event.title, "slug": event.slug, "category": "seminar", "format": "in_person",
            "prefecture": "04", "admission_mode": "approval", "approval_overflow": "waitlist",
            "consent_text": "個人情報は運営にのみ利用します。", "waitlist_enabled": "y"}
    response = client.post(f"/organizer/events/{event.id}/edit", data=form)
    assert response.status_code == 302, response.text
    db.session.refresh(event)
    assert (event.admission_mode, event.approval_overflow) == ("approval", "waitlist")
    html = client.get(f"/organizer/events/{event.id}/edit").text
    assert 'data-shown-for-admission="approval">' in html  # shown now
    assert "承認してキャンセル待ちにする" in client.get(f"/organizer/events/{event.id}").text


def test_bulk_approve_and_reject_with_a_message(client, login, editor, create_event):
    event = create_event(capacity=1, admission_mode="approval")
    a, b, c = (register(event, n).registration for n in range(3))
    login(editor)
    html = client.get(f"/organizer/events/{event.id}/registrants").text
    assert 'value="approve"' in html and 'value="reject"' in html and 'name="message"' in html
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "approve", "ids": [a.id, b.id], "message": "当日は名刺をお持ちください。"})
    assert page.status_code == 200
    assert 'data-outcome="confirmed"' in page.text and 'data-outcome="full"' in page.text
    assert "満席のため承認できません" in page.text
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "reject", "ids": [b.id, c.id], "message": "定員に達しました。", "confirmed": "1"})
    assert page.text.count('data-outcome="rejected"') == 2
    assert [_status(r.id) for r in (a, b, c)] == ["confirmed", "rejected", "rejected"]
    assert "当日は名刺をお持ちください。" in _mails("approved")[0].body_text
    assert all("定員に達しました。" in m.body_text for m in _mails("rejected"))


def test_a_first_come_list_does_not_offer_decisions(client, login, editor, create_event):
    event = create_event(capacity=5)
    reg = register(event, 1).registration
    login(editor)
    html = client.get(f"/organizer/events/{event.id}/registrants").text
    assert 'value="approve"' not in html and "stale-pending" not in html
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk", data={"action": "approve", "ids": [reg.id]})
    assert page.status_code == 303  # refused: not an action of this list
    assert _status(reg.id) == "confirmed"


def test_one_decision_on_the_registrants_page(client, login, editor, create_event):
    event = create_event(capacity=3, admission_mode="approval")
    reg = register(event, 1).registration
    login(editor)
    page = client.get(f"/organizer/events/{event.id}/registrants/{reg.id}").text
    assert 'id="decision-form"' in page
    response = client.post(f"/organizer/events/{event.id}/registrants/{reg.id}/decide",
                           data={"decision": "reject", "message": "<b>ごめんなさい</b>", "confirmed": "1"}, follow_redirects=True)
    assert _status(reg.id) == "rejected"
    assert 'id="decision-form"' not in response.text
    assert "&lt;b&gt;ごめんなさい&lt;/b&gt;" in response.text  # the history shows the message, escaped
    [mail] = _mails("rejected")
    assert "&lt;b&gt;" in mail.body_html and "<b>ごめんなさい</b>" in mail.body_text
    response = client.post(f"/organizer/events/{event.id}/registrants/{reg.id}/decide",
                           data={"decision": "approve"}, follow_redirects=True)
    assert "この申込は承認待ちではありません" in response.text


def test_a_viewer_cannot_decide(client, login, create_organizer, create_event):
    event = create_event(capacity=3, admission_mode="approval")
    reg = register(event, 1).registration
    login(create_organizer(role="viewer"))
    assert 'id="decision-form"' not in client.get(f"/organizer/events/{event.id}/registrants/{reg.id}").text
    assert client.post(f"/organizer/events/{event.id}/registrants/{reg.id}/decide",
                       data={"decision": "approve"}).status_code == 403
    assert _status(reg.id) == "pending"


def test_pending_for_more_than_n_days_are_listed(client, login, editor, create_event):
    now = utcnow()
    event = create_event(capacity=10, admission_mode="approval", registration_opens_at=now - timedelta(days=20))
    old = register(event, 1, now=now - timedelta(days=5), family_name="古川").registration
    register(event, 2, now=now - timedelta(days=1), family_name="新田")
    login(editor)
    html = client.get(f"/organizer/events/{event.id}/registrants").text
    section = html[html.index('id="stale-pending"'):html.index("</section>", html.index('id="stale-pending"'))]
    assert "3日を超えて承認待ち" in section and "古川" in section and "新田" not in section
    section_html = client.get(f"/organizer/events/{event.id}/registrants?pending_days=0").text
    section = section_html[section_html.index('id="stale-pending"'):]
    section = section[:section.index("</section>")]
    assert "古川" in section and "新田" in section
    assert old.id


# --- API -------------------------------------------------------------------------------------------


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_approve_and_reject(client, create_organizer, create_event):
    token = factories.create_api_token(create_organizer(role="organizer"))
    event = create_event(capacity=1, admission_mode="approval")
    a, b, c = (register(event, n).registration for n in range(3))
    r = client.post(f"/api/v1/registrations/{a.id}/approve", json={"message": "ようこそ"}, headers=_auth(token))
    assert r.status_code == 200 and r.json["status"] == "confirmed"
    r = client.post(f"/api/v1/registrations/{b.id}/approve", headers=_auth(token))
    assert r.status_code == 409 and r.json["error"] == "full"
    r = client.post(f"/api/v1/registrations/{b.id}/reject", json={}, headers=_auth(token))
    assert r.status_code == 200 and r.json["status"] == "rejected"
    r = client.post(f"/api/v1/registrations/{b.id}/reject", headers=_auth(token))
    assert r.status_code == 409 and r.json["error"] == "not_pending"
    assert client.post(f"/api/v1/registrations/{c.id}/approve", json={"message": 5},
                       headers=_auth(token)).status_code == 422
    assert client.post(f"/api/v1/registrations/{c.id}/approve", json={"message": "あ" * 1001},
                       headers=_auth(token)).status_code == 422
    assert client.post(f"/api/v1/registrations/{c.id}/approve", data="[1]", content_type="application/json",
                       headers=_auth(token)).status_code == 400
    assert client.post("/api/v1/registrations/99999999/approve", headers=_auth(token)).status_code == 404
    assert client.post(f"/api/v1/registrations/{c.id}/approve").status_code == 401
    viewer = factories.create_api_token(create_organizer(role="viewer"))
    assert client.post(f"/api/v1/registrations/{c.id}/approve", headers=_auth(viewer)).status_code == 403
    assert _status(c.id) == "pending"
    assert "ようこそ" in _mails("approved")[0].body_text


def test_api_approve_waitlists_when_the_event_says_so(client, create_organizer, create_event):
    token = factories.create_api_token(create_organizer(role="organizer"))
    event = create_event(capacity=1, admission_mode="approval", approval_overflow="waitlist")
    a, b = (register(event, n).registration for n in range(2))
    client.post(f"/api/v1/registrations/{a.id}/approve", headers=_auth(token))
    r = client.post(f"/api/v1/registrations/{b.id}/approve", headers=_auth(token))
    assert r.json["status"] == "waitlisted" and r.json["waitlist_position"] == 1
    assert client.get(f"/api/v1/events/{event.id}").json["approval_overflow"] == "waitlist"


def test_the_approval_pages_work_in_english(client, login, editor, create_event):
    event = create_event(capacity=3, admission_mode="approval")
    reg = register(event, 1).registration
    login(editor)
    html = client.get(f"/organizer/events/{event.id}/registrants?lang=en").text
    assert "Awaiting approval for more than 3 days" in html and "> Approve<" in html
    assert "Message to the registrant (included in the mail)" in html
    page = client.get(f"/organizer/events/{event.id}/registrants/{reg.id}?lang=en").text
    assert "Approve or reject" in page and 'value="approve"' in page


def test_the_event_page_says_how_many_await_approval(client, login, editor, create_event):
    now = utcnow()
    event = create_event(capacity=10, admission_mode="approval", registration_opens_at=now - timedelta(days=20))
    login(editor)
    assert "awaiting-approval" not in client.get(f"/organizer/events/{event.id}").text
    register(event, 1, now=now - timedelta(days=5))
    register(event, 2)
    html = client.get(f"/organizer/events/{event.id}").text
    assert "承認待ちの申込が2件あります" in html and "うち3日を超えるもの1件" in html


def test_the_registrant_sees_the_decision_on_the_private_page(client, create_organizer, create_event):
    from app.services import registrations

    event = create_event(capacity=3, admission_mode="approval")
    reg = register(event, 1).registration
    token = reg.manage_token
    assert "承認待ち" in client.get(f"/r/{token}").text
    registrations.reject(reg, now=utcnow(), actor=create_organizer())
    db.session.commit()
    html = client.get(f"/r/{token}").text
    assert "お受けできませんでした" in html and "/cancel" not in html
