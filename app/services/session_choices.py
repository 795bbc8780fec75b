"""Per-day registration: the sessions (days) a registrant chose, with a seat or a place in line per day.

In an event whose registrants choose sessions (``Event.choose_sessions``), each
session row is its day's capacity lock (``EventSession.confirmed_count`` and
``waitlist_last_seq``). Every function here runs inside a transaction that holds
the locks of app.services.locks: the event, its 参加枠, then all of the event's
session rows (``locks.event_sessions``), then the registration; the callers in
app.services.registrations take them. The caller commits.

Rules (app.domain.session_choice): a confirmed registration gets a seat on
each chosen day with a free seat and nobody waiting, else a place in the day's
line (or 満席 when the event keeps no waiting list); a registration not
confirmed (on its 参加枠's waiting list) holds ``pending`` choices that are
seated when it is confirmed; a seat freed on a day goes to the first in that
day's line.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app import notifications
from app.domain import admission
from app.domain import session_choice as rules
from app.domain.codes import RegistrationStatus
from app.domain.session_choice import ChoiceStatus
from app.extensions import db
from app.models import Attendance, Event, EventSession, Registration, SessionChoice
from app.services import audit, locks
from app.services.errors import Full, ServiceError


class DayFull(Full):
    """A chosen day is full and the event keeps no waiting list (or a walk-in asks for a full day)."""

    code = "session_full"

    def __init__(self, session_id: int):
        super().__init__(rules.DAY_FULL)
        self.session_id = session_id


def _waiting(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(SessionChoice).where(
        SessionChoice.session_id == session_id, SessionChoice.status == ChoiceStatus.WAITLISTED.value)) or 0


def _decide(choice: SessionChoice, day: EventSession, *, now: datetime, waitlist_enabled: bool,
            override: bool = False) -> None:
    """Seat a choice of a confirmed registration on its (locked) day, or put it in the day's line."""
    status = rules.day_status(capacity=day.capacity, confirmed=day.confirmed_count, waiting=_waiting(day.id),
                              waitlist_enabled=waitlist_enabled)
    if status is admission.Refusal.FULL and not override:
        raise DayFull(day.id)
    if status is ChoiceStatus.CONFIRMED or override:
        choice.capacity_override = status is not ChoiceStatus.CONFIRMED
        choice.status = ChoiceStatus.CONFIRMED.value
        choice.confirmed_at = now
        choice.waitlist_seq = None
        day.confirmed_count += 1
    else:
        day.waitlist_last_seq = (day.waitlist_last_seq or 0) + 1
        choice.status = ChoiceStatus.WAITLISTED.value
        choice.waitlist_seq = day.waitlist_last_seq
        choice.waitlisted_at = now
    db.session.flush()  # the next day's count of waiting choices sees this one


def choose(registration: Registration, session_ids, days: dict[int, EventSession], *, event: Event,
           now: datetime, override: bool = False, walk_in: bool = False) -> list[SessionChoice]:
    """Give a new registration its chosen days (its status already decided; the days locked).

    Raises DayFull when a day is full and the event keeps no waiting list, or for a
    walk-in (who is at the door: a line is no use), unless an organizer's `override`.
    """
    made = []
    for session_id in sorted(set(session_ids)):
        choice = SessionChoice(registration=registration, session_id=session_id, created_at=now,
                               status=ChoiceStatus.PENDING.value)
        db.session.add(choice)
        if registration.status == RegistrationStatus.CONFIRMED:
            _decide(choice, days[session_id], now=now, waitlist_enabled=event.waitlist_enabled and not walk_in,
                    override=override)
        made.append(choice)
    db.session.flush()
    return made


def seat_pending(registration: Registration, *, now: datetime) -> None:
    """The registration has just been confirmed: its pending days get a seat or a place in line.

    The caller holds the event's session locks (locks.event_sessions).
    """
    pending = [c for c in _choices(registration.id) if c.status == ChoiceStatus.PENDING]
    if not pending:
        return
    days = {s.id: s for s in db.session.scalars(select(EventSession).where(
        EventSession.id.in_([c.session_id for c in pending])))}
    for choice in pending:
        # Confirmed for the event by its 参加枠: never refused a day, at worst in its line.
        _decide(choice, days[choice.session_id], now=now, waitlist_enabled=True)


