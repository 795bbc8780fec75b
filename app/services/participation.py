"""The statistics' summary tables (models.participation), kept in step transactionally.

Nothing calls this module to keep the tables right: every change to a registration, an
attendance, an event or its sessions made through the ORM is seen at flush (``track``), and
the tables are brought up to date in the same transaction, just before it commits
(``before_commit``). A rollback drops what was noted. So whatever path changes a registration
(the form, the API, an organizer, a draw, an approval, a check-in, an import), the figures
follow it, and they never show what did not commit.

What is counted: registrations of a **counted event**: held (published, closed or finished)
and started (its first session began). An event is counted from its start: a change made to it
after that is counted at once; an event that merely reaches its start is added by the jobs
(``count_started_events``), and the pages say how many such events are still being counted.

How a change is applied, within the locking discipline (services.locks): the caller already
holds the event (shared or exclusive) and the registrations it changed. Then, as the last locks
of the transaction and always in this order:
1. the key row of every person whose fact rows change, in key order (``participation_keys``,
   ``FOR UPDATE``). Every write to a person's fact rows (the change's own rows, and the
   ``repeated`` flags of their other rows) happens under that person's lock, so two
   transactions never wait for each other's fact rows. Under it the person's memberships are
   recomputed from their fact rows, which, read after the lock, include every committed change;
2. the key row of each organisation touched, in key order, and its memberships likewise;
3. the group rows it changes, in (dimension, group) order, each by adding its difference.

People and organisations are 64-bit keys (``key_of``): the first 8 bytes of the SHA-256 of the
normalised email (kept as ``Registration.person_key``, which outlives the email's erasure after
the retention period: app.domain.retention), or of the organisation key. Distinct counts sort integers; a collision
between two of a million people has a chance below 1 in 10^7.
"""
from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, delete, event, exists, func, insert, inspect, literal, null, or_, select, update

from app.db_types import utcnow
from app.domain import dates
from app.domain.codes import EventStatus, RegistrationStatus
from app.domain.people import key_of
from app.extensions import db
from app.models import (
    Attendance,
    Event,
    EventSession,
    ParticipationEvent,
    ParticipationFact,
    ParticipationGroup,
    ParticipationKey,
    ParticipationMember,
    ParticipationOrgName,
    Registration,
)

#: Events that count as held: not drafts, not cancelled, not postponed.
HELD_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.FINISHED)
CONFIRMED = RegistrationStatus.CONFIRMED.value
PERSON, ORGANIZATION = "p", "o"
#: The groupings kept for the unfiltered pages ("all": the whole history at once).
DIMENSIONS = ("all", "fy", "category", "series", "prefecture")
#: The sums are also kept per event (the 開催実績一覧).
SUM_DIMENSIONS = (*DIMENSIONS, "event")
SUMS = ("applicants", "participants", "attendees")
DISTINCTS = ("people", "organizations", "repeaters")
_CHUNK = 500
_EVENT_FIELDS = ("status", "starts_at", "category", "series_id", "prefecture", "format")
_REGISTRATION_FIELDS = ("status", "email_normalized", "person_key", "organization_key", "event_id", "organization",
                        "corporate_number")


def counted(status: str, starts_at: datetime | None, now: datetime) -> bool:
    return status in HELD_EVENT_STATUSES and starts_at is not None and starts_at <= now


