"""The lottery (抽選): commit the seed, draw, confirm, release unconfirmed seats, verify.

Each function is one unit of work in the caller's transaction (the caller
commits), by the locking discipline of app.services.locks: a draw holds the
event EXCLUSIVELY (it compares registrations across 参加枠 for one per
organisation, and nothing may register, cancel or move beside it), then its
参加枠 rows in id order, then the applicants' rows in id order; re-reads them;
decides with app.domain.lottery; writes statuses, the waiting list's places,
the record of the draw, the audit rows and the mails.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import notifications
from app.domain import admission
from app.domain import lottery as rules
from app.domain.admission import WindowState
from app.domain.codes import AdmissionMode, EventStatus, RegistrationStatus
from app.domain.registration_input import N_
from app.extensions import db
from app.models import Event, LotteryDraw, Registration, TicketType
from app.services import audit, locks
from app.services.errors import ServiceError

#: Event statuses in which a draw may run (not a draft, not cancelled or postponed, not finished).
DRAWABLE_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CLOSED)


class LotteryError(ServiceError):
    code = "lottery"


def _actor_label(actor, actor_label: str) -> str:
    return actor_label or (getattr(actor, "email", "") if actor is not None else "system")


# ---------------------------------------------------------------------------
# the seed


def commit_seed(event: Event, *, now: datetime, actor=None) -> bool:
    """Give a lottery event its secret seed and publish its hash, once (never changed after).

    The caller holds the event (exclusively) or has just created it. Returns True when committed now.
    """
    if event.admission_mode != AdmissionMode.LOTTERY or event.lottery_seed:
        return False
    event.lottery_seed = rules.new_seed()
    event.lottery_seed_hash = rules.seed_hash(event.lottery_seed)
    db.session.flush()
    audit.record("lottery.seed_committed", actor=actor, actor_label="" if actor else "system", now=now,
                 event_id=event.id, data={"seed_hash": event.lottery_seed_hash, "algorithm": rules.ALGORITHM})
    return True


# ---------------------------------------------------------------------------
# reading


def draws(event_id: int) -> dict[int, LotteryDraw]:
    """The event's draws by 参加枠 id."""
    return {d.ticket_type_id: d for d in db.session.scalars(
        select(LotteryDraw).where(LotteryDraw.event_id == event_id).order_by(LotteryDraw.ticket_type_id))}


def all_drawn(event: Event) -> bool:
    """Every 参加枠 of the event has been drawn."""
    done = set(draws(event.id))
    return bool(event.ticket_types) and all(tt.id in done for tt in event.ticket_types)


def is_drawn(ticket_type_id: int) -> bool:
    return db.session.scalar(select(LotteryDraw.id).where(LotteryDraw.ticket_type_id == ticket_type_id)) is not None


def applicant_counts(event_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(Registration.ticket_type_id, func.count()).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.APPLIED)
        .group_by(Registration.ticket_type_id)).all())


def draw_refusal(event: Event, now: datetime) -> str | None:
    """Why a draw cannot run now (a msgid to translate), or None."""
    if event.admission_mode != AdmissionMode.LOTTERY:
        return N_("This event does not use a lottery.")
    if event.status not in DRAWABLE_EVENT_STATUSES:
        return N_("The lottery can be drawn only while the event is published.")
    if not event.lottery_seed:
        return N_("This lottery has no committed seed.")
    window = admission.event_window(event, now)
    if window.state is WindowState.OPEN or window.state is WindowState.NOT_YET_OPEN:
        return N_("Applications are still open: the lottery is drawn after they close.")
    return None


@dataclass
class PreviewRow:
    ticket_type: TicketType
    numbers: dict
    draw: LotteryDraw | None


def preview(event: Event) -> list[PreviewRow]:
    """The numbers each 参加枠's draw would give now (or gave), without drawing."""
    counts = applicant_counts(event.id)
    done = draws(event.id)
    rows = []
    for tt in sorted(event.ticket_types, key=lambda t: t.id):
        seats = None if tt.capacity is None else max(tt.capacity - tt.confirmed_count, 0)
        rows.append(PreviewRow(tt, rules.preview(applicants=counts.get(tt.id, 0), seats=seats,
                                                 losers=event.lottery_losers), done.get(tt.id)))
    return rows


# ---------------------------------------------------------------------------
# the draw


