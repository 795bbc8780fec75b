"""Participation statistics, computed in SQL the same way on SQLite and PostgreSQL.

Who counts as what (the pages say it too):
- **applied**: every registration ever made for the event, whatever became of it;
- **confirmed / waitlisted / lost / cancelled / ...**: registrations by their current status;
- **participants**: confirmed registrations (a seat was theirs);
- **attended**: participants with at least one recorded attendance (a cancelled registration
  never counts, even if it had been checked in before it was cancelled);
- **distinct people**: participants counted once per normalised email (its key, ``person_key``,
  which outlives the email's erasure after the retention period);
- **distinct organisations**: participants counted once per organisation key (NFKC-folded
  name or 法人番号, the one-per-organisation key); registrations without an organisation
  are not counted;
- **returning** (one event): a participant whose email or organisation took part in a held event
  that started earlier;
- **repeat participants** (a 年度 or another group): people (emails) of the group whose event there
  started after their first event anywhere (an earlier 年度, or earlier in the same one).

A 年度 runs from April 1 00:00 JST to the next April 1; an event belongs to the 年度 of its
first session's start (`Event.starts_at`). Year ranges are compared as UTC bounds, so the
same SQL runs on both databases and uses the index on `events.starts_at`.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, and_, case, cast, distinct, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.domain import dates
from app.domain.codes import QuestionKind, RegistrationStatus
from app.extensions import db
from app.models import (
    Attendance,
    Event,
    ParticipationFact,
    ParticipationGroup,
    Question,
    Registration,
    TicketType,
)
from app.services import participation

#: Events that count as held (or to be held): not drafts, not cancelled, not postponed.
HELD_EVENT_STATUSES = participation.HELD_EVENT_STATUSES
CONFIRMED = RegistrationStatus.CONFIRMED.value


def _attended_clause():
    """A registration (of the outer query) with at least one attendance."""
    return exists().where(Attendance.registration_id == Registration.id)


def _earlier_participation(column, value):
    """An EXISTS: a confirmed registration with column == value at a held event that started
    before the outer registration's event (an index on `column` answers it)."""
    earlier = aliased(Registration)
    earlier_event = aliased(Event)
    this_event = aliased(Event)
    return exists().where(
        getattr(earlier, column.key) == value,
        earlier.status == CONFIRMED,
        earlier_event.id == earlier.event_id,
        earlier_event.status.in_(HELD_EVENT_STATUSES),
        this_event.id == Registration.event_id,
        earlier_event.starts_at < this_event.starts_at,
    )


@functools.cache
def _returning_clause():
    """The outer registration's email or organisation took part in an earlier held event.

    Built once: its aliases of the registrations and events tables cost a proxy per column
    each time they are made (most of a small event's page), and the clause never changes."""
    return or_(_earlier_participation(Registration.person_key, Registration.person_key),
               and_(Registration.organization_key != "",
                    _earlier_participation(Registration.organization_key, Registration.organization_key)))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# ---------------------------------------------------------------------------------------------
# one event


@dataclass
class Breakdown:
    """Counts of participants (and of those who attended) by one code."""

    participants: dict[str, int] = field(default_factory=dict)
    attended: dict[str, int] = field(default_factory=dict)


def _breakdown(event_id: int, column) -> Breakdown:
    """By a column; a text column's NULL is counted under "" (not given)."""
    attended = func.sum(case((_attended_clause(), 1), else_=0))
    key = func.coalesce(column, "") if column.type.python_type is str else column
    rows = db.session.execute(
        select(key, func.count(), attended)
        .where(Registration.event_id == event_id, Registration.status == CONFIRMED)
        .group_by(key)
    ).all()
    out = Breakdown()
    for code, count, came in sorted(rows, key=lambda r: (-r[1], str(r[0]))):
        out.participants[str(code)] = count
        out.attended[str(code)] = int(came or 0)
    return out