@dataclass(frozen=True)
class Fact:
    registration_id: int
    event_id: int
    fiscal_year: int
    starts_at: datetime
    category: str
    series_id: int
    prefecture: str
    format: str
    participant: bool
    attended: bool
    person: int
    organization: int | None

    def groups(self, dimensions=SUM_DIMENSIONS) -> list[tuple[str, str]]:
        values = {"all": "", "fy": str(self.fiscal_year), "category": self.category,
                  "series": str(self.series_id), "prefecture": self.prefecture, "event": str(self.event_id)}
        return [(d, values[d]) for d in dimensions]

    def row(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    def same(self, other: Fact | None) -> bool:
        if other is None:
            return False
        return all(_same_value(getattr(self, f), getattr(other, f)) for f in self.__dataclass_fields__)


def _same_value(a, b) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    return a == b


def _fact_from_stored(row) -> Fact:
    return Fact(**{f: getattr(row, f) for f in Fact.__dataclass_fields__})


# ---------------------------------------------------------------------------------------------
# noticing changes


def _pending(session) -> dict:
    return session.info.setdefault("participation", {"registrations": set(), "events": set(), "gone": []})


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _before_flush(session, flush_context, instances) -> None:
    """Deletions: read the rows the database is about to cascade away, to subtract them."""
    gone_registrations = [o.id for o in session.deleted if isinstance(o, Registration) and o.id is not None]
    gone_events = [o.id for o in session.deleted if isinstance(o, Event) and o.id is not None]
    if not gone_registrations and not gone_events:
        return
    clauses = []
    if gone_registrations:
        clauses.append(ParticipationFact.registration_id.in_(gone_registrations))
    if gone_events:
        clauses.append(ParticipationFact.event_id.in_(gone_events))
    with session.no_autoflush:
        rows = session.execute(select(ParticipationFact.__table__).where(or_(*clauses))).all()
    _pending(session)["gone"].extend(_fact_from_stored(r) for r in rows)


def _after_flush(session, flush_context) -> None:
    pending = None
    for obj in session.new:
        if isinstance(obj, Registration):
            pending = pending or _pending(session)
            pending["registrations"].add(obj.id)
        elif isinstance(obj, Attendance):
            pending = pending or _pending(session)
            pending["registrations"].add(obj.registration_id)
        elif isinstance(obj, Event):
            pending = pending or _pending(session)
            pending["events"].add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Registration) and _changed(obj, _REGISTRATION_FIELDS):
            pending = pending or _pending(session)
            pending["registrations"].add(obj.id)
        elif isinstance(obj, Event) and _changed(obj, _EVENT_FIELDS):
            pending = pending or _pending(session)
            pending["events"].add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Attendance):
            pending = pending or _pending(session)
            pending["registrations"].add(obj.registration_id)
        elif isinstance(obj, EventSession):  # its attendances go with it (ON DELETE CASCADE)
            pending = pending or _pending(session)
            pending["events"].add(obj.event_id)


def _before_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint: the changes are applied with the whole
        return
    session.flush()
    pending = session.info.pop("participation", None)
    if pending and (pending["registrations"] or pending["events"] or pending["gone"]):
        apply(session, registration_ids=pending["registrations"], event_ids=pending["events"],
              gone=pending["gone"], now=pending.get("now") or utcnow())
        session.flush()


def _forget(session, transaction) -> None:
    """The whole transaction ended (committed: already applied; rolled back: nothing to apply).
    A savepoint rolled back keeps what was noted: applying recounts from what is in the
    database, so a change that was undone changes nothing."""
    if transaction.parent is None:
        session.info.pop("participation", None)


def track(scoped_session) -> None:
    """Keep the summary tables in step with every ORM change of this session (idempotent)."""
    if event.contains(scoped_session, "before_commit", _before_commit):
        return
    event.listen(scoped_session, "before_flush", _before_flush)
    event.listen(scoped_session, "after_flush", _after_flush)
    event.listen(scoped_session, "before_commit", _before_commit)
    event.listen(scoped_session, "after_transaction_end", _forget)


def mark_event(event_id: int, *, now: datetime | None = None) -> None:
    """Recount an event's rows when this transaction commits (as of `now`, by default the
    moment of the commit)."""
    pending = _pending(db.session)
    pending["events"].add(event_id)
    if now is not None:
        pending["now"] = now


# ---------------------------------------------------------------------------------------------
# applying a change


