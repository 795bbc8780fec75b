"""Per-day registration rules (pure): choosing days, a day's decision, counts and 延べ."""
from __future__ import annotations

from datetime import UTC, datetime

from app.domain import admission
from app.domain import session_choice as rules
from app.domain.session_choice import ChoiceStatus


def test_clean_session_ids_sorts_and_dedupes_and_refuses_anything_else():
    assert rules.clean_session_ids([3, "1", 3], [1, 2, 3]) == ((1, 3), None)
    assert rules.clean_session_ids("2", [1, 2]) == ((2,), None)
    assert rules.clean_session_ids([], [1, 2]) == ((), rules.CHOOSE_ONE)
    assert rules.clean_session_ids(None, [1, 2]) == ((), rules.CHOOSE_ONE)
    for bad in ([9], [1, 9], ["x"], [1.0], [True], [[1]], [2**40], [None], {"a": 1}):
        assert rules.clean_session_ids(bad, [1, 2]) == ((), rules.UNKNOWN_SESSION), bad


def test_day_status_seat_line_or_full():
    assert rules.day_status(capacity=None, confirmed=500, waiting=0, waitlist_enabled=False) is ChoiceStatus.CONFIRMED
    assert rules.day_status(capacity=2, confirmed=1, waiting=0, waitlist_enabled=False) is ChoiceStatus.CONFIRMED
    # someone waits: a newcomer never jumps the line, even with a seat free
    assert rules.day_status(capacity=2, confirmed=1, waiting=1, waitlist_enabled=True) is ChoiceStatus.WAITLISTED
    assert rules.day_status(capacity=2, confirmed=2, waiting=0, waitlist_enabled=True) is ChoiceStatus.WAITLISTED
    assert rules.day_status(capacity=2, confirmed=2, waiting=0, waitlist_enabled=False) is admission.Refusal.FULL


def test_day_availability_labels():
    assert rules.day_availability(capacity=1, confirmed=1, waitlist_enabled=False) is admission.Availability.FULL
    assert rules.day_availability(capacity=1, confirmed=1, waitlist_enabled=True) is admission.Availability.WAITLIST
    assert rules.day_availability(capacity=None, confirmed=9, waitlist_enabled=False) is admission.Availability.AVAILABLE


def test_change_and_totals():
    assert rules.change([1, 2], [2, 3]) == ((3,), (1,))
    totals = rules.totals([1, 2, 3], {(1, "confirmed"): 5, (1, "waitlisted"): 2, (2, "confirmed"): 3, (3, "pending"): 1},
                          {1: 4, 2: 3})
    assert [(d.confirmed, d.waitlisted, d.chosen, d.attended) for d in totals.days] == [
        (5, 2, 7, 4), (3, 0, 3, 3), (0, 0, 1, 0)]
    assert (totals.person_days_confirmed, totals.person_days_waitlisted, totals.person_days_chosen,
            totals.person_days_attended) == (8, 2, 11, 7)
    assert totals.for_session(9).confirmed == 0


def test_day_labels():
    start = datetime(2027, 1, 19, 4, 0, tzinfo=UTC)  # 13:00 in Japan
    end = datetime(2027, 1, 19, 8, 0, tzinfo=UTC)
    assert rules.day_label("1日目", start, end) == "1日目 2027年1月19日(火) 13:00–17:00"
    assert rules.day_label("", start, None).startswith("2027年1月19日(火)")


def test_a_days_promotion_mail_needs_the_seat_still_theirs():
    from app.domain import mail_relevance

    now = datetime(2027, 1, 1, tzinfo=UTC)

    def reason(day_status, context=None):
        return mail_relevance.why_not_relevant("promoted", context, registration_status="confirmed",
                                               event_status="published", sessions=[], now=now, day_status=day_status)

    assert reason("confirmed", {"session_id": 3}) is None
    assert reason(None, {"session_id": 3}) == mail_relevance.REGISTRATION_CHANGED  # the day was removed
    assert reason("waitlisted", {"session_id": 3}) == mail_relevance.REGISTRATION_CHANGED
    assert reason(None) is None  # the event's own promotion mail
