"""Registration transactions: register, cancel, promote, restore, move, edit.

Each function is one unit of work in the caller's transaction: it locks the
参加枠 (TicketType) row whose capacity it reads, changes the registrations,
writes their mails to the outbox and an audit row, and flushes. The caller
(view, API, CLI) commits. On SQLite the transaction already holds the write
lock (BEGIN IMMEDIATE, see app.database); on PostgreSQL the row is locked with
SELECT ... FOR UPDATE, so capacity is never exceeded and nobody is promoted twice.
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from app import notifications
from app.domain import admission, manage_links
from app.domain.admission import Refusal, WindowState
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, AdmissionMode, RegistrationStatus
from app.domain.registration_input import N_, CleanRegistration, QuestionSpec
from app.extensions import db
from app.models import Event, Question, Registration, TicketType
from app.services import audit
from app.services.errors import ServiceError

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


class Full(ServiceError):
    code = "full"


class OrganizationTaken(ServiceError):
    code = "organization_already_registered"


@dataclass
class RegisterResult:
    registration: Registration
    created: bool  # False: the email was already registered (the manage link was re-sent)


def _lock_ticket_type(ticket_type_id: int) -> TicketType:
    """Lock the 参加枠 row (PostgreSQL: FOR UPDATE) and read its counter afresh."""
    stmt = select(TicketType).where(TicketType.id == ticket_type_id).with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def _active_by_email(event_id: int, email_normalized: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.email_normalized == email_normalized,
            Registration.status.in_(ACTIVE_REGISTRATION_STATUSES),
        )
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.ticket_type_id == registration.ticket_type_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.waitlisted_at < registration.waitlisted_at)
            | ((Registration.waitlisted_at == registration.waitlisted_at) & (Registration.id < registration.id)),
        )
    )
    return (ahead or 0) + 1


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
    ticket_types: dict[int, tuple[int | None, int]]  # id -> (capacity, confirmed), in display order
    email_normalized: str
    existing_id: int | None

    def window(self, now: datetime) -> admission.Window:
        return admission.registration_window(status=self.status, opens_at=self.opens_at, closes_at=self.closes_at,
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
        outcome = admission.decide(admission_mode=self.admission_mode, capacity=capacity, confirmed=confirmed,
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
               TicketType.id, TicketType.capacity, TicketType.confirmed_count)
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
        existing_id=first[7], email_normalized=email_normalized,
        ticket_types={r[8]: (r[9], r[10]) for r in rows if r[8] is not None},
    )


def question_specs(event_id: int) -> list[QuestionSpec]:
    rows = db.session.execute(
        select(Question.id, Question.kind, Question.required, Question.choices)
        .where(Question.event_id == event_id).order_by(Question.position, Question.id)
    ).all()
    return [QuestionSpec(r[0], r[1], r[2], list(r[3] or [])) for r in rows]


def register(event: Event, data: CleanRegistration, *, now: datetime, language: str = "ja",
             actor=None, seen: Probe | None = None) -> RegisterResult:
    """Register one person. Raises RegistrationClosed, Full or OrganizationTaken.

    A second registration with the same email returns the existing one with
    created=False and re-sends its manage link by mail (never shown to the caller).

    First come with seats left (the common case of a flash crowd) takes the
    optimistic path: the registration, its audit row and its mail are written
    first, and the seat is claimed last by a conditional UPDATE of the 参加枠's
    counter, so the row is locked only from that UPDATE to the commit. If the
    claim fails (the last seat went meanwhile), everything is undone and the
    locked path decides (waiting list or 満席). `seen` may carry that first
    unlocked look when the caller has just made it (Snapshot.probe_for).
    """
    window = admission.event_window(event, now)
    if not window.is_open and actor is None:
        raise RegistrationClosed(window)
    if data.ticket_type_id not in {tt.id for tt in event.ticket_types}:
        raise ServiceError(N_("Choose a ticket type."), code="invalid_ticket_type")
    lock_key = data.organization_key if event.one_per_organization and data.organization_key else None

    if event.admission_mode == AdmissionMode.FIRST_COME and not lock_key:
        seen = seen or probe(data.ticket_type_id, data.email_normalized)
        if seen is not None and seen.existing_id is None and (seen.capacity is None or seen.confirmed < seen.capacity):
            result = _register_optimistically(event, data, now=now, language=language, actor=actor)
            if result is not None:
                return result
    return _register_locked(event, data, lock_key, now=now, language=language, actor=actor)


def _new_registration(event: Event, data: CleanRegistration, status: RegistrationStatus, lock_key: str | None, *,
                      now: datetime, language: str) -> Registration:
    fields = asdict(data)
    fields.pop("consent")
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
        **fields,
    )


def _record_new(registration: Registration, *, now: datetime, actor) -> None:
    audit.record("registration.created", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"status": registration.status,
                                                        "ticket_type_id": registration.ticket_type_id})
    notifications.registration_received(registration, now=now)


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
    """Take one seat if one is free: the conditional UPDATE is the lock and the check."""
    return db.session.execute(_claim_statement(), {"tt_id": ticket_type_id}).rowcount == 1


def _register_optimistically(event: Event, data: CleanRegistration, *, now: datetime, language: str,
                             actor) -> RegisterResult | None:
    registration = _new_registration(event, data, RegistrationStatus.CONFIRMED, None, now=now, language=language)
    savepoint = db.session.begin_nested()
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


def _register_locked(event: Event, data: CleanRegistration, lock_key: str | None, *, now: datetime,
                     language: str, actor) -> RegisterResult:
    ticket_type = _lock_ticket_type(data.ticket_type_id)

    existing = _active_by_email(event.id, data.email_normalized)
    if existing is not None:
        _resend_manage_link(existing, now)
        return RegisterResult(existing, created=False)

    if lock_key and db.session.scalar(
        select(Registration.id).where(
            Registration.event_id == event.id,
            Registration.organization_lock_key == lock_key,
            Registration.status.in_(ACTIVE_REGISTRATION_STATUSES),
        )
    ):
        raise OrganizationTaken(ORG_TAKEN_MESSAGE)

    decision = admission.decide(
        admission_mode=event.admission_mode,
        capacity=ticket_type.capacity,
        confirmed=ticket_type.confirmed_count,
        waitlist_enabled=event.waitlist_enabled,
    )
    if decision is Refusal.FULL:
        raise Full(FULL_MESSAGE)

    registration = _new_registration(event, data, decision, lock_key, now=now, language=language)
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

    if decision is RegistrationStatus.CONFIRMED:
        ticket_type.confirmed_count += 1
    _record_new(registration, now=now, actor=actor)
    db.session.flush()
    return RegisterResult(registration, created=True)


def _resend_manage_link(registration: Registration, now: datetime) -> None:
    notifications.manage_link(registration, now=now)
    audit.record("registration.link_resent", now=now, event_id=registration.event_id,
                 registration_id=registration.id, actor_label="system")


def promote_waitlist(ticket_type: TicketType, *, now: datetime, actor=None) -> list[Registration]:
    """Move the first of the waiting list up while the 参加枠 has seats (first come only)."""
    event = ticket_type.event
    if event.admission_mode != AdmissionMode.FIRST_COME:
        return []
    ticket_type = _lock_ticket_type(ticket_type.id)
    waiting = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.ticket_type_id == ticket_type.id, Registration.status == RegistrationStatus.WAITLISTED
        )
    )
    n = admission.promotable(capacity=ticket_type.capacity, confirmed=ticket_type.confirmed_count,
                             waiting=waiting or 0)
    if n == 0:
        return []
    promoted = db.session.scalars(
        select(Registration)
        .where(Registration.ticket_type_id == ticket_type.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(n)
        .with_for_update()
    ).all()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.updated_at = now
        audit.record("registration.promoted", actor=actor, actor_label="" if actor else "system", now=now,
                     event_id=registration.event_id, registration_id=registration.id)
        notifications.registration_promoted(registration, now=now)
    ticket_type.confirmed_count += len(promoted)
    db.session.flush()
    return list(promoted)


def cancel(registration: Registration, *, now: datetime, actor=None, reason: str = "") -> Registration:
    """Cancel an active registration; a freed seat goes to the first on the waiting list."""
    ticket_type = _lock_ticket_type(registration.ticket_type_id)
    db.session.refresh(registration, with_for_update=True)
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
                 registration_id=registration.id, data={"from": previous, "reason": reason})
    notifications.registration_cancelled(registration, now=now, by_organizer=actor is not None)
    db.session.flush()
    if was_confirmed:
        promote_waitlist(ticket_type, now=now, actor=actor)
    return registration


def restore(registration: Registration, *, now: datetime, actor, override: bool = False) -> Registration:
    """Organizer: bring a cancelled registration back (confirmed if a seat is free, else waitlisted)."""
    event = registration.event
    ticket_type = _lock_ticket_type(registration.ticket_type_id)
    if registration.status != RegistrationStatus.CANCELLED:
        raise ServiceError(N_("Only a cancelled registration can be restored."), code="not_cancelled")
    if _active_by_email(event.id, registration.email_normalized) is not None:
        raise ServiceError(N_("This email address already has an active registration for this event."),
                           code="already_registered")
    decision = admission.decide(admission_mode=AdmissionMode.FIRST_COME, capacity=ticket_type.capacity,
                                confirmed=ticket_type.confirmed_count, waitlist_enabled=True)
    if override:
        decision = RegistrationStatus.CONFIRMED
    registration.status = decision.value
    registration.cancelled_at = None
    registration.updated_at = now
    if decision is RegistrationStatus.CONFIRMED:
        over = ticket_type.capacity is not None and ticket_type.confirmed_count >= ticket_type.capacity
        registration.capacity_override = registration.capacity_override or over
        registration.confirmed_at = now
        ticket_type.confirmed_count += 1
    else:
        registration.waitlisted_at = now
    audit.record("registration.restored", actor=actor, now=now, event_id=event.id,
                 registration_id=registration.id, data={"status": registration.status, "override": override})
    notifications.registration_received(registration, now=now, restored=True)
    db.session.flush()
    return registration


def move(registration: Registration, new_ticket_type: TicketType, *, now: datetime, actor,
         override: bool = False) -> Registration:
    """Organizer: move a registrant to another 参加枠 of the same event.

    A confirmed registrant needs a free seat in the new 参加枠, unless `override`
    (recorded on the registration and in the audit log). The seat freed in the old
    参加枠 goes to its waiting list.
    """
    if new_ticket_type.event_id != registration.event_id:
        raise ServiceError(N_("Choose a ticket type of this event."), code="invalid_ticket_type")
    if new_ticket_type.id == registration.ticket_type_id:
        return registration
    # Lock both rows in id order so two opposite moves cannot deadlock.
    ids = sorted([registration.ticket_type_id, new_ticket_type.id])
    locked = {tid: _lock_ticket_type(tid) for tid in ids}
    old, new = locked[registration.ticket_type_id], locked[new_ticket_type.id]
    if registration.status not in ACTIVE_REGISTRATION_STATUSES:
        raise ServiceError(N_("Only an active registration can be moved."), code="not_active")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    if was_confirmed:
        full = new.capacity is not None and new.confirmed_count >= new.capacity
        if full and not override:
            raise Full(FULL_MESSAGE)
        new.confirmed_count += 1
        old.confirmed_count -= 1
        registration.capacity_override = registration.capacity_override or full
    elif registration.status == RegistrationStatus.WAITLISTED:
        registration.waitlisted_at = now  # joins the end of the new list
    registration.ticket_type_id = new.id
    registration.updated_at = now
    audit.record("registration.moved", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id,
                 data={"from": old.id, "to": new.id, "override": bool(override and was_confirmed)})
    db.session.flush()
    if was_confirmed:
        promote_waitlist(old, now=now, actor=actor)
    return registration


EDITABLE_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "phone", "organization",
    "organization_key", "department", "job_title", "organization_type", "prefecture", "corporate_number",
    "answers", "opt_in_announcements",
)


def update_details(registration: Registration, data: CleanRegistration, fields: set[str], *, now: datetime,
                   actor=None) -> Registration:
    """Change contact details and answers (not the email, 参加枠 or status)."""
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
        registration.updated_at = now
        audit.record("registration.updated", actor=actor, now=now, event_id=registration.event_id,
                     registration_id=registration.id, data={"fields": sorted(changed)})
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            raise OrganizationTaken(ORG_TAKEN_MESSAGE) from None
    return registration


def get_by_token(token: str) -> Registration | None:
    """The registration whose private link carries `token` (looked up by its SHA-256)."""
    if not manage_links.plausible(token):
        return None
    digest = manage_links.hash_token(token)
    return db.session.scalar(select(Registration).where(
        or_(Registration.manage_token_hash == digest, Registration.previous_manage_token_hash == digest)))
