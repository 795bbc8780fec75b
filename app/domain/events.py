"""Pure rules for managing events: slugs, publishing readiness, copying dates.

No Flask, no database: the services and the forms call these.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from app.domain.dates import JST

SLUG_MAX = 120
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

#: Reminders every new event gets: (days before, HH:MM Japan time).
DEFAULT_REMINDERS: tuple[tuple[int, str], ...] = ((7, "10:00"), (1, "10:00"))


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII `[a-z0-9-]` from a title; Japanese characters drop out (may return "")."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:max_length].strip("-")


def is_valid_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= SLUG_MAX and bool(SLUG_RE.match(slug))


def base_slug(title: str, first_start: datetime | None) -> str:
    """A slug from the title, or `event-YYYYMMDD` when the title has no ASCII letters."""
    slug = slugify(title)
    if not slug:
        slug = "event"
        if first_start is not None:
            slug += "-" + first_start.astimezone(JST).strftime("%Y%m%d")
    return slug


def unique_slug(base: str, taken: Callable[[str], bool]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever `taken` says is free."""
    base = base[: SLUG_MAX - 6].strip("-") or "event"
    if not taken(base):
        return base
    n = 2
    while taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


def copy_slug(source_slug: str, new_first_start: datetime | None) -> str:
    """The slug of a copy: the source's slug with its trailing date/year replaced."""
    stem = re.sub(r"(-(19|20)\d{2}(\d{4})?)+(-\d+)?$", "", source_slug) or source_slug
    if new_first_start is None:
        return stem
    local = new_first_start.astimezone(JST)
    return f"{stem}-{local:%Y%m%d}"


def publish_problems(*, title: str, session_count: int, ticket_type_count: int) -> list[str]:
    """Why a draft may not be published yet: codes `title`, `sessions`, `ticket_types`."""
    problems = []
    if not (title or "").strip():
        problems.append("title")
    if session_count < 1:
        problems.append("sessions")
    if ticket_type_count < 1:
        problems.append("ticket_types")
    return problems


def shift(value: datetime | None, offset: timedelta) -> datetime | None:
    return None if value is None else value + offset


def copy_offset(old_first_start: datetime | None, new_first_start: datetime) -> timedelta:
    """How far a copy moves every date: from the old first session to the new one."""
    if old_first_start is None:
        return timedelta(0)
    return new_first_start - old_first_start


def jst_to_utc(value: datetime | None) -> datetime | None:
    """A Japan-time wall clock (naive, as a datetime-local input gives it) as aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=JST)
    return value.astimezone(UTC)


def utc_to_jst_naive(value: datetime | None) -> datetime | None:
    """An aware datetime as a naive Japan wall clock, to fill a datetime-local input."""
    if value is None:
        return None
    return value.astimezone(JST).replace(tzinfo=None)


def combine_jst(day: date, at: time) -> datetime:
    """A date and a Japan-time clock time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=JST).astimezone(UTC)


def session_span(day: date, start: time, end: time | None) -> tuple[datetime, datetime | None]:
    """A session's start and end (UTC) from a date and Japan-time clock times."""
    return combine_jst(day, start), (combine_jst(day, end) if end is not None else None)


def earliest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines (co-organisers, question choices), duplicates removed."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def is_valid_time(value: str) -> bool:
    return bool(TIME_RE.match(value or ""))
