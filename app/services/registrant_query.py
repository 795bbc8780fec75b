"""The one query of an event's registrant list: the organizer page, the API and every export.

``app.domain.registrant_list.parse`` reads and validates the filter; this module
turns it into SQL. Reads only (no transaction of its own). A page costs three
queries whatever its size (count, rows, and the sessions attended when that
column is shown); an export streams its rows (``yield_per``: a server-side cursor
on PostgreSQL) and reads the sessions attended once per chunk.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload

from app.domain import dates
from app.domain.dates import jst_datetime
from app.domain.registrant_list import ANSWER_PREFIX, RegistrantFilter
from app.extensions import db
from app.labels import ErasedName
from app.models import Attendance, Event, EventSession, Registration, Team, TeamMember, TicketType
from app.models.registrations import reference
from app.services import session_choices

#: Rows read per round trip when streaming an export.
CHUNK = 1000


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(event_id: int, f: RegistrantFilter) -> list:
    """The WHERE clauses of the filter (the event's registrations, then each filter given)."""
    where = [Registration.event_id == event_id]
    if f.search:
        where.append(Registration.search_text.like(f"%{_escape_like(f.search)}%", escape="\\"))
    if f.statuses:
        where.append(Registration.status.in_(f.status_values))
    if f.ticket_type_ids:
        where.append(Registration.ticket_type_id.in_(f.ticket_type_ids))
    if f.session_id:
        where.append(exists().where(Attendance.registration_id == Registration.id,
                                    Attendance.session_id == f.session_id))
    if f.day_id:
        from app.domain.session_choice import ChoiceStatus
        from app.models import SessionChoice

        where.append(exists().where(SessionChoice.registration_id == Registration.id,
                                    SessionChoice.session_id == f.day_id, SessionChoice.status == ChoiceStatus.CONFIRMED))
    if f.organization_types:
        where.append(Registration.organization_type.in_(f.organization_types))
    if f.prefectures:
        where.append(Registration.prefecture.in_(f.prefectures))
    if f.checked_in is not None:
        where.append(Registration.checked_in_at.is_not(None) if f.checked_in else Registration.checked_in_at.is_(None))
    if f.created_from:
        d = f.created_from
        where.append(Registration.created_at >= jst_datetime(d.year, d.month, d.day))
    if f.created_to:
        d = f.created_to + timedelta(days=1)
        where.append(Registration.created_at < jst_datetime(d.year, d.month, d.day))
    return where


def _attended_count():
    return (select(func.count(Attendance.id)).where(Attendance.registration_id == Registration.id)
            .correlate(Registration).scalar_subquery())


def _chosen_count():
    from app.models import SessionChoice

    return (select(func.count(SessionChoice.id))
            .where(SessionChoice.registration_id == Registration.id, SessionChoice.status != "cancelled")
            .correlate(Registration).scalar_subquery())


def _team_of_registration():
    """The team a registration registered (team mode) or is in (hackathon), as a correlated subquery."""
    member_of = select(TeamMember.team_id).where(TeamMember.registration_id == Registration.id)
    return or_(Team.registration_id == Registration.id, Team.id.in_(member_of))


def _team_name():
    return (select(func.min(Team.name)).where(_team_of_registration())
            .correlate(Registration).scalar_subquery())


def _team_size():
    return (select(func.count(TeamMember.id)).join(Team, Team.id == TeamMember.team_id)
            .where(_team_of_registration()).correlate(Registration).scalar_subquery())


def _sort_expressions(key: str) -> list:
    if key == "reference":
        return []  # the 受付番号 follows the id: the tiebreak sorts it
    if key == "full_name":
        return [Registration.family_name, Registration.given_name]
    if key == "full_name_kana":
        return [Registration.family_name_kana, Registration.given_name_kana]
    if key == "ticket_type":
        return [TicketType.position, TicketType.id]
    if key == "attended_sessions":
        return [_attended_count()]
    if key == "chosen_sessions":
        return [_chosen_count()]
    if key in ("team_name", "team_members"):
        return [_team_name()]
    if key == "team_size":
        return [_team_size()]
    if key.startswith(ANSWER_PREFIX):
        return [Registration.answers[key[len(ANSWER_PREFIX):]].as_string()]
    return [getattr(Registration, key)]


def _nullable(expr) -> bool:
    column = getattr(expr, "property", None)
    columns = getattr(column, "columns", None)
    return True if not columns else bool(columns[0].nullable)


def order_by(f: RegistrantFilter) -> list:
    """The ORDER BY of the filter: the column asked for (empty values last), then the id (stable).

    Columns that cannot be empty sort without the "empty last" term, so that an index
    (event_id, created_at, id) serves the default order.
    """
    out = []
    for expr in _sort_expressions(f.sort):
        if _nullable(expr):
            out.append(expr.is_(None))
        out.append(expr.desc() if f.descending else expr.asc())
    out.append(Registration.id.desc() if f.descending else Registration.id.asc())
    return out


def _ordered(stmt: Select, f: RegistrantFilter) -> Select:
    if f.sort == "ticket_type":
        stmt = stmt.join(TicketType, TicketType.id == Registration.ticket_type_id)
    return stmt.order_by(*order_by(f))


def count(event_id: int, f: RegistrantFilter) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(*conditions(event_id, f))) or 0


