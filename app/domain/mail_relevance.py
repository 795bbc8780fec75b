"""Is a queued mail still true when it is about to be sent? (pure: no Flask, no database)

A mail is written when something happens and sent a little later (seconds,
or hours while the SMTP server is down). By then the registration may have
been cancelled, the event postponed or the session moved. Delivery asks
`why_not_relevant` for every claimed mail; a mail that is no longer true is
marked ``superseded`` and never sent.

Rules per kind (the state is the one at send time):

* ``reminder``: the registration is confirmed, the event is live (published or
  closed), the session the reminder was made for still exists, has not started,
  and still starts at the date the reminder was made for (``context``:
  ``session_id``, ``starts_at`` as epoch seconds).
* ``confirmed``, ``promoted``, ``approved``: the registration is still confirmed; a day's promotion
  (per-day registration, ``context``: ``session_id``) also needs the seat on that day still theirs.
* ``rejected``: the registration is still rejected.
* ``waitlisted``, ``applied``, ``pending``: the registration is still in that state.
* ``cancelled``: the registration is still cancelled.
* ``lottery_won``, ``lottery_waitlisted``, ``lottery_lost``: the draw's result is
  still the registration's status (confirmed, waitlisted, lost);
  ``lottery_released``: still cancelled.
* ``event_cancelled``, ``event_postponed``: the event still has that status; a
  postponement notice also needs the registration still active (it asks them to
  wait for the new dates, which is no news to someone who has cancelled).
* ``manage_link``: the registration is still active.
* ``schedule_changed``: the registration is active, the event is live, no newer
  schedule mail was queued for the registration, and the event's dates are still
  the ones the mail tells (``context``: ``dates``).
* ``application_outcome`` (an organizer told applicants the outcome): the application is still
  active, its decision is still the one the mail tells (``context``: ``outcome``), and no newer
  outcome mail was queued for it.

Kinds not listed are always relevant.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

LIVE_EVENT_STATUSES = ("published", "closed")
ACTIVE_REGISTRATION_STATUSES = ("confirmed", "waitlisted", "applied", "pending")

#: Reason codes (kept on the outbox row, shown to organizers).
REGISTRATION_GONE = "registration_gone"
REGISTRATION_CHANGED = "registration_changed"
EVENT_CHANGED = "event_changed"
SESSION_GONE = "session_gone"
SESSION_STARTED = "session_started"
SESSION_MOVED = "session_moved"
NEWER_MAIL = "newer_mail"
DATES_CHANGED = "dates_changed"
OUTCOME_CHANGED = "outcome_changed"
REASONS = (REGISTRATION_GONE, REGISTRATION_CHANGED, EVENT_CHANGED, SESSION_GONE, SESSION_STARTED,
           SESSION_MOVED, NEWER_MAIL, DATES_CHANGED, OUTCOME_CHANGED)

#: Kinds that a newer mail of the same kind for the same registration replaces.
REPLACED_BY_NEWER_KINDS = ("schedule_changed", "application_outcome")

_SAME_STATUS_KINDS = {
    "confirmed": ("confirmed",),
    "promoted": ("confirmed",),
    "approved": ("confirmed",),
    "rejected": ("rejected",),
    "waitlisted": ("waitlisted",),
    "applied": ("applied",),
    "pending": ("pending",),
    "cancelled": ("cancelled",),
    "lottery_won": ("confirmed",),
    "lottery_waitlisted": ("waitlisted",),
    "lottery_lost": ("lost",),
    "lottery_released": ("cancelled",),
    "manage_link": ACTIVE_REGISTRATION_STATUSES,
}
_EVENT_STATUS_KINDS = {"event_cancelled": "cancelled", "event_postponed": "postponed"}


@dataclass(frozen=True)
class SessionDate:
    id: int
    starts_at: datetime
    ends_at: datetime | None = None


def epoch(value: datetime | None) -> int | None:
    """Whole seconds since 1970 (UTC) of an aware datetime; what contexts and dedupe keys store."""
    return None if value is None else int(value.timestamp())


def dates_signature(sessions: Iterable[SessionDate]) -> list[list[int | None]]:
    """The event's dates as JSON-friendly [[starts, ends], ...] in epoch seconds, sorted."""
    return sorted([epoch(s.starts_at), epoch(s.ends_at)] for s in sessions)


def why_not_relevant(kind: str, context: Mapping | None, *, registration_status: str | None,
                     event_status: str | None, sessions: Iterable[SessionDate], now: datetime,
                     newer_same_kind: bool = False, day_status: str | None = None,
                     application_status: str | None = None) -> str | None:
    """None while the mail is still true; otherwise the reason code why it must not be sent.

    `registration_status` is None when the registration no longer exists;
    `newer_same_kind` says whether a newer mail of the same kind was queued for
    the same registration (only schedule mails look at it); `day_status` is the
    registration's choice of the mail's day (``context["session_id"]``, per-day
    registration), None when it has none; `application_status` is the organizers' decision on
    the registration (an application) now.
    """
    context = context or {}
    sessions = list(sessions)
    if kind in _SAME_STATUS_KINDS:
        if registration_status is None:
            return REGISTRATION_GONE
        if registration_status not in _SAME_STATUS_KINDS[kind]:
            return REGISTRATION_CHANGED
        if kind == "promoted" and context.get("session_id") is not None and day_status != "confirmed":
            return REGISTRATION_CHANGED  # that day was given up (or lost) since
        return None
    if kind in _EVENT_STATUS_KINDS:
        if event_status != _EVENT_STATUS_KINDS[kind]:
            return EVENT_CHANGED
        if kind == "event_postponed" and registration_status not in ACTIVE_REGISTRATION_STATUSES:
            return REGISTRATION_GONE if registration_status is None else REGISTRATION_CHANGED
        return None
    if kind == "reminder":
        return _reminder(context, registration_status, event_status, sessions, now)
    if kind == "schedule_changed":
        if registration_status is None:
            return REGISTRATION_GONE
        if registration_status not in ACTIVE_REGISTRATION_STATUSES:
            return REGISTRATION_CHANGED
        if event_status not in LIVE_EVENT_STATUSES:
            return EVENT_CHANGED
        if newer_same_kind:
            return NEWER_MAIL
        told = context.get("dates")
        if told is not None and [list(d) for d in told] != dates_signature(sessions):
            return DATES_CHANGED
        return None
    if kind == "application_outcome":
        if registration_status is None:
            return REGISTRATION_GONE
        if registration_status not in ACTIVE_REGISTRATION_STATUSES:
            return REGISTRATION_CHANGED
        if newer_same_kind:
            return NEWER_MAIL
        if application_status != context.get("outcome"):
            return OUTCOME_CHANGED
        return None
    return None


def _reminder(context: Mapping, registration_status: str | None, event_status: str | None,
              sessions: list[SessionDate], now: datetime) -> str | None:
    if registration_status is None:
        return REGISTRATION_GONE
    if registration_status != "confirmed":
        return REGISTRATION_CHANGED
    if event_status not in LIVE_EVENT_STATUSES:
        return EVENT_CHANGED
    session_id = context.get("session_id")
    if session_id is None:  # a reminder queued before contexts existed: the first session counts
        if not sessions:
            return SESSION_GONE
        first = min(s.starts_at for s in sessions)
        return None if first > now else SESSION_STARTED
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        return SESSION_GONE
    if session.starts_at <= now:
        return SESSION_STARTED
    if context.get("starts_at") is not None and epoch(session.starts_at) != int(context["starts_at"]):
        return SESSION_MOVED
    return None
