"""KPIs: saving them (admins) and measuring them against their events (domain.kpi says what counts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, distinct, func, or_, select

from app.db_types import utcnow
from app.domain import dates
from app.domain import kpi as rules
from app.domain.codes import RegistrationStatus
from app.extensions import db
from app.models import (
    Attendance,
    Event,
    Kpi,
    KpiTarget,
    ParticipationFact,
    ParticipationGroup,
    ParticipationMember,
    ParticipationOrgName,
    Registration,
)
from app.services import audit
from app.services.participation import ORGANIZATION
from app.services.stats import HELD_EVENT_STATUSES

CONFIRMED = RegistrationStatus.CONFIRMED.value
MAX_LISTED = 1000


@dataclass
class Measured:
    kpi: Kpi
    value: float
    progress: float
    events: list[dict] = field(default_factory=list)  # the events counted, with their figure
    matches: list[dict] = field(default_factory=list)  # organisations counted or matched
    unmatched: list[KpiTarget] = field(default_factory=list)  # target list entries that matched nothing
    list_size: int = 0


def scope(kpi: Kpi) -> list:
    """SQL conditions on Event for the events a KPI counts."""
    start, _ = dates.fiscal_year_bounds(kpi.fiscal_year_from)
    _, end = dates.fiscal_year_bounds(kpi.fiscal_year_to)
    clauses = [Event.status.in_(HELD_EVENT_STATUSES), Event.starts_at >= start, Event.starts_at < end]
    chosen = []
    if kpi.event_ids:
        chosen.append(Event.id.in_([int(i) for i in kpi.event_ids]))
    if kpi.series_ids:
        chosen.append(Event.series_id.in_([int(i) for i in kpi.series_ids]))
    if chosen:
        clauses.append(or_(*chosen))
    return clauses


def _fact_scope(kpi: Kpi) -> list:
    """The same choice as `scope`, on the statistics' fact rows (counted events: held and started)."""
    f = ParticipationFact
    clauses = [f.fiscal_year >= kpi.fiscal_year_from, f.fiscal_year <= kpi.fiscal_year_to]
    chosen = []
    if kpi.event_ids:
        chosen.append(f.event_id.in_([int(i) for i in kpi.event_ids]))
    if kpi.series_ids:
        chosen.append(f.series_id.in_([int(i) for i in kpi.series_ids]))
    if chosen:
        clauses.append(or_(*chosen))
    return clauses


def _scoped_events(kpi: Kpi) -> list[tuple[int, str, datetime]]:
    return db.session.execute(select(Event.id, Event.title, Event.starts_at).where(*scope(kpi))
                              .order_by(Event.starts_at, Event.id)).all()


def _per_event(kpi: Kpi, figure: str) -> list[dict]:
    """Each event of the KPI with one of its kept sums (applicants, participants, attendees)."""
    events = _scoped_events(kpi)
    groups = ParticipationGroup.__table__
    sums: dict[str, int] = {}
    for i in range(0, len(events), 500):
        ids = [str(e[0]) for e in events[i:i + 500]]
        sums.update(db.session.execute(select(groups.c.grp, groups.c[figure])
                                       .where(groups.c.dim == "event", groups.c.grp.in_(ids))).all())
    return [{"event_id": i, "title": t, "starts_at": s, "value": int(sums.get(str(i)) or 0)} for i, t, s in events]


def _names(keys: list[int]) -> dict[int, tuple[str, str]]:
    """A name (and 法人番号) for each organisation key: the first in order of the names it took part under."""
    n = ParticipationOrgName
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(keys), 500):
        for key, name, number in db.session.execute(
                select(n.key, n.name, n.corporate_number).where(n.key.in_(keys[i:i + 500]))
                .order_by(n.key, n.name, n.corporate_number)):
            out.setdefault(key, (name, number))
    return out


def _per_event_counted(kpi: Kpi, counts: dict[int, int]) -> list[dict]:
    return [{"event_id": i, "title": t, "starts_at": s, "value": counts.get(i, 0)} for i, t, s in _scoped_events(kpi)]


