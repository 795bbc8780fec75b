"""Team transactions: a team registration's members, their erasure, hackathon teams.

A team registration is made by app.services.registrations.register (it takes a
seat of its 参加枠, the division; `attach` writes the team under the same locks).
Everything here follows app.services.locks: event, 参加枠, registration, then
team rows (step 3b); re-read; decide; write; audit. The caller commits.

Audit rows never hold members' names (they would outlive the erasure): counts only.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain import teams as rules
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, RegistrationStatus
from app.domain.teams import CleanMember, CleanTeam, TeamMode
from app.extensions import db
from app.models import Event, Registration, Team, TeamMember, TicketType
from app.services import audit, locks
from app.services.errors import Full, ServiceError

N_ = rules.N_


class MembersFull(Full):
    code = "members_full"


def members_confirmed(ticket_type_id: int, *, exclude_registration_id: int | None = None) -> int:
    """Members of the confirmed team registrations of a 参加枠 (read under its lock to decide)."""
    stmt = (select(func.count(TeamMember.id)).join(Team, TeamMember.team_id == Team.id)
            .join(Registration, Team.registration_id == Registration.id)
            .where(Registration.ticket_type_id == ticket_type_id,
                   Registration.status == RegistrationStatus.CONFIRMED))
    if exclude_registration_id is not None:
        stmt = stmt.where(Registration.id != exclude_registration_id)
    return db.session.scalar(stmt) or 0


def active_team_sizes(event_id: int) -> list[int]:
    """The number of members of each team of an event: each active team registration's (team mode),
    each hackathon team's (all its members, as joining counts them)."""
    teams_of_event = (select(func.count(TeamMember.id)).select_from(Team)
                      .outerjoin(TeamMember, TeamMember.team_id == Team.id).where(Team.event_id == event_id)
                      .group_by(Team.id))
    registered = teams_of_event.join(Registration, Team.registration_id == Registration.id).where(
        Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
    hackathon = teams_of_event.where(Team.registration_id.is_(None))
    return list(db.session.scalars(registered)) + list(db.session.scalars(hackathon))


def member_room(ticket_type: TicketType, n_members: int, *, exclude_registration_id: int | None = None) -> bool:
    """Whether `n_members` more fit the 参加枠's member limit (call with the 参加枠 locked)."""
    if ticket_type.member_capacity is None:
        return True
    taken = members_confirmed(ticket_type.id, exclude_registration_id=exclude_registration_id)
    return taken + n_members <= ticket_type.member_capacity


def team_size(registration_id: int) -> int:
    """How many members a team registration's team has (0 for a registration that is not one)."""
    return db.session.scalar(select(func.count(TeamMember.id)).join(Team, TeamMember.team_id == Team.id)
                             .where(Team.registration_id == registration_id)) or 0


def seat_capacity(ticket_type: TicketType, registration_id: int) -> int | None:
    """The 参加枠's capacity as a team registration sees it: no room for its members is no seat
    (call with the 参加枠 and the registration locked; the registration's own members excluded)."""
    size = team_size(registration_id) if ticket_type.member_capacity is not None else 0
    if size and not member_room(ticket_type, size, exclude_registration_id=registration_id):
        return ticket_type.confirmed_count
    return ticket_type.capacity


def within_member_capacity(ticket_type: TicketType, line: list[Registration]) -> list[Registration]:
    """The first of `line` (waiting teams, in order) whose members fit the 参加枠's member limit."""
    room = ticket_type.member_capacity - members_confirmed(ticket_type.id)
    sizes = dict(db.session.execute(
        select(Team.registration_id, func.count(TeamMember.id)).join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.registration_id.in_([r.id for r in line])).group_by(Team.registration_id)).all()) if line else {}
    fits = []
    for registration in line:
        size = sizes.get(registration.id, 0)
        if size > room:
            break
        room -= size
        fits.append(registration)
    return fits


def _member_rows(members: list[CleanMember]) -> list[TeamMember]:
    return [TeamMember(position=i, family_name=m.family_name, given_name=m.given_name,
                       family_name_kana=m.family_name_kana, given_name_kana=m.given_name_kana, grade=m.grade)
            for i, m in enumerate(members)]


