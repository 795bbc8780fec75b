from datetime import UTC, date, datetime

from app.domain.dates import fiscal_year, format_date, format_datetime, format_range, jst_datetime


def test_japanese_date_with_weekday():
    assert format_date(date(2026, 7, 12)) == "2026年7月12日(日)"


def test_datetime_is_shown_in_japan_time():
    # 04:30 UTC is 13:30 in Tokyo
    assert format_datetime(datetime(2026, 7, 12, 4, 30, tzinfo=UTC)) == "2026年7月12日(日) 13:30"


def test_english_format():
    assert format_datetime(datetime(2026, 7, 12, 4, 30, tzinfo=UTC), "en") == "Sun 12 Jul 2026 13:30"


def test_range_same_day_shows_end_time_only():
    start = jst_datetime(2021, 7, 12, 13, 30)
    end = jst_datetime(2021, 7, 12, 16, 0)
    assert format_range(start, end) == "2021年7月12日(月) 13:30–16:00"


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year(date(2022, 1, 9)) == 2021
    assert fiscal_year(date(2021, 4, 1)) == 2021
    assert fiscal_year(date(2021, 3, 31)) == 2020
    # 2021-03-31 15:00 UTC is already 1 April in Tokyo
    assert fiscal_year(datetime(2021, 3, 31, 15, 0, tzinfo=UTC)) == 2021
