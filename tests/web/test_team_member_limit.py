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


def test_fewest_and_most_members_per_team_never_leave_a_registered_team_outside(app):
    """Raising the fewest or lowering the most below a registered team's members is refused (the
    field names the teams and their size); a cancelled team no longer counts."""
    import pytest

    from app.db_types import utcnow
    from app.models import Event
    from app.services import events, registrations
    from app.services.errors import ValidationError

    event = factories.create_event(team_mode="team", team_min_members=2, team_max_members=6,
                                   ticket_types=[("高校の部", 8)])
    small = factories.register(event, 1, team=factories.team_data(name="A", members=3)).registration
    factories.register(event, 2, team=factories.team_data(name="B", members=5))
    with pytest.raises(ValidationError) as refused:
        events.update_event(event, {"team_min_members": 4, "team_max_members": 4}, None, utcnow())
    db.session.rollback()
    assert refused.value.errors["team_min_members"] == [
        "登録済みのチームのうち1チームはメンバーがこれより少なくなっています（最少3名）。"
        "先にメンバーを追加してもらうか、より小さい数にしてください。"]
    assert refused.value.errors["team_max_members"] == [
        "登録済みのチームのうち1チームはメンバーがこれより多くなっています（最多5名）。"
        "先にメンバーを減らしてもらうか、より大きい数にしてください。"]
    event = db.session.get(Event, event.id)
    assert (event.team_min_members, event.team_max_members) == (2, 6)
    events.update_event(event, {"team_max_members": 5}, None, utcnow())  # every team still fits
    registrations.cancel(small, now=utcnow())
    events.update_event(event, {"team_min_members": 4}, None, utcnow())  # the team of 3 is cancelled
    db.session.commit()
    event = db.session.get(Event, event.id)
    assert (event.team_min_members, event.team_max_members) == (4, 5)