def _chunks(ids: Iterable, size: int = _CHUNK):
    ids = sorted(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _current_facts(session, registration_ids: list[int], now: datetime) -> dict[int, Fact]:
    """What the fact rows of these registrations should be, read from the registrations."""
    return _read(session, registration_ids, now)[0]


@functools.cache
def _read_statement():
    """Built once (every commit that changes a registration runs it)."""
    attended = exists().where(Attendance.registration_id == Registration.id)
    stored = exists().where(ParticipationFact.registration_id == Registration.id)
    return (select(Registration.id, Registration.event_id, Registration.status, Registration.email_normalized,
                   Registration.organization_key, Event.status, Event.starts_at, Event.category, Event.series_id,
                   Event.prefecture, Event.format, attended, stored, Registration.organization,
                   Registration.corporate_number, Registration.person_key)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.id.in_(bindparam("ids", expanding=True))))


def _read(session, registration_ids: list[int], now: datetime,
          names: dict[int, tuple[str, str]] | None = None) -> tuple[dict[int, Fact], set[int]]:
    """`_current_facts`, and which of these registrations have a fact row now (in the same query:
    a registration at an upcoming event has none, and then nothing more is read). Fills `names`
    (when given) with each fact's organisation name and 法人番号."""
    rows = session.execute(_read_statement(), {"ids": list(registration_ids)}).all()
    out, has_row = {}, set()
    for (rid, eid, status, email, org_key, event_status, starts_at, category, series_id, prefecture, fmt,
         came, has, org_name, number, person) in rows:
        if has:
            has_row.add(rid)
        if not counted(event_status, starts_at, now):
            continue
        participant = status == CONFIRMED
        out[rid] = Fact(rid, eid, dates.fiscal_year(starts_at), starts_at, category, series_id or 0,
                        prefecture or "", fmt, participant, bool(participant and came),
                        person if person is not None else key_of(email or ""),
                        key_of(org_key) if org_key else None)
        if names is not None and org_key:
            names[rid] = (org_name or "", number or "")
    return out, has_row


class _Deltas:
    def __init__(self) -> None:
        self.by_group: dict[tuple[str, str], Counter] = defaultdict(Counter)

    def fact(self, fact: Fact, sign: int) -> None:
        for g in fact.groups():
            c = self.by_group[g]
            c["applicants"] += sign
            c["participants"] += sign * fact.participant
            c["attendees"] += sign * fact.attended

    def add(self, group: tuple[str, str], field: str, amount: int) -> None:
        if amount:
            self.by_group[group][field] += amount

    def write(self, session) -> None:
        """Add the differences, group rows in (dimension, group) order."""
        upsert = _insert_ignore(session)
        for (dim, grp) in sorted(self.by_group):
            change = {k: v for k, v in self.by_group[(dim, grp)].items() if v}
            if not change:
                continue
            session.execute(upsert(ParticipationGroup.__table__).values(
                dim=dim, grp=grp, **{f: 0 for f in (*SUMS, *DISTINCTS)}))
            table = ParticipationGroup.__table__
            session.execute(update(table).where(table.c.dim == dim, table.c.grp == grp)
                            .values({table.c[f]: table.c[f] + v for f, v in change.items()}))


