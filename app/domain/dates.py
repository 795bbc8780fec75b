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


def fiscal_year_bounds(fiscal_year_start: int) -> tuple[datetime, datetime]:
    """The UTC moments a 年度 starts and ends: [April 1 00:00 JST, next April 1 00:00 JST)."""
    return jst_datetime(fiscal_year_start, 4, 1), jst_datetime(fiscal_year_start + 1, 4, 1)


#: Japanese eras by their first day (Gregorian), newest first.
_ERAS = ((date(2019, 5, 1), "令和", "Reiwa"), (date(1989, 1, 8), "平成", "Heisei"), (date(1926, 12, 25), "昭和", "Showa"))


def fiscal_year_label(fiscal_year_start: int, locale: str = "ja") -> str:
    """令和3年度 for 2021: the era year of the 年度's starting calendar year (元 for the first).

    That is how the government numbers them: FY2019 (from 2019-04-01, still 平成 for a month)
    is 令和元年度, and FY1988 (to 1989-03-31, already 平成) is 昭和63年度.
    """
    year_end = date(fiscal_year_start, 12, 31)
    for start, name_ja, name_en in _ERAS:
        if year_end >= start:
            n = fiscal_year_start - start.year + 1
            if locale == "en":
                return f"FY{fiscal_year_start} ({name_en} {n})"
            return f"{name_ja}{'元' if n == 1 else n}年度"
    return f"{fiscal_year_start}年度" if locale != "en" else f"FY{fiscal_year_start}"