def restore(registration: Registration, *, now: datetime) -> None:
    """A cancelled registration is restored (its status decided): its days are chosen again.

    Confirmed: a seat on each day, or a place at the end of the day's line (an
    organizer's override confirms the registration, not its days). Otherwise pending.
    The caller holds the event's session locks.
    """
    choices = [c for c in _choices(registration.id) if c.status == ChoiceStatus.CANCELLED]
    for choice in choices:
        choice.status = ChoiceStatus.PENDING.value
    db.session.flush()
    if registration.status == RegistrationStatus.CONFIRMED:
        seat_pending(registration, now=now)


def _choices(registration_id: int) -> list[SessionChoice]:
    return list(db.session.scalars(
        select(SessionChoice).where(SessionChoice.registration_id == registration_id)
        .order_by(SessionChoice.session_id).execution_options(populate_existing=True)))


def release(registration: Registration, *, now: datetime, actor=None) -> list[int]:
    """The registration was cancelled: its days let go (seats go to those waiting). The sessions are locked."""
    freed = []
    for choice in _choices(registration.id):
        if choice.status == ChoiceStatus.CANCELLED:
            continue
        if choice.status == ChoiceStatus.CONFIRMED:
            freed.append(choice.session_id)
        choice.status = ChoiceStatus.CANCELLED.value
        choice.waitlist_seq = None
    if freed:
        days = locks.sessions(freed)  # re-read (already locked by the caller)
        for session_id in freed:
            days[session_id].confirmed_count -= 1
        db.session.flush()
        for session_id in freed:
            promote(days[session_id], now=now, actor=actor)
    db.session.flush()
    return freed


def promote(day: EventSession, *, now: datetime, actor=None) -> list[SessionChoice]:
    """Seats free on a (locked) day go to the first in its line (first come, event live)."""
    event = db.session.get(Event, day.event_id)
    if not admission.promotes(event_status=event.status, admission_mode=event.admission_mode):
        return []
    n = admission.promotable(capacity=day.capacity, confirmed=day.confirmed_count, waiting=_waiting(day.id))
    if n == 0:
        return []
    promoted = list(db.session.scalars(
        select(SessionChoice)
        .where(SessionChoice.session_id == day.id, SessionChoice.status == ChoiceStatus.WAITLISTED.value)
        .order_by(SessionChoice.waitlist_seq, SessionChoice.id).limit(n)
        .execution_options(populate_existing=True)))
    for choice in promoted:
        choice.status = ChoiceStatus.CONFIRMED.value
        choice.confirmed_at = now
        choice.waitlist_seq = None
        registration = choice.registration
        audit.record("registration.session_promoted", actor=actor, actor_label="" if actor else "system", now=now,
                     event_id=registration.event_id, registration_id=registration.id,
                     data={"session_id": day.id})
        notifications.enqueue(
            "promoted", registration, now=now,
            dedupe_key=f"reg:{registration.id}:promoted:{day.id}:{now.timestamp():.0f}",
            extra={"promoted_session": day}, context={"session_id": day.id})
    day.confirmed_count += len(promoted)
    db.session.flush()
    return promoted


def promote_all(event: Event, *, now: datetime, actor=None) -> None:
    """Every day of a (locked) per-day event lets its line move up (after a status or mode change)."""
    for day in locks.event_sessions(event).values():
        promote(day, now=now, actor=actor)


class SessionsChange:
    def __init__(self, added: tuple[int, ...], removed: tuple[int, ...], waitlisted: tuple[int, ...]):
        self.added, self.removed, self.waitlisted = added, removed, waitlisted


