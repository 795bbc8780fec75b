"""Teams in the API: the ``"team"`` of a registration (POST), a registration with its team (GET),
and an event's teams (organizers). Members' names go to editors (admins, organizers) only;
viewers' tokens see the counts."""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.api import bp
from app.api.auth import current_organizer, token_required
from app.api.responses import error_response
from app.domain import teams as team_rules
from app.domain.text_input import is_safe_key, parse_id
from app.extensions import db
from app.models import Event, Registration, Team, TeamMember, TicketType
from app.services import teams as team_service


def division_ticket_type_id(event_id: int, division) -> int | None:
    """The 参加枠 a team's ``division`` names: its name (高校の部), or its id."""
    if isinstance(division, bool) or division in (None, ""):
        return None
    if isinstance(division, int) or (isinstance(division, str) and division.strip().isdigit()):
        by_id = parse_id(division)
        if by_id and db.session.scalar(select(TicketType.id).where(TicketType.id == by_id,
                                                                   TicketType.event_id == event_id)):
            return by_id
    if not is_safe_key(division):  # no NUL or lone surrogate reaches the database
        return None
    name = division.strip()
    return db.session.scalar(select(TicketType.id).where(TicketType.event_id == event_id, or_(
        TicketType.name == name, TicketType.name == name + "の部")).order_by(TicketType.position).limit(1))


def clean_api_team(event, data: dict) -> tuple[object | None, dict[str, list[str]]]:
    """The ``"team"`` object of a registration (and its division as ``ticket_type_id``); errors by field."""
    raw = data.get("team")
    if raw is None:
        if event.team_mode == team_rules.TeamMode.TEAM:
            return None, {"team": [_("This event takes team registrations: give the team and its members.")]}
        return None, {}
    if event.team_mode != team_rules.TeamMode.TEAM:
        return None, {"team": [_("This event does not take team registrations.")]}
    if not isinstance(raw, dict):
        return None, {"team": [_("This field is required.")]}
    rules = team_rules.rules_of(event)
    team, errors = team_rules.clean_team(raw, rules, consent=raw.get("consent", data.get("team_consent")))
    out = {k: [_(v, **team_rules.members_message_args(v, rules))] for k, v in errors.items()}
    if "division" in raw:
        tt_id = division_ticket_type_id(event.id, raw.get("division"))
        if tt_id is None:
            out["team.division"] = [_(team_rules.MESSAGES["division"])]
        elif data.get("ticket_type_id") in (None, ""):
            data["ticket_type_id"] = tt_id
        elif parse_id(data.get("ticket_type_id")) != tt_id:
            out["team.division"] = [_(team_rules.MESSAGES["division"])]
    return team, out


def _member_json(m: TeamMember, names: bool) -> dict:
    if m.registration_id is not None:  # a hackathon member: a registrant
        out = {"registration_id": m.registration_id}
        if names and m.registration is not None:
            out.update(family_name=m.registration.family_name, given_name=m.registration.given_name)
        return out
    out = {"grade": m.grade}
    if names:
        out.update(family_name=m.family_name, given_name=m.given_name, family_name_kana=m.family_name_kana,
                   given_name_kana=m.given_name_kana)
    return out


def team_json(team: Team, *, names: bool) -> dict:
    registration = team.registration
    return {
        "id": team.id,
        "name": team.name,
        "registration_id": team.registration_id,
        "division": registration.ticket_type.name if registration is not None else None,
        "ticket_type_id": registration.ticket_type_id if registration is not None else None,
        "status": registration.status if registration is not None else None,
        "organization": registration.organization if registration is not None else None,
        "member_count": len(team.members),
        "members_erased": team.members_erased_at is not None,
        "members": [_member_json(m, names) for m in team.members] if names else None,
    }


def teams_by_registration(registrations: Sequence[Registration]) -> dict[int, dict]:
    """{registration id: team json} for the given registrations (one query each way)."""
    ids = [r.id for r in registrations]
    if not ids:
        return {}
    organizer = current_organizer()
    names = organizer is not None and organizer.can_edit
    out = {}
    for team in db.session.scalars(select(Team).where(Team.registration_id.in_(ids))):
        out[team.registration_id] = team_json(team, names=names)
    rows = db.session.execute(select(TeamMember.registration_id, Team)
                              .join(Team, TeamMember.team_id == Team.id)
                              .where(TeamMember.registration_id.in_(ids))).all()
    for reg_id, team in rows:
        out[reg_id] = team_json(team, names=names)
    return out


@bp.get("/registrations/<int:registration_id>")
@token_required()
def get_registration(registration_id: int):
    from app.api.serializers import chosen_sessions_by_registration, registration_json, waitlist_positions

    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return error_response(404, "not_found")
    days = chosen_sessions_by_registration([registration]) if registration.event.choose_sessions else {}
    body = registration_json(registration, waitlist_positions([registration]).get(registration.id),
                             days.get(registration.id))
    body["team"] = teams_by_registration([registration]).get(registration.id)
    return body


@bp.get("/events/<int:event_id>/teams")
@token_required()
def list_teams(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        return error_response(404, "not_found")
    organizer = current_organizer()
    names = organizer.can_edit
    return {
        "event_id": event.id,
        "team_mode": event.team_mode or None,
        "divisions": [{"ticket_type_id": tt.id, "name": tt.name, "teams": n_teams, "members": n_members,
                       "capacity": tt.capacity, "member_capacity": tt.member_capacity}
                      for tt, n_teams, n_members in team_service.division_counts(event.id)],
        "items": [team_json(t, names=names) for t in team_service.event_teams(event.id)],
    }
