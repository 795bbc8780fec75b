"""日程変更: tell registrants when an event's dates change (called by app.services.events).

Runs in the caller's transaction, with the event row locked by it, and flushes.
Only live (published or closed) events tell: a draft has no registrants, and
a postponed event tells everyone once, when it is published again with its new
dates. The mail itself (one per registrant, with a settle delay so that several
edits in a row make one mail) is app.notifications.schedule_changed.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect

from app import notifications
from app.domain.codes import EventStatus
from app.domain.mail_relevance import LIVE_EVENT_STATUSES
from app.services import registrations


def _tell(event, now: datetime) -> int:
    return notifications.schedule_changed(event, registrations.active_registrations(event.id), now=now)


def session_updated(event, session, now: datetime) -> int:
    """After a session's fields were set (before they are flushed): tell if its date or time changed."""
    state = inspect(session)
    moved = any(state.attrs[name].history.has_changes() for name in ("starts_at", "ends_at"))
    if not moved or event.status not in LIVE_EVENT_STATUSES:
        return 0
    return _tell(event, now)


def sessions_changed(event, now: datetime) -> int:
    """A session was added to or removed from the event: its dates changed."""
    if event.status not in LIVE_EVENT_STATUSES:
        return 0
    return _tell(event, now)


def published(event, previous_status: str, now: datetime) -> int:
    """A postponed event is published again (with its new dates): tell every active registrant."""
    if previous_status != EventStatus.POSTPONED:
        return 0
    return _tell(event, now)