def measure(kpi: Kpi, *, detail: bool = True) -> Measured:
    """The KPI's value now, with what was counted (`detail`: the events, organisations and matches;
    without, the value and the progress only, for the lists).

    Counted, as on the statistics pages: the KPI's events that were held and have started. The
    figures come from the statistics' summary tables (services.participation), except the
    completion rule and the organisations' names, which need the registrations.
    """
    f = ParticipationFact
    if kpi.measure == rules.ATTENDEES:
        events = _per_event(kpi, "attendees")
        value = sum(e["value"] for e in events)
        return Measured(kpi, value, rules.progress(value, kpi.target), events=events if detail else [])
    if kpi.measure == rules.PEOPLE:
        value = db.session.scalar(select(func.count(distinct(f.person)))
                                  .where(*_fact_scope(kpi), f.attended.is_(True))) or 0
        events = _per_event(kpi, "attendees") if detail else []
        return Measured(kpi, value, rules.progress(value, kpi.target), events=events)
    if kpi.measure == rules.COMPLETERS:
        sessions_attended = (
            select(Attendance.registration_id.label("rid"), func.count().label("n"))
            .group_by(Attendance.registration_id).subquery())
        completed = and_(Registration.status == CONFIRMED, Event.completion_min_sessions.is_not(None),
                         sessions_attended.c.n >= Event.completion_min_sessions)
        base = (select(Registration.person_key, Event.id.label("event_id"))
                .join(Event, Event.id == Registration.event_id)
                .join(sessions_attended, sessions_attended.c.rid == Registration.id)
                .where(*scope(kpi), Event.starts_at <= utcnow(), completed).subquery())
        value = db.session.scalar(select(func.count(distinct(base.c.person_key)))) or 0
        events = []
        if detail:
            per_event = dict(db.session.execute(select(base.c.event_id, func.count()).group_by(base.c.event_id)).all())
            events = _per_event_counted(kpi, per_event)
        return Measured(kpi, value, rules.progress(value, kpi.target), events=events)
    participant_org = and_(f.participant.is_(True), f.organization.is_not(None))
    if kpi.measure == rules.ORGANIZATIONS:
        if not kpi.event_ids and not kpi.series_ids:  # every event of the years: the kept memberships
            m = ParticipationMember
            years = [str(y) for y in range(kpi.fiscal_year_from, kpi.fiscal_year_to + 1)]
            value = db.session.scalar(select(func.count(distinct(m.key))).where(
                m.kind == ORGANIZATION, m.dim == "fy", m.grp.in_(years))) or 0
        else:
            value = db.session.scalar(select(func.count(distinct(f.organization)))
                                      .where(*_fact_scope(kpi), participant_org)) or 0
        if not detail:
            return Measured(kpi, value, rules.progress(value, kpi.target))
        per_event = dict(db.session.execute(
            select(f.event_id, func.count(distinct(f.organization))).where(*_fact_scope(kpi), participant_org)
            .group_by(f.event_id)).all())
        rows = db.session.execute(
            select(f.organization, func.count()).where(*_fact_scope(kpi), participant_org)
            .group_by(f.organization).order_by(func.count().desc(), f.organization).limit(MAX_LISTED)).all()
        names = _names([key for key, _n in rows])
        matches = sorted(({"name": names.get(key, ("", ""))[0], "registrations": n} for key, n in rows),
                         key=lambda m: (-m["registrations"], m["name"]))
        return Measured(kpi, value, rules.progress(value, kpi.target), events=_per_event_counted(kpi, per_event),
                        matches=matches)
    if kpi.measure == rules.TARGET_SHARE:
        # The organisations that attended, by their keys (fact rows), with every name and 法人番号
        # each took part under (participation_org_names), matched like the one-per-organisation key.
        attended = (select(f.organization).where(*_fact_scope(kpi), f.attended.is_(True),
                                                 f.organization.is_not(None)).distinct().subquery())
        n = ParticipationOrgName
        orgs = db.session.execute(select(n.key, n.name, n.corporate_number)
                                  .where(n.key.in_(select(attended.c.organization)))
                                  .order_by(n.key, n.name, n.corporate_number)).all()
        targets = list(kpi.targets)
        found = rules.match_targets([(t.name, t.corporate_number) for t in targets], [(o[1], o[2]) for o in orgs])
        seen_at: dict[int, str] = {}
        if detail:  # an event each matched organisation attended
            keys = sorted({orgs[i][0] for i in found if i is not None})
            for i in range(0, len(keys), 500):
                seen_at.update(db.session.execute(
                    select(f.organization, func.min(Event.title)).join(Event, Event.id == f.event_id)
                    .where(*_fact_scope(kpi), f.attended.is_(True), f.organization.in_(keys[i:i + 500]))
                    .group_by(f.organization)).all())
        matches = [{"target": t.name or t.corporate_number, "organization": orgs[i][1],
                    "event": seen_at.get(orgs[i][0], "")}
                   for t, i in zip(targets, found, strict=True) if i is not None]
        unmatched = [t for t, i in zip(targets, found, strict=True) if i is None]
        share = round(100 * len(matches) / len(targets), 1) if targets else 0.0
        events = _per_event(kpi, "attendees") if detail else []
        return Measured(kpi, share, rules.progress(share, kpi.target), events=events, matches=matches,
                        unmatched=unmatched, list_size=len(targets))
    raise ValueError(kpi.measure)


def all_kpis() -> list[Kpi]:
    return db.session.scalars(select(Kpi).order_by(Kpi.fiscal_year_to.desc(), Kpi.name, Kpi.id)).all()


FIELDS = ("name", "description", "fiscal_year_from", "fiscal_year_to", "measure", "target", "event_ids", "series_ids")


def save(kpi: Kpi | None, data: dict, *, actor, now: datetime,
         targets: list[rules.TargetRow] | None = None, target_list_name: str = "") -> Kpi:
    """Create or change a KPI (the caller validated `data`); `targets` replaces the target list when given."""
    created = kpi is None
    kpi = kpi or Kpi(created_at=now)
    for name in FIELDS:
        if name in data:
            setattr(kpi, name, data[name])
    kpi.updated_at = now
    if created:
        db.session.add(kpi)
    if targets is not None:
        kpi.targets = [KpiTarget(position=t.line, name=t.name, corporate_number=t.corporate_number) for t in targets]
        kpi.target_list_name = target_list_name[:255]
    db.session.flush()
    audit.record("kpi.created" if created else "kpi.changed", actor=actor, now=now,
                 data={"kpi_id": kpi.id, "name": kpi.name, "targets": len(kpi.targets)})
    return kpi


def delete(kpi: Kpi, *, actor, now: datetime) -> None:
    audit.record("kpi.deleted", actor=actor, now=now, data={"kpi_id": kpi.id, "name": kpi.name})
    db.session.delete(kpi)
