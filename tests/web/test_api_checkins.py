"""The check-in API: POST/DELETE /api/v1/events/{id}/checkins, tokens of organizers and door staff."""
from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import Role
from app.domain.dates import to_jst
from app.extensions import db
from app.models import Attendance, AuditLog
from app.services import checkin, registrations, tickets
from tests import factories


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _setup(**kw):
    event = factories.create_event(**kw)
    organizer = factories.create_organizer(display_name="受付 花子")
    token = factories.create_api_token(organizer)
    return event, organizer, token


def _qr(app, reg):
    return tickets.ticket_code(reg, app.config["SECRET_KEY"])


def test_first_scan_201_then_200_already_with_time_and_who(app, client):
    event, organizer, token = _setup(ticket_types=[("一般", 10), ("学生", 10)])
    reg = factories.register(event, ticket_type_id=event.ticket_types[1].id,
                             organization="株式会社東北テック").registration
    url = f"/api/v1/events/{event.id}/checkins"
    first = client.post(url, json={"code": _qr(app, reg)}, headers=_auth(token))
    assert first.status_code == 201, first.json
    body = first.json
    assert body["already"] is False and body["result"] == "checked_in"
    assert body["registration"]["reference"] == reg.reference
    assert body["registration"]["family_name"] == "山田"
    assert body["registration"]["organization"] == "株式会社東北テック"
    assert body["registration"]["ticket_type"]["name"] == "学生"
    assert body["session"]["id"] == event.sessions[0].id
    assert body["checked_in_by"]["name"] == "受付 花子"
    again = client.post(url, json={"code": reg.reference}, headers=_auth(token))
    assert again.status_code == 200
    assert again.json["already"] is True
    assert again.json["checked_in_at"] == body["checked_in_at"]
    assert again.json["checked_in_by"]["name"] == "受付 花子"
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_typed_reference_is_normalised(app, client):
    event, _organizer, token = _setup()
    regs = [factories.register(event).registration for _ in range(4)]
    url = f"/api/v1/events/{event.id}/checkins"
    full_width = regs[0].reference.translate(str.maketrans("0123456789-T", "０１２３４５６７８９－Ｔ"))
    typed = [full_width, regs[1].reference.lower(), regs[2].reference.replace("-", ""),
             regs[3].reference[1:]]
    for code, reg in zip(typed, regs, strict=True):
        answer = client.post(url, json={"code": code}, headers=_auth(token))
        assert answer.status_code == 201, (code, answer.json)
        assert answer.json["registration"]["id"] == reg.id


def test_refusals_409_and_404(app, client):
    event, _organizer, token = _setup(capacity=1)
    seated = factories.register(event).registration
    waiting = factories.register(event).registration
    cancelled = factories.register(factories.create_event(), commit=False).registration
    db.session.commit()
    registrations.cancel(seated, now=utcnow())  # the waiting one is promoted; cancel it too to test both
    db.session.commit()
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"
    other_waiting = factories.register(event).registration
    assert other_waiting.status == "waitlisted"
    url = f"/api/v1/events/{event.id}/checkins"

    r = client.post(url, json={"code": _qr(app, seated)}, headers=_auth(token))
    assert r.status_code == 409 and r.json["error"] == "cancelled" and r.json["reason"] == "cancelled"
    assert "registration" not in r.json
    r = client.post(url, json={"code": _qr(app, other_waiting)}, headers=_auth(token))
    assert r.status_code == 409 and r.json["reason"] == "waitlisted"
    r = client.post(url, json={"code": _qr(app, cancelled)}, headers=_auth(token))
    assert r.status_code == 409 and r.json["reason"] == "wrong_event"
    r = client.post(url, json={"code": cancelled.reference}, headers=_auth(token))
    assert r.status_code == 409 and r.json["reason"] == "wrong_event"
    forged = _qr(app, waiting)[:-4] + "0000"
    r = client.post(url, json={"code": forged}, headers=_auth(token))
    assert r.status_code == 404 and r.json["reason"] == "not_found"
    r = client.post(url, json={"code": f"T{event.id:04d}-999999"}, headers=_auth(token))
    assert r.status_code == 404
    r = client.post(url, json={"code": "hello"}, headers=_auth(token))
    assert r.status_code == 404
    # a reference naming a registration with the wrong event number is unknown, not someone else's
    r = client.post(url, json={"code": f"T{event.id + 50:04d}-{waiting.id:06d}"}, headers=_auth(token))
    assert r.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    # every scan is recorded with the staff member and the time, refusals too
    scans = db.session.scalars(select(AuditLog).where(AuditLog.action == "checkin.scanned")
                               .order_by(AuditLog.id)).all()
    assert [a.data["result"] for a in scans] == ["cancelled", "waitlisted", "wrong_event", "wrong_event",
                                                 "not_found", "not_found", "not_found", "not_found"]
    assert all(a.actor_id is not None and a.created_at is not None for a in scans)
    assert scans[4].data["code"] == forged and scans[2].registration_id is None


def test_bad_bodies(app, client):
    event, _organizer, token = _setup()
    other = factories.create_event()
    url = f"/api/v1/events/{event.id}/checkins"
    assert client.post(url, data="x", headers=_auth(token)).status_code == 400
    assert client.post(url, json={}, headers=_auth(token)).status_code == 422
    assert client.post(url, json={"code": 12}, headers=_auth(token)).status_code == 422
    assert client.post(url, json={"code": "x" * 500}, headers=_auth(token)).status_code == 422
    r = client.post(url, json={"code": "T1", "session_id": other.sessions[0].id}, headers=_auth(token))
    assert r.status_code == 404 and r.json["reason"] == "unknown_session"
    assert client.post(url, json={"code": "T1", "client_ref": "x" * 65}, headers=_auth(token)).status_code == 422
    assert client.post(url, json={"code": "T1", "client_ref": "a\x00b"}, headers=_auth(token)).status_code == 422
    r = client.post(url, json={"code": "T1\x00\x0c"}, headers=_auth(token))
    assert r.status_code == 404 and r.json["reason"] == "not_found"
    assert client.delete(f"{url}/1?session_id={other.sessions[0].id}", headers=_auth(token)).status_code == 404
    assert client.post("/api/v1/events/999999/checkins", json={"code": "T1"}, headers=_auth(token)).status_code == 404
    assert client.post(url, json={"code": "T1"}).status_code == 401


