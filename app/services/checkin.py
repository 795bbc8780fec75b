"""Door check-in (受付): scans, typed 受付番号, search, undo, walk-ins, and who may do them.

Every attendance is written through app.services.attendance (`record` / `undo`),
which takes the locks of app.services.locks and audits each check-in and undo
with the staff member and the time. Walk-ins are registered through
app.services.registrations.register (origin ``walk_in``) under the same
discipline, then checked in, in the caller's one transaction. Callers commit.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, literal, or_, select

from app.domain import checkin as rules
from app.domain.codes import AttendanceMethod, RegistrationOrigin, RegistrationStatus, Role
from app.domain.registration_input import N_, CleanRegistration
from app.extensions import db
from app.models import Attendance, CheckinAssignment, Event, EventSession, Organizer, Registration, SessionChoice
from app.services import attendance, audit, registrations
from app.services import tickets as ticket_codes
from app.services.errors import ServiceError

#: Outcomes, as the API's `result` and the page's panels name them.
CHECKED_IN = "checked_in"
ALREADY = "already"
CANCELLED = "cancelled"
WAITLISTED = "waitlisted"  # waitlisted, or otherwise not confirmed (lottery entry, pending approval)
WRONG_EVENT = "wrong_event"
NOT_FOUND = "not_found"
NOT_THIS_DAY = "not_this_day"  # per-day registration: registered, but not for this session (or waiting for it)

_FROM_ATTENDANCE = {
    attendance.RECORDED: CHECKED_IN,
    attendance.ALREADY: ALREADY,
    attendance.CANCELLED: CANCELLED,
    attendance.NOT_CONFIRMED: WAITLISTED,
    attendance.WRONG_EVENT: WRONG_EVENT,
    attendance.NOT_FOUND: NOT_FOUND,
}

SEARCH_LIMIT = 20
SEARCH_LIMIT_MAX = 50


class UnknownSession(ServiceError):
    code = "unknown_session"


# ---------------------------------------------------------------------------
# who may check in


def may_check_in(user: Organizer | None, event_id: int | None) -> bool:
    """Admins and organizers for every event; door staff for the events assigned to them; nobody else."""
    if user is None or not user.active or event_id is None:
        return False
    if user.can_edit:
        return True
    if not user.is_checkin_only:
        return False
    return bool(db.session.scalar(select(exists().where(CheckinAssignment.organizer_id == user.id,
                                                        CheckinAssignment.event_id == event_id))))


def events_for(user: Organizer) -> list[Event]:
    """The events whose check-in `user` may do, soonest first (door staff: theirs only)."""
    stmt = select(Event).order_by(Event.starts_at.desc().nulls_last(), Event.id.desc())
    if user.is_checkin_only:
        stmt = stmt.join(CheckinAssignment, CheckinAssignment.event_id == Event.id).where(
            CheckinAssignment.organizer_id == user.id)
    elif not user.can_edit:
        return []
    return list(db.session.scalars(stmt))


def assigned_staff(event_id: int) -> list[Organizer]:
    return list(db.session.scalars(
        select(Organizer).join(CheckinAssignment, CheckinAssignment.organizer_id == Organizer.id)
        .where(CheckinAssignment.event_id == event_id).order_by(Organizer.display_name, Organizer.id)))


def door_staff_accounts() -> list[Organizer]:
    return list(db.session.scalars(select(Organizer).where(Organizer.role == Role.CHECKIN, Organizer.active.is_(True))
                                   .order_by(Organizer.display_name, Organizer.id)))


def assign(staff: Organizer, event: Event, *, actor: Organizer | None, now: datetime) -> bool:
    """Give door staff the check-in of an event; False when they already had it."""
    if staff.role != Role.CHECKIN:
        raise ServiceError(N_("Only an account with the check-in role can be assigned to the door."),
                           code="not_checkin_role")
    found = db.session.scalar(select(CheckinAssignment).where(CheckinAssignment.organizer_id == staff.id,
                                                              CheckinAssignment.event_id == event.id))
    if found is not None:
        return False
    db.session.add(CheckinAssignment(organizer_id=staff.id, event_id=event.id,
                                     assigned_by_id=getattr(actor, "id", None), created_at=now))
    db.session.flush()
    audit.record("checkin.assigned", actor=actor, actor_label="" if actor else "cli", now=now, event_id=event.id,
                 data={"organizer_id": staff.id, "email": staff.email})
    return True


def unassign(staff: Organizer, event: Event, *, actor: Organizer | None, now: datetime) -> bool:
    found = db.session.scalar(select(CheckinAssignment).where(CheckinAssignment.organizer_id == staff.id,
                                                              CheckinAssignment.event_id == event.id))
    if found is None:
        return False
    db.session.delete(found)
    db.session.flush()
    audit.record("checkin.unassigned", actor=actor, actor_label="" if actor else "cli", now=now, event_id=event.id,
                 data={"organizer_id": staff.id, "email": staff.email})
    return True


# ---------------------------------------------------------------------------
# sessions


def sessions_of(event_id: int) -> list[EventSession]:
    return list(db.session.scalars(select(EventSession).where(EventSession.event_id == event_id)
                                   .order_by(EventSession.starts_at, EventSession.id)))


def session_for(event_id: int, session_id: int | None, now: datetime) -> EventSession:
    """The session asked for (it must be the event's), or the default one (domain.checkin.default_session)."""
    sessions = sessions_of(event_id)
    if session_id is None:
        chosen = rules.default_session(sessions, now)
    else:
        chosen = next((s for s in sessions if s.id == session_id), None)
    if chosen is None:
        raise UnknownSession(N_("Choose a session of this event."))
    return chosen


# ---------------------------------------------------------------------------
# finding the registration a code stands for


@dataclass
class Found:
    status: str | None  # None: found, for this event; else WRONG_EVENT or NOT_FOUND
    registration_id: int | None = None


def resolve(event_id: int, code: str, secret: str) -> Found:
    """The registration a scanned QR payload or a typed 受付番号 names.

    A QR payload must carry a valid signature (tickets.verify_ticket_code): a
    forged or damaged one is NOT_FOUND. A typed 受付番号 is read leniently
    (domain.checkin.parse_reference) and must name an existing registration of
    the event it names. A real code of another event is WRONG_EVENT.
    """
    code = (code or "").strip()
    if rules.looks_like_ticket(code):
        ticket = ticket_codes.verify_ticket_code(code, secret)
        if ticket is None:
            return Found(NOT_FOUND)
        named_event, reg_id = ticket.event_id, ticket.registration_id
    else:
        ref = rules.parse_reference(code, event_id)
        if ref is None:
            return Found(NOT_FOUND)
        named_event, reg_id = ref.event_id, ref.registration_id
    if reg_id > 2**31 - 1 or named_event > 2**31 - 1:
        return Found(NOT_FOUND)
    real_event = db.session.scalar(select(Registration.event_id).where(Registration.id == reg_id))
    if real_event is None or real_event != named_event:
        return Found(NOT_FOUND)
    if real_event != event_id:
        return Found(WRONG_EVENT, reg_id)
    return Found(None, reg_id)


# ---------------------------------------------------------------------------
# check in, undo


@dataclass
class Result:
    status: str  # CHECKED_IN, ALREADY, CANCELLED, WAITLISTED, WRONG_EVENT, NOT_FOUND
    session: EventSession
    registration: Registration | None = None
    attendance: Attendance | None = None
    replayed: bool = False  # a queued scan sent again (same client_ref): answered as the first time

    @property
    def created(self) -> bool:
        return self.status == CHECKED_IN

    @property
    def recorded_by(self) -> Organizer | None:
        if self.attendance is None or self.attendance.recorded_by_id is None:
            return None
        return db.session.get(Organizer, self.attendance.recorded_by_id)


def by_client_ref(event_id: int, client_ref: str) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.event_id == event_id,
                                                      Attendance.client_ref == client_ref).limit(1))