def _insert_ignore(session):
    """INSERT ... ON CONFLICT DO NOTHING, for the database in use."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return lambda table: dialect_insert(table).on_conflict_do_nothing()


def _lock_keys(session, kind: str, keys_: list[int]) -> None:
    """Create (if new) and lock these key rows, in key order."""
    keys = ParticipationKey.__table__
    upsert = _insert_ignore(session)
    for chunk in _chunks(keys_):
        existing = set(session.scalars(select(keys.c.key).where(keys.c.kind == kind, keys.c.key.in_(chunk))))
        for key in chunk:
            if key not in existing:
                session.execute(upsert(keys).values(kind=kind, key=key, first_starts_at=None))
        session.execute(select(keys.c.key).where(keys.c.kind == kind, keys.c.key.in_(chunk))
                        .order_by(keys.c.key).with_for_update())


def apply(session, *, registration_ids: Iterable[int] = (), event_ids: Iterable[int] = (),
          gone: Iterable[Fact] = (), now: datetime) -> None:
    """Bring the summary tables up to date for these registrations and events (see the module)."""
    registration_ids, event_ids = set(registration_ids), set(event_ids)
    facts = ParticipationFact.__table__
    for chunk in _chunks(event_ids):
        registration_ids.update(session.scalars(select(Registration.id).where(Registration.event_id.in_(chunk))))
        # rows of registrations that moved away from these events
        registration_ids.update(session.scalars(select(facts.c.registration_id).where(facts.c.event_id.in_(chunk))))
    deltas = _Deltas()
    people: set[int] = set()  # whose memberships to recount
    organizations: set[int] = set()
    writers: set[int] = set()  # whose fact rows this change writes

    def touch(fact: Fact) -> None:
        if fact.participant:
            people.add(fact.person)
            if fact.organization is not None:
                organizations.add(fact.organization)

    gone = list(gone)
    still_there = set()
    for chunk in _chunks({f.registration_id for f in gone}):
        still_there.update(session.scalars(select(facts.c.registration_id).where(facts.c.registration_id.in_(chunk))))
    for fact in gone:
        if fact.registration_id in still_there:  # its deletion was rolled back (a savepoint)
            continue
        deltas.fact(fact, -1)
        touch(fact)
    stale: dict[int, Fact] = {}
    fresh: list[Fact] = []
    names: dict[int, tuple[str, str]] = {}
    named: set[tuple[int, str, str]] = set()  # (organisation, name, 法人番号) of the participants read
    for chunk in _chunks(registration_ids):
        new, has_row = _read(session, chunk, now, names)
        # (a registration's row that the query above cannot see is one whose registration is gone:
        # the database removed it with the registration, and `gone` subtracted it)
        old = {r.registration_id: _fact_from_stored(r) for r in session.execute(
            select(facts).where(facts.c.registration_id.in_(sorted(has_row))))} if has_row else {}
        named.update((f.organization, *names[rid]) for rid, f in new.items()
                     if f.participant and f.organization is not None and rid in names)
        stale.update({rid: old[rid] for rid in chunk if rid in old and not old[rid].same(new.get(rid))})
        fresh.extend(new[rid] for rid in chunk if rid in new and not new[rid].same(old.get(rid)))
    for fact in (*stale.values(), *fresh):
        writers.add(fact.person)
        touch(fact)
    _lock_keys(session, PERSON, sorted(writers | people))
    for chunk in _chunks(stale):
        session.execute(delete(facts).where(facts.c.registration_id.in_(chunk)))
    if fresh:
        session.execute(insert(facts), [{**f.row(), "repeated": False} for f in fresh])
    for fact in stale.values():
        deltas.fact(fact, -1)
    for fact in fresh:
        deltas.fact(fact, +1)
    _mark_counted(session, event_ids, now)
    for person in sorted(people):
        _recount(session, PERSON, person, deltas)
    unnamed = _missing_names(session, named)
    _lock_keys(session, ORGANIZATION, sorted(organizations | {key for key, _, _ in unnamed}))
    _add_names(session, unnamed)
    for organization in sorted(organizations):
        _recount(session, ORGANIZATION, organization, deltas)
    deltas.write(session)


def _missing_names(session, rows: set[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Which of these (organisation, name, 法人番号) are not yet noted."""
    if not rows:
        return []
    table = ParticipationOrgName.__table__
    existing = set()
    for chunk in _chunks({key for key, _, _ in rows}):
        existing.update(tuple(r) for r in session.execute(select(table.c.key, table.c.name, table.c.corporate_number)
                                        .where(table.c.key.in_(chunk))).all())
    return sorted(rows - existing)


def _add_names(session, rows: list[tuple[int, str, str]]) -> None:
    """Note the names organisations took part under (their key rows locked by the caller)."""
    upsert = _insert_ignore(session)
    for key, name, number in rows:
        session.execute(upsert(ParticipationOrgName.__table__).values(key=key, name=name, corporate_number=number))


