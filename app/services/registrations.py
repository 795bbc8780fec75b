"""Registration transactions: register, cancel, promote, restore, move, edit.

Each function is one unit of work in the caller's transaction: it takes its
locks by the one discipline of app.services.locks (event, then 参加枠 in id
order, then registration; re-read; decide; write), changes the registrations,
writes their mails to the outbox and an audit row, and flushes. The caller
(view, API, CLI) commits. The invariants these keep are checked by
app.services.invariants (`flask check`).
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from app import notifications
from app.domain import admission, manage_links, people, session_choice
from app.domain.admission import Refusal, WindowState
from app.domain.codes import (
    ACTIVE_REGISTRATION_STATUSES,
    AdmissionMode,
    EventStatus,
    RegistrationOrigin,
    RegistrationStatus,
)
from app.domain.registration_input import N_, CleanRegistration, QuestionSpec
from app.extensions import db
from app.models import Event, EventSession, Question, Registration, TicketType
from app.services import audit, locks, session_choices, teams
from app.services.errors import Full, ServiceError  # noqa: F401  (Full: registrations.Full, as before)

WINDOW_MESSAGES = {
    WindowState.NOT_PUBLISHED: N_("This event is not open for registration."),
    WindowState.NOT_YET_OPEN: N_("Registration has not opened yet."),
    WindowState.ENDED: N_("Registration has closed."),
    WindowState.CANCELLED: N_("This event has been cancelled."),
    WindowState.POSTPONED: N_("This event has been postponed."),
}
FULL_MESSAGE = N_("This ticket type is full.")
ORG_TAKEN_MESSAGE = N_("Someone from your organisation is already registered: this event accepts one person per organisation.")
ALREADY_MESSAGE = N_("This email address is already registered for this event. We have sent the link to your registration to that address.")


class RegistrationClosed(ServiceError):
    """Registration is not open; `code` is the WindowState value (not_yet_open, ended, cancelled, ...)."""

    def __init__(self, window: admission.Window):
        super().__init__(WINDOW_MESSAGES[window.state], code=window.state.value)
        self.window = window




class OrganizationTaken(ServiceError):
    code = "organization_already_registered"


@dataclass
class RegisterResult:
    registration: Registration
    created: bool  # False: the email was already registered (the manage link was re-sent)


def _active_by_email(event_id: int, email_normalized: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.email_normalized == email_normalized,
            Registration.status.in_(ACTIVE_REGISTRATION_STATUSES),
        )
    )


def active_registrations(event_id: int) -> list[Registration]:
    """The event's active registrations (confirmed, waiting, applied, pending), oldest first."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .order_by(Registration.id)
    ))


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not on the waiting list.

    Counted by the places handed out under the 参加枠's lock (waitlist_seq),
    which is also the order of promotion: asked in the transaction that put
    someone in line, the answer is theirs alone.
    """
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.ticket_type_id == registration.ticket_type_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.waitlist_seq < registration.waitlist_seq)
            | ((Registration.waitlist_seq == registration.waitlist_seq) & (Registration.id < registration.id)),
        )
    )
    return (ahead or 0) + 1


def _waiting_count(ticket_type_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.ticket_type_id == ticket_type_id, Registration.status == RegistrationStatus.WAITLISTED
        )
    ) or 0


def _join_waitlist(registration: Registration, ticket_type: TicketType, now: datetime) -> None:
    """Put a registration at the end of the (locked) 参加枠's waiting list."""
    ticket_type.waitlist_last_seq = (ticket_type.waitlist_last_seq or 0) + 1
    registration.waitlist_seq = ticket_type.waitlist_last_seq
    registration.waitlisted_at = now


# The active statuses written into the SQL: an IN over bound parameters would be re-rendered
# at every execution ("expanding" parameters), the largest cost of the snapshot query.
_ACTIVE_SQL = text("registrations.status IN ({})".format(", ".join(f"'{s.value}'" for s in ACTIVE_REGISTRATION_STATUSES)))


