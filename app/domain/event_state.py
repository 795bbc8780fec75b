"""What the public is told about an event's registration, and what they can do about it.

One pure decision from app.domain.admission's Window (is registration open, and if
not, why) and each 参加枠's Availability (what a newcomer would get), used alike by
the event card's badge, the event page's registration box and its button. Nothing
here reads Flask or the database.

    state           shown as        action (the button)
    open            受付中           register        このイベントに申し込む
    few_left        残りわずか        register
    waitlist        満席             join_waitlist   キャンセル待ちで申し込む
    full            満席             none
    lottery         抽選受付中        apply_lottery   抽選に申し込む
    approval        承認制           apply_approval  参加を申し込む（承認制）
    not_yet_open    受付開始前        none
    ended           受付終了          none
    cancelled       中止             none
    postponed       延期             none
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.domain.admission import Availability, Window, WindowState

#: 残りわずか: at most this many seats left in all, ...
FEW_LEFT_SEATS = 5
#: ... or at most this share of the capacity (whichever allows more).
FEW_LEFT_SHARE = 0.1


class PublicState(StrEnum):
    OPEN = "open"
    FEW_LEFT = "few_left"
    WAITLIST = "waitlist"  # 満席, the waiting list takes newcomers
    FULL = "full"  # 満席, nothing to apply for
    LOTTERY = "lottery"
    APPROVAL = "approval"
    NOT_YET_OPEN = "not_yet_open"
    ENDED = "ended"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    NOT_PUBLISHED = "not_published"


class Action(StrEnum):
    REGISTER = "register"
    JOIN_WAITLIST = "join_waitlist"
    APPLY_LOTTERY = "apply_lottery"
    APPLY_APPROVAL = "apply_approval"
    NONE = "none"


@dataclass(frozen=True)
class Seats:
    """One 参加枠 as the public sees it: what a newcomer gets, and how many seats are left (None: no limit)."""

    availability: Availability
    capacity: int | None = None
    remaining: int | None = None


@dataclass(frozen=True)
class PublicStatus:
    state: PublicState
    action: Action
    #: Seats left in the 参加枠 that still have some (None: no limit, or not a question of seats).
    remaining: int | None = None

    @property
    def can_apply(self) -> bool:
        return self.action is not Action.NONE


_CLOSED = {
    WindowState.NOT_YET_OPEN: PublicState.NOT_YET_OPEN,
    WindowState.ENDED: PublicState.ENDED,
    WindowState.CANCELLED: PublicState.CANCELLED,
    WindowState.POSTPONED: PublicState.POSTPONED,
    WindowState.NOT_PUBLISHED: PublicState.NOT_PUBLISHED,
}


def few_left(remaining: int, capacity: int) -> bool:
    """残りわずか: a handful of seats, or a tenth of the capacity, whichever is more (never for none left)."""
    return 0 < remaining <= max(FEW_LEFT_SEATS, int(capacity * FEW_LEFT_SHARE))


def public_status(window: Window, seats: Iterable[Seats | Availability]) -> PublicStatus:
    """The state and the one action for an event, from its window and its 参加枠.

    A closed window says why and offers nothing. An open one: 抽選 / 承認制 when
    places are given that way; otherwise seats in any 参加枠 mean 受付中 (残りわずか
    when few are left in all those 参加枠 together); all full but a waiting list
    means 満席 with キャンセル待ち; all full otherwise means 満席 and no button.
    """
    if not window.is_open:
        return PublicStatus(_CLOSED[window.state], Action.NONE)
    items = [s if isinstance(s, Seats) else Seats(s) for s in seats]
    found = {s.availability for s in items}
    if not found:
        return PublicStatus(PublicState.OPEN, Action.REGISTER)
    if Availability.LOTTERY in found:
        return PublicStatus(PublicState.LOTTERY, Action.APPLY_LOTTERY)
    if Availability.APPROVAL in found:
        return PublicStatus(PublicState.APPROVAL, Action.APPLY_APPROVAL)
    available = [s for s in items if s.availability is Availability.AVAILABLE]
    if available:
        if any(s.capacity is None or s.remaining is None for s in available):
            return PublicStatus(PublicState.OPEN, Action.REGISTER)
        remaining = sum(s.remaining for s in available)  # type: ignore[misc]
        capacity = sum(s.capacity for s in available)  # type: ignore[misc]
        state = PublicState.FEW_LEFT if few_left(remaining, capacity) else PublicState.OPEN
        return PublicStatus(state, Action.REGISTER, remaining)
    if Availability.WAITLIST in found:
        return PublicStatus(PublicState.WAITLIST, Action.JOIN_WAITLIST, 0)
    return PublicStatus(PublicState.FULL, Action.NONE, 0)
