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


#: Words of the bureau's event titles and their slug form, so that a Japanese title still gets a
#: readable address (「DXセミナー」 → dx-seminar) without a romanisation dictionary.
SLUG_WORDS: tuple[tuple[str, str], ...] = (
    ("セミナー", "seminar"), ("シンポジウム", "symposium"), ("ワークショップ", "workshop"),
    ("アイデアソン", "ideathon"), ("ハッカソン", "hackathon"), ("サミット", "summit"), ("ピッチ", "pitch"),
    ("コンテスト", "contest"), ("ディベート", "debate"), ("フォーラム", "forum"), ("カンファレンス", "conference"),
    ("交流会", "meetup"), ("説明会", "briefing"), ("勉強会", "study"), ("講座", "course"), ("研修", "training"),
    ("塾", "juku"), ("大賞", "award"), ("表彰", "award"), ("プログラム", "programme"), ("講演会", "lecture"),
)


def title_words(title: str) -> list[str]:
    """The slug words of a title, in the order they appear: ASCII words as they are, known Japanese words
    translated (SLUG_WORDS), each once."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in re.finditer(r"[a-z0-9]+", text)]
    for ja, word in SLUG_WORDS:
        found.extend((m.start(), word) for m in re.finditer(re.escape(ja), text))
    words: list[str] = []
    for _pos, word in sorted(found):
        if word not in words:
            words.append(word)
    return words


def base_slug(title: str, first_start: datetime | None, category: str | None = None) -> str:
    """A readable default: the first day (Japan time) and the title's words, e.g. 2027-01-12-dx-seminar.

    A title with no ASCII and no known word gets its category (2027-01-12-seminar), or `event`.
    """
    words = title_words(title)
    if not any(w in SLUG_WORDS_EN for w in words) and category:
        words.append(category.replace("_", "-"))
    stem = "-".join(words)[:80].strip("-") or "event"
    if first_start is None:
        return stem
    return f"{first_start.astimezone(JST):%Y-%m-%d}-{stem}"


SLUG_WORDS_EN = {w for _ja, w in SLUG_WORDS} | {"seminar", "symposium", "workshop", "award", "contest",
                                                 "summit", "pitch", "hackathon", "meetup", "exchange"}


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
    """The slug of a copy: the source's words with its date replaced by the copy's first day
    (dx-juku-2025 or 2025-07-12-dx-juku → 2026-07-11-dx-juku)."""
    stem = re.sub(r"^(19|20)\d{2}-\d{2}-\d{2}-", "", source_slug)
    if stem != source_slug:
        stem = re.sub(r"-\d{1,3}$", "", stem)  # base_slug's words never end so: a uniqueness suffix
    stem = re.sub(r"(-(19|20)\d{2}(\d{4})?)+(-\d+)?$", "", stem) or stem
    if new_first_start is None:
        return stem
    local = new_first_start.astimezone(JST)
    return f"{local:%Y-%m-%d}-{stem}"


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