def _mark_counted(session, event_ids: set[int], now: datetime) -> None:
    if not event_ids:
        return
    marks = ParticipationEvent.__table__
    for chunk in _chunks(event_ids):
        rows = session.execute(select(Event.id, Event.status, Event.starts_at).where(Event.id.in_(chunk))).all()
        yes = [eid for eid, status, starts in rows if counted(status, starts, now)]
        no = [eid for eid in chunk if eid not in yes]
        if no:
            session.execute(delete(marks).where(marks.c.event_id.in_(no)))
        if yes:
            upsert = _insert_ignore(session)
            for eid in yes:
                session.execute(upsert(marks).values(event_id=eid, counted_at=now))


def _recount(session, kind: str, key: int, deltas: _Deltas) -> None:
    """Recompute one person's or organisation's memberships (and a person's ``repeated`` flags)
    under its key row's lock, which the caller holds, and note how the groups' distinct counts
    change."""
    keys, members, facts = ParticipationKey.__table__, ParticipationMember.__table__, ParticipationFact.__table__
    column = facts.c.person if kind == PERSON else facts.c.organization
    rows = session.execute(select(facts).where(column == key, facts.c.participant.is_(True))).all()
    first = min((r.starts_at for r in rows), default=None)
    if kind == PERSON:
        flip = [r.registration_id for r in rows if r.repeated != (r.starts_at > first)]
        if flip:
            session.execute(update(facts).where(facts.c.registration_id.in_(flip))
                            .values(repeated=~facts.c.repeated))
    new: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        fact = _fact_from_stored(r)
        for g in fact.groups(DIMENSIONS):
            new[g][0] += 1
            if kind == PERSON and fact.starts_at > first:
                new[g][1] += 1
    old = {(m.dim, m.grp): (m.participations, m.repeats)
           for m in session.execute(select(members).where(members.c.kind == kind, members.c.key == key))}
    counted_field = "people" if kind == PERSON else "organizations"
    for g in set(old) | set(new):
        was, now_ = old.get(g, (0, 0)), tuple(new.get(g, (0, 0)))
        if was == now_:
            continue
        deltas.add(g, counted_field, (now_[0] > 0) - (was[0] > 0))
        if kind == PERSON:
            deltas.add(g, "repeaters", (now_[1] > 0) - (was[1] > 0))
        if g in old:
            session.execute(delete(members).where(members.c.kind == kind, members.c.key == key,
                                                  members.c.dim == g[0], members.c.grp == g[1]))
        if now_[0]:
            session.execute(insert(members).values(kind=kind, key=key, dim=g[0], grp=g[1],
                                                   participations=now_[0], repeats=now_[1]))
    if kind == PERSON:
        session.execute(update(keys).where(keys.c.kind == kind, keys.c.key == key).values(first_starts_at=first))


# ---------------------------------------------------------------------------------------------
# the jobs, a rebuild and a check


def uncounted_events(now: datetime, limit: int | None = None) -> list[int]:
    """Held events that have started but are not yet counted (oldest first)."""
    stmt = (select(Event.id).where(Event.status.in_(HELD_EVENT_STATUSES), Event.starts_at.is_not(None),
                                   Event.starts_at <= now,
                                   ~exists().where(ParticipationEvent.event_id == Event.id))
            .order_by(Event.starts_at, Event.id))
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def count_started_events(now: datetime, *, limit: int = 200) -> int:
    """Count the events that have started since the last pass (one transaction each, the event
    held exclusively so that no registration changes while its rows are written)."""
    from app.services import locks

    done = 0
    for event_id in uncounted_events(now, limit):
        try:
            locks.event(event_id, exclusive=True)
            mark_event(event_id, now=now)
            db.session.commit()
            done += 1
        except Exception:
            db.session.rollback()
            raise
    return done


def rebuild(now: datetime | None = None, *, commit: bool = True) -> int:
    """Empty the summary tables and count every event again (after a bulk load or bulk deletes).
    Returns the number of events counted. With `commit`, commits as it goes (a large database);
    without, leaves it all to the caller's transaction."""
    now = now or utcnow()
    db.session.flush()
    db.session.info.pop("participation", None)  # recounted from scratch: nothing else to apply
    for model in (ParticipationGroup, ParticipationMember, ParticipationKey, ParticipationEvent, ParticipationFact,
                  ParticipationOrgName):
        db.session.execute(delete(model))
    if commit:
        db.session.commit()
    return _fill(now, commit)


