"""Capacity holds when many clients register at once through the running app (HTTP, threads)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.models import Registration, TicketType
from tests import factories
from tests.concurrency import fire_at_once

CLIENTS = 16
REQUESTS = 60
SEATS = 10


def _post(url: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_many_simultaneous_api_registrations_never_oversell(live_server, create_event):
    event = create_event(capacity=SEATS, waitlist_enabled=False)
    event_id, ticket_type_id = event.id, event.ticket_types[0].id
    url = f"{live_server.url}/api/v1/events/{event_id}/registrations"
    payloads = [factories.registration_data(event, 9000 + i) for i in range(REQUESTS)]
    db.session.rollback()  # leave the database to the server's threads

    answers = fire_at_once(lambda body: _post(url, body), payloads, CLIENTS)

    codes = sorted(code for code, _body in answers)
    assert codes.count(201) == SEATS, codes
    assert codes.count(409) == REQUESTS - SEATS, codes
    assert {body["error"] for code, body in answers if code == 409} == {"full"}
    assert {body["status"] for code, body in answers if code == 201} == {"confirmed"}

    db.session.expire_all()
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == "confirmed"))
    assert confirmed == SEATS
    assert db.session.get(TicketType, ticket_type_id).confirmed_count == SEATS
    assert db.session.scalar(select(func.count()).select_from(Registration)) == SEATS
