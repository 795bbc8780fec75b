"""Japanese date formatting and the fiscal year (年度)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def to_jst(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(JST)


def format_date(value: date | datetime, locale: str = "ja") -> str:
    """2026年7月12日(日) — or Sun 12 Jul 2026 in English."""
    if isinstance(value, datetime):
        value = to_jst(value).date()
    if locale == "en":
        return f"{WEEKDAYS_EN[value.weekday()]} {value.day} {value.strftime('%b')} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日({WEEKDAYS_JA[value.weekday()]})"


def format_datetime(value: datetime, locale: str = "ja") -> str:
    """2026年7月12日(日) 13:30 — or Sun 12 Jul 2026 13:30 in English."""
    local = to_jst(value)
    return f"{format_date(local.date(), locale)} {local:%H:%M}"


def format_time(value: datetime) -> str:
    return f"{to_jst(value):%H:%M}"


def format_range(start: datetime, end: datetime | None, locale: str = "ja") -> str:
    """One session's span: the end time alone when it ends the same day."""
    if end is None:
        return format_datetime(start, locale)
    s, e = to_jst(start), to_jst(end)
    if s.date() == e.date():
        return f"{format_datetime(start, locale)}–{e:%H:%M}"
    return f"{format_datetime(start, locale)} – {format_datetime(end, locale)}"


def fiscal_year(value: date | datetime) -> int:
    """Japanese fiscal year (年度): April to March; 2022-01-09 is 2021年度."""
    if isinstance(value, datetime):
        value = to_jst(value).date()
    return value.year if value.month >= 4 else value.year - 1


def jst_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Japan-time wall clock moment, as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=JST).astimezone(UTC)