def check_in(event_id: int, code: str, *, now: datetime, actor: Organizer, secret: str,
             session_id: int | None = None, client_ref: str | None = None) -> Result:
    """Check in the registration a code names, for one session (default: domain.checkin.default_session).

    Idempotent: a second scan (or a second phone) answers ALREADY with the first
    one's time and staff member; a queued scan sent again with the same
    `client_ref` is answered as it was the first time and recorded once. Every
    scan is in the audit log with the staff member and the time: a check-in as
    ``attendance.recorded``, any other answer as ``checkin.scanned``.
    """
    session = session_for(event_id, session_id, now)
    if client_ref:
        earlier = by_client_ref(event_id, client_ref)
        if earlier is not None:
            reg = db.session.get(Registration, earlier.registration_id)
            return Result(CHECKED_IN, db.session.get(EventSession, earlier.session_id), reg, earlier, replayed=True)
    found = resolve(event_id, code, secret)
    if found.status == NOT_FOUND:
        result = Result(NOT_FOUND, session)
    elif found.status == WRONG_EVENT:
        result = Result(WRONG_EVENT, session, db.session.get(Registration, found.registration_id))
    else:
        result = record(event_id, found.registration_id, session, now=now, actor=actor, client_ref=client_ref)
    if result.status != CHECKED_IN:
        _audit_scan(result, code, event_id=event_id, now=now, actor=actor)
    return result