def draw(event: Event, *, now: datetime, actor=None, actor_label: str = "", ticket_type_id: int | None = None,
         notify: bool = True) -> list[LotteryDraw]:
    """Draw every 参加枠 of the event not drawn yet (or only `ticket_type_id`). One transaction.

    Raises LotteryError when a draw cannot run (not a lottery, applications
    open, the event not live, already drawn). `notify` False writes no mails
    (the demo's past events).
    """
    event = locks.event(event.id, exclusive=True)
    problem = draw_refusal(event, now)
    if problem:
        raise LotteryError(problem, code="not_drawable")
    ids = [tt.id for tt in event.ticket_types]
    if ticket_type_id is not None:
        if ticket_type_id not in ids:
            raise LotteryError(N_("Choose a ticket type of this event."), code="invalid_ticket_type")
        ids = [ticket_type_id]
    locked = locks.ticket_types(ids)
    done = set(db.session.scalars(select(LotteryDraw.ticket_type_id).where(LotteryDraw.ticket_type_id.in_(ids))))
    todo = [tt_id for tt_id in sorted(ids) if tt_id not in done]
    if not todo:
        raise LotteryError(N_("This lottery has already been drawn."), code="already_drawn")
    applicants = list(db.session.scalars(
        select(Registration)
        .where(Registration.ticket_type_id.in_(todo), Registration.status == RegistrationStatus.APPLIED)
        .order_by(Registration.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)))
    taken: set[str] = set()
    if event.one_per_organization:
        taken = {key for key in db.session.scalars(
            select(func.coalesce(Registration.organization_lock_key, Registration.organization_key))
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)) if key}
    priority = list(event.lottery_priority_prefectures or [])
    label = _actor_label(actor, actor_label)
    recorded = []
    for tt_id in todo:
        tt = locked[tt_id]
        mine = [r for r in applicants if r.ticket_type_id == tt_id]
        by_id = {r.id: r for r in mine}
        entries = [[r.id, rules.priority_group(r.prefecture, priority)] for r in mine]
        order = rules.draw_order(event.lottery_seed, entries)
        seats = None if tt.capacity is None else max(tt.capacity - tt.confirmed_count, 0)
        keys = ({r.id: (r.organization_lock_key or r.organization_key or None) for r in mine}
                if event.one_per_organization else None)
        outcome = rules.decide(order, seats=seats, losers=event.lottery_losers, organization_keys=keys,
                               taken_organizations=taken)
        if keys:
            taken.update(keys[w] for w in outcome.winners if keys[w])
        record = LotteryDraw(event_id=event.id, ticket_type_id=tt_id, seed=event.lottery_seed,
                             seed_hash=event.lottery_seed_hash, algorithm=rules.ALGORITHM, applicants=entries,
                             order=order, winners=outcome.winners, seats=seats, losers=event.lottery_losers,
                             drawn_at=now, drawn_by_id=getattr(actor, "id", None), actor_label=label)
        db.session.add(record)
        confirm_by = (now + timedelta(days=event.lottery_confirm_days)) if event.lottery_confirm_days else None
        rank = {rid: i + 1 for i, rid in enumerate(order)}
        for rid in outcome.winners:
            r = by_id[rid]
            r.status = RegistrationStatus.CONFIRMED
            r.confirmed_at = now
            r.confirm_by = confirm_by
            r.updated_at = now
            tt.confirmed_count += 1
        for rid in outcome.waitlisted:  # places in drawn order (promote_waitlist follows waitlist_seq)
            r = by_id[rid]
            r.status = RegistrationStatus.WAITLISTED
            tt.waitlist_last_seq = (tt.waitlist_last_seq or 0) + 1
            r.waitlist_seq = tt.waitlist_last_seq
            r.waitlisted_at = now
            r.updated_at = now
        for rid in outcome.lost:
            r = by_id[rid]
            r.status = RegistrationStatus.LOST
            r.updated_at = now
        db.session.flush()
        audit.record("lottery.drawn", actor=actor, actor_label=label, now=now, event_id=event.id,
                     data={"ticket_type_id": tt_id, "seed_hash": event.lottery_seed_hash, "seed": event.lottery_seed,
                           "algorithm": rules.ALGORITHM, "applicants": len(order), "seats": seats,
                           "winners": len(outcome.winners), "waitlisted": len(outcome.waitlisted),
                           "lost": len(outcome.lost), "same_organization": outcome.same_organization,
                           "order": order})
        for rid in order:
            r = by_id[rid]
            action = {"confirmed": "registration.lottery_won", "waitlisted": "registration.lottery_waitlisted",
                      "lost": "registration.lottery_lost"}[r.status]
            audit.record(action, actor=actor, actor_label=label, now=now, event_id=event.id, registration_id=rid,
                         data={"rank": rank[rid], "ticket_type_id": tt_id})
            if notify:
                notifications.lottery_result(r, now=now)
        recorded.append(record)
    db.session.flush()
    return recorded