def event_stats(event: Event) -> dict:
    """The funnel and the breakdowns of one event (see the module's definitions)."""
    by_status = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)).all())
    participants = by_status.get(CONFIRMED, 0)
    attended = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED, _attended_clause())) or 0
    returning = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED, _returning_clause())) or 0
    distinct_people, distinct_orgs = db.session.execute(
        select(func.count(distinct(Registration.person_key)),
               func.count(distinct(case((Registration.organization_key != "", Registration.organization_key)))))
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)).one()

    ticket_names = dict(db.session.execute(
        select(TicketType.id, TicketType.name).where(TicketType.event_id == event.id)).all())
    by_ticket = _breakdown(event.id, Registration.ticket_type_id)
    by_org_type = _breakdown(event.id, Registration.organization_type)
    by_prefecture = _breakdown(event.id, Registration.prefecture)
    applied = sum(by_status.values())
    return {
        "event_id": event.id,
        "applied": applied,
        "confirmed": participants,
        "waitlisted": by_status.get(RegistrationStatus.WAITLISTED.value, 0),
        "pending": by_status.get(RegistrationStatus.PENDING.value, 0) + by_status.get(RegistrationStatus.APPLIED.value, 0),
        "lost": by_status.get(RegistrationStatus.LOST.value, 0),
        "rejected": by_status.get(RegistrationStatus.REJECTED.value, 0),
        "cancelled": by_status.get(RegistrationStatus.CANCELLED.value, 0),
        "attended": attended,
        "attendance_rate": _rate(attended, participants),
        "confirmation_rate": _rate(participants, applied),
        "distinct_people": distinct_people,
        "distinct_organizations": distinct_orgs,
        "returning": returning,
        "new": participants - returning,
        "by_status": by_status,
        "by_organization_type": by_org_type.participants,
        "by_prefecture": by_prefecture.participants,
        "by_ticket_type": by_ticket.participants,
        "attended_by_organization_type": by_org_type.attended,
        "attended_by_prefecture": by_prefecture.attended,
        "attended_by_ticket_type": by_ticket.attended,
        "ticket_type_names": {str(k): v for k, v in ticket_names.items()},
    }


def registrations_over_time(event: Event) -> list[dict]:
    """Cumulative registrations (all that were made) by days before the event's start.

    Counting by days before the start lets editions of a series be laid side by side.
    """
    if event.starts_at is None:
        return []
    start_day = dates.to_jst(event.starts_at).date()
    created = db.session.scalars(select(Registration.created_at).where(Registration.event_id == event.id)).all()
    per_day = Counter((start_day - dates.to_jst(c).date()).days for c in created)
    out, total = [], 0
    for days_before in sorted(per_day, reverse=True):
        total += per_day[days_before]
        out.append({"days_before": days_before, "registrations": per_day[days_before], "cumulative": total})
    return out


#: How many editions of a series the per-event page lays over each other (this one included).
EDITIONS_COMPARED = 6


def editions_over_time(event: Event, *, limit: int = EDITIONS_COMPARED) -> list[dict]:
    """This event's registrations-over-time curve beside those of the other editions of its series.

    The editions are the series' held events that started no later than this one (the latest
    `limit`, this one included), oldest first, each as {"event": Event, "points": [...]} with the
    points of `registrations_over_time`. An event outside a series, or the only edition held,
    gives [] (there is nothing to compare).
    """
    if event.series_id is None or event.starts_at is None:
        return []
    editions = db.session.scalars(
        select(Event).where(Event.series_id == event.series_id, Event.id != event.id,
                            Event.status.in_(HELD_EVENT_STATUSES), Event.starts_at.is_not(None),
                            Event.starts_at <= event.starts_at)
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(max(limit - 1, 0))).all()
    if not editions:
        return []
    return [{"event": e, "points": registrations_over_time(e)} for e in [*reversed(editions), event]]


def editions_table(editions: list[dict]) -> list[dict]:
    """The curves of `editions_over_time` as rows by days before the event: each row gives each
    edition's cumulative registrations by then (carried forward over days without any)."""
    days = sorted({p["days_before"] for e in editions for p in e["points"]}, reverse=True)
    rows = [{"days_before": d, "cumulative": []} for d in days]
    for edition in editions:
        by_day = {p["days_before"]: p["cumulative"] for p in edition["points"]}
        total = 0
        for row in rows:
            total = by_day.get(row["days_before"], total)
            row["cumulative"].append(total)
    return rows