def _audit_scan(result: Result, code: str, *, event_id: int, now: datetime, actor: Organizer) -> None:
    """A scan that checked nobody in (repeat, refusal, unknown or forged code) is recorded too.

    A check-in is recorded by services.attendance (``attendance.recorded``). The
    code itself is kept only when it names nobody here (a forged or unknown one),
    cut to 100 characters; the registration of another event is not named.
    """
    data = {"result": result.status, "session_id": result.session.id,
            "kind": "qr" if rules.looks_like_ticket(code) else "typed"}
    if result.status == NOT_FOUND:
        data["code"] = code.strip()[:100]
    own = result.registration is not None and result.status != WRONG_EVENT
    audit.record("checkin.scanned", actor=actor, now=now, event_id=event_id,
                 registration_id=result.registration.id if own else None, data=data)


def record(event_id: int, registration_id: int, session: EventSession, *, now: datetime, actor: Organizer,
           client_ref: str | None = None, method: str = AttendanceMethod.DOOR) -> Result:
    """Check in a registration found by search (or resolved from a code) for `session`.

    Per-day registration: a confirmed registrant without a seat on this session
    (another day chosen, or waiting for this one) is told so, read without a lock
    (a refusal; never a grant: attendance.record decides the rest under its locks).
    """
    refused = _not_this_day(event_id, registration_id, session)
    if refused is not None:
        return refused
    outcome = attendance.record(registration_id, session.id, method=method, now=now, actor=actor,
                                client_ref=client_ref, event_id=event_id)
    return Result(_FROM_ATTENDANCE[outcome.status], session, outcome.registration, outcome.attendance)


def _not_this_day(event_id: int, registration_id: int, session: EventSession) -> Result | None:
    if not db.session.scalar(select(Event.choose_sessions).where(Event.id == event_id)):
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id \
            or registration.status != RegistrationStatus.CONFIRMED:
        return None  # attendance.record answers (cancelled, waiting, wrong event)
    day = db.session.scalar(select(SessionChoice.status).where(SessionChoice.registration_id == registration_id,
                                                               SessionChoice.session_id == session.id))
    if day == "confirmed":
        return None
    if day is None and registration.origin != RegistrationOrigin.WEB and not registration.session_choices:
        return None  # registered by staff without days (walk-in, import): every day
    return Result(NOT_THIS_DAY, session, registration)