def due_events(now: datetime) -> list[int]:
    """Lottery events whose draw time has come, still live, with a 参加枠 not drawn yet."""
    undrawn = (select(TicketType.id).where(TicketType.event_id == Event.id)
               .where(~select(LotteryDraw.id).where(LotteryDraw.ticket_type_id == TicketType.id).exists())
               .exists())
    return list(db.session.scalars(
        select(Event.id).where(Event.admission_mode == AdmissionMode.LOTTERY, Event.lottery_draw_at <= now,
                               Event.status.in_([s.value for s in DRAWABLE_EVENT_STATUSES]), undrawn)
        .order_by(Event.lottery_draw_at, Event.id)))


# ---------------------------------------------------------------------------
# after the draw: the winner confirms, or the seat passes on


def accept(registration: Registration, *, now: datetime, actor=None) -> Registration:
    """The winner confirms their seat (from their private page) before the deadline."""
    _event, _tt, registration = locks.for_registration(registration.id, registration.event_id)
    if registration.status != RegistrationStatus.CONFIRMED or registration.confirm_by is None:
        raise LotteryError(N_("There is nothing to confirm for this registration."), code="nothing_to_confirm")
    if now > registration.confirm_by:
        raise LotteryError(N_("The time to confirm has passed: the seat goes to the next person drawn."),
                           code="too_late")
    deadline = registration.confirm_by
    registration.confirm_by = None
    registration.updated_at = now
    audit.record("registration.lottery_accepted", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"deadline": deadline.isoformat()})
    db.session.flush()
    return registration


def release(registration: Registration, *, now: datetime) -> bool:
    """The seat of a winner who did not confirm in time passes to the next drawn. False: nothing to do."""
    from app.services import registrations as registration_service

    _event, tt, registration = locks.for_registration(registration.id, registration.event_id)
    if (registration.status != RegistrationStatus.CONFIRMED or registration.confirm_by is None
            or registration.confirm_by >= now):
        return False
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    tt.confirmed_count -= 1
    audit.record("registration.lottery_released", actor_label="system", now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"deadline": registration.confirm_by.isoformat()})
    notifications.lottery_released(registration, now=now)
    db.session.flush()
    registration_service.promote_waitlist(tt, now=now)
    return True


def unconfirmed_past_deadline(now: datetime) -> list[tuple[int, int]]:
    """(registration id, event id) of the winners whose time to confirm has passed."""
    return list(db.session.execute(
        select(Registration.id, Registration.event_id).where(
            Registration.status == RegistrationStatus.CONFIRMED, Registration.confirm_by.is_not(None),
            Registration.confirm_by < now).order_by(Registration.id)).all())


# ---------------------------------------------------------------------------
# verification


@dataclass
class DrawCheck:
    draw: LotteryDraw
    result: rules.Verification


def verify_event(event_id: int) -> list[DrawCheck]:
    """Re-run every recorded draw of the event."""
    event = db.session.get(Event, event_id)
    out = []
    for d in draws(event_id).values():
        result = rules.verify(seed=d.seed, committed_hash=d.seed_hash, applicants=d.applicants, order=d.order,
                              winners=d.winners)
        if event is not None and event.lottery_seed_hash and d.seed_hash != event.lottery_seed_hash:
            result = rules.Verification(False, [*result.problems,
                                                "the draw's seed hash is not the one the event published"],
                                        result.order)
        out.append(DrawCheck(d, result))
    return out


def public_record(event: Event) -> dict:
    """What anyone may see of the lottery: the hash before the draw; seed, applicants and order after."""
    done = draws(event.id)
    out = {"event_id": event.id, "seed_hash": event.lottery_seed_hash, "algorithm": rules.ALGORITHM,
           "draw_at": event.lottery_draw_at, "drawn": bool(done) and len(done) == len(event.ticket_types),
           "ticket_types": []}
    for tt in sorted(event.ticket_types, key=lambda t: t.id):
        d = done.get(tt.id)
        item = {"ticket_type_id": tt.id, "name": tt.name, "drawn": d is not None}
        if d is not None:
            item.update({"seed": d.seed, "seed_hash": d.seed_hash, "algorithm": d.algorithm,
                         "applicants": [list(a) for a in d.applicants], "order": list(d.order),
                         "winners": list(d.winners), "seats": d.seats, "drawn_at": d.drawn_at})
        out["ticket_types"].append(item)
    return out
