"""Admission rules: is registration open, and what a new registration becomes.

Pure functions over plain values, so they can be tested without a database and
used alike by the pages, the API and the registration service.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.domain.codes import AdmissionMode, ApprovalOverflow, EventStatus, RegistrationStatus


class WindowState(StrEnum):
    OPEN = "open"
    NOT_PUBLISHED = "not_published"  # draft
    NOT_YET_OPEN = "not_yet_open"  # 受付開始前
    ENDED = "ended"  # 受付終了 (closing time passed, event closed or finished)
    CANCELLED = "cancelled"  # 中止
    POSTPONED = "postponed"  # 延期


@dataclass(frozen=True)
class Window:
    state: WindowState
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state is WindowState.OPEN


def registration_window(
    *,
    status: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    first_session_starts_at: datetime | None,
    now: datetime,
) -> Window:
    """Whether registration is open at `now`, and if not, why.

    Without an explicit closing time, registration closes when the first session starts.
    """
    if status == EventStatus.CANCELLED:
        return Window(WindowState.CANCELLED)
    if status == EventStatus.POSTPONED:
        return Window(WindowState.POSTPONED)
    if status in (EventStatus.CLOSED, EventStatus.FINISHED):
        return Window(WindowState.ENDED, opens_at, closes_at)
    if status != EventStatus.PUBLISHED:
        return Window(WindowState.NOT_PUBLISHED)
    if opens_at is not None and now < opens_at:
        return Window(WindowState.NOT_YET_OPEN, opens_at, closes_at)
    effective_close = closes_at or first_session_starts_at
    if effective_close is not None and now >= effective_close:
        return Window(WindowState.ENDED, opens_at, effective_close)
    return Window(WindowState.OPEN, opens_at, effective_close)


def effective_mode(admission_mode: str, lottery_first_come: bool) -> str:
    """The mode a newcomer meets: a lottery whose organizer opened the seats left after the draw
    first come (allowed only once every 参加枠 is drawn) admits first come, waiting list first."""
    if admission_mode == AdmissionMode.LOTTERY and lottery_first_come:
        return AdmissionMode.FIRST_COME
    return admission_mode


def closes_at(admission_mode: str, lottery_first_come: bool, registration_closes_at: datetime | None
              ) -> datetime | None:
    """When registration closes: a lottery opened first come after its draw takes newcomers until the
    first session starts (its closing time was the end of the applications)."""
    if admission_mode == AdmissionMode.LOTTERY and lottery_first_come:
        return None
    return registration_closes_at


def event_window(event, now: datetime) -> Window:
    """`registration_window` for an Event model."""
    return registration_window(
        status=event.status,
        opens_at=event.registration_opens_at,
        closes_at=closes_at(event.admission_mode, bool(getattr(event, "lottery_first_come", False)),
                            event.registration_closes_at),
        first_session_starts_at=event.starts_at,
        now=now,
    )


class Availability(StrEnum):
    AVAILABLE = "available"  # seats left (remaining may be None: no limit)
    WAITLIST = "waitlist"  # full, waiting list open (キャンセル待ち)
    FULL = "full"  # full, no waiting list (満席)
    LOTTERY = "lottery"  # 抽選: everyone applies, places are drawn
    APPROVAL = "approval"  # 承認制: organizers approve


def availability(*, admission_mode: str, capacity: int | None, confirmed: int, waitlist_enabled: bool) -> Availability:
    """What a newcomer would get now, as a label for the pages (the same rule as `decide`)."""
    outcome = decide(admission_mode=admission_mode, capacity=capacity, confirmed=confirmed,
                     waitlist_enabled=waitlist_enabled)
    return _AVAILABILITY[outcome]


def ticket_availability(event, ticket_type) -> Availability:
    return availability(
        admission_mode=effective_mode(event.admission_mode, bool(getattr(event, "lottery_first_come", False))),
        capacity=ticket_type.capacity,
        confirmed=ticket_type.confirmed_count,
        waitlist_enabled=event.waitlist_enabled,
    )


class Refusal(StrEnum):
    FULL = "full"


def decide(*, admission_mode: str, capacity: int | None, confirmed: int, waitlist_enabled: bool,
           waiting: int = 0) -> RegistrationStatus | Refusal:
    """The status of a new registration, given the 参加枠's state while it is locked.

    First come never confirms a newcomer while someone waits in that 参加枠
    (`waiting`): they are first in line for any free seat.
    """
    if admission_mode == AdmissionMode.LOTTERY:
        return RegistrationStatus.APPLIED
    if admission_mode == AdmissionMode.APPROVAL:
        return RegistrationStatus.PENDING
    if waiting == 0 and (capacity is None or confirmed < capacity):
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED if waitlist_enabled or waiting else Refusal.FULL


_AVAILABILITY = {
    RegistrationStatus.APPLIED: Availability.LOTTERY,
    RegistrationStatus.PENDING: Availability.APPROVAL,
    RegistrationStatus.CONFIRMED: Availability.AVAILABLE,
    RegistrationStatus.WAITLISTED: Availability.WAITLIST,
    Refusal.FULL: Availability.FULL,
}


#: Event statuses in which the waiting list moves up: not while the event is a draft, postponed or cancelled.
PROMOTING_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CLOSED)


#: Admission modes whose waiting list moves up by itself: first come, and 承認制 (those waiting were approved).
PROMOTING_ADMISSION_MODES = (AdmissionMode.FIRST_COME, AdmissionMode.APPROVAL)


def promotes(*, event_status: str, admission_mode: str, drawn: bool = False) -> bool:
    """Whether freed seats go to the waiting list now (event live; first come, approval, or a
    lottery once `drawn`).

    In 承認制 only approved registrants wait (approval past capacity with the
    ``waitlist`` setting), so a freed seat goes to the first of them. After a 参加枠's draw its
    waiting list is the rest of the drawn order, so freed seats go to it in that order, like
    first come's line.
    """
    if event_status not in PROMOTING_EVENT_STATUSES:
        return False
    return admission_mode in PROMOTING_ADMISSION_MODES or (admission_mode == AdmissionMode.LOTTERY and drawn)


#: Event statuses in which an organizer may approve (a seat is given): not a draft, cancelled, postponed or finished.
APPROVING_EVENT_STATUSES = PROMOTING_EVENT_STATUSES


class ApprovalRefusal(StrEnum):
    FULL = "full"  # no seat left and the event refuses approvals past capacity
    EVENT_NOT_LIVE = "event_not_live"  # cancelled, postponed, finished or a draft


def approval_outcome(*, event_status: str, capacity: int | None, confirmed: int, waiting: int,
                     overflow: str) -> RegistrationStatus | ApprovalRefusal:
    """What approving one pending registration gives, with its 参加枠 locked.

    Confirmed while a seat is free and nobody approved before waits for one;
    otherwise the waiting list (``overflow`` = waitlist) or a refusal, so that
    approvals never exceed capacity.
    """
    if event_status not in APPROVING_EVENT_STATUSES:
        return ApprovalRefusal.EVENT_NOT_LIVE
    if waiting == 0 and (capacity is None or confirmed < capacity):
        return RegistrationStatus.CONFIRMED
    if overflow == ApprovalOverflow.WAITLIST:
        return RegistrationStatus.WAITLISTED
    return ApprovalRefusal.FULL



def restore_status(*, admission_mode: str, capacity: int | None, confirmed: int, waiting: int,
                   override: bool) -> RegistrationStatus:
    """What a cancelled registration becomes when an organizer restores it.

    The status the admission mode gives a newcomer (a lottery entry is applied
    again, never confirmed past the draw; approval waits for approval), except
    that first come puts them in line rather than refusing. `override`
    confirms past capacity and past the waiting list: the organizer's choice,
    recorded by the caller.
    """
    if override and admission_mode == AdmissionMode.FIRST_COME:
        return RegistrationStatus.CONFIRMED
    return decide(admission_mode=admission_mode, capacity=capacity, confirmed=confirmed,  # type: ignore[return-value]
                  waitlist_enabled=True, waiting=waiting)


def walk_in_status(*, capacity: int | None, confirmed: int, waiting: int,
                   override: bool) -> tuple[RegistrationStatus | Refusal, bool]:
    """A walk-in (当日参加) registered at the door, whatever the admission mode: (status, past capacity).

    Confirmed while a seat is free and nobody waits in that 参加枠 (those in line
    come first); otherwise only with an organizer's `override`, which the caller
    records (the second value says it placed the person past capacity or the line).
    """
    free = waiting == 0 and (capacity is None or confirmed < capacity)
    if free:
        return RegistrationStatus.CONFIRMED, False
    if override:
        return RegistrationStatus.CONFIRMED, True
    return Refusal.FULL, False


def promotable(*, capacity: int | None, confirmed: int, waiting: int) -> int:
    """How many of the waiting list can move up now."""
    if capacity is None:
        return waiting
    return max(0, min(waiting, capacity - confirmed))