def undo(event_id: int, registration_id: int, *, now: datetime, actor: Organizer,
         session_id: int | None = None) -> bool:
    """Undo a check-in of the event's registration for a session (default as for check_in); False: none."""
    session = session_for(event_id, session_id, now)
    reg_event = db.session.scalar(select(Registration.event_id).where(Registration.id == registration_id))
    if reg_event != event_id:
        return False
    return attendance.undo(registration_id, session.id, now=now, actor=actor)


# ---------------------------------------------------------------------------
# search


@dataclass
class Hit:
    registration: Registration
    attended_at: datetime | None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(event_id: int, text: str, *, session_id: int, limit: int = SEARCH_LIMIT) -> list[Hit]:
    """Registrations of the event whose name, フリガナ, company or 受付番号 match `text`, as typed at the door.

    Kana are compared as full-width katakana (hiragana and half-width kana
    typed are converted, as フリガナ are stored); names without the space
    between family and given name. Confirmed first, then by フリガナ; at most
    `limit`. Each hit says whether (and when) it is checked in for the session.
    """
    plain, katakana = rules.search_forms(text)
    if not plain:
        return []
    limit = max(1, min(limit, SEARCH_LIMIT_MAX))
    name = Registration.family_name + Registration.given_name
    kana = Registration.family_name_kana + Registration.given_name_kana
    conditions = [
        func.lower(name).like(_like(plain), escape="\\"),
        kana.like(_like(katakana), escape="\\"),
        func.lower(Registration.organization).like(_like(plain), escape="\\"),
    ]
    if plain != text.strip().lower():
        conditions.append(func.lower(Registration.organization).like(_like(text.strip().lower()), escape="\\"))
    ref = rules.parse_reference(text, event_id)
    if ref is not None and ref.event_id == event_id and ref.registration_id <= 2**31 - 1:
        conditions.append(Registration.id == ref.registration_id)
    attended = (select(Attendance.attended_at)
                .where(Attendance.registration_id == Registration.id, Attendance.session_id == session_id)
                .correlate(Registration).scalar_subquery())
    confirmed_first = (Registration.status != literal(RegistrationStatus.CONFIRMED.value))
    rows = db.session.execute(
        select(Registration, attended)
        .where(Registration.event_id == event_id, or_(*conditions))
        .order_by(confirmed_first, Registration.family_name_kana, Registration.given_name_kana, Registration.id)
        .limit(limit)
    ).all()
    return [Hit(reg, at) for reg, at in rows]


# ---------------------------------------------------------------------------
# walk-ins (当日参加)


@dataclass
class WalkIn:
    result: Result
    registration: Registration
    created: bool  # False: the email was already registered for the event (checked in as that registration)


def walk_in(event: Event, data: CleanRegistration, *, session: EventSession, now: datetime, actor: Organizer,
            override: bool = False, language: str = "ja") -> WalkIn:
    """Register a person at the door and check them in, in one transaction.

    Within capacity the walk-in is confirmed (origin ``walk_in``) and checked in
    (method ``walk_in``); beyond it registrations.Full is raised unless an
    organizer (not door staff) asks to `override`, which is recorded. An email
    already registered for the event is checked in as that registration.
    """
    if override and not actor.can_edit:
        raise ServiceError(N_("Only an organizer can admit past capacity."), code="override_forbidden")
    if event.choose_sessions and not data.session_ids:
        data = dataclasses.replace(data, session_ids=(session.id,))  # per-day: the day at the door
    reg_result = registrations.register(event, data, now=now, language=language, actor=actor,
                                        origin=RegistrationOrigin.WALK_IN, override=override)
    registration = reg_result.registration
    method = AttendanceMethod.WALK_IN if reg_result.created else AttendanceMethod.DOOR
    result = record(event.id, registration.id, session, now=now, actor=actor, method=method)
    return WalkIn(result, registration, reg_result.created)
