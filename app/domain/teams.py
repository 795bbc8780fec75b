"""Teams: the rules, with no Flask and no database.

A team registration is ONE registration (the responsible adult, a teacher) that
takes one seat of its 参加枠 (the division: 高校の部, 中学の部) and names its
members: name, kana, grade or role, and never any contact data (minors). A
hackathon groups individual registrations into teams by an invite code.

`clean_team(raw, ...)` checks a team as the form and the API send it and returns
the normalised team and field errors (English msgids, translated by callers).
`team_public_name(registration)` is what results and other public places show.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.domain import text_input
from app.domain.people import is_katakana, to_katakana


def N_(text: str) -> str:  # noqa: N802 - gettext's "mark only" convention
    return text


class TeamMode:
    """Event.team_mode: how an event takes teams ("" = it does not)."""

    NONE = ""
    TEAM = "team"            # a responsible adult registers a named team (one registration)
    HACKATHON = "hackathon"  # individuals register and form or join teams by invite code

    ALL = ("", "team", "hackathon")


LIMITS = {
    "team_name": 100, "invite_code": 16, "grade": 50,
    "family_name": 100, "given_name": 100, "family_name_kana": 100, "given_name_kana": 100,
}
#: The most members a team may have whatever the event says (a bound on forms and the API).
MEMBERS_MAX = 30
MEMBER_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "grade")

MESSAGES = {
    "required": N_("This field is required."),
    "too_long": N_("This is too long."),
    "kana": N_("Enter the reading in katakana or hiragana."),
    "too_few": N_("A team has at least %(n)d members."),
    "too_many": N_("A team has at most %(n)d members."),
    "team_consent": N_("The school or guardian's consent is needed to register the team."),
    "members": N_("List the team's members."),
    "division": N_("Choose a division."),
}
EDIT_CLOSED = N_("The members can no longer be changed.")
MEMBERS_FULL = N_("This division has no room for that many members.")
BAD_INVITE = N_("No team has this invite code.")
TEAM_FULL = N_("This team is full.")
ALREADY_IN_TEAM = N_("You are already in a team.")


@dataclass
class CleanMember:
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    grade: str = ""


@dataclass
class CleanTeam:
    name: str = ""
    members: list[CleanMember] = field(default_factory=list)
    consent: bool = False


@dataclass(frozen=True)
class TeamRules:
    """An event's team settings, as the rules need them."""

    min_members: int | None = None
    max_members: int | None = None
    consent_required: bool = False

    @property
    def upper(self) -> int:
        return min(self.max_members or MEMBERS_MAX, MEMBERS_MAX)


def rules_of(event) -> TeamRules:
    return TeamRules(min_members=event.team_min_members, max_members=event.team_max_members,
                     consent_required=bool((event.team_consent_text or "").strip()))


def _text(value: Any) -> str:
    return "" if value is None else text_input.as_text(value).strip()


def clean_member(raw: Any) -> tuple[CleanMember, dict[str, str]]:
    """One member: family and given name required, kana optional (katakana stored), grade optional."""
    raw = raw if isinstance(raw, dict) else {}
    out, errors = CleanMember(), {}
    for name in MEMBER_FIELDS:
        value = _text(raw.get(name))
        problem = text_input.character_error(value, multiline=False)
        if problem is not None:
            errors[name] = problem
            value = ""
        elif len(value) > LIMITS[name]:
            errors[name] = MESSAGES["too_long"]
        elif name in ("family_name", "given_name") and not value:
            errors[name] = MESSAGES["required"]
        elif name.endswith("_kana") and value:
            value = to_katakana(value)
            if not is_katakana(value):
                errors[name] = MESSAGES["kana"]
        setattr(out, name, value)
    return out, errors


def is_blank_member(raw: Any) -> bool:
    return not isinstance(raw, dict) or not any(_text(raw.get(n)) for n in MEMBER_FIELDS)


