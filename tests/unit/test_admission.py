from datetime import UTC, datetime, timedelta

import pytest

from app.domain.admission import (
    ApprovalRefusal,
    Availability,
    Refusal,
    WindowState,
    approval_outcome,
    availability,
    decide,
    promotable,
    promotes,
    registration_window,
)
from app.domain.codes import RegistrationStatus

NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


def window(**kw):
    args = {"status": "published", "opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=1),
            "first_session_starts_at": NOW + timedelta(days=2), "now": NOW}
    args.update(kw)
    return registration_window(**args)


def test_window_states():
    assert window().state is WindowState.OPEN
    assert window(status="draft").state is WindowState.NOT_PUBLISHED
    assert window(opens_at=NOW + timedelta(minutes=1)).state is WindowState.NOT_YET_OPEN
    assert window(closes_at=NOW).state is WindowState.ENDED
    assert window(status="cancelled").state is WindowState.CANCELLED
    assert window(status="postponed").state is WindowState.POSTPONED
    assert window(status="finished").state is WindowState.ENDED


def test_without_closing_time_registration_ends_when_the_event_starts():
    assert window(closes_at=None).state is WindowState.OPEN
    assert window(closes_at=None, first_session_starts_at=NOW).state is WindowState.ENDED


@pytest.mark.parametrize("mode,cap,confirmed,wl,expected,label", [
    ("first_come", 10, 9, False, RegistrationStatus.CONFIRMED, Availability.AVAILABLE),
    ("first_come", 10, 10, True, RegistrationStatus.WAITLISTED, Availability.WAITLIST),
    ("first_come", 10, 10, False, Refusal.FULL, Availability.FULL),
    ("first_come", None, 10_000, False, RegistrationStatus.CONFIRMED, Availability.AVAILABLE),
    ("lottery", 10, 10, False, RegistrationStatus.APPLIED, Availability.LOTTERY),
    ("approval", 10, 0, False, RegistrationStatus.PENDING, Availability.APPROVAL),
])
def test_decide_and_its_label_agree(mode, cap, confirmed, wl, expected, label):
    kw = {"admission_mode": mode, "capacity": cap, "confirmed": confirmed, "waitlist_enabled": wl}
    assert decide(**kw) == expected
    assert availability(**kw) is label


def test_promotable():
    assert promotable(capacity=10, confirmed=8, waiting=5) == 2
    assert promotable(capacity=10, confirmed=10, waiting=5) == 0
    assert promotable(capacity=10, confirmed=12, waiting=5) == 0  # over capacity after an override
    assert promotable(capacity=None, confirmed=3, waiting=4) == 4


# --- 承認制 (issue 10) ------------------------------------------------------------------------------


def test_approval_confirms_while_a_seat_is_free():
    assert approval_outcome(event_status="published", capacity=2, confirmed=1, waiting=0,
                            overflow="refuse") == "confirmed"
    assert approval_outcome(event_status="closed", capacity=None, confirmed=500, waiting=0,
                            overflow="refuse") == "confirmed"


def test_approval_past_capacity_is_refused_or_waitlisted_by_the_setting():
    full = dict(event_status="published", capacity=2, confirmed=2, waiting=0)
    assert approval_outcome(**full, overflow="refuse") is ApprovalRefusal.FULL
    assert approval_outcome(**full, overflow="waitlist") == "waitlisted"


def test_approval_never_jumps_those_approved_before():
    assert approval_outcome(event_status="published", capacity=3, confirmed=2, waiting=1,
                            overflow="waitlist") == "waitlisted"


def test_approval_needs_a_live_event():
    for status in ("draft", "cancelled", "postponed", "finished"):
        assert approval_outcome(event_status=status, capacity=5, confirmed=0, waiting=0,
                                overflow="refuse") is ApprovalRefusal.EVENT_NOT_LIVE


def test_an_approval_events_waiting_list_moves_up():
    assert promotes(event_status="published", admission_mode="approval")
    assert not promotes(event_status="published", admission_mode="lottery")
    assert not promotes(event_status="postponed", admission_mode="approval")