def registrations_statement(event_id: int, f: RegistrantFilter) -> Select:
    """SELECT Registration … in the filter's order (for callers that need the objects)."""
    return _ordered(select(Registration).where(*conditions(event_id, f)), f)


@dataclass
class Page:
    registrations: list[Registration]
    total: int
    page: int
    per_page: int
    attended: dict[int, list[str]]  # registration id -> titles of the sessions attended
    chosen: dict[int, list[str]] = field(default_factory=dict)  # registration id -> the days chosen (per-day)
    teams: dict[int, TeamCells] = field(default_factory=dict)  # registration id -> its team (team events)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page(event: Event, f: RegistrantFilter, *, page: int = 1, per_page: int = 100,
         with_attendance: bool | None = None) -> Page:
    """One page of the filtered list; ``event.ticket_types`` and ``event.sessions`` give the names."""
    total = count(event.id, f)
    rows = list(db.session.scalars(
        registrations_statement(event.id, f).limit(per_page).offset((page - 1) * per_page)))
    if with_attendance is None:
        with_attendance = "attended_sessions" in f.columns
    attended = attended_sessions([r.id for r in rows], event) if with_attendance and rows else {}
    chosen = chosen_sessions([r.id for r in rows], event) if "chosen_sessions" in f.columns and rows else {}
    team_cells = teams_of([r.id for r in rows], event, names="team_members" in f.columns) \
        if _wants_teams(f.columns) and rows else {}
    return Page(rows, total, page, per_page, attended, chosen, team_cells)


def _session_title(session: EventSession, n: int) -> str:
    return session.title or f"#{n}"


def attended_sessions(registration_ids: Iterable[int], event: Event) -> dict[int, list[str]]:
    """Titles of the sessions each registration attended (in the event's order), in one query."""
    ids = list(registration_ids)
    if not ids:
        return {}
    order = {s.id: (n, _session_title(s, n)) for n, s in enumerate(event.sessions, start=1)}
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for reg_id, session_id in db.session.execute(
            select(Attendance.registration_id, Attendance.session_id).where(Attendance.registration_id.in_(ids))):
        if session_id in order:
            found[reg_id].append(order[session_id])
    return {reg_id: [title for _n, title in sorted(v)] for reg_id, v in found.items()}


def chosen_sessions(registration_ids: Iterable[int], event: Event) -> dict[int, list[str]]:
    """The days each registration chose (per-day registration), by date, in one query.

    A day is named by its title (else its ISO date); a day waited for is marked so.
    """
    from flask_babel import gettext

    ids = list(registration_ids)
    if not ids or not event.choose_sessions:
        return {}
    days = {s.id: s.title or dates.to_jst(s.starts_at).date().isoformat() for s in event.sessions}
    waiting = gettext("On the waiting list")
    found: dict[int, list[str]] = defaultdict(list)
    for reg_id, session_id, status in ((r, sid, st) for r, pairs in session_choices.chosen_labels(ids).items()
                                       for sid, st in pairs):
        if status == "cancelled" or session_id not in days:
            continue
        found[reg_id].append(days[session_id] if status != "waitlisted" else f"{days[session_id]} ({waiting})")
    return dict(found)


@dataclass(frozen=True)
class TeamCells:
    """A registration's team in the list: its name, its number of members and, for a team
    registration when asked, the members' names (a mark instead once they are erased)."""

    name: str = ""
    size: int | None = None
    members: tuple[str, ...] = ()


def _wants_teams(columns: Iterable[str]) -> bool:
    return any(c in ("team_name", "team_size", "team_members") for c in columns)


