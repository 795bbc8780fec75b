"""The registration form never oversells: many people press "register" at the same moment (HTTP, threads)."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.models import Registration, TicketType
from tests.concurrency import fire_at_once
from tests.races import assert_no_breach
from tests.web.test_registration import form_data

CLIENTS = 16
REQUESTS = 60
SEATS = 10


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # keep the 303 (success) apart from the 200 (form shown again)


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, data: dict) -> tuple[int, str]:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with _opener.open(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_many_simultaneous_form_registrations_never_oversell(live_server, create_event):
    event = create_event(capacity=SEATS, waitlist_enabled=False)
    event_id, ticket_type_id = event.id, event.ticket_types[0].id
    # The final step of the form (the review page's "register" button), with every field.
    url = f"{live_server.url}/events/{event.slug}/register/confirm"
    forms = [{**form_data(event, 5000 + i), "action": "register"} for i in range(REQUESTS)]
    db.session.rollback()  # leave the database to the server's threads

    answers = fire_at_once(lambda body: _post(url, body), forms, CLIENTS)

    codes = sorted(code for code, _html in answers)
    assert codes.count(303) == SEATS, codes
    assert codes.count(200) == REQUESTS - SEATS, codes
    # Everyone refused was told the event is full, on the form, with what they typed.
    refused = [html for code, html in answers if code == 200]
    assert all("満席" in html and 'value="山田"' in html for html in refused)

    db.session.expire_all()
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == "confirmed"))
    assert confirmed == SEATS
    assert db.session.get(TicketType, ticket_type_id).confirmed_count == SEATS
    assert db.session.scalar(select(func.count()).select_from(Registration)) == SEATS
    db.session.rollback()
    assert_no_breach()  # what `flask check` checks