def clean_members(raw_members: Any, rules: TeamRules) -> tuple[list[CleanMember], dict[str, str]]:
    """The members (blank rows skipped); errors keyed ``members`` or ``members.<i>.<field>``."""
    errors: dict[str, str] = {}
    if not isinstance(raw_members, list):
        return [], {"members": MESSAGES["members"]}
    members = []
    for i, raw in enumerate(raw_members[:MEMBERS_MAX + 1]):
        if is_blank_member(raw):
            continue
        member, member_errors = clean_member(raw)
        members.append(member)
        for name, message in member_errors.items():
            errors[f"members.{i}.{name}"] = message
    if len(raw_members) > MEMBERS_MAX or len(members) > rules.upper:
        errors["members"] = MESSAGES["too_many"]
    elif not members:
        errors["members"] = MESSAGES["members"]
    elif rules.min_members and len(members) < rules.min_members:
        errors["members"] = MESSAGES["too_few"]
    return members, errors


def members_message_args(key: str, rules: TeamRules) -> dict:
    """The %(n)d of a members error."""
    if key == MESSAGES["too_few"]:
        return {"n": rules.min_members or 1}
    if key == MESSAGES["too_many"]:
        return {"n": rules.upper}
    return {}


def clean_team(raw: Any, rules: TeamRules, *, consent: Any = None) -> tuple[CleanTeam, dict[str, str]]:
    """A team as the API's ``"team"`` object or the form gives it (name, members, consent)."""
    raw = raw if isinstance(raw, dict) else {}
    out, errors = CleanTeam(), {}
    name = _text(raw.get("name"))
    problem = text_input.character_error(name, multiline=False)
    if problem is not None:
        errors["team.name"] = problem
        name = ""
    elif not name:
        errors["team.name"] = MESSAGES["required"]
    elif len(name) > LIMITS["team_name"]:
        errors["team.name"] = MESSAGES["too_long"]
    out.name = name
    out.members, member_errors = clean_members(raw.get("members"), rules)
    errors.update({("team." + k): v for k, v in member_errors.items()})
    given = raw.get("consent") if consent is None else consent
    out.consent = given is True or (isinstance(given, str) and given.strip().lower() in {"y", "yes", "on", "true", "1"})
    if rules.consent_required and not out.consent:
        errors["team.consent"] = MESSAGES["team_consent"]
    return out, errors


def may_edit_members(*, now: datetime, edit_closes_at: datetime | None, first_session_starts_at: datetime | None,
                     erased: bool) -> bool:
    """Members may change until the event's deadline (default: the first session's start), never once erased."""
    if erased:
        return False
    deadline = edit_closes_at or first_session_starts_at
    return deadline is None or now < deadline


def erase_due_at(event_ends_at: datetime | None, erase_days: int | None) -> datetime | None:
    """When the members' names are erased: `erase_days` after the event ends (None: never set)."""
    if event_ends_at is None or erase_days is None:
        return None
    return event_ends_at + timedelta(days=erase_days)


def new_invite_code() -> str:
    """Eight characters from an alphabet without look-alikes (0/O, 1/I/L): read out in a room, typed on a phone."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def normalize_invite_code(typed: Any) -> str:
    import unicodedata

    value = unicodedata.normalize("NFKC", _text(typed)).upper().replace("-", "").replace(" ", "")
    return value[:LIMITS["invite_code"]]


@dataclass(frozen=True)
class MailFacts:
    """What a team registration's mails say of its team: never the members' names (minors; the stored
    outbox body outlives the erasure), only the team's name, its division (参加枠) and how many."""

    name: str
    division: str
    members: int
    changeable: bool  # the mail points to the team page to change the members
    changeable_until: datetime | None = None


def mail_facts(*, name: str, division: str, members: int, active: bool, may_edit: bool,
               deadline: datetime | None) -> MailFacts:
    return MailFacts(name=name, division=division, members=members, changeable=active and may_edit,
                     changeable_until=deadline if active and may_edit else None)


def team_public_name(registration) -> str | None:
    """The name a registration appears under in public (results): its team's name for a team
    registration or a hackathon member; None for a registration that is not in a team."""
    team = getattr(registration, "team", None)
    if team is None:
        return None
    return team.name or None
