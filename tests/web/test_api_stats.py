"""Statistics in the API: GET /api/v1/events/{id}/stats and /api/v1/stats/fiscal-years."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.db_types import utcnow
from app.domain import dates
from app.extensions import db
from app.models import Attendance
from app.services import registrations
from tests import factories


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def viewer_token(create_organizer):
    return factories.create_api_token(create_organizer(role="viewer"))


def test_event_stats_interface(client, viewer_token):
    event = factories.create_event(capacity=2, ticket_types=[("一般", 2)])
    regs = [factories.register(event, organization=f"会社{i % 2}").registration for i in range(4)]
    registrations.cancel(regs[0], now=utcnow())  # the first waiting one is promoted
    db.session.add(Attendance(event_id=event.id, session_id=event.sessions[0].id, registration_id=regs[1].id,
                              method="door", attended_at=utcnow()))
    db.session.commit()
    assert client.get(f"/api/v1/events/{event.id}/stats").status_code == 401
    r = client.get(f"/api/v1/events/{event.id}/stats", headers=bearer(viewer_token))
    assert r.status_code == 200
    body = r.json
    assert (body["applied"], body["confirmed"], body["waitlisted"], body["cancelled"], body["attended"]) == (4, 2, 1, 1, 1)
    assert body["by_ticket_type"] == {str(event.ticket_types[0].id): 2}
    assert body["by_organization_type"] == {"company": 2}
    assert body["by_prefecture"] == {"04": 2}
    assert body["attendance_rate"] == 0.5
    assert body["over_time"][-1]["cumulative"] == 4
    assert client.get("/api/v1/events/999999/stats", headers=bearer(viewer_token)).status_code == 404


def test_fiscal_years_interface(client, viewer_token):
    for start in (dates.jst_datetime(2021, 7, 12, 13), dates.jst_datetime(2022, 1, 20, 13),
                  dates.jst_datetime(2023, 11, 10, 10)):
        event = factories.create_event(starts_at=start, capacity=None, registration_opens_at=start - timedelta(days=30),
                                       registration_closes_at=start - timedelta(days=1))
        factories.register(event, email="same@example.jp", now=start - timedelta(days=5))
        event.status = "finished"
    db.session.commit()
    r = client.get("/api/v1/stats/fiscal-years?from=2021&to=2023", headers=bearer(viewer_token))
    assert r.status_code == 200
    rows = r.json["fiscal_years"]
    assert [(x["fiscal_year"], x["label"], x["events"], x["applicants"]) for x in rows] == [
        (2021, "令和3年度", 2, 2), (2022, "令和4年度", 0, 0), (2023, "令和5年度", 1, 1)]
    assert [x["repeat_participants"] for x in rows] == [1, 0, 1]
    assert r.json["total"]["distinct_people"] == 1
    en = client.get("/api/v1/stats/fiscal-years?from=2021&to=2021", headers={**bearer(viewer_token),
                                                                             "Accept-Language": "en"})
    assert en.json["fiscal_years"][0]["label"] == "FY2021 (Reiwa 3)"
    assert client.get("/api/v1/stats/fiscal-years?from=2021&to=2023&category=workshop",
                      headers=bearer(viewer_token)).json["total"]["events"] == 0


@pytest.mark.parametrize("query, field", [
    ("from=2023&to=2021", "from"), ("from=abc", "from"), ("to=٢٠٢١", "to"), ("from=1000&to=2021", "from"),
    ("from=1901&to=2100", "from"), ("category=party", "category"), ("prefecture=48", "prefecture"), ("=null", ""),
    ("series=x", "series"), ("format=zoom", "format"), ("category=%1E", "category"), ("prefecture=%1F04", "prefecture"),
])
def test_fiscal_years_bad_parameters_are_400_by_field(client, viewer_token, query, field):
    r = client.get(f"/api/v1/stats/fiscal-years?{query}", headers=bearer(viewer_token))
    assert r.status_code == 400
    assert field in r.json["errors"]


def test_fiscal_years_default_range_runs_to_the_current_year(client, viewer_token):
    rows = client.get("/api/v1/stats/fiscal-years", headers=bearer(viewer_token)).json["fiscal_years"]
    assert rows[-1]["fiscal_year"] == dates.fiscal_year(utcnow())


def test_planned_events_are_not_counted_as_held(client, viewer_token):
    factories.create_event()  # published, starts in 30 days: planned, not held
    rows = client.get("/api/v1/stats/fiscal-years", headers=bearer(viewer_token)).json
    assert rows["total"]["events"] == 0
