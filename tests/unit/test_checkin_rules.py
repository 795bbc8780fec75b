"""domain.checkin: typed 受付番号, search forms, the session of the day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.checkin import Reference, default_session, looks_like_ticket, parse_reference, search_forms


@pytest.mark.parametrize("typed", ["T0012-000345", "t0012-000345", "Ｔ００１２－０００３４５", "0012-000345",
                                   "T0012000345", "0012000345", " T0012 - 000345 ", "T0012ー000345",
                                   "ｔ0012‐000345"])
def test_typed_references(typed):
    assert parse_reference(typed) == Reference(12, 345)
    assert parse_reference(typed, 12) == Reference(12, 345)


def test_references_past_their_padding_and_with_the_event_known():
    assert parse_reference("T12345-1234567") == Reference(12345, 1234567)
    assert parse_reference("123451234567", 12345) == Reference(12345, 1234567)
    assert parse_reference("00121", 12) == Reference(12, 1)
    assert parse_reference("0013000345", 12) is None  # digits of another event cannot be split reliably


@pytest.mark.parametrize("typed", ["", "T", "hello", "T12", "12-", "-345", "T0012-abc", "1" * 50, "TSUDOI:T1-1:x"])
def test_not_references(typed):
    assert parse_reference(typed) is None


def test_search_forms_fold_kana_width_and_case():
    assert search_forms("やまだ") == ("やまだ", "ヤマダ")
    assert search_forms("ﾔﾏﾀﾞ")[1] == "ヤマダ"
    assert search_forms("ヤマダ　タロウ")[1] == "ヤマダタロウ"
    assert search_forms("ＴＯＨＯＫＵ Tech")[0] == "tohokutech"
    assert search_forms("x" * 500)[0] == "x" * 60


def test_looks_like_ticket():
    assert looks_like_ticket(" tsudoi:T0001-000001:abc")
    assert not looks_like_ticket("T0001-000001")


@dataclass
class S:
    id: int
    starts_at: datetime


def test_default_session_is_todays_nearest_else_the_first():
    jst_noon = datetime(2026, 7, 12, 3, 0, tzinfo=UTC)  # 12:00 in Japan
    morning = S(1, jst_noon - timedelta(hours=3))
    afternoon = S(2, jst_noon + timedelta(hours=2))
    tomorrow = S(3, jst_noon + timedelta(days=1))
    assert default_session([tomorrow, morning, afternoon], jst_noon).id == 2
    assert default_session([tomorrow, morning, afternoon], jst_noon - timedelta(hours=2)).id == 1
    assert default_session([tomorrow, S(4, jst_noon + timedelta(days=2))], jst_noon).id == 3
    assert default_session([], jst_noon) is None
    # 23:30 UTC is 08:30 the next day in Japan: that day's session counts as today
    late = datetime(2026, 7, 12, 23, 30, tzinfo=UTC)
    assert default_session([S(5, datetime(2026, 7, 13, 1, 0, tzinfo=UTC)), S(6, datetime(2026, 7, 12, 9, 0, tzinfo=UTC))],
                           late).id == 5
