"""Teams and the invariants: `flask check`'s teams rule (sizes within the event's minimum and
maximum, a 参加枠's confirmed members within its member limit), and a 参加枠's member limit that
cannot be lowered below the members of its confirmed teams (as its capacity cannot go below the
confirmed registrations)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog, Registration, Team, TeamMember, TicketType
from app.services import events as event_service
from app.services import invariants, registrations, teams
from app.services.errors import ValidationError
from tests import factories
from tests.races import assert_no_breach


def _debate(**fields):
    fields.setdefault("team_mode", "team")
    fields.setdefault("team_min_members", 3)
    fields.setdefault("team_max_members", 5)
    return factories.create_event(ticket_types=[("高校の部", None), ("中学の部", None)], **fields)


def _team(event, name, members, ticket_type=0):
    return factories.register(event, ticket_type_id=event.ticket_types[ticket_type].id,
                              team=factories.team_data(name=name, members=members)).registration


def _rules(found, rule):
    return [b for b in found if b.rule == rule]


# --- flask check ----------------------------------------------------------------------------


def test_check_reports_a_team_outside_the_events_minimum_and_maximum(app, runner):
    event = _debate()
    small = _team(event, "仙台第一高校A", 3)
    large = _team(event, "石巻高校B", 5)
    assert runner.invoke(args=["check"]).exit_code == 0
    # Behind the services' back: a member removed from one team, two added to the other.
    small_team, large_team = teams.team_of(small.id), teams.team_of(large.id)
    db.session.delete(small_team.members[-1])
    large_team.members.extend([TeamMember(position=5 + i, family_name="追加", given_name=str(i)) for i in range(2)])
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"[team_size] event {event.id}, team {small_team.id} (registration {small.id}): 2 members, " \
           "the event allows 3 to 5" in result.output
    assert f"team {large_team.id} (registration {large.id}): 7 members" in result.output
    # A cancelled team is no longer held to it.
    registrations.cancel(small, now=utcnow())
    db.session.commit()
    found = _rules(invariants.breaches(event.id), "team_size")
    assert [str(b) for b in found] == [f"[team_size] event {event.id}, team {large_team.id} (registration "
                                       f"{large.id}): 7 members, the event allows 3 to 5"]


def test_check_reports_confirmed_members_above_the_member_limit(app, runner):
    event = _debate()
    high = event.ticket_types[0]
    high.member_capacity = 8
    db.session.commit()
    _team(event, "A", 4)
    b = _team(event, "B", 4)
    _team(event, "中学A", 5, ticket_type=1)  # another 参加枠, without a limit
    assert_no_breach()
    db.session.get(TicketType, high.id).member_capacity = 7  # behind the services' back
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"[team_members] event {event.id}, 参加枠 {high.id} (高校の部): 8 members in its confirmed teams " \
           "for a limit of 7" in result.output
    # A team an organizer placed past capacity is recorded, as for seats.
    db.session.get(Registration, b.id).capacity_override = True
    db.session.commit()
    assert _rules(invariants.breaches(event.id), "team_members") == []


def test_a_waiting_team_does_not_count_against_the_member_limit(app):
    event = _debate()
    high = event.ticket_types[0]
    high.member_capacity = 8
    db.session.commit()
    _team(event, "A", 5)
    waiting = _team(event, "B", 4)
    assert waiting.status == "waitlisted"  # 5 + 4 > 8: the line waits for members
    assert_no_breach()


def test_a_healthy_demo_passes_the_teams_rule(app, runner):
    from app.demo.generator import load_demo

    load_demo(now=datetime(2026, 6, 1, 3, 0, tzinfo=UTC), seed=7)
    db.session.commit()
    checked = db.session.scalar(select(func.count(Team.id)).join(Registration, Registration.id == Team.registration_id)
                                .where(Registration.status.in_(invariants.ACTIVE)))
    assert checked >= 8  # the debate contest's teams are there to be checked
    assert _rules(invariants.breaches(), "team_size") == []
    assert _rules(invariants.breaches(), "team_members") == []
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output


# --- the member limit cannot go below the confirmed teams' members -------------------------------


def _edit(tt, **changes):
    data = {"name": tt.name, "description": tt.description, "capacity": tt.capacity,
            "member_capacity": tt.member_capacity, **changes}
    return event_service.update_ticket_type(tt, data, None, utcnow())


def test_the_member_limit_is_never_set_below_the_confirmed_teams_members(app):
    event = _debate()
    high = event.ticket_types[0]
    a = _team(event, "A", 5)
    _team(event, "B", 4)
    _team(event, "中学A", 5, ticket_type=1)  # not this 参加枠's
    with pytest.raises(ValidationError) as exc:
        _edit(high, member_capacity=8)
    assert exc.value.errors == {"member_capacity": [
        "参加確定チームのメンバーが9名いるため、メンバー数の上限をそれより少なくできません。"]}
    db.session.rollback()
    assert db.session.get(TicketType, high.id).member_capacity is None
    _edit(db.session.get(TicketType, high.id), member_capacity=9)  # exactly the members: allowed
    db.session.commit()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.ticket_type_updated")
                              .order_by(AuditLog.id.desc()))
    assert entry.data["member_capacity_from"] is None and entry.data["member_capacity_to"] == 9
    registrations.cancel(a, now=utcnow())  # a cancelled team's members no longer count
    db.session.commit()
    _edit(db.session.get(TicketType, high.id), member_capacity=4)
    db.session.commit()
    assert db.session.get(TicketType, high.id).member_capacity == 4
    _edit(db.session.get(TicketType, high.id), member_capacity=None)  # no limit
    db.session.commit()
    assert_no_breach()


# --- restore and move respect the member limit --------------------------------------------------


def test_restoring_a_team_whose_members_no_longer_fit_puts_it_in_line(app):
    event = _debate(waitlist_enabled=True)
    high = event.ticket_types[0]
    high.member_capacity = 8
    db.session.commit()
    a = _team(event, "A", 4)
    _team(event, "B", 4)
    registrations.cancel(a, now=utcnow())
    _team(event, "C", 4)  # takes A's members' room
    staff = factories.create_organizer()
    restored = registrations.restore(db.session.get(Registration, a.id), now=utcnow(), actor=staff)
    db.session.commit()
    assert restored.status == "waitlisted"
    assert teams.members_confirmed(high.id) == 8
    assert_no_breach()


def test_moving_a_confirmed_team_needs_room_for_its_members(app):
    from app.services.errors import Full

    event = _debate()
    high, middle = event.ticket_types
    middle.member_capacity = 6
    db.session.commit()
    _team(event, "中学A", 3, ticket_type=1)
    big = _team(event, "A", 4)
    staff = factories.create_organizer()
    with pytest.raises(Full):  # 3 + 4 > 6
        registrations.move(db.session.get(Registration, big.id), db.session.get(TicketType, middle.id),
                           now=utcnow(), actor=staff)
    db.session.rollback()
    small = _team(event, "B", 3)
    registrations.move(db.session.get(Registration, small.id), db.session.get(TicketType, middle.id),
                       now=utcnow(), actor=staff)
    db.session.commit()
    assert teams.members_confirmed(middle.id) == 6
    assert_no_breach()


def test_check_reports_a_hackathon_team_above_the_events_maximum(app, runner):
    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", sessions=2,
                                   team_min_members=3, team_max_members=3)
    regs = [factories.register(event).registration for _ in range(4)]
    team = teams.organizer_assign(event.id, [r.id for r in regs[:2]], team_id=None, new_name="チームX",
                                  now=utcnow(), actor=None)
    db.session.commit()
    assert _rules(invariants.breaches(event.id), "team_size") == []  # two of three: the fewest binds no one
    # Behind the services' back: two more members in a team of at most three.
    team.members.extend([TeamMember(registration_id=r.id, position=5 + i) for i, r in enumerate(regs[2:])])
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"[team_size] event {event.id}, hackathon team {team.id}: 4 members, the event allows 3 at most" \
        in result.output