def test_session_choice_and_undo(app, client):
    now = utcnow()
    # Midnight in Japan today: the second session is "today" at the door whatever hour the suite runs
    # (an hour before now was yesterday in Japan when CI ran between 00:00 and 01:00 JST).
    jst_midnight = to_jst(now).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    event, _organizer, token = _setup(sessions=3, starts_at=jst_midnight - timedelta(days=1),
                                    registration_closes_at=now + timedelta(days=2))
    s1, s2, s3 = event.sessions  # yesterday, today, tomorrow (Japan time)
    reg = factories.register(event).registration
    url = f"/api/v1/events/{event.id}/checkins"
    today = client.post(url, json={"code": reg.reference}, headers=_auth(token))
    assert today.status_code == 201 and today.json["session"]["id"] == s2.id
    day3 = client.post(url, json={"code": reg.reference, "session_id": s3.id}, headers=_auth(token))
    assert day3.status_code == 201 and day3.json["session"]["id"] == s3.id

    undo = f"/api/v1/events/{event.id}/checkins/{reg.id}"
    assert client.delete(undo, headers=_auth(token)).status_code == 204
    assert client.delete(undo, headers=_auth(token)).status_code == 404
    assert client.delete(undo + f"?session_id={s3.id}", headers=_auth(token)).status_code == 204
    assert client.delete(undo + "?session_id=x", headers=_auth(token)).status_code == 400
    assert client.delete(f"/api/v1/events/{event.id}/checkins/999999", headers=_auth(token)).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("attendance.%"))
                                 .order_by(AuditLog.id)).all()
    assert actions == ["attendance.recorded", "attendance.recorded", "attendance.undone", "attendance.undone"]


def test_client_ref_is_accepted_once(app, client):
    event, _organizer, token = _setup()
    reg = factories.register(event).registration
    url = f"/api/v1/events/{event.id}/checkins"
    body = {"code": reg.reference, "client_ref": "0b7c6f1e-2a6e-4c36-9a63-4a0d2b0f4e11"}
    first = client.post(url, json=body, headers=_auth(token))
    replay = client.post(url, json=body, headers=_auth(token))
    assert first.status_code == 201 and replay.status_code == 201
    assert replay.json["replayed"] is True and replay.json["checked_in_at"] == first.json["checked_in_at"]
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "attendance.recorded")) == 1


def test_every_registration_in_the_api_carries_its_reference(app, client):
    event, _organizer, token = _setup()
    reg = factories.register(event).registration
    items = client.get(f"/api/v1/events/{event.id}/registrations", headers=_auth(token)).json["items"]
    assert items[0]["reference"] == reg.reference


# ---------------------------------------------------------------------------
# roles


def test_door_staff_token_checks_in_its_events_only_and_reads_nothing(app, client):
    event, organizer, _token = _setup()
    other = factories.create_event(status="draft")
    door = factories.create_organizer(role=Role.CHECKIN, display_name="ドア 係")
    door_token = factories.create_api_token(door)
    reg = factories.register(event).registration
    url = f"/api/v1/events/{event.id}/checkins"

    assert client.post(url, json={"code": reg.reference}, headers=_auth(door_token)).status_code == 403
    checkin.assign(door, event, actor=organizer, now=utcnow())
    db.session.commit()
    answer = client.post(url, json={"code": reg.reference}, headers=_auth(door_token))
    assert answer.status_code == 201 and answer.json["checked_in_by"]["name"] == "ドア 係"
    assert client.delete(f"{url}/{reg.id}", headers=_auth(door_token)).status_code == 204
    assert client.post(f"/api/v1/events/{other.id}/checkins", json={"code": "T1"},
                       headers=_auth(door_token)).status_code == 403

    # nothing else: registrant lists, creating events, drafts
    assert client.get(f"/api/v1/events/{event.id}/registrations", headers=_auth(door_token)).status_code == 403
    assert client.post("/api/v1/events", json={"title": "x"}, headers=_auth(door_token)).status_code == 403
    assert client.get(f"/api/v1/events/{other.id}", headers=_auth(door_token)).status_code == 404
    assert client.get("/api/v1/events?status=draft", headers=_auth(door_token)).status_code == 400


def test_viewer_token_cannot_check_in(app, client):
    event = factories.create_event()
    viewer = factories.create_organizer(role=Role.VIEWER)
    token = factories.create_api_token(viewer)
    reg = factories.register(event).registration
    r = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": reg.reference}, headers=_auth(token))
    assert r.status_code == 403
    assert client.get(f"/api/v1/events/{event.id}/registrations", headers=_auth(token)).status_code == 200


def test_a_session_id_sent_as_a_whole_float_is_that_session(app, client):
    event, _organizer, token = _setup()
    reg = factories.register(event).registration
    r = client.post(f"/api/v1/events/{event.id}/checkins",
                    data=f'{{"code": "{reg.reference}", "session_id": {event.sessions[0].id}.0}}',
                    content_type="application/json", headers=_auth(token))
    assert r.status_code == 201 and r.json["session"]["id"] == event.sessions[0].id