def choice_answers(event: Event) -> list[dict]:
    """For each choice question: how many participants chose each answer."""
    questions = db.session.scalars(select(Question).where(
        Question.event_id == event.id,
        Question.kind.in_((QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.YESNO)),
    ).order_by(Question.position, Question.id)).all()
    if not questions:
        return []
    answers = db.session.scalars(select(Registration.answers).where(
        Registration.event_id == event.id, Registration.status == CONFIRMED)).all()
    out = []
    for q in questions:
        counts: Counter = Counter()
        key = str(q.id)
        for a in answers:
            value = (a or {}).get(key)
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, bool):
                    counts["yes" if v else "no"] += 1
                elif v not in (None, ""):
                    counts[str(v)] += 1
        choices = [str(c) for c in (q.choices or [])] if q.kind != QuestionKind.YESNO else ["yes", "no"]
        extra = sorted(set(counts) - set(choices))
        out.append({"question_id": q.id, "label": q.label, "kind": q.kind,
                    "answers": [{"choice": c, "count": counts.get(c, 0)} for c in choices + extra]})
    return out


# ---------------------------------------------------------------------------------------------
# across events


@dataclass(frozen=True)
class EventFilter:
    fiscal_year_from: int
    fiscal_year_to: int
    category: str | None = None
    series_id: int | None = None
    prefecture: str | None = None
    format: str | None = None
    until: datetime | None = None  # only events that started by then (held, not just planned)

    def years(self) -> list[int]:
        return list(range(self.fiscal_year_from, self.fiscal_year_to + 1))

    def where(self) -> list:
        start, _ = dates.fiscal_year_bounds(self.fiscal_year_from)
        _, end = dates.fiscal_year_bounds(self.fiscal_year_to)
        return [Event.status.in_(HELD_EVENT_STATUSES), Event.starts_at >= start, Event.starts_at < end,
                *self.attribute_clauses(Event)]

    def attribute_clauses(self, table) -> list:
        """The filters on the event's attributes and start, on `table`'s columns of those names
        (Event, or the statistics' fact rows that copy them)."""
        clauses = [getattr(table, name) == value for name, value in (
            ("category", self.category), ("series_id", self.series_id), ("prefecture", self.prefecture),
            ("format", self.format)) if value]
        if self.until is not None:
            clauses.append(table.starts_at <= self.until)
        return clauses


def fiscal_year_expression(years: list[int]):
    """SQL: the 年度 of `Event.starts_at`, as a CASE over UTC bounds (portable, index-friendly)."""
    whens = []
    for y in years:
        start, end = dates.fiscal_year_bounds(y)
        whens.append((and_(Event.starts_at >= start, Event.starts_at < end), literal(y)))
    return case(*whens, else_=literal(None))


GROUPINGS = ("fiscal_year", "category", "series", "prefecture")


def _group_column(grouping: str, years: list[int]):
    if grouping == "fiscal_year":
        return fiscal_year_expression(years)
    if grouping == "category":
        return Event.category
    if grouping == "series":
        return func.coalesce(Event.series_id, 0)
    if grouping == "prefecture":
        return func.coalesce(Event.prefecture, "")
    raise ValueError(grouping)


_DIMENSION_OF = {"fiscal_year": "fy", "category": "category", "series": "series", "prefecture": "prefecture"}


def _key_of(grouping: str, grp: str):
    return int(grp) if grouping in ("fiscal_year", "series") else grp


def _fact_group_column(grouping: str):
    f = ParticipationFact
    return {"fiscal_year": f.fiscal_year, "category": f.category, "series": f.series_id,
            "prefecture": f.prefecture}[grouping]


def _filters_on_events(filters: EventFilter) -> bool:
    return any((filters.category, filters.series_id, filters.prefecture, filters.format))


def _covers_every_counted_year(filters: EventFilter) -> bool:
    years = [int(y) for y in db.session.scalars(select(ParticipationGroup.grp).where(
        ParticipationGroup.dim == "fy", ParticipationGroup.applicants > 0))]
    return all(filters.fiscal_year_from <= y <= filters.fiscal_year_to for y in years)


