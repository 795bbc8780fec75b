"""The one status badge shown on an event card. Pure: no Flask, no database."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.domain.admission import Availability, Window, WindowState, event_window, ticket_availability
from app.domain.event_state import PublicStatus, Seats, public_status


def badge_for(window: Window, availabilities: Iterable[Availability | Seats]) -> str:
    """The badge code (a key of app.labels.BADGE_LABELS) for an event: its public state
    (app.domain.event_state.public_status, the same decision as the event page's)."""
    return str(public_status(window, availabilities).state)


def event_seats(event) -> list[Seats]:
    return [Seats(ticket_availability(event, tt), tt.capacity, tt.remaining) for tt in event.ticket_types]


def event_status(event, now: datetime) -> PublicStatus:
    return public_status(event_window(event, now), event_seats(event))


def event_badge(event, now: datetime) -> str:
    return str(event_status(event, now).state)


#: CSS modifier per badge (see static/style.css .badge-*).
BADGE_CLASSES = {
    "open": "open",
    "few_left": "few",
    "lottery": "lottery",
    "approval": "lottery",
    "waitlist": "waitlist",
    "full": "full",
    "cancelled": "cancelled",
    "postponed": "postponed",
    WindowState.NOT_YET_OPEN.value: "soon",
    WindowState.ENDED.value: "ended",
}
