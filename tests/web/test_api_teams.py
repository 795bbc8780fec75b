"""The API's teams (issue 11): POST a team registration with its division, GET a registration's team,
an event's teams (names for editors, counts for viewers), and team capacity per division under many
simultaneous registrations (run on SQLite and on PostgreSQL)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.models import Registration, Team, TeamMember, TicketType
from tests import factories
from tests.concurrency import fire_at_once
from tests.races import assert_no_breach


def _debate(create_event, high=2, middle=2, **fields):
    return create_event(title="省エネ政策提案型パブリック・ディベートコンテスト", team_mode="team",
                        team_min_members=3, team_max_members=6, waitlist_enabled=False,
                        team_consent_text="学校長の同意を得てください。",
                        ticket_types=[("高校の部", high), ("中学の部", middle)], **fields)


def _team_payload(event, n, division="高校の部", members=4, **team):
    data = factories.registration_data(event, n, organization=f"宮城県立第{n}高等学校",
                                       organization_type="other", job_title="教諭")
    data.pop("ticket_type_id")
    data["team"] = {"division": division, **factories.team_data(name=f"チーム{n}", members=members), **team}
    return data


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_team_registers_by_division_name(client, create_event):
    event = _debate(create_event)
    high, middle = (tt.id for tt in event.ticket_types)
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=_team_payload(event, 1))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["ticket_type_id"] == high
    assert body["team"]["name"] == "チーム1" and body["team"]["division"] == "高校の部"
    assert body["team"]["member_count"] == 4
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=_team_payload(event, 2, division="中学"))
    assert r.status_code == 201 and r.get_json()["ticket_type_id"] == middle
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=_team_payload(event, 3, division=middle))
    assert r.status_code == 201 and r.get_json()["ticket_type_id"] == middle


def test_team_input_errors_are_named_by_field(client, create_event):
    event = _debate(create_event)
    payload = _team_payload(event, 1, division="小学の部", members=2, consent=False)
    payload["team"]["members"][0]["given_name"] = ""
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=payload)
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert {"team.division", "team.consent", "team.members", "team.members.0.given_name"} <= set(errors)
    plain = factories.registration_data(event, 2)
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=plain)
    assert r.status_code == 422 and "team" in r.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_teams_for_organizers_names_only_for_editors(client, create_event, create_organizer):
    event = _debate(create_event)
    reg_id = client.post(f"/api/v1/events/{event.id}/registrations", json=_team_payload(event, 1)).get_json()["id"]
    editor = factories.create_api_token(create_organizer(role="organizer"))
    viewer = factories.create_api_token(create_organizer(role="viewer"))

    r = client.get(f"/api/v1/registrations/{reg_id}", headers=_auth(editor))
    team = r.get_json()["team"]
    assert team["name"] == "チーム1" and team["division"] == "高校の部" and team["member_count"] == 4
    assert [m["family_name"] for m in team["members"]] == ["佐藤"] * 4
    assert "email" not in team["members"][0] and "phone" not in team["members"][0]

    r = client.get(f"/api/v1/events/{event.id}/teams", headers=_auth(viewer))
    body = r.get_json()
    assert body["items"][0]["members"] is None and body["items"][0]["member_count"] == 4
    assert "佐藤" not in r.get_data(as_text=True)
    assert [(d["name"], d["teams"], d["members"]) for d in body["divisions"]] == [("高校の部", 1, 4), ("中学の部", 0, 0)]
    r = client.get(f"/api/v1/events/{event.id}/teams", headers=_auth(editor))
    assert r.get_json()["items"][0]["members"][0]["given_name"] == "花子"
    listed = client.get(f"/api/v1/events/{event.id}/registrations", headers=_auth(viewer)).get_json()
    assert listed["items"][0]["team"]["member_count"] == 4 and listed["items"][0]["team"]["members"] is None
    assert client.get(f"/api/v1/events/{event.id}/teams").status_code == 401


def _post(url: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_team_capacity_per_division_holds_under_simultaneous_registrations(live_server, create_event):
    """24 teams at once for 3 高校 and 2 中学 seats, and at most 14 members in 高校: never oversold."""
    event = _debate(create_event, high=3, middle=2)
    high, middle = (tt.id for tt in event.ticket_types)
    db.session.get(TicketType, high).member_capacity = 14
    db.session.commit()
    url = f"{live_server.url}/api/v1/events/{event.id}/registrations"
    payloads = [_team_payload(event, 500 + i, division="高校の部" if i % 2 else "中学の部", members=3 + i % 4)
                for i in range(24)]
    db.session.rollback()  # leave the database to the server's threads

    answers = fire_at_once(lambda body: _post(url, body), payloads, 8)

    codes = [code for code, _body in answers]
    assert set(codes) <= {201, 409}, answers
    assert {body["error"] for code, body in answers if code == 409} == {"full"}
    db.session.expire_all()
    per_division = dict(db.session.execute(
        select(Registration.ticket_type_id, func.count()).where(Registration.event_id == event.id,
                                                                Registration.status == "confirmed")
        .group_by(Registration.ticket_type_id)).all())
    assert per_division[middle] == 2
    assert 1 <= per_division[high] <= 3
    high_members = db.session.scalar(select(func.count(TeamMember.id)).join(Team).join(
        Registration, Team.registration_id == Registration.id).where(Registration.ticket_type_id == high))
    assert high_members <= 14
    assert db.session.get(TicketType, high).confirmed_count == per_division[high]
    assert codes.count(201) == per_division[high] + per_division[middle]
    assert db.session.scalar(select(func.count()).select_from(Team)) == codes.count(201)
    assert_no_breach()


def test_a_division_that_cannot_be_looked_up_is_a_field_error(client, create_event):
    event = _debate(create_event)
    for division in ("高校\x00の部", "\ud800", ["高校の部"], True, 2**40):
        r = client.post(f"/api/v1/events/{event.id}/registrations", json=_team_payload(event, 1, division=division))
        assert r.status_code == 422, (division, r.get_json())
        assert "team.division" in r.get_json()["errors"]