def _from_groups(dim: str, grps: list[str] | None = None) -> dict[str, tuple]:
    stmt = select(ParticipationGroup).where(ParticipationGroup.dim == dim)
    if grps is not None:
        stmt = stmt.where(ParticipationGroup.grp.in_(grps))
    return {g.grp: (g.applicants, g.participants, g.attendees, g.people, g.organizations, g.repeaters)
            for g in db.session.scalars(stmt)}


def _from_facts(filters: EventFilter, group=None) -> dict:
    """The figures over the fact rows the filters choose (for what the kept groups cannot answer)."""
    f = ParticipationFact
    participant = f.participant.is_(True)
    columns = [
        func.count(),
        func.sum(case((participant, 1), else_=0)),
        func.sum(case((f.attended.is_(True), 1), else_=0)),
        func.count(distinct(case((participant, f.person)))),
        func.count(distinct(case((participant, f.organization)))),
        func.count(distinct(case((f.repeated.is_(True), f.person)))),
    ]
    where = [f.fiscal_year >= filters.fiscal_year_from, f.fiscal_year <= filters.fiscal_year_to,
             *filters.attribute_clauses(f)]
    stmt = select(*([group] if group is not None else []), *columns).where(*where)
    if group is None:
        return {None: tuple(int(v or 0) for v in db.session.execute(stmt).one())}
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(stmt.group_by(group))}


def summary(filters: EventFilter, *, grouping: str = "fiscal_year") -> list[dict]:
    """One row per group: events, applicants, participants, attendees, rates, distinct people and
    organisations, repeat participants. For `fiscal_year`, every year of the range has a row.

    The figures come from the summary tables (services.participation): the kept groups when no
    filter on the events is set (and, for groupings other than 年度, when the range covers every
    counted year), otherwise the fact rows the filters choose.
    """
    group = _group_column(grouping, filters.years()).label("grp")
    events = dict(db.session.execute(
        select(group, func.count(Event.id)).where(*filters.where()).group_by(group)).all())
    if not _filters_on_events(filters) and (grouping == "fiscal_year" or _covers_every_counted_year(filters)):
        grps = [str(y) for y in filters.years()] if grouping == "fiscal_year" else None
        figures = {_key_of(grouping, k): v for k, v in _from_groups(_DIMENSION_OF[grouping], grps).items()}
    else:
        figures = {_key_of(grouping, str(k)): v
                   for k, v in _from_facts(filters, _fact_group_column(grouping)).items()}
    figures = {k: v for k, v in figures.items() if any(v) or k in events}
    keys = filters.years() if grouping == "fiscal_year" else sorted(set(events) | set(figures), key=str)
    out = []
    for key in keys:
        applicants, participants, attendees, people, orgs, repeat = figures.get(key, (0,) * 6)
        row = {
            "key": key,
            "events": events.get(key, 0),
            "applicants": applicants,
            "participants": participants,
            "attendees": attendees,
            "attendance_rate": _rate(attendees, participants),
            "distinct_people": people,
            "distinct_organizations": orgs,
            "repeat_participants": repeat,
        }
        if grouping == "fiscal_year":
            row["fiscal_year"] = key
        out.append(row)
    return out


def totals(filters: EventFilter) -> dict:
    """The same figures over the whole filtered range (distinct counts across all its years)."""
    if not _filters_on_events(filters) and _covers_every_counted_year(filters):
        figures = _from_groups("all").get("", (0,) * 6)
    else:
        figures = _from_facts(filters)[None]
    applicants, participants, attendees, people, orgs, _repeat = figures
    events = db.session.scalar(select(func.count(Event.id)).where(*filters.where())) or 0
    return {"events": events, "applicants": applicants, "participants": participants, "attendees": attendees,
            "attendance_rate": _rate(attendees, participants), "distinct_people": people,
            "distinct_organizations": orgs}


#: Rows of the 開催実績一覧 on one page (the XLSX has them all).
HELD_PER_PAGE = 100


#: The columns of an event the 開催実績一覧 shows (page, XLSX, CSV).
HELD_COLUMNS = (Event.id, Event.title, Event.starts_at, Event.category, Event.format, Event.venue,
                Event.prefecture, Event.series_id)