def attach(registration: Registration, team: CleanTeam, *, now: datetime) -> Team:
    """Write a new team registration's team (inside register's locks, after the registration's flush)."""
    row = Team(event_id=registration.event_id, registration_id=registration.id, name=team.name,
               created_at=now, updated_at=now, members=_member_rows(team.members))
    db.session.add(row)
    db.session.flush()
    return row


def team_of(registration_id: int) -> Team | None:
    """The team a registration registered (team mode) or is in (hackathon)."""
    return (db.session.scalar(select(Team).where(Team.registration_id == registration_id))
            or db.session.scalar(select(Team).join(TeamMember).where(TeamMember.registration_id == registration_id)))


def may_edit(event: Event, team: Team, now: datetime) -> bool:
    return rules.may_edit_members(now=now, edit_closes_at=event.team_edit_closes_at,
                                  first_session_starts_at=event.starts_at,
                                  erased=team.members_erased_at is not None)


def update_members(registration: Registration, members: list[CleanMember], *, now: datetime, actor=None) -> Team:
    """Replace a team registration's members (until the deadline; staff past it, never after erasure)."""
    event, ticket_type, registration = locks.for_registration(registration.id, registration.event_id)
    team = db.session.scalar(select(Team).where(Team.registration_id == registration.id)
                             .execution_options(populate_existing=True))
    if team is None or registration.status not in ACTIVE_REGISTRATION_STATUSES:
        raise ServiceError(N_("This registration has no team to change."), code="not_a_team")
    if team.members_erased_at is not None or (actor is None and not may_edit(event, team, now)):
        raise ServiceError(rules.EDIT_CLOSED, code="edit_closed")
    event_rules = rules.rules_of(event)
    if not members or (event_rules.min_members and len(members) < event_rules.min_members) \
            or len(members) > event_rules.upper:
        raise ServiceError(N_("The number of members is not allowed for this event."), code="member_count")
    before = len(team.members)
    if registration.status == RegistrationStatus.CONFIRMED and len(members) > before \
            and not member_room(ticket_type, len(members), exclude_registration_id=registration.id):
        raise MembersFull(rules.MEMBERS_FULL)
    team.members.clear()
    db.session.flush()
    team.members.extend(_member_rows(members))
    team.updated_at = now
    audit.record("team.members_changed", actor=actor, now=now, event_id=event.id, registration_id=registration.id,
                 data={"team_id": team.id, "members_before": before, "members_after": len(members)})
    db.session.flush()
    return team


def mail_facts(registration: Registration, now: datetime) -> rules.MailFacts | None:
    """The team a team registration's mail speaks of (None for others); read, not locked."""
    event = registration.event
    if event.team_mode != TeamMode.TEAM:
        return None
    team = db.session.scalar(select(Team).where(Team.registration_id == registration.id))
    if team is None:
        return None
    return rules.mail_facts(name=team.name, division=registration.ticket_type.name, members=len(team.members),
                            active=registration.status in ACTIVE_REGISTRATION_STATUSES,
                            may_edit=may_edit(event, team, now),
                            deadline=event.team_edit_closes_at or event.starts_at)


# --- erasure -----------------------------------------------------------------------------


def erasure_due(now: datetime) -> list[int]:
    """Team registrations' teams whose members' names are due for erasure (event ended + N days)."""
    events = db.session.scalars(select(Event).where(Event.team_erase_days.is_not(None),
                                                    Event.team_mode == TeamMode.TEAM))
    due_events = [e.id for e in events if (at := rules.erase_due_at(e.ends_at, e.team_erase_days)) and at <= now]
    if not due_events:
        return []
    return list(db.session.scalars(
        select(Team.id).where(Team.event_id.in_(due_events), Team.members_erased_at.is_(None),
                              Team.registration_id.is_not(None)).order_by(Team.id)))