def _active_email_subquery(event_id_column, email_normalized):
    """The id of the email's active registration for the event in `event_id_column`, if any."""
    return (
        select(Registration.id)
        .where(Registration.event_id == event_id_column, Registration.email_normalized == email_normalized,
               _ACTIVE_SQL)
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Probe:
    """An unlocked look at one 参加枠 and the email, in one query (see `probe`)."""

    capacity: int | None
    confirmed: int
    existing_id: int | None


def probe(ticket_type_id: int, email_normalized: str) -> Probe | None:
    """Read a 参加枠's counter and whether the email is already registered, without locking.

    Used to answer a refusal (満席) cheaply and to choose the optimistic path; it
    never decides alone that a seat is given: that is the conditional UPDATE in
    `_claim_seat` (or the locked path).
    """
    row = db.session.execute(
        select(TicketType.capacity, TicketType.confirmed_count,
               _active_email_subquery(TicketType.event_id, email_normalized))
        .where(TicketType.id == ticket_type_id)
    ).first()
    return Probe(row[0], row[1], row[2]) if row else None


@dataclass(frozen=True)
class Snapshot:
    """What answering a registration needs to know of an event, read in one query without locking.

    Enough to refuse (closed window, invalid input, 満席) without loading the
    event's objects or taking a lock; a registration that may succeed goes on to
    `register`, which decides for real.
    """

    event_id: int
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    starts_at: datetime | None
    admission_mode: str
    waitlist_enabled: bool
    has_questions: bool
    choose_sessions: bool
    ticket_types: dict[int, tuple[int | None, int]]  # id -> (capacity, confirmed), in display order
    email_normalized: str
    existing_id: int | None
    lottery_first_come: bool = False
    team_mode: str = ""  # app.domain.teams.TeamMode

    def window(self, now: datetime) -> admission.Window:
        closes = admission.closes_at(self.admission_mode, self.lottery_first_come, self.closes_at)
        return admission.registration_window(status=self.status, opens_at=self.opens_at, closes_at=closes,
                                             first_session_starts_at=self.starts_at, now=now)

    def refusal(self, ticket_type_id) -> ServiceError | None:
        """満席 for a new email on a full first-come 参加枠 without waiting list; else None.

        Asked before the input is validated: when nothing can be given, saying so
        is more use than field errors. `ticket_type_id` is as sent (may be missing
        when the event has one 参加枠). A stale read can only refuse as if the
        request had come a moment earlier; it never gives a seat. An email already
        registered is not refused here: `register` re-sends its link.
        """
        if self.existing_id is not None:
            return None
        if ticket_type_id in (None, "") and len(self.ticket_types) == 1:
            ticket_type_id = next(iter(self.ticket_types))
        try:
            capacity, confirmed = self.ticket_types[int(ticket_type_id)]
        except (KeyError, TypeError, ValueError):
            return None  # validation will name the field
        mode = admission.effective_mode(self.admission_mode, self.lottery_first_come)
        outcome = admission.decide(admission_mode=mode, capacity=capacity, confirmed=confirmed,
                                   waitlist_enabled=self.waitlist_enabled)
        return Full(FULL_MESSAGE) if outcome is Refusal.FULL else None

    def probe_for(self, data: CleanRegistration) -> Probe | None:
        """The same look as `probe` for this registration, when the snapshot can tell."""
        if data.email_normalized != self.email_normalized or data.ticket_type_id not in self.ticket_types:
            return None
        capacity, confirmed = self.ticket_types[data.ticket_type_id]
        return Probe(capacity, confirmed, self.existing_id)


@functools.cache
def _snapshot_statement():
    """Built once (statement construction costs more than running it): event fields, 参加枠
    counters, whether it asks questions, and the email's active registration, in one query."""
    email = bindparam("email")
    has_questions = select(Question.id).where(Question.event_id == Event.id).limit(1).exists()
    return (
        select(Event.status, Event.registration_opens_at, Event.registration_closes_at, Event.starts_at,
               Event.admission_mode, Event.waitlist_enabled, has_questions, _active_email_subquery(Event.id, email),
               TicketType.id, TicketType.capacity, TicketType.confirmed_count, Event.lottery_first_come,
               Event.choose_sessions, Event.team_mode)
        .outerjoin(TicketType, TicketType.event_id == Event.id)
        .where(Event.id == bindparam("event_id"))
        .order_by(TicketType.position, TicketType.id)
    )


def snapshot(event_id: int, email_normalized: str) -> Snapshot | None:
    """One read outside any transaction (autocommit): no BEGIN/ROLLBACK, no session, no lock."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        rows = conn.execute(_snapshot_statement(), {"event_id": event_id, "email": email_normalized}).all()
    if not rows:
        return None
    first = rows[0]
    return Snapshot(
        event_id=event_id, status=first[0], opens_at=first[1], closes_at=first[2], starts_at=first[3],
        admission_mode=first[4], waitlist_enabled=first[5], has_questions=bool(first[6]),
        existing_id=first[7], email_normalized=email_normalized, choose_sessions=bool(first[12]),
        ticket_types={r[8]: (r[9], r[10]) for r in rows if r[8] is not None},
        lottery_first_come=bool(first[11]),
        team_mode=first[13] or "",
    )


def session_ids(event_id: int) -> list[int]:
    """The ids of an event's sessions (the days a registrant of a per-day event may choose)."""
    return list(db.session.scalars(select(EventSession.id).where(EventSession.event_id == event_id)))


def question_specs(event_id: int) -> list[QuestionSpec]:
    rows = db.session.execute(
        select(Question.id, Question.kind, Question.required, Question.choices)
        .where(Question.event_id == event_id).order_by(Question.position, Question.id)
    ).all()
    return [QuestionSpec(r[0], r[1], r[2], list(r[3] or [])) for r in rows]


def register(event: Event, data: CleanRegistration, *, now: datetime, language: str = "ja",
             actor=None, seen: Probe | None = None, origin: str = RegistrationOrigin.WEB,
             override: bool = False) -> RegisterResult:
    """Register one person. Raises RegistrationClosed, Full or OrganizationTaken.

    A second registration with the same email returns the existing one with
    created=False and re-sends its manage link by mail (never shown to the caller).

    First come with seats left (the common case of a flash crowd) takes the
    optimistic path: the event is key-share locked and re-read, the
    registration, its audit row and its mail are written, and the seat is
    claimed last by a conditional UPDATE of the 参加枠's counter (see
    app.services.locks). If the claim fails, everything is undone and the
    locked path decides (waiting list, 満席 or closed). `seen` may carry the
    caller's first unlocked look (Snapshot.probe_for).

    `origin` says how it was made (codes.RegistrationOrigin). A walk-in
    (当日参加, registered at the door by `actor`) is confirmed while a seat is
    free whatever the admission mode, and past capacity only with `override`
    (the organizer's choice, recorded as capacity_override and in the audit
    log); otherwise Full is raised.
    """
    walk_in = origin == RegistrationOrigin.WALK_IN
    if walk_in and actor is None:
        raise ServiceError(N_("A walk-in is registered by a staff member."), code="forbidden")
    window = admission.event_window(event, now)
    if not window.is_open and actor is None:
        raise RegistrationClosed(window)
    if data.ticket_type_id not in {tt.id for tt in event.ticket_types}:
        raise ServiceError(N_("Choose a ticket type."), code="invalid_ticket_type")

    if event.choose_sessions:
        _check_sessions(event, data, actor)
    _check_team(event, data, actor)
    if event.admission_mode == AdmissionMode.FIRST_COME and not event.one_per_organization and actor is None \
            and origin == RegistrationOrigin.WEB and not event.choose_sessions and data.team is None:
        seen = seen or probe(data.ticket_type_id, data.email_normalized)
        if seen is not None and seen.existing_id is None and (seen.capacity is None or seen.confirmed < seen.capacity):
            result = _register_optimistically(event, data, now=now, language=language, actor=actor)
            if result is not None:
                return result
    savepoint = db.session.begin_nested()
    try:
        result = _register_locked(event.id, data, now=now, language=language, actor=actor,
                                  exclusive=event.one_per_organization, origin=origin, override=override)
    except _NeedsExclusiveLock:
        savepoint.rollback()  # also gives back the shared lock taken inside it (PostgreSQL)
        savepoint = db.session.begin_nested()
        result = _register_locked(event.id, data, now=now, language=language, actor=actor, exclusive=True,
                                  origin=origin, override=override)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return result


def _check_sessions(event: Event, data: CleanRegistration, actor) -> None:
    """The chosen days of a per-day event: its own sessions, at least one (staff may register without)."""
    allowed = {s.id for s in event.sessions}
    if any(sid not in allowed for sid in data.session_ids):
        raise ServiceError(session_choice.UNKNOWN_SESSION, code="invalid_sessions")
    if not data.session_ids and actor is None:
        raise ServiceError(session_choice.CHOOSE_ONE, code="invalid_sessions")


def _check_team(event: Event, data: CleanRegistration, actor) -> None:
    """A team event takes teams (staff may register a person without one); other events take none."""
    from app.domain.teams import TeamMode

    if data.team is not None and event.team_mode != TeamMode.TEAM:
        raise ServiceError(N_("This event does not take team registrations."), code="invalid_team")
    if data.team is None and event.team_mode == TeamMode.TEAM and actor is None:
        raise ServiceError(N_("This event takes team registrations: give the team and its members."),
                           code="invalid_team")


class _NeedsExclusiveLock(Exception):
    """The event began asking for one registration per organisation after we chose a shared lock."""


def _new_registration(event: Event, data: CleanRegistration, status: RegistrationStatus, lock_key: str | None, *,
                      now: datetime, language: str, origin: str = RegistrationOrigin.WEB) -> Registration:
    fields = asdict(data)
    fields.pop("consent")
    fields.pop("session_ids")
    fields.pop("team")
    ticket_type_id = fields.pop("ticket_type_id")
    return Registration(
        # the loaded 参加枠 object, so that rendering the mail needs no query for it
        ticket_type=next(tt for tt in event.ticket_types if tt.id == ticket_type_id),
        event_id=event.id,
        status=status.value,
        **manage_links.new_link_columns(current_app.config["SECRET_KEY"]),
        organization_lock_key=lock_key,
        consent_at=now,
        language=language,
        created_at=now,
        updated_at=now,
        waitlisted_at=now if status is RegistrationStatus.WAITLISTED else None,
        confirmed_at=now if status is RegistrationStatus.CONFIRMED else None,
        origin=str(origin),
        **fields,
    )


def _record_new(registration: Registration, *, now: datetime, actor, override: bool = False) -> None:
    data = {"status": registration.status, "ticket_type_id": registration.ticket_type_id}
    if registration.origin != RegistrationOrigin.WEB:
        data["origin"] = registration.origin
    if override:
        data["override"] = True
    audit.record("registration.created", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data=data)
    notifications.registration_received(registration, now=now)


@functools.cache
def _event_lock_statement():
    """Step 1 of app.services.locks for the flash-crowd path: the event row, key-share locked, with what
    deciding needs (built once: statement construction costs more than running it)."""
    return (
        select(Event.status, Event.registration_opens_at, Event.registration_closes_at, Event.starts_at,
               Event.admission_mode)
        .where(Event.id == bindparam("event_id"))
        .with_for_update(read=True, key_share=True)
    )


@functools.cache
def _claim_statement():
    return (
        update(TicketType)
        .where(TicketType.id == bindparam("tt_id"),
               or_(TicketType.capacity.is_(None), TicketType.confirmed_count < TicketType.capacity))
        .values(confirmed_count=TicketType.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )


def _claim_seat(ticket_type_id: int) -> bool:
    """Take one seat if one is free: the conditional UPDATE is the 参加枠's lock and the check."""
    return db.session.execute(_claim_statement(), {"tt_id": ticket_type_id}).rowcount == 1


def _register_optimistically(event: Event, data: CleanRegistration, *, now: datetime, language: str,
                             actor) -> RegisterResult | None:
    """Event (key share, re-read) → the registration row (its email's slot) → the 参加枠 (claim), all in
    a savepoint; None when it cannot be decided here (the locked path decides)."""
    savepoint = db.session.begin_nested()
    row = db.session.execute(_event_lock_statement(), {"event_id": event.id}).one()
    window = admission.registration_window(status=row[0], opens_at=row[1], closes_at=row[2],
                                           first_session_starts_at=row[3], now=now)
    if not window.is_open or row[4] != AdmissionMode.FIRST_COME:
        savepoint.rollback()
        return None
    registration = _new_registration(event, data, RegistrationStatus.CONFIRMED, None, now=now, language=language)
    try:
        db.session.add(registration)
        db.session.flush()
        _record_new(registration, now=now, actor=actor)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return None  # the same email won a race: the locked path answers (and re-sends the link)
    if not _claim_seat(registration.ticket_type_id):
        savepoint.rollback()
        return None
    savepoint.commit()
    for tt in event.ticket_types:
        if tt.id == registration.ticket_type_id:
            db.session.expire(tt, ["confirmed_count"])
    return RegisterResult(registration, created=True)


def _register_locked(event_id: int, data: CleanRegistration, *, now: datetime, language: str, actor,
                     exclusive: bool, origin: str = RegistrationOrigin.WEB, override: bool = False
                     ) -> RegisterResult:
    """Event (re-read) → the registration row (its email's slot) → the 参加枠 → decide → write.

    The row is inserted before the 参加枠 is locked, in the same order as the
    flash-crowd path (whose insert takes the email's slot in the unique index
    before it claims the seat), so two registrations of one email never wait
    for each other in opposite orders.
    """
    event = locks.event(event_id, exclusive=exclusive)
    if event.one_per_organization and not exclusive:
        raise _NeedsExclusiveLock()
    window = admission.event_window(event, now)
    if not window.is_open and actor is None:
        raise RegistrationClosed(window)
    if data.ticket_type_id not in {tt.id for tt in event.ticket_types}:
        raise ServiceError(N_("Choose a ticket type."), code="invalid_ticket_type")

    existing = _active_by_email(event.id, data.email_normalized)
    if existing is not None:
        _resend_manage_link(existing, now)
        return RegisterResult(existing, created=False)

    lock_key = None
    if event.one_per_organization and data.organization_key:
        lock_key = data.organization_key
        if _organization_taken(event.id, data.organization, data.corporate_number, lock_key):
            raise OrganizationTaken(ORG_TAKEN_MESSAGE)

    # Provisionally pending (an active status: it holds the email's slot); decided below.
    registration = _new_registration(event, data, RegistrationStatus.PENDING, lock_key, now=now, language=language,
                                     origin=origin)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        # A concurrent registration with the same email (another 参加枠) or organisation won the race.
        existing = _active_by_email(event.id, data.email_normalized)
        if existing is not None:
            _resend_manage_link(existing, now)
            return RegisterResult(existing, created=False)
        raise OrganizationTaken(ORG_TAKEN_MESSAGE) from None

    ticket_type = locks.ticket_type(data.ticket_type_id)
    # A team's members count against the 参加枠's member limit too (read under its lock): no room for
    # them is the same as no seat (waiting list or 満席, as the event says).
    capacity = ticket_type.capacity
    if data.team is not None and not teams.member_room(ticket_type, len(data.team.members)):
        capacity = ticket_type.confirmed_count
    over = False
    if origin == RegistrationOrigin.WALK_IN:
        decision, over = admission.walk_in_status(capacity=ticket_type.capacity,
                                                  confirmed=ticket_type.confirmed_count,
                                                  waiting=_waiting_count(ticket_type.id), override=override)
        registration.capacity_override = over
    else:
        mode = event.effective_admission_mode  # a drawn lottery opened first come admits first come
        decision = admission.decide(
            admission_mode=mode,
            capacity=capacity,
            confirmed=ticket_type.confirmed_count,
            waitlist_enabled=event.waitlist_enabled,
            waiting=_waiting_count(ticket_type.id) if mode == AdmissionMode.FIRST_COME else 0,
        )
    if decision is Refusal.FULL:
        raise Full(FULL_MESSAGE)  # the caller's savepoint takes the row back
    registration.status = decision.value
    if decision is RegistrationStatus.CONFIRMED:
        registration.confirmed_at = now
        ticket_type.confirmed_count += 1
    elif decision is RegistrationStatus.WAITLISTED:
        _join_waitlist(registration, ticket_type, now)
    db.session.flush()
    if data.team is not None:
        teams.attach(registration, data.team, now=now)
    if event.choose_sessions and data.session_ids:
        # Step 2b (after the 参加枠): the days; a full day without waiting list raises DayFull.
        days = locks.event_sessions(event)
        session_choices.choose(registration, data.session_ids, days, event=event, now=now,
                               override=over or (override and origin == RegistrationOrigin.WALK_IN),
                               walk_in=origin == RegistrationOrigin.WALK_IN)
    _record_new(registration, now=now, actor=actor, override=over)
    db.session.flush()
    return RegisterResult(registration, created=True)


def _organization_taken(event_id: int, organization: str, corporate_number: str, lock_key: str,
                        exclude_id: int | None = None) -> bool:
    """One per organisation, whether or not the 法人番号 is given (people.same_organization).

    Call with the event locked exclusively: it compares registrations across 参加枠.
    """
    rows = db.session.execute(
        select(Registration.id, Registration.organization_lock_key, Registration.organization,
               Registration.corporate_number)
        .where(Registration.event_id == event_id, Registration.organization_lock_key.is_not(None),
               Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
    ).all()
    return any(
        reg_id != exclude_id and (other_key == lock_key
                                  or people.same_organization(organization, corporate_number, other_name, other_number))
        for reg_id, other_key, other_name, other_number in rows
    )


def _resend_manage_link(registration: Registration, now: datetime) -> None:
    try:
        with db.session.begin_nested():
            notifications.manage_link(registration, now=now)
            db.session.flush()
    except IntegrityError:
        pass  # a concurrent request queued the same link mail this hour (the dedupe key)
    audit.record("registration.link_resent", now=now, event_id=registration.event_id,
                 registration_id=registration.id, actor_label="system")


def _drawn(ticket_type_id: int) -> bool:
    from app.services import lottery

    return lottery.is_drawn(ticket_type_id)


def promote_waitlist(ticket_type: TicketType, *, now: datetime, actor=None) -> list[Registration]:
    """Move the first of the waiting list up while the 参加枠 has seats (first come, event live).

    The caller holds the event lock and has locked and re-read this 参加枠
    (app.services.locks). Promotion follows the places handed out (waitlist_seq).
    """
    event = db.session.get(Event, ticket_type.event_id)
    drawn = event.admission_mode == AdmissionMode.LOTTERY and _drawn(ticket_type.id)
    if not admission.promotes(event_status=event.status, admission_mode=event.admission_mode, drawn=drawn):
        return []
    n = admission.promotable(capacity=ticket_type.capacity, confirmed=ticket_type.confirmed_count,
                             waiting=_waiting_count(ticket_type.id))
    if n == 0:
        return []
    locks.event_sessions(event)  # step 2b, before the registrations (per-day events)
    promoted = db.session.scalars(
        select(Registration)
        .where(Registration.ticket_type_id == ticket_type.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_seq, Registration.id)
        .limit(n)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()
    if ticket_type.member_capacity is not None:  # teams: in line order while their members fit
        promoted = teams.within_member_capacity(ticket_type, promoted)
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.updated_at = now
        if drawn and event.lottery_confirm_days:  # the next drawn confirms in time too (services.lottery)
            registration.confirm_by = now + timedelta(days=event.lottery_confirm_days)
        audit.record("registration.promoted", actor=actor, actor_label="" if actor else "system", now=now,
                     event_id=registration.event_id, registration_id=registration.id)
        if event.choose_sessions:
            session_choices.seat_pending(registration, now=now)
        notifications.registration_promoted(registration, now=now)
    ticket_type.confirmed_count += len(promoted)
    db.session.flush()
    return list(promoted)


def promote_all(event: Event, *, now: datetime, actor=None) -> list[Registration]:
    """Promote every 参加枠 of a (locked) event: after its capacity, mode or status let seats go to the line."""
    promoted: list[Registration] = []
    for tt in locks.ticket_types(tt.id for tt in event.ticket_types).values():
        promoted.extend(promote_waitlist(tt, now=now, actor=actor))
    if event.choose_sessions:
        session_choices.promote_all(event, now=now, actor=actor)
    return promoted


def cancel(registration: Registration, *, now: datetime, actor=None, reason: str = "",
           tell_reason: bool = False) -> Registration:
    """Cancel an active registration; a freed seat goes to the first on the waiting list (event live)."""
    _event, ticket_type, registration = locks.for_registration(registration.id, registration.event_id)
    refuse_erased(registration)
    if registration.status not in ACTIVE_REGISTRATION_STATUSES:
        raise ServiceError(N_("This registration is already cancelled."), code="not_active")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    if was_confirmed:
        ticket_type.confirmed_count -= 1
    audit.record("registration.cancelled", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id,
                 data={"from": previous, "reason": reason, "reason_told": bool(tell_reason and reason)})
    # The reason goes into the mail only when the organizer chose to tell it (it may be internal).
    notifications.registration_cancelled(registration, now=now, by_organizer=actor is not None,
                                         reason=reason if tell_reason and actor is not None else "")
    db.session.flush()
    if _event.choose_sessions:
        session_choices.release(registration, now=now, actor=actor)  # its days go to those waiting
    if was_confirmed:
        promote_waitlist(ticket_type, now=now, actor=actor)
    return registration


RESTORE_REFUSED = {
    EventStatus.CANCELLED: N_("This event has been cancelled: its registrations cannot be restored."),
    EventStatus.POSTPONED: N_("This event is postponed: restore registrations once it is published with its new dates."),
    EventStatus.FINISHED: N_("This event has finished: its registrations cannot be restored."),
}


def restore(registration: Registration, *, now: datetime, actor, override: bool = False) -> Registration:
    """Organizer: bring a cancelled registration back, to the status the admission mode gives it.

    First come: confirmed if a seat is free and nobody waits, else at the end of
    the waiting list; `override` confirms past both (recorded). Lottery: applied
    again before the draw; after it, like first come (the end of the drawn line).
    Approval: pending again.
    """
    event, ticket_type, registration = locks.for_registration(registration.id, registration.event_id,
                                                              exclusive=True)
    refuse_erased(registration)
    if registration.status != RegistrationStatus.CANCELLED:
        raise ServiceError(N_("Only a cancelled registration can be restored."), code="not_cancelled")
    if event.status in RESTORE_REFUSED:
        raise ServiceError(RESTORE_REFUSED[EventStatus(event.status)], code="event_" + event.status)
    if _active_by_email(event.id, registration.email_normalized) is not None:
        raise ServiceError(N_("This email address already has an active registration for this event."),
                           code="already_registered")
    if registration.organization_lock_key and event.one_per_organization and _organization_taken(
            event.id, registration.organization, registration.corporate_number,
            registration.organization_lock_key, exclude_id=registration.id):
        raise OrganizationTaken(ORG_TAKEN_MESSAGE)
    mode = event.effective_admission_mode
    if mode == AdmissionMode.LOTTERY and _drawn(ticket_type.id):
        mode = AdmissionMode.FIRST_COME  # past the draw: the end of the drawn line, never applied again
    capacity = teams.seat_capacity(ticket_type, registration.id)  # a team's members must fit its limit too
    status = admission.restore_status(admission_mode=mode, capacity=capacity,
                                      confirmed=ticket_type.confirmed_count,
                                      waiting=_waiting_count(ticket_type.id), override=override)
    registration.status = status.value
    registration.cancelled_at = None
    registration.updated_at = now
    over = False
    if status is RegistrationStatus.CONFIRMED:
        over = capacity is not None and ticket_type.confirmed_count >= capacity
        registration.capacity_override = registration.capacity_override or over
        registration.confirmed_at = now
        ticket_type.confirmed_count += 1
    elif status is RegistrationStatus.WAITLISTED:
        _join_waitlist(registration, ticket_type, now)
    if event.choose_sessions:
        session_choices.restore(registration, now=now)
    audit.record("registration.restored", actor=actor, now=now, event_id=event.id,
                 registration_id=registration.id,
                 data={"status": registration.status, "override": bool(override and over)})
    notifications.registration_received(registration, now=now, restored=True)
    db.session.flush()
    return registration


def move(registration: Registration, new_ticket_type: TicketType, *, now: datetime, actor,
         override: bool = False) -> Registration:
    """Organizer: move a registrant to another 参加枠 of the same event.

    A confirmed registrant needs a free seat in the new 参加枠, unless `override`
    (recorded on the registration and in the audit log). A waitlisted one is
    confirmed there if a seat is free and nobody waits, else joins the end of
    its line. The seat freed in the old 参加枠 goes to its waiting list.
    """
    if new_ticket_type.event_id != registration.event_id:
        raise ServiceError(N_("Choose a ticket type of this event."), code="invalid_ticket_type")
    event = locks.event(registration.event_id, exclusive=True)  # a move changes a registration's 参加枠
    old_id = locks.current_ticket_type_id(registration.id)
    if new_ticket_type.id == old_id:
        return locks.registration(registration.id)
    locked = locks.ticket_types([old_id, new_ticket_type.id])
    old, new = locked[old_id], locked[new_ticket_type.id]
    registration = locks.registration(registration.id)
    refuse_erased(registration)
    if registration.status not in ACTIVE_REGISTRATION_STATUSES:
        raise ServiceError(N_("Only an active registration can be moved."), code="not_active")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    promoted_by_move = False
    full = False
    capacity = teams.seat_capacity(new, registration.id)  # a team's members must fit the new 参加枠's limit too
    if was_confirmed:
        full = capacity is not None and new.confirmed_count >= capacity
        if full and not override:
            raise Full(FULL_MESSAGE)
        new.confirmed_count += 1
        old.confirmed_count -= 1
        registration.capacity_override = registration.capacity_override or full
    elif registration.status == RegistrationStatus.WAITLISTED:
        # A drawn lottery's line, and an approval event's (those waiting were approved), move as
        # first come's would.
        drawn = event.admission_mode == AdmissionMode.LOTTERY and _drawn(new.id)
        first_come_like = drawn or event.admission_mode == AdmissionMode.APPROVAL
        decision = admission.decide(admission_mode=AdmissionMode.FIRST_COME if first_come_like else event.admission_mode,
                                    capacity=capacity, confirmed=new.confirmed_count, waitlist_enabled=True,
                                    waiting=_waiting_count(new.id))
        if decision is RegistrationStatus.CONFIRMED and admission.promotes(
                event_status=event.status, admission_mode=event.admission_mode, drawn=drawn):
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = now
            new.confirmed_count += 1
            promoted_by_move = True
            if event.choose_sessions:
                locks.event_sessions(event)  # the event is held exclusively: nothing else is in flight
                session_choices.seat_pending(registration, now=now)
        else:
            _join_waitlist(registration, new, now)  # joins the end of the new list
    registration.ticket_type_id = new.id
    registration.ticket_type = new
    registration.updated_at = now
    audit.record("registration.moved", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id,
                 data={"from": old.id, "to": new.id, "override": bool(override and full),
                       "status": registration.status})
    db.session.flush()
    if promoted_by_move:
        notifications.registration_promoted(registration, now=now)
    if was_confirmed:
        promote_waitlist(old, now=now, actor=actor)
    return registration


# ---------------------------------------------------------------------------
# 承認制: approve or reject a pending registration

APPROVAL_MESSAGE_MAX = 1000
NOT_PENDING_MESSAGE = N_("This registration is not awaiting approval.")
APPROVAL_REFUSED = {
    admission.ApprovalRefusal.FULL: N_("This ticket type is full: the registration cannot be approved."),
    admission.ApprovalRefusal.EVENT_NOT_LIVE: N_("Registrations can be approved only while the event is published."),
}


class NotPending(ServiceError):
    code = "not_pending"


def _clean_message(message: str | None) -> str:
    message = (message or "").strip()
    if len(message) > APPROVAL_MESSAGE_MAX:
        raise ServiceError(N_("The message is too long (1000 characters at most)."), code="message_too_long")
    return message


def approve(registration: Registration, *, now: datetime, actor, message: str = "") -> Registration:
    """Organizer: approve a pending registration (承認制); it takes a seat, or waits for one.

    Locks by the one discipline (event key-share, its 参加枠, the registration;
    re-read), then decides from what was re-read (domain.admission.approval_outcome):
    confirmed while a seat is free and nobody approved before waits; past
    capacity, the waiting list or Full by the event's ``approval_overflow``.
    The seat is claimed on the locked counter (``confirmed_count``), so
    approvals never exceed capacity. The registrant is mailed (with `message`).
    """
    message = _clean_message(message)
    event, ticket_type, registration = locks.for_registration(registration.id, registration.event_id)
    refuse_erased(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise NotPending(NOT_PENDING_MESSAGE)
    outcome = admission.approval_outcome(event_status=event.status, capacity=ticket_type.capacity,
                                         confirmed=ticket_type.confirmed_count,
                                         waiting=_waiting_count(ticket_type.id), overflow=event.approval_overflow)
    if outcome is admission.ApprovalRefusal.FULL:
        raise Full(APPROVAL_REFUSED[outcome])
    if isinstance(outcome, admission.ApprovalRefusal):
        raise ServiceError(APPROVAL_REFUSED[outcome], code=outcome.value)
    registration.status = outcome.value
    registration.updated_at = now
    if outcome is RegistrationStatus.CONFIRMED:
        registration.confirmed_at = now
        ticket_type.confirmed_count += 1
    else:
        _join_waitlist(registration, ticket_type, now)
    audit.record("registration.approved", actor=actor, now=now, event_id=event.id, registration_id=registration.id,
                 data={"status": registration.status, "message": message})
    notifications.registration_decided(registration, now=now, message=message)
    db.session.flush()
    return registration


def reject(registration: Registration, *, now: datetime, actor, message: str = "") -> Registration:
    """Organizer: reject a pending registration (承認制). It held no seat; the registrant is mailed."""
    message = _clean_message(message)
    _event, _ticket_type, registration = locks.for_registration(registration.id, registration.event_id)
    refuse_erased(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise NotPending(NOT_PENDING_MESSAGE)
    registration.status = RegistrationStatus.REJECTED
    registration.updated_at = now
    audit.record("registration.rejected", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"message": message})
    notifications.registration_decided(registration, now=now, message=message)
    db.session.flush()
    return registration


def pending_since(event_id: int, *, before: datetime, limit: int | None = None) -> list[Registration]:
    """The event's registrations still pending that were made before `before`, oldest first (at most `limit`)."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.status == RegistrationStatus.PENDING,
                                   Registration.created_at < before)
        .order_by(Registration.created_at, Registration.id).limit(limit)
    ))


def count_pending_since(event_id: int, *, before: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.PENDING,
        Registration.created_at < before)) or 0


EDITABLE_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "phone", "organization",
    "organization_key", "department", "job_title", "organization_type", "prefecture", "corporate_number",
    "answers", "opt_in_announcements", "public_name_consent",
)


def update_details(registration: Registration, data: CleanRegistration, fields: set[str], *, now: datetime,
                   actor=None) -> Registration:
    """Change contact details and answers (not the email, 参加枠 or status)."""
    refuse_erased(registration)
    event = registration.event
    if event.one_per_organization and registration.organization_lock_key is not None and (
            {"organization", "corporate_number", "organization_key"} & fields):
        event = locks.event(event.id, exclusive=True)  # compares registrations across 参加枠
        registration = locks.registration(registration.id)
    changed = {}
    for name in EDITABLE_FIELDS:
        if name in fields:
            value = getattr(data, name)
            if getattr(registration, name) != value:
                changed[name] = True
                setattr(registration, name, value)
    if changed:
        if "organization_key" in changed and registration.organization_lock_key is not None:
            registration.organization_lock_key = registration.organization_key or None
            if registration.organization_lock_key and registration.status in ACTIVE_REGISTRATION_STATUSES and \
                    _organization_taken(event.id, registration.organization, registration.corporate_number,
                                        registration.organization_lock_key, exclude_id=registration.id):
                raise OrganizationTaken(ORG_TAKEN_MESSAGE)
        registration.updated_at = now
        audit.record("registration.updated", actor=actor, now=now, event_id=registration.event_id,
                     registration_id=registration.id, data={"fields": sorted(changed)})
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            raise OrganizationTaken(ORG_TAKEN_MESSAGE) from None
    return registration


def set_mail_language(registration: Registration, language: str, *, supported, now: datetime,
                      actor=None) -> bool:
    """The language of the registrant's future mails (the ones already queued keep theirs).

    Only a language of `supported`; the registration is locked and re-read (app.services.locks).
    True when it changed."""
    if language not in supported:
        raise ServiceError(N_("Choose one of the languages offered."), code="language")
    registration = locks.registration(registration.id)
    refuse_erased(registration)
    if registration.language == language:
        return False
    before, registration.language = registration.language, language
    registration.updated_at = now
    audit.record("registration.language_changed", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"from": before, "to": language})
    db.session.flush()
    return True


ERASED = N_("This registrant's personal data was erased after the retention period: the registration "
            "can no longer be changed.")


def refuse_erased(registration: Registration) -> None:
    """Nothing is done to a registration whose personal data was erased (app.services.retention): no
    mail can reach it, no words of a message or reason are kept of it, and the statistics keep it as it
    was. Called on the locked, re-read row."""
    if registration.erased_at is not None:
        raise ServiceError(ERASED, code="erased")


def get_by_token(token: str) -> Registration | None:
    """The registration whose private link carries `token` (looked up by its SHA-256)."""
    if not manage_links.plausible(token):
        return None
    digest = manage_links.hash_token(token)
    return db.session.scalar(select(Registration).where(
        or_(Registration.manage_token_hash == digest, Registration.previous_manage_token_hash == digest)))


# ---------------------------------------------------------------------------
# bulk actions of the registrant list


@dataclass
class BulkOutcome:
    """What happened to one registration of a bulk action (``message``: a msgid, to translate)."""

    registration_id: int
    reference: str
    name: str
    done: bool
    code: str
    message: str = ""


def _each(event_id: int, registration_ids, action) -> list[BulkOutcome]:
    """Run ``action(registration)`` for each registration of the event, ONE TRANSACTION EACH.

    Each row is its own unit of work (committed, or rolled back alone when a rule
    refuses it), so each follows the locking discipline on its own and a refusal never
    undoes the others. This is the one place where a service commits: the caller asked
    for many independent changes, and gets the outcome of each.
    """
    ids = sorted({int(i) for i in registration_ids})
    known = {r.id: (r.reference, r.full_name) for r in db.session.scalars(
        select(Registration).where(Registration.id.in_(ids), Registration.event_id == event_id))} if ids else {}
    db.session.commit()  # end the read; each row below begins its own (IMMEDIATE on SQLite) transaction
    outcomes = []
    for reg_id in ids:
        if reg_id not in known:
            outcomes.append(BulkOutcome(reg_id, "", "", False, "not_found", N_("Not found.")))
            continue
        reference, name = known[reg_id]
        registration = db.session.get(Registration, reg_id)
        try:
            code = action(registration)
        except ServiceError as exc:
            db.session.rollback()
            outcomes.append(BulkOutcome(reg_id, reference, name, False, exc.code, exc.message))
        else:
            db.session.commit()
            outcomes.append(BulkOutcome(reg_id, reference, name, True, code))
    return outcomes


def cancel_many(event_id: int, registration_ids, *, now: datetime, actor, reason: str = "") -> list[BulkOutcome]:
    """Organizer: cancel each registration given (with one reason); the outcome per row."""

    def action(registration: Registration) -> str:
        cancel(registration, now=now, actor=actor, reason=reason)
        return "cancelled"

    return _each(event_id, registration_ids, action)


def move_many(event_id: int, registration_ids, new_ticket_type_id: int, *, now: datetime, actor,
              override: bool = False) -> list[BulkOutcome]:
    """Organizer: move each registration given to one 参加枠 of the event; the outcome per row."""

    def action(registration: Registration) -> str:
        target = db.session.get(TicketType, new_ticket_type_id)
        if target is None or target.event_id != event_id:
            raise ServiceError(N_("Choose a ticket type of this event."), code="invalid_ticket_type")
        move(registration, target, now=now, actor=actor, override=override)
        return "moved"

    return _each(event_id, registration_ids, action)


def approve_many(event_id: int, registration_ids, *, now: datetime, actor, message: str = "") -> list[BulkOutcome]:
    """Organizer: approve each pending registration given (one message for all); the outcome per row."""
    _clean_message(message)

    def action(registration: Registration) -> str:
        return approve(registration, now=now, actor=actor, message=message).status

    return _each(event_id, registration_ids, action)


def reject_many(event_id: int, registration_ids, *, now: datetime, actor, message: str = "") -> list[BulkOutcome]:
    """Organizer: reject each pending registration given (one message for all); the outcome per row."""
    _clean_message(message)

    def action(registration: Registration) -> str:
        reject(registration, now=now, actor=actor, message=message)
        return "rejected"

    return _each(event_id, registration_ids, action)
