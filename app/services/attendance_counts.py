"""Attendance counts per session, per event and per person (reads only, grouped SQL).

Definitions (the same on every page, in the API and in the tests):

- **confirmed**: the event's confirmed registrations (every session expects them all); in an event whose
  registrants choose days (per-day registration), a session's are those with a seat that day;
- **attended** (session): attendances recorded for the session, whatever recorded them, of registrations
  that are confirmed (a registration cancelled after it was checked in never counts as an attendee);
- **walk_ins** (session): of those, the ones recorded as ``walk_in`` or whose registration was made
  at the door (origin ``walk_in``); (event): people with at least one such attendance;
- **no_shows**: confirmed registrations without an attendance (session: at that session; event: at any);
- **rate**: attended / confirmed (event: unique attendees / confirmed), None without confirmed;
- **cumulative** (延べ): the sum of the sessions' attended (a session: its attended);
- **unique_attendees**: people with at least one attendance; the event's ``attended`` is this;
- **full_attendance** (皆勤): people who attended every session (events with 2 sessions or more);
- **completed**: people who attended at least ``completion_min_sessions`` sessions (None without a rule).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from app.domain.codes import AttendanceMethod, RegistrationOrigin, RegistrationStatus
from app.extensions import db
from app.models import Attendance, Event, EventSession, Registration, SessionChoice


def _rate(attended: int, confirmed: int) -> float | None:
    return round(attended / confirmed, 4) if confirmed else None


_WALK_IN = or_(Attendance.method == AttendanceMethod.WALK_IN, Registration.origin == RegistrationOrigin.WALK_IN)


@dataclass
class SessionCounts:
    id: int
    title: str
    starts_at: object
    confirmed: int
    attended: int
    walk_ins: int
    no_shows: int

    @property
    def cumulative(self) -> int:
        return self.attended

    @property
    def rate(self) -> float | None:
        return _rate(self.attended, self.confirmed)

    def as_json(self) -> dict:
        return {"id": self.id, "confirmed": self.confirmed, "attended": self.attended, "walk_ins": self.walk_ins,
                "cumulative": self.cumulative, "rate": self.rate, "no_shows": self.no_shows}


@dataclass
class EventCounts:
    event_id: int
    confirmed: int
    unique_attendees: int
    walk_ins: int
    no_shows: int
    session_count: int
    full_attendance: int
    completion_min_sessions: int | None
    completed: int | None
    sessions: list[SessionCounts] = field(default_factory=list)

    @property
    def attended(self) -> int:
        return self.unique_attendees

    @property
    def cumulative(self) -> int:
        return sum(s.attended for s in self.sessions)

    @property
    def rate(self) -> float | None:
        return _rate(self.unique_attendees, self.confirmed)

    def total_json(self) -> dict:
        return {"confirmed": self.confirmed, "attended": self.attended, "walk_ins": self.walk_ins,
                "cumulative": self.cumulative, "rate": self.rate, "no_shows": self.no_shows,
                "unique_attendees": self.unique_attendees, "session_count": self.session_count,
                "full_attendance": self.full_attendance if self.session_count > 1 else None,
                "completion_min_sessions": self.completion_min_sessions, "completed": self.completed}

    def as_json(self) -> dict:
        return {"event_id": self.event_id, "total": self.total_json(), "sessions": [s.as_json() for s in self.sessions]}


def event_counts(event: Event) -> EventCounts:
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)) or 0
    is_confirmed = case((Registration.status == RegistrationStatus.CONFIRMED, 1), else_=0)
    per_session = {
        sid: (n, walk, conf)
        for sid, n, walk, conf in db.session.execute(
            select(Attendance.session_id, func.count(), func.sum(case((_WALK_IN, 1), else_=0)), func.sum(is_confirmed))
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(Attendance.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .group_by(Attendance.session_id))
    }
    sessions = list(db.session.scalars(select(EventSession).where(EventSession.event_id == event.id)
                                       .order_by(EventSession.starts_at, EventSession.id)))
    session_ids = [s.id for s in sessions]
    seated: dict[int, int] = {}
    if event.choose_sessions:
        # Per-day registration: a day expects those with a seat that day (its confirmed choices).
        seated = dict(db.session.execute(
            select(Attendance.session_id, func.count())
            .join(SessionChoice, (SessionChoice.registration_id == Attendance.registration_id)
                  & (SessionChoice.session_id == Attendance.session_id))
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(Attendance.event_id == event.id, SessionChoice.status == "confirmed",
                   Registration.status == RegistrationStatus.CONFIRMED)
            .group_by(Attendance.session_id)).all())
    rows = []
    for s in sessions:
        n, walk, conf = per_session.get(s.id, (0, 0, 0))
        expected, came = confirmed, int(conf or 0)
        if event.choose_sessions:
            expected, came = s.confirmed_count, seated.get(s.id, 0)
        rows.append(SessionCounts(id=s.id, title=s.title, starts_at=s.starts_at, confirmed=expected,
                                  attended=int(n or 0), walk_ins=int(walk or 0), no_shows=max(expected - came, 0)))

    # Per person: sessions attended (of the event's current sessions), any walk-in, confirmed or not.
    per_person = (
        select(Attendance.registration_id.label("rid"), func.count().label("n"),
               func.max(case((_WALK_IN, 1), else_=0)).label("walk"), func.max(is_confirmed).label("conf"))
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Attendance.event_id == event.id, Attendance.session_id.in_(session_ids or [-1]),
               Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Attendance.registration_id)
        .subquery()
    )
    total = len(session_ids)
    minimum = event.completion_min_sessions
    people, walk_ins, confirmed_attendees, full, completed = db.session.execute(select(
        func.count(), func.coalesce(func.sum(per_person.c.walk), 0), func.coalesce(func.sum(per_person.c.conf), 0),
        func.coalesce(func.sum(case((per_person.c.n >= total, 1), else_=0)), 0),
        func.coalesce(func.sum(case((per_person.c.n >= (minimum or 0), 1), else_=0)), 0),
    ).select_from(per_person)).one()
    return EventCounts(event_id=event.id, confirmed=confirmed, unique_attendees=int(people),
                       walk_ins=int(walk_ins), no_shows=confirmed - int(confirmed_attendees), session_count=total,
                       full_attendance=int(full) if total else 0,
                       completion_min_sessions=minimum, completed=int(completed) if minimum else None,
                       sessions=rows)


@dataclass
class PersonRow:
    registration: Registration
    attended: set[int]  # session ids
    count: int
    full: bool
    completed: bool | None


def per_person(event: Event) -> tuple[list[EventSession], list[PersonRow]]:
    """Every confirmed registrant and everyone who attended, with the sessions they attended
    (most sessions first, then by kana)."""
    sessions = list(db.session.scalars(select(EventSession).where(EventSession.event_id == event.id)
                                       .order_by(EventSession.starts_at, EventSession.id)))
    attended: dict[int, set[int]] = {}
    for rid, sid in db.session.execute(select(Attendance.registration_id, Attendance.session_id)
                                       .where(Attendance.event_id == event.id)):
        attended.setdefault(rid, set()).add(sid)
    regs = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        or_(Registration.status == RegistrationStatus.CONFIRMED,
            Registration.id.in_(select(Attendance.registration_id).where(Attendance.event_id == event.id))),
    ).order_by(Registration.family_name_kana, Registration.given_name_kana, Registration.id))
    ids = {s.id for s in sessions}
    minimum = event.completion_min_sessions
    rows = []
    for reg in regs:
        mine = attended.get(reg.id, set()) & ids
        rows.append(PersonRow(reg, mine, len(mine), bool(ids) and mine == ids,
                              (len(mine) >= minimum) if minimum else None))
    rows.sort(key=lambda r: -r.count)
    return sessions, rows

