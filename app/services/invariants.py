"""The invariants Tsudoi keeps, checked against the database (`flask check`).

1. Counter: every 参加枠's ``confirmed_count`` equals the number of its
   confirmed registrations.
2. Capacity: that number never exceeds the capacity, except by registrations
   an organizer placed past it (``capacity_override``, recorded in the audit log).
3. Line: in a live first-come or 承認制 event nobody waits in a 参加枠 that has
   a free seat: a newcomer is never confirmed by first come, nor approved into a
   seat, while someone waits (in 承認制, those approved onto the waiting list).
4. Places: every waiting registration has its own place in its 参加枠's line
   (``waitlist_seq``, unique, handed out from the 参加枠's counter), so the
   position people are told is theirs alone and is the order of promotion.
5. One active registration per email per event, and per organisation where
   the event asks for it (whether or not the 法人番号 was given).
6. Mail truth: no mail went out that was no longer true when it was sent:
   nothing but the cancellation mail after a registration was cancelled.
7. Told: every active registrant of a cancelled or postponed event has been
   sent (or has queued) the mail that says so (those imported from a past
   list without an email address excepted: nothing can reach them).
8. Lottery: every recorded draw reproduces (its seed matches the hash
   published before it, and re-running it gives the recorded order), and a
   drawn 参加枠's line moves up like first come's (rule 3 applies to it).
9. Summary: the statistics' summary tables (services.participation) equal a
   recount of the registrations of the events they count (checked for the
   whole database only; it recounts in memory).
10. Days (events whose registrants choose sessions): every session's
   ``confirmed_count`` equals its confirmed choices, which never exceed its
   capacity except by choices an organizer placed past it; in a live
   first-come event nobody waits for a day with a free seat; each waiting
   choice has its own place in the day's line; a cancelled registration
   holds no day and only a confirmed one holds a seat.
11. Teams (events that take team registrations): every active team
   registration's team has as many members as the event allows (its
   minimum and maximum), and the members of a 参加枠's confirmed teams never
   exceed its ``member_capacity``, except by teams an organizer placed past
   capacity (``capacity_override``). A hackathon team never has more members
   than the event's maximum (it forms one member at a time, so its minimum
   does not bind it).

The locking discipline that keeps them is in app.services.locks. Each check
is one query; the result names each breach so an operator can act on it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from app.domain import admission
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, AdmissionMode, EventStatus, RegistrationStatus
from app.domain.people import same_organization
from app.extensions import db
from app.models import (
    Event,
    EventSession,
    LotteryDraw,
    OutboxMessage,
    Registration,
    SessionChoice,
    Team,
    TeamMember,
    TicketType,
)

CONFIRMED = RegistrationStatus.CONFIRMED.value
WAITLISTED = RegistrationStatus.WAITLISTED.value
ACTIVE = [s.value for s in ACTIVE_REGISTRATION_STATUSES]
#: Mails that may be sent after a registration was cancelled.
AFTER_CANCELLATION_KINDS = ("cancelled", "event_cancelled", "lottery_released")


@dataclass(frozen=True)
class Breach:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def breaches(event_id: int | None = None) -> list[Breach]:
    """Every breach of the invariants (of one event, or all)."""
    found: list[Breach] = []
    found += _counters_and_capacity(event_id)
    found += _line(event_id)
    found += _places(event_id)
    found += _uniqueness(event_id)
    found += _mail_truth(event_id)
    found += _told(event_id)
    found += _draws(event_id)
    found += _days(event_id)
    found += _teams(event_id)
    if event_id is None:
        found += _summary()
    return found


def _summary() -> list[Breach]:
    from app.services import participation

    return [Breach("summary", problem) for problem in participation.differences()]


def _scoped(stmt, column, event_id):
    return stmt if event_id is None else stmt.where(column == event_id)


def _counters_and_capacity(event_id):
    confirmed = func.count(Registration.id).filter(Registration.status == CONFIRMED)
    overridden = func.count(Registration.id).filter(and_(Registration.status == CONFIRMED,
                                                         Registration.capacity_override.is_(True)))
    stmt = _scoped(
        select(TicketType.id, TicketType.event_id, TicketType.name, TicketType.capacity, TicketType.confirmed_count,
               confirmed, overridden)
        .outerjoin(Registration, Registration.ticket_type_id == TicketType.id)
        .group_by(TicketType.id).order_by(TicketType.id),
        TicketType.event_id, event_id)
    out = []
    for tt_id, ev_id, name, capacity, counter, n_confirmed, n_override in db.session.execute(stmt):
        where = f"event {ev_id}, 参加枠 {tt_id} ({name})"
        if counter != n_confirmed:
            out.append(Breach("counter", f"{where}: confirmed_count is {counter} but {n_confirmed} are confirmed"))
        if capacity is not None and n_confirmed - capacity > n_override:
            out.append(Breach("capacity", f"{where}: {n_confirmed} confirmed for {capacity} seats, "
                                          f"only {n_override} placed past capacity by an organizer"))
    return out


def _line(event_id):
    waiting = func.count(Registration.id)
    drawn = select(LotteryDraw.id).where(LotteryDraw.ticket_type_id == TicketType.id).exists()
    stmt = _scoped(
        select(TicketType.id, TicketType.event_id, TicketType.name, TicketType.capacity, TicketType.confirmed_count,
               Event.status, waiting, Event.admission_mode)
        .join(Event, Event.id == TicketType.event_id)
        .join(Registration, and_(Registration.ticket_type_id == TicketType.id, Registration.status == WAITLISTED))
        .where(or_(Event.admission_mode.in_([m.value for m in admission.PROMOTING_ADMISSION_MODES]),
                   and_(Event.admission_mode == AdmissionMode.LOTTERY.value, drawn)))
        .group_by(TicketType.id, Event.status, Event.admission_mode).order_by(TicketType.id),
        TicketType.event_id, event_id)
    out = []
    for tt_id, ev_id, name, capacity, counter, status, n_waiting, mode in db.session.execute(stmt):
        if not admission.promotes(event_status=status, admission_mode=mode, drawn=True):
            continue
        free = None if capacity is None else capacity - counter
        if (free is None or free > 0) and not _first_waiting_team_too_large(tt_id):
            out.append(Breach("line", f"event {ev_id}, 参加枠 {tt_id} ({name}): {n_waiting} waiting while "
                                      f"{'unlimited' if free is None else free} seats are free"))
    return out


def _first_waiting_team_too_large(ticket_type_id: int) -> bool:
    """A team 参加枠 whose teams' members are capped: the line moves only while the next team's
    members fit (app.services.teams.within_member_capacity), so free seats may wait for members."""
    from app.services import teams

    tt = db.session.get(TicketType, ticket_type_id)
    if tt.member_capacity is None:
        return False
    first = db.session.scalars(select(Registration).where(Registration.ticket_type_id == ticket_type_id,
                                                          Registration.status == WAITLISTED)
                               .order_by(Registration.waitlist_seq, Registration.id).limit(1)).first()
    return first is not None and not teams.within_member_capacity(tt, [first])


def _places(event_id):
    out = []
    missing = _scoped(
        select(Registration.id, Registration.event_id)
        .where(Registration.status == WAITLISTED, Registration.waitlist_seq.is_(None)).order_by(Registration.id),
        Registration.event_id, event_id)
    for reg_id, ev_id in db.session.execute(missing):
        out.append(Breach("places", f"event {ev_id}, registration {reg_id}: waiting without a place in line"))
    shared = _scoped(
        select(Registration.event_id, Registration.ticket_type_id, Registration.waitlist_seq, func.count())
        .where(Registration.status == WAITLISTED, Registration.waitlist_seq.is_not(None))
        .group_by(Registration.event_id, Registration.ticket_type_id, Registration.waitlist_seq)
        .having(func.count() > 1),
        Registration.event_id, event_id)
    for ev_id, tt_id, seq, n in db.session.execute(shared):
        out.append(Breach("places", f"event {ev_id}, 参加枠 {tt_id}: {n} registrations share place {seq}"))
    beyond = _scoped(
        select(Registration.id, Registration.event_id, Registration.waitlist_seq, TicketType.waitlist_last_seq)
        .join(TicketType, TicketType.id == Registration.ticket_type_id)
        .where(Registration.status == WAITLISTED, Registration.waitlist_seq > TicketType.waitlist_last_seq),
        Registration.event_id, event_id)
    for reg_id, ev_id, seq, last in db.session.execute(beyond):
        out.append(Breach("places", f"event {ev_id}, registration {reg_id}: place {seq} beyond the "
                                    f"参加枠's counter {last}"))
    return out


def _uniqueness(event_id):
    out = []
    emails = _scoped(
        select(Registration.event_id, Registration.email_normalized, func.count())
        .where(Registration.status.in_(ACTIVE))
        .group_by(Registration.event_id, Registration.email_normalized).having(func.count() > 1),
        Registration.event_id, event_id)
    for ev_id, _email, n in db.session.execute(emails):
        out.append(Breach("email", f"event {ev_id}: {n} active registrations share one email address"))
    rows = _scoped(
        select(Registration.event_id, Registration.id, Registration.organization, Registration.corporate_number,
               Registration.organization_lock_key)
        .join(Event, Event.id == Registration.event_id)
        .where(Event.one_per_organization.is_(True), Registration.status.in_(ACTIVE),
               Registration.organization_lock_key.is_not(None))
        .order_by(Registration.event_id, Registration.id),
        Registration.event_id, event_id)
    by_event: dict[int, list[tuple[int, str, str, str]]] = {}
    for ev_id, reg_id, name, number, lock_key in db.session.execute(rows):
        by_event.setdefault(ev_id, []).append((reg_id, name, number, lock_key))
    for ev_id, regs in by_event.items():
        for i, (a_id, a_name, a_number, a_key) in enumerate(regs):
            for b_id, b_name, b_number, b_key in regs[i + 1:]:
                if a_key == b_key or same_organization(a_name, a_number, b_name, b_number):
                    out.append(Breach("organization", f"event {ev_id}: registrations {a_id} and {b_id} are "
                                                      "one organisation"))
    return out


def _mail_truth(event_id):
    late = case((OutboxMessage.kind.in_(AFTER_CANCELLATION_KINDS), False), else_=True)
    stmt = _scoped(
        select(OutboxMessage.id, OutboxMessage.kind, Registration.id, Registration.event_id)
        .join(Registration, Registration.id == OutboxMessage.registration_id)
        .where(OutboxMessage.status == "sent", Registration.status == RegistrationStatus.CANCELLED.value,
               Registration.cancelled_at.is_not(None), OutboxMessage.sent_at > Registration.cancelled_at, late)
        .order_by(OutboxMessage.id),
        Registration.event_id, event_id)
    return [Breach("mail", f"event {ev_id}, registration {reg_id}: mail {msg_id} ({kind}) was sent after the "
                           "registration was cancelled")
            for msg_id, kind, reg_id, ev_id in db.session.execute(stmt)]


#: The mail that tells an active registrant of the event's status.
STATUS_MAIL_KINDS = {EventStatus.CANCELLED.value: "event_cancelled", EventStatus.POSTPONED.value: "event_postponed"}


def _told(event_id):
    out = []
    for status, kind in STATUS_MAIL_KINDS.items():
        told = select(OutboxMessage.id).where(OutboxMessage.registration_id == Registration.id,
                                              OutboxMessage.kind == kind).exists()
        stmt = _scoped(
            select(Registration.id, Registration.event_id)
            .join(Event, Event.id == Registration.event_id)
            # a registrant without an address (imported from a past list) cannot be told
            .where(Event.status == status, Registration.status.in_(ACTIVE), Registration.email != "", ~told)
            .order_by(Registration.id),
            Registration.event_id, event_id)
        for reg_id, ev_id in db.session.execute(stmt):
            out.append(Breach("told", f"event {ev_id} is {status} but registration {reg_id} was never told"))
    return out


def _draws(event_id):
    from app.domain import lottery as lottery_rules

    stmt = _scoped(select(LotteryDraw).order_by(LotteryDraw.id), LotteryDraw.event_id, event_id)
    out = []
    for d in db.session.scalars(stmt):
        result = lottery_rules.verify(seed=d.seed, committed_hash=d.seed_hash, applicants=d.applicants,
                                      order=d.order, winners=d.winners)
        for problem in result.problems:
            out.append(Breach("lottery", f"event {d.event_id}, 参加枠 {d.ticket_type_id}: {problem}"))
        if d.seats is not None and len(d.winners) > d.seats:
            out.append(Breach("lottery", f"event {d.event_id}, 参加枠 {d.ticket_type_id}: {len(d.winners)} "
                                         f"winners for {d.seats} free seats"))
    return out


def _days(event_id):
    """Rule 10: per-day seats, lines and places (app.services.session_choices)."""
    out = []
    confirmed = func.count(SessionChoice.id).filter(SessionChoice.status == CONFIRMED)
    overridden = func.count(SessionChoice.id).filter(and_(SessionChoice.status == CONFIRMED,
                                                          SessionChoice.capacity_override.is_(True)))
    waiting = func.count(SessionChoice.id).filter(SessionChoice.status == WAITLISTED)
    stmt = _scoped(
        select(EventSession.id, EventSession.event_id, EventSession.capacity, EventSession.confirmed_count,
               Event.status, Event.admission_mode, Event.choose_sessions, confirmed, overridden, waiting)
        .join(Event, Event.id == EventSession.event_id)
        .outerjoin(SessionChoice, SessionChoice.session_id == EventSession.id)
        .group_by(EventSession.id, Event.status, Event.admission_mode, Event.choose_sessions)
        .order_by(EventSession.id),
        EventSession.event_id, event_id)
    for s_id, ev_id, capacity, counter, status, mode, chooses, n_confirmed, n_override, n_waiting \
            in db.session.execute(stmt):
        where = f"event {ev_id}, session {s_id}"
        if counter != n_confirmed:
            out.append(Breach("day_counter", f"{where}: confirmed_count is {counter} but {n_confirmed} "
                                             "chose it with a seat"))
        if capacity is not None and n_confirmed - capacity > n_override:
            out.append(Breach("day_capacity", f"{where}: {n_confirmed} confirmed for {capacity} seats, "
                                              f"only {n_override} placed past capacity by an organizer"))
        if chooses and n_waiting and admission.promotes(event_status=status, admission_mode=mode) and (
                capacity is None or counter < capacity):
            out.append(Breach("day_line", f"{where}: {n_waiting} waiting while seats are free"))
    shared = _scoped(
        select(EventSession.event_id, SessionChoice.session_id, SessionChoice.waitlist_seq, func.count())
        .join(EventSession, EventSession.id == SessionChoice.session_id)
        .where(SessionChoice.status == WAITLISTED)
        .group_by(EventSession.event_id, SessionChoice.session_id, SessionChoice.waitlist_seq)
        .having(or_(func.count() > 1, SessionChoice.waitlist_seq.is_(None))),
        EventSession.event_id, event_id)
    for ev_id, s_id, seq, n in db.session.execute(shared):
        out.append(Breach("day_places", f"event {ev_id}, session {s_id}: {n} waiting at place {seq}"))
    wrong = _scoped(
        select(Registration.event_id, Registration.id, Registration.status, SessionChoice.session_id,
               SessionChoice.status)
        .join(SessionChoice, SessionChoice.registration_id == Registration.id)
        .where(or_(and_(Registration.status == RegistrationStatus.CANCELLED.value,
                        SessionChoice.status != "cancelled"),
                   and_(Registration.status != RegistrationStatus.CANCELLED.value,
                        SessionChoice.status == "cancelled"),
                   and_(Registration.status != CONFIRMED, SessionChoice.status.in_([CONFIRMED, WAITLISTED]))))
        .order_by(Registration.id),
        Registration.event_id, event_id)
    for ev_id, reg_id, reg_status, s_id, choice_status in db.session.execute(wrong):
        out.append(Breach("day_status", f"event {ev_id}, registration {reg_id} ({reg_status}): "
                                        f"day {s_id} is {choice_status}"))
    return out


def _teams(event_id):
    """Rule 11: team registrations' sizes and the members of each 参加枠's confirmed teams."""
    from app.domain.teams import TeamMode, TeamRules

    out = []
    size = func.count(TeamMember.id)
    sizes = _scoped(
        select(Team.id, Team.event_id, Registration.id, Event.team_min_members, Event.team_max_members, size)
        .join(Registration, Registration.id == Team.registration_id)
        .join(Event, Event.id == Team.event_id)
        .outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Event.team_mode == TeamMode.TEAM, Registration.status.in_(ACTIVE))
        .group_by(Team.id, Team.event_id, Registration.id, Event.team_min_members, Event.team_max_members)
        .order_by(Team.id),
        Team.event_id, event_id)
    for team_id, ev_id, reg_id, least, most, n in db.session.execute(sizes):
        lower, upper = least or 1, TeamRules(min_members=least, max_members=most).upper
        if not lower <= n <= upper:
            out.append(Breach("team_size", f"event {ev_id}, team {team_id} (registration {reg_id}): {n} members, "
                                           f"the event allows {lower} to {upper}"))
    hackathon = _scoped(
        select(Team.id, Team.event_id, Event.team_min_members, Event.team_max_members, size)
        .join(Event, Event.id == Team.event_id)
        .outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Event.team_mode == TeamMode.HACKATHON, Team.registration_id.is_(None))
        .group_by(Team.id, Team.event_id, Event.team_min_members, Event.team_max_members)
        .order_by(Team.id),
        Team.event_id, event_id)
    for team_id, ev_id, least, most, n in db.session.execute(hackathon):
        upper = TeamRules(min_members=least, max_members=most).upper
        if n > upper:
            out.append(Breach("team_size", f"event {ev_id}, hackathon team {team_id}: {n} members, "
                                           f"the event allows {upper} at most"))
    members = func.count(TeamMember.id)
    overridden = func.count(TeamMember.id).filter(Registration.capacity_override.is_(True))
    limits = _scoped(
        select(TicketType.id, TicketType.event_id, TicketType.name, TicketType.member_capacity, members, overridden)
        .join(Registration, and_(Registration.ticket_type_id == TicketType.id, Registration.status == CONFIRMED))
        .join(Team, Team.registration_id == Registration.id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TicketType.member_capacity.is_not(None))
        .group_by(TicketType.id, TicketType.event_id, TicketType.name, TicketType.member_capacity)
        .order_by(TicketType.id),
        TicketType.event_id, event_id)
    for tt_id, ev_id, name, limit, n, n_override in db.session.execute(limits):
        if n - limit > n_override:
            out.append(Breach("team_members", f"event {ev_id}, 参加枠 {tt_id} ({name}): {n} members in its confirmed "
                                              f"teams for a limit of {limit}, only {n_override} in teams placed past "
                                              "capacity by an organizer"))
    return out