def _fill(now: datetime, commit: bool) -> int:
    """Counted events' fact rows, then the members and groups by aggregate statements."""
    session = db.session
    facts = ParticipationFact.__table__
    events = db.session.execute(select(Event.id, Event.status, Event.starts_at)).all()
    counted_ids = [eid for eid, status, starts in events if counted(status, starts, now)]
    for chunk in _chunks(counted_ids, 50):
        ids = list(session.scalars(select(Registration.id).where(Registration.event_id.in_(chunk))))
        for part in _chunks(ids, 5000):
            rows = [{**f.row(), "repeated": False} for f in _current_facts(session, part, now).values()]
            if rows:
                session.execute(insert(facts), rows)
        session.execute(insert(ParticipationEvent.__table__), [{"event_id": e, "counted_at": now} for e in chunk])
        if commit:
            session.commit()
    _fill_aggregates(session)
    if commit:
        session.commit()
    return len(counted_ids)


def _fill_aggregates(session) -> None:
    facts = ParticipationFact.__table__
    keys, members, groups = (ParticipationKey.__table__, ParticipationMember.__table__,
                             ParticipationGroup.__table__)
    part = facts.c.participant.is_(True)
    session.execute(insert(keys).from_select(
        ["kind", "key", "first_starts_at"],
        select(literal(PERSON), facts.c.person, func.min(facts.c.starts_at))
        .where(part).group_by(facts.c.person)))
    session.execute(insert(keys).from_select(
        ["kind", "key", "first_starts_at"],
        select(literal(ORGANIZATION), facts.c.organization, null())
        .where(part, facts.c.organization.is_not(None)).group_by(facts.c.organization)))
    session.execute(insert(ParticipationOrgName.__table__).from_select(
        ["key", "name", "corporate_number"],
        select(facts.c.organization, Registration.organization, Registration.corporate_number).distinct()
        .join(Registration, Registration.id == facts.c.registration_id)
        .where(part, facts.c.organization.is_not(None))))
    first = select(keys.c.key, keys.c.first_starts_at).where(keys.c.kind == PERSON).subquery()
    firsts = select(keys.c.first_starts_at).where(keys.c.kind == PERSON, keys.c.key == facts.c.person)
    session.execute(update(facts).where(part, facts.c.starts_at > firsts.scalar_subquery()).values(repeated=True))
    grp_of = {"all": func.cast("", members.c.grp.type), "fy": func.cast(facts.c.fiscal_year, members.c.grp.type),
              "category": facts.c.category, "series": func.cast(facts.c.series_id, members.c.grp.type),
              "prefecture": facts.c.prefecture, "event": func.cast(facts.c.event_id, members.c.grp.type)}
    repeat = case((facts.c.starts_at > first.c.first_starts_at, 1), else_=0)
    for dim in DIMENSIONS:
        g = grp_of[dim]
        session.execute(insert(members).from_select(
            ["kind", "key", "dim", "grp", "participations", "repeats"],
            select(literal(PERSON), facts.c.person, literal(dim), g, func.count(), func.sum(repeat))
            .join(first, first.c.key == facts.c.person).where(part).group_by(facts.c.person, g)))
        session.execute(insert(members).from_select(
            ["kind", "key", "dim", "grp", "participations", "repeats"],
            select(literal(ORGANIZATION), facts.c.organization, literal(dim), g, func.count(), literal(0))
            .where(part, facts.c.organization.is_not(None)).group_by(facts.c.organization, g)))
    for dim in SUM_DIMENSIONS:
        g = grp_of[dim]
        session.execute(insert(groups).from_select(
            ["dim", "grp", "applicants", "participants", "attendees", "people", "organizations", "repeaters"],
            select(literal(dim), g, func.count(), func.sum(case((part, 1), else_=0)),
                   func.sum(case((facts.c.attended.is_(True), 1), else_=0)), literal(0), literal(0), literal(0))
            .group_by(g)))
    for kind, field in ((PERSON, "people"), (ORGANIZATION, "organizations")):
        counts = (select(members.c.dim, members.c.grp, func.count().label("n"),
                         func.sum(case((members.c.repeats > 0, 1), else_=0)).label("r"))
                  .where(members.c.kind == kind).group_by(members.c.dim, members.c.grp))
        for dim, grp, n, r in session.execute(counts).all():
            values = {field: n}
            if kind == PERSON:
                values["repeaters"] = int(r or 0)
            session.execute(_insert_ignore(session)(groups).values(
                dim=dim, grp=grp, **{f: 0 for f in (*SUMS, *DISTINCTS)}))
            session.execute(update(groups).where(groups.c.dim == dim, groups.c.grp == grp).values(**values))


