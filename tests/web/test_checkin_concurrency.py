"""Two phones at the door, double scans, queued scans sent twice: each registrant is checked in once.

Through the running app over HTTP (threads); run against PostgreSQL with
TEST_DATABASE_URL (row locks of services.locks), and against SQLite.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

from sqlalchemy import func, select

from app.domain.codes import Role
from app.extensions import db
from app.models import Attendance, AuditLog, Registration
from app.services import checkin, tickets
from tests import factories
from tests.concurrency import fire_at_once
from tests.races import assert_no_breach

REGISTRANTS = 12
SCANS_PER_PHONE = 3  # each phone scans every 受付票 three times (double scans)


def _post(url: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_two_phones_scanning_the_same_tickets_check_each_in_once(app, live_server):
    from app.db_types import utcnow

    event = factories.create_event(capacity=None)
    regs = [factories.register(event, commit=False).registration for _ in range(REGISTRANTS)]
    db.session.commit()
    door = factories.create_organizer(role=Role.CHECKIN, display_name="入口A")
    checkin.assign(door, event, actor=None, now=utcnow())
    db.session.commit()
    phone_a = factories.create_api_token(door)
    phone_b = factories.create_api_token(factories.create_organizer(display_name="入口B"))
    secret = app.config["SECRET_KEY"]
    codes = {r.id: tickets.ticket_code(r, secret) for r in regs}
    event_id = event.id
    url = f"{live_server.url}/api/v1/events/{event_id}/checkins"
    # A queued scan (the same client_ref) sent by both phones' retries at once.
    shared_ref = str(uuid.uuid4())
    payloads = []
    for _ in range(SCANS_PER_PHONE):
        for reg_id, code in codes.items():
            payloads.append((phone_a, {"code": code}, reg_id))
            payloads.append((phone_b, {"code": code}, reg_id))
    extra_id = regs[0].id
    payloads += [(phone_a, {"code": codes[extra_id], "client_ref": shared_ref}, extra_id),
                 (phone_b, {"code": codes[extra_id], "client_ref": shared_ref}, extra_id)]
    db.session.rollback()  # leave the database to the server's threads

    answers = fire_at_once(lambda p: (p[2], *_post(url, p[0], p[1])), payloads, 8)

    assert {status for _, status, _ in answers} <= {200, 201}, sorted({s for _, s, _ in answers})
    firsts = [reg_id for reg_id, status, body in answers if status == 201 and not body.get("replayed")]
    assert sorted(firsts) == sorted(codes), "each registrant checked in exactly once"
    for _reg_id, status, body in answers:
        if status == 200:
            assert body["already"] is True and body["checked_in_by"]["name"] in ("入口A", "入口B")

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == REGISTRANTS
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "attendance.recorded")) == REGISTRANTS
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.checked_in_at.is_not(None))) == REGISTRANTS
    assert_no_breach()