def erase_members(team_id: int, *, now: datetime, actor=None) -> bool:
    """Erase one team's members' names and kana, keeping the rows (the counts) and the grades."""
    team = db.session.get(Team, team_id)
    if team is None or team.registration_id is None:
        return False
    locks.for_registration(team.registration_id, team.event_id)
    return erase_locked(locks.teams([team_id])[team_id], now=now, actor=actor)


def erase_locked(team: Team, *, now: datetime, actor=None) -> bool:
    """Erase the names of a team its caller has locked and re-read (with its registration, under
    app.services.locks; also the registrants' erasure, app.services.retention). False: erased before."""
    if team.members_erased_at is not None:
        return False
    for member in team.members:
        member.family_name = member.given_name = member.family_name_kana = member.given_name_kana = ""
    team.members_erased_at = now
    from app.services import exports  # the event's exports that held the names lose them too

    exports.forget_member_names(team.event_id)
    audit.record("team.members_erased", actor=actor, actor_label="" if actor else "system", now=now,
                 event_id=team.event_id, registration_id=team.registration_id,
                 data={"team_id": team.id, "members": len(team.members)})
    db.session.flush()
    return True


def erase_due(now: datetime, *, actor=None) -> int:
    """Erase every team due (the jobs worker and `flask teams erase`); returns how many."""
    return sum(1 for team_id in erasure_due(now) if erase_members(team_id, now=now, actor=actor))


# --- hackathon ---------------------------------------------------------------------------


def _hackathon_registration(registration: Registration) -> tuple[Event, Registration]:
    event, _tt, registration = locks.for_registration(registration.id, registration.event_id)
    if event.team_mode != TeamMode.HACKATHON:
        raise ServiceError(N_("This event has no teams to join."), code="not_hackathon")
    if registration.status not in ACTIVE_REGISTRATION_STATUSES:
        raise ServiceError(N_("This registration is not active."), code="not_active")
    return event, registration


def _new_code() -> str:
    while True:
        code = rules.new_invite_code()
        if db.session.scalar(select(Team.id).where(Team.invite_code == code)) is None:
            return code


def _add_member(team: Team, registration: Registration) -> None:
    position = max((m.position for m in team.members), default=-1) + 1
    try:
        with db.session.begin_nested():
            team.members.append(TeamMember(registration_id=registration.id, position=position))
            db.session.flush()
    except IntegrityError:
        raise ServiceError(rules.ALREADY_IN_TEAM, code="already_in_team") from None


def _clean_name(name: str) -> str:
    from app.domain import text_input

    name = text_input.as_text(name).strip()
    if not name or text_input.character_error(name, multiline=False) or len(name) > rules.LIMITS["team_name"]:
        raise ServiceError(N_("Enter a team name (up to 100 characters)."), code="team_name")
    return name


def form_team(registration: Registration, name: str, *, now: datetime, actor=None) -> Team:
    """A hackathon registrant forms a team: it gets an invite code for the others."""
    event, registration = _hackathon_registration(registration)
    name = _clean_name(name)
    if team_of(registration.id) is not None:
        raise ServiceError(rules.ALREADY_IN_TEAM, code="already_in_team")
    team = Team(event_id=event.id, name=name, invite_code=_new_code(), created_at=now, updated_at=now)
    db.session.add(team)
    db.session.flush()
    _add_member(team, registration)
    audit.record("team.formed", actor=actor, now=now, event_id=event.id, registration_id=registration.id,
                 data={"team_id": team.id})
    return team


def join_team(registration: Registration, code: str, *, now: datetime, actor=None) -> Team:
    """A hackathon registrant joins the team of an invite code (while it has room)."""
    event, registration = _hackathon_registration(registration)
    code = rules.normalize_invite_code(code)
    team_id = db.session.scalar(select(Team.id).where(Team.invite_code == code, Team.event_id == event.id)) \
        if code else None
    if team_id is None:
        raise ServiceError(rules.BAD_INVITE, code="bad_invite_code")
    team = locks.teams([team_id])[team_id]
    if team_of(registration.id) is not None:
        raise ServiceError(rules.ALREADY_IN_TEAM, code="already_in_team")
    if len(team.members) >= rules.rules_of(event).upper:
        raise ServiceError(rules.TEAM_FULL, code="team_full")
    _add_member(team, registration)
    team.updated_at = now
    audit.record("team.joined", actor=actor, now=now, event_id=event.id, registration_id=registration.id,
                 data={"team_id": team.id})
    return team


