"""Recording and undoing attendance: the one place that writes `attendances`.

Door check-in, walk-ins, personal join links, platform reports and imports all
come through `record`; undo through `undo`. Both follow the locking discipline
of services.locks (event row key-shared, then the registration row; re-read;
decide; write). Attendance changes no seat, so no 参加枠 row is locked. Two
phones scanning the same 受付票 at once are serialised by the registration's
lock: the second re-reads, finds the first one's row and answers "already".
The unique (registration, session) constraint is the last guard.

Callers commit. Each check-in and each undo is written to the audit log with
the staff member and the time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.codes import RegistrationStatus
from app.extensions import db
from app.models import Attendance, EventSession, Registration
from app.services import audit, locks

#: Outcomes of `record`.
RECORDED = "recorded"
ALREADY = "already"
CANCELLED = "cancelled"  # the registration is cancelled (or rejected, or lost in a draw)
NOT_CONFIRMED = "not_confirmed"  # waitlisted, applied, pending: no seat
WRONG_EVENT = "wrong_event"  # the session is not one of the registration's event
NOT_FOUND = "not_found"


@dataclass
class Outcome:
    status: str
    registration: Registration | None = None
    attendance: Attendance | None = None

    @property
    def created(self) -> bool:
        return self.status == RECORDED


def _refusal(reg: Registration) -> str | None:
    if reg.status == RegistrationStatus.CONFIRMED:
        return None
    if reg.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED, RegistrationStatus.LOST):
        return CANCELLED
    return NOT_CONFIRMED


def existing(registration_id: int, session_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.registration_id == registration_id,
                                                      Attendance.session_id == session_id)
                             .execution_options(populate_existing=True))


def record(registration_id: int, session_id: int, *, method: str, now: datetime, actor=None,
           actor_label: str = "", client_ref: str | None = None, minutes: int | None = None,
           event_id: int | None = None) -> Outcome:
    """Record that a confirmed registrant attended a session (idempotent).

    `event_id`, when given, is the event the caller works on (the door page's
    event): a registration of another event is answered WRONG_EVENT before
    anything is locked.
    """
    reg_event_id = db.session.scalar(select(Registration.event_id).where(Registration.id == registration_id))
    if reg_event_id is None:
        return Outcome(NOT_FOUND)
    session_event_id = db.session.scalar(select(EventSession.event_id).where(EventSession.id == session_id))
    if session_event_id != reg_event_id or (event_id is not None and event_id != reg_event_id):
        return Outcome(WRONG_EVENT, db.session.get(Registration, registration_id))

    locks.event(reg_event_id, exclusive=False)
    reg = locks.registration(registration_id)
    found = existing(registration_id, session_id)
    if found is not None:
        return Outcome(ALREADY, reg, found)
    refusal = _refusal(reg)
    if refusal:
        return Outcome(refusal, reg)

    row = Attendance(event_id=reg.event_id, session_id=session_id, registration_id=reg.id, method=method,
                     attended_at=now, recorded_by_id=getattr(actor, "id", None), client_ref=client_ref,
                     minutes=minutes)
    db.session.add(row)
    if reg.checked_in_at is None or now < reg.checked_in_at:
        reg.checked_in_at = now
    db.session.flush()
    audit.record("attendance.recorded", actor=actor, actor_label=actor_label, now=now, event_id=reg.event_id,
                 registration_id=reg.id, data={"session_id": session_id, "method": method,
                                               **({"client_ref": client_ref} if client_ref else {})})
    return Outcome(RECORDED, reg, row)


def undo(registration_id: int, session_id: int, *, now: datetime, actor=None, actor_label: str = "") -> bool:
    """Remove a recorded attendance; False when there was none. Keeps `checked_in_at` true."""
    reg_event_id = db.session.scalar(select(Registration.event_id).where(Registration.id == registration_id))
    if reg_event_id is None:
        return False
    locks.event(reg_event_id, exclusive=False)
    reg = locks.registration(registration_id)
    found = existing(registration_id, session_id)
    if found is None:
        return False
    db.session.delete(found)
    db.session.flush()
    reg.checked_in_at = db.session.scalar(
        select(Attendance.attended_at).where(Attendance.registration_id == reg.id)
        .order_by(Attendance.attended_at).limit(1))
    audit.record("attendance.undone", actor=actor, actor_label=actor_label, now=now, event_id=reg.event_id,
                 registration_id=reg.id, data={"session_id": session_id, "method": found.method,
                                               "attended_at": found.attended_at.isoformat()})
    return True
