"""The organizer's 参加枠 form refuses a member limit below the members of its confirmed teams, with
the message next to the field and the value typed kept (as for a capacity below the confirmed)."""
from __future__ import annotations

from app.extensions import db
from app.models import TicketType
from tests import factories


def test_a_member_limit_below_the_confirmed_teams_members_is_refused_next_to_the_field(client, login,
                                                                                      create_organizer):
    event = factories.create_event(team_mode="team", team_min_members=3, team_max_members=5,
                                   ticket_types=[("高校の部", 8), ("中学の部", 8)])
    high = event.ticket_types[0]
    factories.register(event, 1, ticket_type_id=high.id, team=factories.team_data(name="A", members=4))
    factories.register(event, 2, ticket_type_id=high.id, team=factories.team_data(name="B", members=3))
    login(create_organizer(role="organizer"))
    url = f"/organizer/events/{event.id}/tickets/{high.id}/edit"
    page = client.get(url).text
    assert "参加確定チームのメンバー：7名" in page
    r = client.post(url, data={"name": "高校の部", "capacity": "8", "member_capacity": "6"})
    assert r.status_code == 422
    page = r.text
    assert 'id="member_capacity-error"' in page
    assert "参加確定チームのメンバーが7名いるため、メンバー数の上限をそれより少なくできません。" in page
    assert 'name="member_capacity"' in page and 'value="6"' in page
    db.session.expire_all()
    assert db.session.get(TicketType, high.id).member_capacity is None
    r = client.post(url, data={"name": "高校の部", "capacity": "8", "member_capacity": "7"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(TicketType, high.id).member_capacity == 7
