"""The one status badge shown on an event card. Pure: no Flask, no database."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.domain.admission import Availability, Window, WindowState, event_window, ticket_availability


def badge_for(window: Window, availabilities: Iterable[Availability]) -> str:
    """The badge code (a key of app.labels.BADGE_LABELS) for an event.

    A closed window says why (中止, 延期, 受付開始前, 受付終了). An open one says
    how places are given: 抽選 / 承認制, or 受付中 while any 参加枠 has seats,
    キャンセル待ち when all are full but one still takes a waiting list, 満席 otherwise.
    """
    if not window.is_open:
        return str(window.state)
    found = set(availabilities)
    if not found or Availability.AVAILABLE in found:
        return "open"
    if Availability.LOTTERY in found:
        return "lottery"
    if Availability.APPROVAL in found:
        return "approval"
    if Availability.WAITLIST in found:
        return "waitlist"
    return "full"


def event_badge(event, now: datetime) -> str:
    return badge_for(event_window(event, now), (ticket_availability(event, tt) for tt in event.ticket_types))


#: CSS modifier per badge (see static/style.css .badge-*).
BADGE_CLASSES = {
    "open": "open",
    "lottery": "lottery",
    "approval": "lottery",
    "waitlist": "waitlist",
    "full": "full",
    "cancelled": "cancelled",
    "postponed": "postponed",
    WindowState.NOT_YET_OPEN.value: "soon",
    WindowState.ENDED.value: "ended",
}