def held_events(filters: EventFilter, *, page: int | None = None) -> list[dict]:
    """開催実績一覧: each event of the range with its date, place and participant figures, in date
    order; one page of HELD_PER_PAGE rows when `page` (from 1) is given.

    One query: the event's listed columns (a row with those attributes, not a whole Event: the
    download lists every event of the range) and its kept sums (the per-event group rows).
    """
    groups = ParticipationGroup.__table__
    sums = (select(groups.c.grp, groups.c.applicants, groups.c.participants, groups.c.attendees)
            .where(groups.c.dim == "event").subquery())
    stmt = (select(*HELD_COLUMNS, sums.c.applicants, sums.c.participants, sums.c.attendees)
            .outerjoin(sums, sums.c.grp == cast(Event.id, String))
            .where(*filters.where()).order_by(Event.starts_at, Event.id))
    if page is not None:
        stmt = stmt.limit(HELD_PER_PAGE).offset((page - 1) * HELD_PER_PAGE)
    out = []
    for row in db.session.execute(stmt):
        out.append({"event": row, "fiscal_year": dates.fiscal_year(row.starts_at), "applicants": row.applicants or 0,
                    "participants": row.participants or 0, "attendees": row.attendees or 0})
    return out


def held_count(filters: EventFilter) -> int:
    return db.session.scalar(select(func.count(Event.id)).where(*filters.where())) or 0


def uncounted_events(now) -> int:
    """Held events that have started but that the jobs have not yet counted (the pages say so)."""
    return len(participation.uncounted_events(now))


# ---------------------------------------------------------------------------------------------
# filters from a query string (the pages and the API read the same parameters)

#: The widest range one request may ask for.
MAX_YEARS = 40
FILTER_KEYS = ("from", "to", "category", "series", "prefecture", "format")


def default_range(now) -> tuple[int, int]:
    """From the 年度 of the first held event (at most MAX_YEARS back) to the current 年度."""
    current = dates.fiscal_year(now)
    first = db.session.scalar(select(func.min(Event.starts_at)).where(Event.status.in_(HELD_EVENT_STATUSES)))
    start = min(dates.fiscal_year(first), current) if first else current
    return max(start, current - MAX_YEARS + 1), current


def parse_filters(args, *, now) -> tuple[EventFilter | None, dict[str, str]]:
    """An EventFilter from query parameters, or None and {parameter: problem code}.

    Problem codes: `year` (not a 西暦 year between 1900 and 2200), `order` (from after to),
    `range` (more than MAX_YEARS), `unknown` (a code that is not one of the list).
    """
    from app.domain.codes import PREFECTURES, EventCategory, EventFormat

    errors: dict[str, str] = {}
    default_from, default_to = default_range(now)
    years = {}
    for key, default in (("from", default_from), ("to", default_to)):
        raw = (args.get(key) or "").strip()
        if not raw:
            years[key] = default
        elif raw.isascii() and raw.isdigit() and 1900 <= int(raw) <= 2200:
            years[key] = int(raw)
        else:
            errors[key] = "year"
    if not errors and years["from"] > years["to"]:
        errors["from"] = "order"
    elif not errors and years["to"] - years["from"] + 1 > MAX_YEARS:
        errors["from"] = "range"
    choices = {"category": {c.value for c in EventCategory}, "format": {f.value for f in EventFormat},
               "prefecture": set(PREFECTURES)}
    values: dict = {}
    for key, allowed in choices.items():
        # Exactly a code or empty: str.strip() would also take control characters (\x1c-\x1f are
        # whitespace to Python), so "?category=%1E" passed as "no filter" (found by the fuzz test).
        raw = args.get(key) or ""
        if raw and raw not in allowed:
            errors[key] = "unknown"
        values[key] = raw or None
    raw_series = (args.get("series") or "").strip()
    if raw_series and not (raw_series.isascii() and raw_series.isdigit() and len(raw_series) < 12
                           and 0 < int(raw_series) < 2**31):
        errors["series"] = "unknown"
    values["series_id"] = int(raw_series) if raw_series and "series" not in errors else None
    if errors:
        return None, errors
    return EventFilter(years["from"], years["to"], until=now, **values), {}