def differences(now: datetime | None = None, limit: int = 20) -> list[str]:
    """How the summary tables differ from a recount of the registrations (empty: they agree).

    The recount is done in memory over the counted events, so this is for `flask check` and the
    tests; a large database takes a while.
    """
    now = now or utcnow()
    session = db.session
    marks = set(session.scalars(select(ParticipationEvent.event_id)))
    facts_table = ParticipationFact.__table__
    stored_rows = session.execute(select(facts_table)).all()
    stored = {r.registration_id: _fact_from_stored(r) for r in stored_rows}
    ids = list(session.scalars(select(Registration.id)))
    expected: dict[int, Fact] = {}
    names: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids, 5000):
        expected.update(_read(session, chunk, now, names)[0])
    # A started event the jobs have not counted yet may lack its rows: compare counted events only.
    expected = {k: v for k, v in expected.items() if v.event_id in marks or k in stored}
    problems = []
    noted = {tuple(r) for r in session.execute(select(ParticipationOrgName.key, ParticipationOrgName.name,
                                                      ParticipationOrgName.corporate_number))}
    for rid, f in sorted(expected.items()):
        if f.participant and f.organization is not None and (f.organization, *names[rid]) not in noted:
            problems.append(f"registration {rid}: its organisation's name {names[rid]} is not noted")
    for rid in sorted(set(stored) | set(expected)):
        if not (stored.get(rid) and stored[rid].same(expected.get(rid))):
            problems.append(f"registration {rid}: summary row {stored.get(rid)} but the registration says "
                            f"{expected.get(rid)}")
    # groups and members from the stored facts
    want: dict[tuple[str, str], Counter] = defaultdict(Counter)
    firsts: dict[int, datetime] = {}
    for f in stored.values():
        if f.participant and (f.person not in firsts or f.starts_at < firsts[f.person]):
            firsts[f.person] = f.starts_at
    seen: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: {"p": set(), "o": set(), "r": set()})
    for f in stored.values():
        for g in f.groups():
            want[g]["applicants"] += 1
            want[g]["participants"] += f.participant
            want[g]["attendees"] += f.attended
        if f.participant:
            for g in f.groups(DIMENSIONS):
                seen[g]["p"].add(f.person)
                if f.organization is not None:
                    seen[g]["o"].add(f.organization)
                if f.starts_at > firsts[f.person]:
                    seen[g]["r"].add(f.person)
    for r in stored_rows:
        expected_flag = bool(r.participant and r.starts_at > firsts[r.person])
        if bool(r.repeated) != expected_flag:
            problems.append(f"registration {r.registration_id}: repeated is {r.repeated}, a recount gives "
                            f"{expected_flag}")
    for g, s in seen.items():
        want[g]["people"], want[g]["organizations"], want[g]["repeaters"] = len(s["p"]), len(s["o"]), len(s["r"])
    have = {(r.dim, r.grp): r for r in session.execute(select(ParticipationGroup.__table__))}
    for g in sorted(set(want) | set(have)):
        for field in (*SUMS, *DISTINCTS):
            a, b = (getattr(have[g], field) if g in have else 0), want[g][field]
            if a != b:
                problems.append(f"group {g[0]}={g[1]!r}: {field} is {a}, a recount gives {b}")
    return problems[:limit]