def teams_of(registration_ids: Iterable[int], event: Event, *, names: bool = False) -> dict[int, TeamCells]:
    """Each registration's team (team registrations and hackathon members), in two queries.

    The members' names come only from the rows as they are: once erased (app.services.teams
    .erase_members) they are blank and the cell says so; they never come from anywhere else.
    """
    from flask_babel import gettext

    from app.domain.teams import TeamMode

    ids = list(registration_ids)
    if not ids or not event.team_mode:
        return {}
    if event.team_mode == TeamMode.TEAM:
        rows = db.session.execute(select(Team.registration_id, Team.id, Team.name, Team.members_erased_at)
                                  .where(Team.registration_id.in_(ids))).all()
    else:
        rows = db.session.execute(select(TeamMember.registration_id, Team.id, Team.name, Team.members_erased_at)
                                  .join(Team, Team.id == TeamMember.team_id)
                                  .where(TeamMember.registration_id.in_(ids))).all()
    team_ids = {team_id for _rid, team_id, _name, _erased in rows}
    sizes: dict[int, int] = dict(db.session.execute(
        select(TeamMember.team_id, func.count(TeamMember.id)).where(TeamMember.team_id.in_(team_ids))
        .group_by(TeamMember.team_id)).all()) if team_ids else {}
    people: dict[int, list[str]] = defaultdict(list)
    if names and event.team_mode == TeamMode.TEAM and team_ids:
        for team_id, family, given, grade in db.session.execute(
                select(TeamMember.team_id, TeamMember.family_name, TeamMember.given_name, TeamMember.grade)
                .where(TeamMember.team_id.in_(team_ids)).order_by(TeamMember.team_id, TeamMember.position,
                                                                 TeamMember.id)):
            name = f"{family} {given}".strip()
            if name:
                people[team_id].append(f"{name}（{grade}）" if grade else name)
    erased_mark = gettext("Names erased")
    out = {}
    for rid, team_id, name, erased_at in rows:
        members: tuple[str, ...] = ()
        if names and event.team_mode == TeamMode.TEAM:
            members = (erased_mark,) if erased_at is not None else tuple(people.get(team_id, ()))
        out[rid] = TeamCells(name, sizes.get(team_id, 0), members)
    return out


#: The columns an export reads (rows as tuples, not objects: no identity map to grow).
_EXPORT_COLUMNS = (
    Registration.id, Registration.event_id, Registration.status, Registration.ticket_type_id,
    Registration.family_name, Registration.given_name, Registration.family_name_kana, Registration.given_name_kana,
    Registration.email, Registration.phone, Registration.organization, Registration.department,
    Registration.job_title, Registration.organization_type, Registration.prefecture, Registration.corporate_number,
    Registration.created_at, Registration.confirmed_at, Registration.cancelled_at, Registration.checked_in_at,
    Registration.note, Registration.erased_at,
)


def iter_values(event: Event, f: RegistrantFilter, columns: Iterable[str], *, chunk: int = CHUNK,
                ) -> Iterator[dict[str, Any]]:
    """The filtered rows in order, as ``{column: raw value}`` for the columns asked for, streamed.

    Raw values: text, datetimes (aware, UTC), codes (status, 組織区分, 都道府県), the answers as
    stored, and a list of titles for ``attended_sessions``. Memory stays bounded by ``chunk``.
    """
    columns = tuple(columns)
    answers = any(c.startswith(ANSWER_PREFIX) for c in columns)
    with_attendance = "attended_sessions" in columns
    with_days = "chosen_sessions" in columns
    with_teams, with_names = _wants_teams(columns), "team_members" in columns
    chosen: dict[int, list[str]] = {}
    team_cells: dict[int, TeamCells] = {}
    ticket_names = {tt.id: tt.name for tt in event.ticket_types}
    selected = _EXPORT_COLUMNS + ((Registration.answers,) if answers else ())
    stmt = _ordered(select(*selected).where(*conditions(event.id, f)), f)
    result = db.session.execute(stmt.execution_options(yield_per=chunk))
    attended: dict[int, list[str]] = {}
    getters = _getters(columns, ticket_names, attended, {c.key: i for i, c in enumerate(selected)}, chosen,
                       team_cells)
    for rows in result.partitions():
        attended.clear()
        chosen.clear()
        team_cells.clear()
        if with_teams:
            team_cells.update(teams_of([r[0] for r in rows], event, names=with_names))
        if with_attendance:
            attended.update(attended_sessions([r[0] for r in rows], event))
        if with_days:
            chosen.update(chosen_sessions([r[0] for r in rows], event))
        for r in rows:
            yield {key: get(r) for key, get in getters}


def _team_cell(cells: TeamCells | None, key: str) -> Any:
    if cells is None:
        return [] if key == "team_members" else None
    return {"team_name": cells.name, "team_size": cells.size, "team_members": list(cells.members)}[key]


