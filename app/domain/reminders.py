"""When a reminder is due (pure: no Flask, no database).

A reminder rule says "`days_before` days before the session, at `send_time`
Japan time". The day is counted on the Japanese calendar: a session that
starts at 2026-07-12 09:00 JST (= 2026-07-12 00:00 UTC) with a 1-day rule at
10:00 is reminded on 2026-07-11 at 10:00 JST (= 01:00 UTC), whatever the UTC
date of the start.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from app.domain.dates import JST

_SEND_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
DEFAULT_SEND_TIME = time(10, 0)


def parse_send_time(value: str | None) -> time:
    """"HH:MM" (Japan time) as a time; a missing or malformed value means 10:00."""
    match = _SEND_TIME.match((value or "").strip())
    if not match:
        return DEFAULT_SEND_TIME
    return time(int(match.group(1)), int(match.group(2)))


def due_at(session_starts_at: datetime, days_before: int, send_time: str | None) -> datetime:
    """The moment (aware UTC) a rule's reminder becomes due for a session starting at `session_starts_at`."""
    if session_starts_at.tzinfo is None:
        raise ValueError("naive datetime")
    local_day = session_starts_at.astimezone(JST).date() - timedelta(days=max(days_before, 0))
    at = parse_send_time(send_time)
    return datetime(local_day.year, local_day.month, local_day.day, at.hour, at.minute, tzinfo=JST).astimezone(UTC)


def is_due(due: datetime, session_starts_at: datetime, now: datetime) -> bool:
    """Due and still useful: the due time has passed (a late run catches up) and the session has not started."""
    return due <= now < session_starts_at


def wants_reminder(registered_at: datetime | None, due: datetime) -> bool:
    """A registration confirmed after the due time does not get that (stale) reminder.

    `registered_at` is when the registration became confirmed (or was created).
    """
    return registered_at is not None and registered_at <= due
