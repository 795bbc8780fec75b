"""Due-time computation of reminders: Japan-time days, UTC storage, day boundaries."""
from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from app.domain.dates import jst_datetime
from app.domain.reminders import due_at, is_due, parse_send_time, wants_reminder


def test_seven_days_before_at_ten_japan_time():
    start = jst_datetime(2026, 7, 12, 13, 30)
    assert due_at(start, 7, "10:00") == jst_datetime(2026, 7, 5, 10, 0)
    assert due_at(start, 7, "10:00") == datetime(2026, 7, 5, 1, 0, tzinfo=UTC)


def test_day_is_counted_on_the_japanese_calendar_not_utc():
    # 08:00 JST on the 12th is still the 11th in UTC; the day before is the 11th in Japan.
    start = jst_datetime(2026, 7, 12, 8, 0)
    assert start.date().day == 11  # UTC date
    assert due_at(start, 1, "10:00") == jst_datetime(2026, 7, 11, 10, 0)
    # 23:30 JST: the same in both, but the reminder time stays in Japan time.
    late = jst_datetime(2026, 7, 12, 23, 30)
    assert due_at(late, 1, "18:00") == datetime(2026, 7, 11, 9, 0, tzinfo=UTC)


def test_month_and_year_boundaries():
    assert due_at(jst_datetime(2026, 3, 1, 9, 0), 1, "10:00") == jst_datetime(2026, 2, 28, 10, 0)
    assert due_at(jst_datetime(2027, 1, 1, 9, 0), 7, "09:30") == jst_datetime(2026, 12, 25, 9, 30)


def test_same_day_rule():
    start = jst_datetime(2026, 7, 12, 13, 0)
    assert due_at(start, 0, "08:00") == jst_datetime(2026, 7, 12, 8, 0)


@pytest.mark.parametrize("value,expected", [("10:00", time(10, 0)), ("7:05", time(7, 5)), ("23:59", time(23, 59)),
                                            ("", time(10, 0)), (None, time(10, 0)), ("25:00", time(10, 0)),
                                            ("ten", time(10, 0))])
def test_parse_send_time(value, expected):
    assert parse_send_time(value) == expected


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        due_at(datetime(2026, 7, 12, 4, 0), 1, "10:00")


def test_is_due_between_due_time_and_start():
    start = jst_datetime(2026, 7, 12, 13, 0)
    due = due_at(start, 1, "10:00")
    assert not is_due(due, start, jst_datetime(2026, 7, 11, 9, 59))
    assert is_due(due, start, jst_datetime(2026, 7, 11, 10, 0))
    assert is_due(due, start, jst_datetime(2026, 7, 12, 12, 59))  # a late run catches up
    assert not is_due(due, start, start)  # started: too late
    # A same-day rule whose time is after the start is never due.
    assert not is_due(due_at(start, 0, "14:00"), start, jst_datetime(2026, 7, 12, 14, 0))


def test_registration_after_the_due_time_gets_no_stale_reminder():
    due = jst_datetime(2026, 7, 5, 10, 0)
    assert wants_reminder(jst_datetime(2026, 7, 1, 12, 0), due)
    assert wants_reminder(due, due)
    assert not wants_reminder(jst_datetime(2026, 7, 5, 10, 1), due)
    assert not wants_reminder(None, due)