def change(registration: Registration, session_ids, *, now: datetime, actor=None) -> SessionsChange:
    """The registrant (or an organizer) changes the chosen days; at least one stays.

    A day added gets a seat if one is free and nobody waits, else a place at the
    end of its line, or DayFull when the event keeps no waiting list (nothing is
    changed then). A day removed frees its seat for the first in that day's line.
    Adding days needs registration to be open (an organizer may add them later).
    """
    event, _tt, registration = locks.for_registration(registration.id, registration.event_id)
    if not event.choose_sessions:
        raise ServiceError(rules.UNKNOWN_SESSION, code="invalid_sessions")
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                   RegistrationStatus.APPLIED, RegistrationStatus.PENDING):
        raise ServiceError(rules.N_("A cancelled registration cannot be changed."), code="not_active")
    days = locks.event_sessions(event)
    wanted, error = rules.clean_session_ids(list(session_ids), days)
    if error:
        raise ServiceError(error, code="invalid_sessions")
    current = {c.session_id: c for c in _choices(registration.id) if c.status != ChoiceStatus.CANCELLED}
    added, removed = rules.change(current, wanted)
    if not added and not removed:
        return SessionsChange((), (), ())
    if added and actor is None and not admission.event_window(event, now).is_open:
        raise ServiceError(rules.N_("Registration has closed: days can no longer be added."), code="closed")
    freed = []
    for session_id in removed:
        choice = current[session_id]
        if choice.status == ChoiceStatus.CONFIRMED:
            days[session_id].confirmed_count -= 1
            freed.append(session_id)
        db.session.delete(choice)
    db.session.flush()
    made = choose(registration, added, days, event=event, now=now)
    registration.updated_at = now
    audit.record("registration.sessions_changed", actor=actor, now=now, event_id=event.id,
                 registration_id=registration.id, data={"added": list(added), "removed": list(removed)})
    db.session.flush()
    for session_id in freed:
        promote(days[session_id], now=now, actor=actor)
    return SessionsChange(added, removed,
                          tuple(c.session_id for c in made if c.status == ChoiceStatus.WAITLISTED))


# ---------------------------------------------------------------------------
# reading


def chosen(registration: Registration) -> list[tuple[EventSession, SessionChoice]]:
    """The registration's chosen days (not cancelled ones unless the registration is), by date."""
    cancelled = registration.status == RegistrationStatus.CANCELLED
    rows = [(c.session, c) for c in registration.session_choices
            if cancelled or c.status != ChoiceStatus.CANCELLED]
    return sorted(rows, key=lambda row: (row[0].starts_at, row[0].id))


def day_position(choice: SessionChoice) -> int | None:
    """1 for the first in the day's line; None when not waiting."""
    if choice.status != ChoiceStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(SessionChoice).where(
        SessionChoice.session_id == choice.session_id, SessionChoice.status == ChoiceStatus.WAITLISTED.value,
        SessionChoice.waitlist_seq < choice.waitlist_seq))
    return (ahead or 0) + 1


def day_totals(event: Event) -> rules.DayTotals:
    """Per-day counts (confirmed, waiting, pending, attended) and 延べ, in two queries."""
    session_ids = [s.id for s in sorted(event.sessions, key=lambda s: (s.starts_at, s.id))]
    counts = {(sid, status): n for sid, status, n in db.session.execute(
        select(SessionChoice.session_id, SessionChoice.status, func.count())
        .join(EventSession, EventSession.id == SessionChoice.session_id)
        .where(EventSession.event_id == event.id, SessionChoice.status != ChoiceStatus.CANCELLED.value)
        .group_by(SessionChoice.session_id, SessionChoice.status))}
    attended = dict(db.session.execute(
        select(Attendance.session_id, func.count()).where(Attendance.event_id == event.id)
        .group_by(Attendance.session_id)).all())
    return rules.totals(session_ids, counts, attended)


def chosen_labels(registration_ids) -> dict[int, list[tuple[int, str]]]:
    """{registration id: [(session id, choice status), ...]} for many registrations, in one query."""
    ids = list(registration_ids)
    out: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    if not ids:
        return out
    for reg_id, session_id, status in db.session.execute(
            select(SessionChoice.registration_id, SessionChoice.session_id, SessionChoice.status)
            .join(EventSession, EventSession.id == SessionChoice.session_id)
            .where(SessionChoice.registration_id.in_(ids))
            .order_by(SessionChoice.registration_id, EventSession.starts_at, EventSession.id)):
        out[reg_id].append((session_id, status))
    return out
