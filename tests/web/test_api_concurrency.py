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
from tests.races import assert_no_breach

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
    assert_no_breach()  # what `flask check` checks


def test_simultaneous_registrations_are_told_distinct_places_in_the_order_of_promotion(live_server, create_event):
    """200 at once for 20 seats: every place told is unique, and people are promoted in that order."""
    from app.db_types import utcnow
    from app.services import registrations

    seats, requests = 20, 200
    event = create_event(capacity=seats, waitlist_enabled=True)
    event_id = event.id
    url = f"{live_server.url}/api/v1/events/{event_id}/registrations"
    payloads = [factories.registration_data(event, 7000 + i) for i in range(requests)]
    db.session.rollback()

    answers = fire_at_once(lambda body: _post(url, body), payloads, CLIENTS)

    assert sorted(code for code, _ in answers) == [201] * requests
    told = {body["id"]: body["waitlist_position"] for _, body in answers if body["status"] == "waitlisted"}
    assert sum(1 for _, body in answers if body["status"] == "confirmed") == seats
    assert sorted(told.values()) == list(range(1, requests - seats + 1)), "a place was told twice"

    # Free the seats one by one: the waiting list moves up in exactly the order people were told.
    by_place = [reg_id for reg_id, _ in sorted(told.items(), key=lambda item: item[1])]
    confirmed = db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status == "confirmed").order_by(Registration.id)).all()
    promoted = []
    for registration in confirmed[:10]:
        registrations.cancel(registration, now=utcnow())
        db.session.commit()
        promoted += db.session.scalars(select(Registration.id).where(
            Registration.event_id == event_id, Registration.status == "confirmed",
            Registration.id.in_(by_place), Registration.id.not_in(promoted))).all()
    assert promoted == by_place[:10]
    assert_no_breach()  # what `flask check` checks