def leave_team(registration: Registration, *, now: datetime, actor=None) -> None:
    """A hackathon registrant leaves their team (an empty team is removed)."""
    event, registration = _hackathon_registration(registration)
    member = db.session.scalar(select(TeamMember).where(TeamMember.registration_id == registration.id))
    if member is None:
        return
    team = locks.teams([member.team_id])[member.team_id]
    db.session.delete(member)
    db.session.flush()
    db.session.refresh(team)
    audit.record("team.left", actor=actor, now=now, event_id=event.id, registration_id=registration.id,
                 data={"team_id": team.id})
    if not team.members:
        db.session.delete(team)
    db.session.flush()


def organizer_assign(event_id: int, registration_ids: list[int], *, team_id: int | None, new_name: str = "",
                     now: datetime, actor) -> Team | None:
    """An organizer puts hackathon registrants into a team (an existing one, a new one named `new_name`),
    or out of any team (`team_id` None and no name). The event is locked exclusively: one adjustment at a time."""
    event = locks.event(event_id, exclusive=True)
    if event.team_mode != TeamMode.HACKATHON:
        raise ServiceError(N_("This event has no teams to join."), code="not_hackathon")
    regs = [locks.registration(rid) for rid in sorted(set(registration_ids))]
    if any(r.event_id != event.id or r.status not in ACTIVE_REGISTRATION_STATUSES for r in regs):
        raise ServiceError(N_("Choose active registrants of this event."), code="invalid_registrations")
    target = None
    if team_id is not None:
        target = locks.teams([team_id]).get(team_id)
        if target is None or target.event_id != event.id or target.registration_id is not None:
            raise ServiceError(N_("Choose a team of this event."), code="invalid_team")
    elif new_name:
        target = Team(event_id=event.id, name=_clean_name(new_name), invite_code=_new_code(),
                      created_at=now, updated_at=now)
        db.session.add(target)
        db.session.flush()
    emptied = set()
    for reg in regs:
        member = db.session.scalar(select(TeamMember).where(TeamMember.registration_id == reg.id))
        if member is not None:
            if target is not None and member.team_id == target.id:
                continue
            emptied.add(member.team_id)
            db.session.delete(member)
            db.session.flush()
        if target is not None:
            db.session.refresh(target)
            if len(target.members) >= (upper := rules.rules_of(event).upper):
                raise ServiceError(gettext("A team has %(n)d members at most at this event: this one would have "
                                           "more. Raise the most per team in the event's settings first.", n=upper),
                                   code="team_full")
            _add_member(target, reg)
        audit.record("team.assigned", actor=actor, now=now, event_id=event.id, registration_id=reg.id,
                     data={"team_id": target.id if target is not None else None})
    for old_id in emptied:
        old = db.session.get(Team, old_id)
        if old is not None:
            db.session.refresh(old)
            if not old.members:
                db.session.delete(old)
    db.session.flush()
    return target


def event_teams(event_id: int) -> list[Team]:
    """An event's teams, by name (members loaded)."""
    return list(db.session.scalars(select(Team).where(Team.event_id == event_id).order_by(Team.name, Team.id)))


def division_counts(event_id: int) -> list[tuple[TicketType, int, int]]:
    """Per 参加枠 (division): active teams and their members (what viewers see instead of names)."""
    rows = dict(((tt_id, (teams, members)) for tt_id, teams, members in db.session.execute(
        select(Registration.ticket_type_id, func.count(func.distinct(Team.id)), func.count(TeamMember.id))
        .join(Team, Team.registration_id == Registration.id).outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .group_by(Registration.ticket_type_id)).all()))
    tts = db.session.scalars(select(TicketType).where(TicketType.event_id == event_id).order_by(TicketType.position))
    return [(tt, *rows.get(tt.id, (0, 0))) for tt in tts]
