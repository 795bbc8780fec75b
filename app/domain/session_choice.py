"""Per-day registration: the rules of choosing sessions (days), as pure functions.

An event with ``choose_sessions`` lets each registrant choose the sessions
(days) they attend, at least one. Each day may have its own capacity and
waiting list; a registration may be confirmed for some days and waiting for
others. Counts are given per day and as 延べ (person-days: the sum over days).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain import admission
from app.domain.codes import AdmissionMode, RegistrationStatus
from app.domain.text_input import parse_id


def N_(text: str) -> str:  # noqa: N802 - gettext's "mark only" convention
    return text


CHOOSE_ONE = N_("Choose at least one day.")
UNKNOWN_SESSION = N_("Choose days of this event.")
DAY_FULL = N_("This day is full.")
REQUIRES_FIRST_COME = N_("Registrants can choose days only with first-come admission.")
LOCKED_SETTING = N_("This cannot be changed once people have registered.")
DAY_HAS_REGISTRANTS = N_("Registrants have chosen this day: it cannot be deleted. Change the date instead, or cancel the event.")


class ChoiceStatus(StrEnum):
    CONFIRMED = "confirmed"  # holds a seat of the day
    WAITLISTED = "waitlisted"  # in the day's line
    PENDING = "pending"  # the registration itself is not confirmed (yet): holds nothing
    CANCELLED = "cancelled"  # the registration was cancelled


#: Choices that count as chosen (shown, exported, counted as applications).
ACTIVE_CHOICES = (ChoiceStatus.CONFIRMED, ChoiceStatus.WAITLISTED, ChoiceStatus.PENDING)


def clean_session_ids(raw: Any, allowed: Iterable[int]) -> tuple[tuple[int, ...], str | None]:
    """The chosen session ids (sorted, unique) from a list of ids or digit strings, and an error msgid.

    Anything that is not a list of this event's session ids is refused (never
    silently dropped), and at least one must be chosen.
    """
    allowed = set(allowed)
    if raw in (None, ""):
        values: list = []
    elif isinstance(raw, list | tuple):
        values = list(raw)
    else:
        values = [raw]
    ids = []
    for value in values:
        parsed = parse_id(value)
        if parsed is None or parsed not in allowed:
            return (), UNKNOWN_SESSION
        ids.append(parsed)
    if not ids:
        return (), CHOOSE_ONE
    return tuple(sorted(set(ids))), None


def day_status(*, capacity: int | None, confirmed: int, waiting: int, waitlist_enabled: bool
               ) -> ChoiceStatus | admission.Refusal:
    """What a confirmed registrant gets on a day they add, given the day's state while it is locked.

    The same rule as a 参加枠 under first come: a free seat and nobody in line gives
    the seat; otherwise the line (or 満席 when the event keeps no waiting list).
    """
    outcome = admission.decide(admission_mode=AdmissionMode.FIRST_COME, capacity=capacity, confirmed=confirmed,
                               waitlist_enabled=waitlist_enabled, waiting=waiting)
    if outcome is admission.Refusal.FULL:
        return outcome
    return ChoiceStatus.CONFIRMED if outcome is RegistrationStatus.CONFIRMED else ChoiceStatus.WAITLISTED


def day_availability(*, capacity: int | None, confirmed: int, waitlist_enabled: bool) -> admission.Availability:
    """The label a newcomer sees for one day (空席あり / キャンセル待ち / 満席)."""
    return admission.availability(admission_mode=AdmissionMode.FIRST_COME, capacity=capacity, confirmed=confirmed,
                                  waitlist_enabled=waitlist_enabled)


@dataclass(frozen=True)
class DayCount:
    session_id: int
    confirmed: int = 0
    waitlisted: int = 0
    pending: int = 0
    attended: int = 0

    @property
    def chosen(self) -> int:
        return self.confirmed + self.waitlisted + self.pending


@dataclass(frozen=True)
class DayTotals:
    """Per-day counts and their 延べ (person-days: each registrant counted once per day)."""

    days: tuple[DayCount, ...]

    @property
    def person_days_confirmed(self) -> int:
        return sum(d.confirmed for d in self.days)

    @property
    def person_days_waitlisted(self) -> int:
        return sum(d.waitlisted for d in self.days)

    @property
    def person_days_chosen(self) -> int:
        return sum(d.chosen for d in self.days)

    @property
    def person_days_attended(self) -> int:
        return sum(d.attended for d in self.days)

    def for_session(self, session_id: int) -> DayCount:
        return next((d for d in self.days if d.session_id == session_id), DayCount(session_id))


def totals(session_ids: Iterable[int], counts: Mapping[tuple[int, str], int],
           attended: Mapping[int, int] | None = None) -> DayTotals:
    """DayTotals from {(session_id, status): n} (and {session_id: attended}), one row per session given."""
    attended = attended or {}
    return DayTotals(tuple(
        DayCount(sid, confirmed=counts.get((sid, ChoiceStatus.CONFIRMED.value), 0),
                 waitlisted=counts.get((sid, ChoiceStatus.WAITLISTED.value), 0),
                 pending=counts.get((sid, ChoiceStatus.PENDING.value), 0),
                 attended=attended.get(sid, 0))
        for sid in session_ids))


def change(current: Iterable[int], wanted: Iterable[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(added, removed) session ids, each sorted."""
    current, wanted = set(current), set(wanted)
    return tuple(sorted(wanted - current)), tuple(sorted(current - wanted))


def day_label(title: str, starts_at, ends_at=None, locale: str = "ja") -> str:
    """How a day is named to people: its title (if any) and its date and times."""
    from app.domain import dates

    when = dates.format_range(starts_at, ends_at, locale)
    return f"{title} {when}" if title else when