def _getters(columns: tuple[str, ...], ticket_names: dict[int, str], attended: dict[int, list[str]],
             index: dict[str, int], chosen: dict[int, list[str]] | None = None,
             team_cells: dict[int, TeamCells] | None = None) -> list[tuple[str, Any]]:
    """(column, function of a row tuple) for each column: worked out once per export, not per cell."""
    def at(name):
        i = index[name]
        return lambda r: r[i]

    rid, eid, tt = index["id"], index["event_id"], index["ticket_type_id"]
    fam, giv, fam_k, giv_k = (index[n] for n in ("family_name", "given_name", "family_name_kana", "given_name_kana"))
    erased = index["erased_at"]
    special = {
        "reference": lambda r: reference(r[eid], r[rid]),
        "ticket_type": lambda r: ticket_names.get(r[tt], ""),
        "full_name": lambda r: ErasedName(r[erased]) if r[erased] else f"{r[fam]} {r[giv]}",
        "full_name_kana": lambda r: f"{r[fam_k]} {r[giv_k]}".strip(),
        "attended_sessions": lambda r: attended.get(r[rid], []),
        "chosen_sessions": lambda r: (chosen or {}).get(r[rid], []),
        **{key: (lambda r, key=key: _team_cell((team_cells or {}).get(r[rid]), key))
           for key in ("team_name", "team_size", "team_members")},
    }
    out = []
    for key in columns:
        if key in special:
            out.append((key, special[key]))
        elif key.startswith(ANSWER_PREFIX):
            ai, qid = index["answers"], key[len(ANSWER_PREFIX):]
            out.append((key, lambda r, ai=ai, qid=qid: (r[ai] or {}).get(qid)))
        else:
            out.append((key, at(key)))
    return out


def _values(r, columns: tuple[str, ...], ticket_names: dict[int, str], attended: dict[int, list[str]],
            chosen: dict[int, list[str]] | None = None, team_cells: dict[int, TeamCells] | None = None) -> dict:
    out: dict[str, Any] = {}
    stored_answers = getattr(r, "answers", None) or {}
    for key in columns:
        if key == "reference":
            value = reference(r.event_id, r.id)
        elif key == "ticket_type":
            value = ticket_names.get(r.ticket_type_id, "")
        elif key == "full_name":
            value = ErasedName(r.erased_at) if r.erased_at else f"{r.family_name} {r.given_name}"
        elif key == "full_name_kana":
            value = f"{r.family_name_kana} {r.given_name_kana}".strip()
        elif key == "attended_sessions":
            value = attended.get(r.id, [])
        elif key == "chosen_sessions":
            value = (chosen or {}).get(r.id, [])
        elif key in ("team_name", "team_size", "team_members"):
            value = _team_cell((team_cells or {}).get(r.id), key)
        elif key.startswith(ANSWER_PREFIX):
            value = stored_answers.get(key[len(ANSWER_PREFIX):])
        else:
            value = getattr(r, key)
        out[key] = value
    return out


def values_of(registration: Registration, columns: Iterable[str], event: Event,
              attended: dict[int, list[str]], chosen: dict[int, list[str]] | None = None,
              team_cells: dict[int, TeamCells] | None = None) -> dict[str, Any]:
    """The same raw values for one loaded registration (the organizer page)."""
    return _values(registration, tuple(columns), {tt.id: tt.name for tt in event.ticket_types}, attended, chosen,
                   team_cells)


def iter_registrations(event: Event, f: RegistrantFilter, *, chunk: int = CHUNK) -> Iterator[Registration]:
    """The filtered registrations as objects (with their 参加枠), in order, streamed (for writers that want
    the objects: the PDFs)."""
    stmt = registrations_statement(event.id, f).options(joinedload(Registration.ticket_type))
    result = db.session.scalars(stmt.execution_options(yield_per=chunk))
    yield from result


def aggregates(event: Event, f: RegistrantFilter) -> dict[str, list[tuple[str, int]]]:
    """Counts of the filtered list by status, 参加枠, 組織区分 and 都道府県 (no personal data)."""
    where = conditions(event.id, f)
    out = {}
    for name, column in (("status", Registration.status), ("ticket_type", Registration.ticket_type_id),
                         ("organization_type", Registration.organization_type),
                         ("prefecture", Registration.prefecture)):
        rows = db.session.execute(select(column, func.count(Registration.id)).where(*where)
                                  .group_by(column).order_by(column)).all()
        out[name] = [(value, n) for value, n in rows]
    return out
