"""Teams (issue 11): a team registration is one registration with named members; capacity counts
teams per division (参加枠) and optionally members; members change until a deadline (audited);
their names are erased after the event (counts kept); hackathon teams by invite code."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain import teams as team_rules
from app.domain.teams import CleanMember, team_public_name
from app.extensions import db
from app.models import AuditLog, Registration, Team, TeamMember, TicketType
from app.services import teams
from app.services.errors import Full, ServiceError
from tests import factories
from tests.races import assert_no_breach


def _debate(**fields):
    fields.setdefault("team_mode", "team")
    fields.setdefault("team_min_members", 3)
    fields.setdefault("team_max_members", 6)
    fields.setdefault("team_consent_text", "学校長または保護者の同意を得てください。")
    return factories.create_event(ticket_types=[("高校の部", 2), ("中学の部", 2)], waitlist_enabled=False, **fields)


def _members(n, grade="高校1年"):
    return [CleanMember(family_name="生徒", given_name=f"{i}", grade=grade) for i in range(n)]


def test_a_team_is_one_registration_taking_one_seat_of_its_division(app):
    event = _debate()
    high, middle = event.ticket_types
    result = factories.register(event, ticket_type_id=high.id, team=factories.team_data(members=4))
    reg = result.registration
    assert reg.status == "confirmed"
    team = db.session.scalar(select(Team).where(Team.registration_id == reg.id))
    assert team.name == "仙台第一高校A" and len(team.members) == 4
    assert [m.grade for m in team.members] == ["高校2年"] * 4
    assert team.members[0].family_name_kana == "サトウ"  # stored in katakana
    assert db.session.get(TicketType, high.id).confirmed_count == 1
    assert db.session.get(TicketType, middle.id).confirmed_count == 0
    assert team_public_name(reg) == "仙台第一高校A"
    assert_no_breach()


def test_divisions_fill_by_teams_not_members(app):
    event = _debate()
    high, middle = (tt.id for tt in event.ticket_types)
    for i in range(2):
        factories.register(event, ticket_type_id=high, team=factories.team_data(name=f"高校{i}", members=6))
    with pytest.raises(Full):
        factories.register(event, ticket_type_id=high, team=factories.team_data(name="高校3"))
    db.session.rollback()
    assert factories.register(event, ticket_type_id=middle, team=factories.team_data(
        name="中学A", grade="中学3年")).registration.status == "confirmed"


def test_member_capacity_per_division_counts_members_of_confirmed_teams(app):
    event = _debate()
    high = event.ticket_types[0]
    high.capacity = None
    high.member_capacity = 8
    db.session.commit()
    factories.register(event, ticket_type_id=high.id, team=factories.team_data(name="A", members=5))
    with pytest.raises(Full):  # 5 + 4 > 8, no waiting list
        factories.register(event, ticket_type_id=high.id, team=factories.team_data(name="B", members=4))
    db.session.rollback()
    assert factories.register(event, ticket_type_id=high.id, team=factories.team_data(
        name="C", members=3)).registration.status == "confirmed"
    assert teams.members_confirmed(high.id) == 8


def test_a_team_event_refuses_a_person_without_team_and_others_refuse_teams(app):
    event = _debate()
    with pytest.raises(ServiceError) as exc:
        factories.register(event)
    assert exc.value.code == "invalid_team"
    db.session.rollback()
    plain = factories.create_event()
    with pytest.raises(ServiceError):
        factories.register(plain, team=factories.team_data())


def test_team_rules_check_member_counts_and_consent():
    rules = team_rules.TeamRules(min_members=3, max_members=5, consent_required=True)
    _team, errors = team_rules.clean_team(factories.team_data(members=2, consent=False), rules)
    assert errors["team.members"] == team_rules.MESSAGES["too_few"]
    assert errors["team.consent"] == team_rules.MESSAGES["team_consent"]
    _team, errors = team_rules.clean_team(factories.team_data(members=6), rules)
    assert errors["team.members"] == team_rules.MESSAGES["too_many"]
    raw = factories.team_data(members=3)
    raw["members"][1]["given_name"] = ""
    raw["members"][2]["family_name_kana"] = "abc"
    _team, errors = team_rules.clean_team(raw, rules)
    assert set(errors) == {"team.members.1.given_name", "team.members.2.family_name_kana"}
    team, errors = team_rules.clean_team(factories.team_data(members=3), rules)
    assert errors == {} and len(team.members) == 3


def test_members_change_until_the_deadline_and_are_audited_without_names(app):
    event = _debate()
    reg = factories.register(event, ticket_type_id=event.ticket_types[0].id,
                             team=factories.team_data(members=4)).registration
    now = utcnow()
    teams.update_members(reg, _members(5), now=now)
    db.session.commit()
    team = teams.team_of(reg.id)
    assert [m.family_name for m in team.members] == ["生徒"] * 5
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "team.members_changed"))
    assert entry.registration_id == reg.id and entry.actor_label == "registrant"
    assert entry.data == {"team_id": team.id, "members_before": 4, "members_after": 5}
    assert "生徒" not in str(entry.data)  # names never outlive the erasure in the audit log

    event.team_edit_closes_at = now + timedelta(days=1)
    db.session.commit()
    with pytest.raises(ServiceError) as exc:
        teams.update_members(reg, _members(3), now=now + timedelta(days=2))
    assert exc.value.code == "edit_closed"
    db.session.rollback()
    staff = factories.create_organizer()
    teams.update_members(reg, _members(3), now=now + timedelta(days=2), actor=staff)  # staff may, past it
    db.session.commit()
    assert len(teams.team_of(reg.id).members) == 3


def test_members_edit_respects_the_member_capacity(app):
    event = _debate()
    high = event.ticket_types[0]
    high.member_capacity = 9
    db.session.commit()
    a = factories.register(event, ticket_type_id=high.id, team=factories.team_data(name="A", members=5)).registration
    factories.register(event, ticket_type_id=high.id, team=factories.team_data(name="B", members=4))
    with pytest.raises(Full):
        teams.update_members(a, _members(6), now=utcnow())
    db.session.rollback()


def test_erasure_job_removes_members_names_and_keeps_counts(app):
    from app import jobs

    start = utcnow() - timedelta(days=40)
    event = _debate(starts_at=start, registration_opens_at=start - timedelta(days=30),
                    registration_closes_at=start + timedelta(days=1), team_erase_days=30)
    high, middle = (tt.id for tt in event.ticket_types)
    now = start - timedelta(days=1)
    factories.register(event, ticket_type_id=high, now=now, team=factories.team_data(name="高校A", members=4))
    factories.register(event, ticket_type_id=middle, now=now, team=factories.team_data(name="中学A", members=3,
                                                                                       grade="中学2年"))
    other = _debate(team_erase_days=30)  # not over yet: kept
    factories.register(other, ticket_type_id=other.ticket_types[0].id, team=factories.team_data(name="未来"))
    before = teams.division_counts(event.id)

    assert jobs.erase_team_members(now=utcnow()) == 2
    db.session.commit()
    names = db.session.execute(select(TeamMember.family_name, TeamMember.given_name, TeamMember.family_name_kana,
                                      TeamMember.grade).join(Team).where(Team.event_id == event.id)).all()
    assert len(names) == 7
    assert {(f, g, k) for f, g, k, _grade in names} == {("", "", "")}
    assert sorted(grade for *_n, grade in names) == ["中学2年"] * 3 + ["高校2年"] * 4  # grades kept
    after = teams.division_counts(event.id)
    assert [(tt.id, t, m) for tt, t, m in after] == [(tt.id, t, m) for tt, t, m in before] == [
        (high, 1, 4), (middle, 1, 3)]
    kept = db.session.scalar(select(TeamMember.family_name).join(Team).where(Team.event_id == other.id).limit(1))
    assert kept == "佐藤"
    assert jobs.erase_team_members(now=utcnow()) == 0  # done once
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "team.members_erased")) == 2
    with pytest.raises(ServiceError):  # nothing to edit after the erasure, even for staff
        teams.update_members(db.session.get(Registration, db.session.scalar(
            select(Team.registration_id).where(Team.event_id == event.id).limit(1))), _members(3),
            now=utcnow(), actor=factories.create_organizer())


def test_erase_command(app, runner):
    start = utcnow() - timedelta(days=10)
    event = _debate(starts_at=start, registration_opens_at=start - timedelta(days=30),
                    registration_closes_at=start, team_erase_days=7)
    factories.register(event, ticket_type_id=event.ticket_types[0].id, now=start - timedelta(days=1),
                       team=factories.team_data())
    out = runner.invoke(args=["teams", "erase"])
    assert out.exit_code == 0, out.output
    assert "1" in out.output
    assert db.session.scalar(select(Team.members_erased_at)) is not None


# --- hackathon --------------------------------------------------------------------------


def _hackathon():
    return factories.create_event(title="IoT アイデアソン＆ハッカソン", sessions=2, team_mode="hackathon",
                                  team_max_members=3, capacity=40)


def test_hackathon_invite_code_join(app):
    event = _hackathon()
    a, b, c, d = (factories.register(event).registration for _ in range(4))
    team = teams.form_team(a, "チーム・スマート農業", now=utcnow())
    db.session.commit()
    code = team.invite_code
    assert len(code) == 8
    joined = teams.join_team(b, code.lower(), now=utcnow())  # typed in lower case: same code
    assert joined.id == team.id
    teams.join_team(c, code, now=utcnow())
    db.session.commit()
    assert [m.registration_id for m in teams.team_of(a.id).members] == [a.id, b.id, c.id]
    assert team_public_name(b) == "チーム・スマート農業"
    with pytest.raises(ServiceError) as exc:
        teams.join_team(d, code, now=utcnow())
    assert exc.value.code == "team_full"
    db.session.rollback()
    with pytest.raises(ServiceError) as exc:
        teams.join_team(d, "NOSUCH22", now=utcnow())
    assert exc.value.code == "bad_invite_code"
    db.session.rollback()
    with pytest.raises(ServiceError) as exc:
        teams.join_team(a, code, now=utcnow())
    assert exc.value.code == "already_in_team"
    db.session.rollback()
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("team.%"))
                                 .order_by(AuditLog.id)).all()
    assert actions == ["team.formed", "team.joined", "team.joined"]


def test_organizer_forms_and_adjusts_hackathon_teams(app):
    event = _hackathon()
    regs = [factories.register(event).registration for _ in range(4)]
    staff = factories.create_organizer()
    team = teams.organizer_assign(event.id, [regs[0].id, regs[1].id], team_id=None, new_name="チームA",
                                  now=utcnow(), actor=staff)
    db.session.commit()
    other = teams.organizer_assign(event.id, [regs[2].id], team_id=None, new_name="チームB", now=utcnow(),
                                   actor=staff)
    db.session.commit()
    teams.organizer_assign(event.id, [regs[1].id], team_id=other.id, now=utcnow(), actor=staff)
    db.session.commit()
    assert [m.registration_id for m in db.session.get(Team, team.id).members] == [regs[0].id]
    assert sorted(m.registration_id for m in db.session.get(Team, other.id).members) == [regs[1].id, regs[2].id]
    teams.organizer_assign(event.id, [regs[0].id], team_id=None, now=utcnow(), actor=staff)  # out of any team
    db.session.commit()
    assert db.session.get(Team, team.id) is None  # emptied, removed
    assert team_public_name(regs[0]) is None


def test_leaving_a_hackathon_team(app):
    event = _hackathon()
    a, b = (factories.register(event).registration for _ in range(2))
    team = teams.form_team(a, "T", now=utcnow())
    teams.join_team(b, team.invite_code, now=utcnow())
    db.session.commit()
    teams.leave_team(b, now=utcnow())
    db.session.commit()
    assert [m.registration_id for m in teams.team_of(a.id).members] == [a.id]
    assert teams.team_of(b.id) is None
