"""Personal join links: the token, and when a link opens (app.domain.join_links)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import join_links as jl

T0 = datetime(2026, 7, 12, 4, 30, tzinfo=UTC)  # 13:30 in Japan
KEY = "k" * 40


def test_token_is_derived_from_the_salt_with_its_own_purpose():
    token = jl.derive_token(KEY, 42, "salt-1")
    assert token.startswith("42.") and len(token) == 3 + 43
    assert jl.registration_id(token) == 42
    assert jl.verify(KEY, token, 42, "salt-1")
    assert not jl.verify(KEY, token, 42, "salt-2")  # a new manage link (salt) ends the old join link
    assert not jl.verify("other" * 8, token, 42, "salt-1")
    assert not jl.verify(KEY, token, 42, None)
    forged = "43." + token.split(".")[1]
    assert not jl.verify(KEY, forged, 43, "salt-1")
    # not the manage link's token
    from app.domain import manage_links
    assert token.split(".")[1] != manage_links.derive_token(KEY, "salt-1")


@pytest.mark.parametrize("token", ["", "42", "42.", "0.abc", "x.y", "42." + "a" * 42, "42." + "a" * 44,
                                   "1" * 11 + "." + "a" * 43, "42.a+b/" + "a" * 40])
def test_malformed_tokens_are_not_looked_up(token):
    assert jl.registration_id(token) is None


def _sessions(*offsets_hours, length=2):
    return [jl.SessionSpan(i + 1, T0 + timedelta(hours=h), T0 + timedelta(hours=h + length) if length else None)
            for i, h in enumerate(offsets_hours)]


def _decide(now, sessions=None, *, reg="confirmed", event="published", url="https://meet.example.jp/x", minutes=15):
    return jl.decide(registration_status=reg, event_status=event, online_url=url,
                     sessions=sessions if sessions is not None else _sessions(0), opens_minutes=minutes, now=now)


def test_window_opens_n_minutes_before_and_closes_at_the_end():
    assert _decide(T0 - timedelta(minutes=15, seconds=1)).state == jl.NOT_YET
    opened = _decide(T0 - timedelta(minutes=15))
    assert opened.is_open and opened.window.session_id == 1
    assert _decide(T0 + timedelta(hours=1, minutes=59)).is_open
    assert _decide(T0 + timedelta(hours=2)).state == jl.ENDED
    assert _decide(T0 - timedelta(minutes=30), minutes=30).is_open
    assert _decide(T0 - timedelta(minutes=1), minutes=0).state == jl.NOT_YET


def test_not_yet_says_when_it_opens():
    d = _decide(T0 - timedelta(days=1))
    assert d.state == jl.NOT_YET and d.window.opens_at == T0 - timedelta(minutes=15)


def test_series_records_the_session_of_the_window_and_waits_between_sessions():
    sessions = _sessions(0, 24 * 7, 24 * 14)
    assert _decide(T0 + timedelta(hours=1), sessions).window.session_id == 1
    between = _decide(T0 + timedelta(days=3), sessions)
    assert between.state == jl.BETWEEN and between.window.session_id == 2
    assert _decide(T0 + timedelta(days=7, minutes=-10), sessions).window.session_id == 2
    assert _decide(T0 + timedelta(days=15), sessions).state == jl.ENDED


def test_back_to_back_sessions_go_to_the_one_that_starts_next_once_open():
    sessions = _sessions(0, 2)  # 13:30-15:30 then 15:30-17:30
    assert _decide(T0 + timedelta(hours=1, minutes=50), sessions).window.session_id == 2


def test_session_without_end_stays_open_until_the_next_window():
    sessions = _sessions(0, 3, length=None)
    assert _decide(T0 + timedelta(hours=2), sessions).window.session_id == 1
    assert _decide(T0 + timedelta(hours=2, minutes=50), sessions).window.session_id == 2
    assert _decide(T0 + timedelta(hours=3 + 12), sessions).state == jl.ENDED


@pytest.mark.parametrize("reg,event,state", [
    ("cancelled", "published", jl.CANCELLED), ("rejected", "published", jl.CANCELLED),
    ("lost", "published", jl.CANCELLED), ("waitlisted", "published", jl.NOT_CONFIRMED),
    ("applied", "published", jl.NOT_CONFIRMED), ("pending", "published", jl.NOT_CONFIRMED),
    ("confirmed", "cancelled", jl.EVENT_CANCELLED), ("confirmed", "postponed", jl.EVENT_POSTPONED),
    ("confirmed", "closed", jl.OPEN), ("confirmed", "finished", jl.OPEN),
])
def test_refusals_inside_the_window(reg, event, state):
    assert _decide(T0, reg=reg, event=event).state == state


def test_no_online_url_or_no_session():
    assert _decide(T0, url="").state == jl.NO_ONLINE
    assert _decide(T0, sessions=[]).state == jl.NO_ONLINE
