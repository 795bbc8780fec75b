"""Actions that cannot be taken back ask first even without JavaScript (app/confirmations.py).

In a browser, static/js/confirm.js asks with a dialog and adds confirmed=1 (tests/browser/
test_organizer_confirm_dialogs.py). Without it, the POST answers with a page that asks the same
question, changes nothing, and whose one button sends the same fields again, confirmed.
"""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from app.db_types import utcnow
from app.domain import kpi as kpi_rules
from app.extensions import db
from app.models import Event, Kpi, Registration
from app.services import kpis, teams
from tests import factories
from tests.factories import register


def _asked(response) -> tuple[str, str, list[tuple[str, str]]]:
    """(question, form action, hidden fields) of a confirmation page."""
    assert response.status_code == 200
    assert "確認してください" in response.text
    html = response.text.split('<section class="narrow-form confirm-page">', 1)[1].split("</section>", 1)[0]
    question = unescape(re.search(r'<p class="panel confirm-question">(.*?)</p>', html, re.S).group(1))
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    fields = [(unescape(n), unescape(v)) for n, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)]
    return question, action, fields


def _post_again(client, action, fields):
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if name != "csrf_token":
            data.setdefault(name, []).append(value)
    return client.post(action, data=data)


def test_unpublish_asks_first_and_the_page_acts_when_confirmed(client, login, create_organizer, create_event):
    event = create_event(title="DXセミナー")
    login(create_organizer())
    question, action, fields = _asked(client.post(f"/organizer/events/{event.id}/unpublish"))
    assert question.startswith("このイベントを非公開にしますか") or "下書き" in question
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"  # nothing happened yet
    assert ("confirmed", "1") in fields and any(name == "csrf_token" for name, _ in fields)
    assert action == f"/organizer/events/{event.id}/unpublish"
    assert _post_again(client, action, fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "draft"


def test_bulk_cancel_keeps_the_selection_and_the_reason(client, login, create_organizer, create_event):
    event = create_event(capacity=5)
    regs = [register(event, n).registration for n in range(3)]
    ids = [str(r.id) for r in regs[:2]]
    login(create_organizer())
    question, action, fields = _asked(client.post(
        f"/organizer/events/{event.id}/registrants/bulk",
        data={"action": "cancel", "ids": ids, "reason": "重複申込", "q": "山田"}))
    assert "メール" in question
    assert [v for n, v in fields if n == "ids"] == ids and ("reason", "重複申込") in fields and ("q", "山田") in fields
    assert {r.status for r in db.session.scalars(select(Registration))} == {"confirmed"}
    page = _post_again(client, action, fields)
    assert page.text.count('data-outcome="cancelled"') == 2
    db.session.expire_all()
    assert [r.status for r in db.session.scalars(select(Registration).order_by(Registration.id))] == [
        "cancelled", "cancelled", "confirmed"]


def test_a_move_does_not_ask(client, login, create_organizer, create_event):
    event = create_event(ticket_types=[("一般", 5), ("学生", 5)])
    reg = register(event, 1).registration
    login(create_organizer())
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "move", "ids": [reg.id], "ticket_type_id": str(event.ticket_types[1].id)})
    assert 'data-outcome="moved"' in page.text and "確認してください" not in page.text


def test_deleting_a_kpi_asks_first(client, login, create_organizer):
    k = kpis.save(None, {"name": "支援企業数", "fiscal_year_from": 2026, "fiscal_year_to": 2026,
                         "measure": kpi_rules.ORGANIZATIONS, "target": 100}, actor=None, now=utcnow())
    db.session.commit()
    login(create_organizer(role="admin"))
    question, action, fields = _asked(client.post(f"/organizer/stats/kpis/{k.id}/delete"))
    assert "KPI" in question
    assert db.session.scalar(select(Kpi)) is not None
    assert _post_again(client, action, fields).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Kpi)) is None


def test_leaving_a_hackathon_team_asks_first(client):
    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", sessions=2,
                                   team_max_members=4)
    reg = factories.register(event).registration
    token = reg.manage_token
    assert client.post(f"/r/{token}/team", data={"action": "form", "form-name": "スマート農業"}).status_code == 303
    question, action, fields = _asked(client.post(f"/r/{token}/team", data={"action": "leave"}))
    assert "招待コード" in question and ("action", "leave") in fields
    assert teams.team_of(reg.id) is not None
    assert _post_again(client, action, fields).status_code == 303
    db.session.expire_all()
    assert teams.team_of(reg.id) is None
