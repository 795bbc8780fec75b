"""The lottery over HTTP: organizer pages (settings, preview, draw, results), public pages, the API, confirming."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app import urls
from app.db_types import utcnow
from app.domain import lottery as rules
from app.extensions import db
from app.models import Event, LotteryDraw, Registration
from tests import factories
from tests.services.test_lottery import close_applications, lottery_event


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_settings_show_the_lottery_fields_only_for_a_lottery_and_save_them(client, login, create_organizer):
    login(create_organizer())
    event = factories.create_event()
    page = client.get(f"/organizer/events/{event.id}/edit").get_data(as_text=True)
    assert re.search(r'id="lottery-settings"[^>]*hidden', page)
    form = {"title": event.title, "slug": event.slug, "category": "seminar", "format": "in_person",
            "admission_mode": "lottery", "lottery_losers": "waitlist", "lottery_confirm_days": "5",
            "lottery_priority_prefectures": ["02", "04"], "registration_closes_at": "2099-01-01T10:00",
            "lottery_draw_at": "2099-01-03T10:00", "csrf_token": ""}
    response = client.post(f"/organizer/events/{event.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.lottery_losers, event.lottery_confirm_days, event.lottery_priority_prefectures) == (
        "waitlist", 5, ["02", "04"])
    assert event.lottery_seed_hash == rules.seed_hash(event.lottery_seed)
    page = client.get(f"/organizer/events/{event.id}/edit").get_data(as_text=True)
    assert not re.search(r'id="lottery-settings"[^>]*hidden', page)
    # a draw before applications close is refused next to its field, and what was typed is kept
    form["lottery_draw_at"] = "2098-12-31T10:00"
    form["lottery_confirm_days"] = "7"
    response = client.post(f"/organizer/events/{event.id}/edit", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="lottery_draw_at-error"' in body and 'value="7"' in body


def test_organizer_previews_then_draws_and_reads_the_order(client, login, create_organizer):
    login(create_organizer())
    event, regs = lottery_event(capacity=2, applicants=4)
    detail = client.get(f"/organizer/events/{event.id}").get_data(as_text=True)
    assert event.lottery_seed_hash in detail
    page = client.get(f"/organizer/events/{event.id}/lottery").get_data(as_text=True)
    assert "Draw now" in page or "今すぐ抽選" in page
    assert event.lottery_seed not in page  # secret until the draw
    response = client.post(f"/organizer/events/{event.id}/lottery/draw", data={"confirmed": "1"})
    assert response.status_code == 303
    page = client.get(f"/organizer/events/{event.id}/lottery").get_data(as_text=True)
    record = db.session.scalar(select(LotteryDraw))
    assert record.seed in page
    refs = [db.session.get(Registration, i).reference for i in record.order]
    positions = [page.index(ref) for ref in refs]
    assert positions == sorted(positions)
    assert client.post(f"/organizer/events/{event.id}/lottery/draw", data={"confirmed": "1"}).status_code == 303
    assert db.session.scalar(select(LotteryDraw).where(LotteryDraw.id != record.id)) is None


def test_viewers_cannot_draw(client, login, create_organizer):
    login(create_organizer(role="viewer"))
    event, _regs = lottery_event()
    assert client.get(f"/organizer/events/{event.id}/lottery").status_code == 200
    assert client.post(f"/organizer/events/{event.id}/lottery/draw", data={"confirmed": "1"}).status_code == 403


def test_public_pages_show_the_hash_then_the_record(client):
    event, _regs = lottery_event(close=False)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert event.lottery_seed_hash in page
    page = client.get(f"/events/{event.slug}/lottery?lang=en").get_data(as_text=True)
    assert "hmac.new" in page and event.lottery_seed_hash in page and event.lottery_seed not in page
    close_applications(event)
    from app.services import lottery

    lottery.draw(db.session.get(Event, event.id), now=utcnow())
    db.session.commit()
    page = client.get(f"/events/{event.slug}/lottery").get_data(as_text=True)
    assert event.lottery_seed in page


def test_api_draw_and_record(client, create_organizer):
    token = factories.create_api_token(create_organizer())
    event, regs = lottery_event(capacity=2, applicants=5, close=False)
    before = client.get(f"/api/v1/events/{event.id}/lottery").get_json()
    assert before["seed_hash"] == event.lottery_seed_hash and before["seed"] is None and before["order"] == []
    assert client.get(f"/api/v1/events/{event.id}").get_json()["lottery_seed_hash"] == event.lottery_seed_hash
    assert client.post(f"/api/v1/events/{event.id}/lottery/draw").status_code == 401
    refused = client.post(f"/api/v1/events/{event.id}/lottery/draw", headers=bearer(token))
    assert refused.status_code == 409 and refused.get_json()["error"] == "not_drawable"
    close_applications(event)
    response = client.post(f"/api/v1/events/{event.id}/lottery/draw", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert sorted(body["order"]) == sorted(r.id for r in regs)
    assert body["winners"] == body["order"][:2]
    assert rules.seed_hash(body["seed"]) == event.lottery_seed_hash
    after = client.get(f"/api/v1/events/{event.id}/lottery").get_json()
    assert after["seed"] == body["seed"] and after["order"] == body["order"]
    again = client.post(f"/api/v1/events/{event.id}/lottery/draw", headers=bearer(token))
    assert again.status_code == 409 and again.get_json()["error"] == "already_drawn"
    listed = client.get(f"/api/v1/events/{event.id}/registrations?per_page=50", headers=bearer(token)).get_json()
    assert sorted(r["status"] for r in listed["items"]) == ["confirmed"] * 2 + ["lost"] * 3


def test_winner_confirms_from_the_manage_page(client):
    event, regs = lottery_event(capacity=1, applicants=2, lottery_confirm_days=3)
    from app.services import lottery

    [record] = lottery.draw(db.session.get(Event, event.id), now=utcnow())
    db.session.commit()
    winner = db.session.get(Registration, record.winners[0])
    path = urls.manage_url(winner).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path).get_data(as_text=True)
    assert "lottery/confirm" in page
    response = client.post(f"/{path}/lottery/confirm")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, winner.id).confirm_by is None
    assert "lottery/confirm" not in client.get("/" + path).get_data(as_text=True)


def test_draw_time_after_close_is_kept_when_copied_without_the_time(app):
    event, _regs = lottery_event(close=False, lottery_draw_at=utcnow() + timedelta(days=40))
    from app.services import events

    copy = events.copy_event(db.session.get(Event, event.id), utcnow() + timedelta(days=400), None, utcnow())
    db.session.commit()
    assert copy.admission_mode == "lottery" and copy.lottery_draw_at is None
    assert copy.lottery_seed_hash and copy.lottery_seed != event.lottery_seed


def test_first_come_after_the_draw_is_offered_only_once_drawn(client, login, create_organizer):
    login(create_organizer())
    event, _regs = lottery_event(capacity=1, applicants=2)
    assert 'name="lottery_first_come"' not in client.get(f"/organizer/events/{event.id}/edit").get_data(as_text=True)
    client.post(f"/organizer/events/{event.id}/lottery/draw", data={"confirmed": "1"})
    page = client.get(f"/organizer/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="lottery_first_come"' in page
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert client.get(f"/events/{event.slug}").get_data(as_text=True).count('class="button primary register-button"') == 0
    event.lottery_first_come = True
    db.session.commit()
    assert 'register-button' in client.get(f"/events/{event.slug}").get_data(as_text=True)
