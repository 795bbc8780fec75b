"""The public state of an event and its one action (app.domain.event_state): the truth, from admission's rules."""
from __future__ import annotations

import pytest

from app.domain.admission import Availability, Window, WindowState, availability
from app.domain.codes import AdmissionMode
from app.domain.event_state import Action, PublicState, Seats, few_left, public_status

OPEN = Window(WindowState.OPEN)
A, W, F = Availability.AVAILABLE, Availability.WAITLIST, Availability.FULL


@pytest.mark.parametrize(
    ("window", "seats", "state", "action"),
    [
        (OPEN, [Seats(A, 100, 60)], PublicState.OPEN, Action.REGISTER),
        (OPEN, [Seats(A, None, None)], PublicState.OPEN, Action.REGISTER),
        (OPEN, [], PublicState.OPEN, Action.REGISTER),
        (OPEN, [Seats(A, 100, 4)], PublicState.FEW_LEFT, Action.REGISTER),
        (OPEN, [Seats(A, 100, 10)], PublicState.FEW_LEFT, Action.REGISTER),  # a tenth of 100
        (OPEN, [Seats(A, 100, 11)], PublicState.OPEN, Action.REGISTER),
        (OPEN, [Seats(A, 20, 3), Seats(A, None, None)], PublicState.OPEN, Action.REGISTER),  # no limit somewhere
        (OPEN, [Seats(A, 20, 3), Seats(F, 20, 0)], PublicState.FEW_LEFT, Action.REGISTER),
        (OPEN, [Seats(W, 50, 0)], PublicState.WAITLIST, Action.JOIN_WAITLIST),
        (OPEN, [Seats(W, 50, 0), Seats(F, 10, 0)], PublicState.WAITLIST, Action.JOIN_WAITLIST),
        (OPEN, [Seats(F, 50, 0)], PublicState.FULL, Action.NONE),
        (OPEN, [Seats(Availability.LOTTERY, 30, 30)], PublicState.LOTTERY, Action.APPLY_LOTTERY),
        (OPEN, [Seats(Availability.APPROVAL, 30, 30)], PublicState.APPROVAL, Action.APPLY_APPROVAL),
        (Window(WindowState.NOT_YET_OPEN), [Seats(A, 10, 10)], PublicState.NOT_YET_OPEN, Action.NONE),
        (Window(WindowState.ENDED), [Seats(A, 10, 10)], PublicState.ENDED, Action.NONE),
        (Window(WindowState.CANCELLED), [Seats(W, 10, 0)], PublicState.CANCELLED, Action.NONE),
        (Window(WindowState.POSTPONED), [Seats(A, 10, 10)], PublicState.POSTPONED, Action.NONE),
        (Window(WindowState.NOT_PUBLISHED), [Seats(A, 10, 10)], PublicState.NOT_PUBLISHED, Action.NONE),
    ],
)
def test_public_status(window, seats, state, action):
    status = public_status(window, seats)
    assert (status.state, status.action) == (state, action)
    assert status.can_apply == (action is not Action.NONE)


def test_a_full_event_never_says_open_nor_offers_plain_registration():
    """The bug this replaces: a full first-come event with a waiting list showed 受付中 and 「このイベントに申し込む」."""
    full = availability(admission_mode=AdmissionMode.FIRST_COME, capacity=30, confirmed=30, waitlist_enabled=True)
    status = public_status(OPEN, [Seats(full, 30, 0)])
    assert status.state is PublicState.WAITLIST and status.action is Action.JOIN_WAITLIST
    closed = availability(admission_mode=AdmissionMode.FIRST_COME, capacity=30, confirmed=30, waitlist_enabled=False)
    assert public_status(OPEN, [Seats(closed, 30, 0)]).action is Action.NONE


def test_few_left_threshold():
    assert few_left(5, 10) and few_left(1, 1000) is True
    assert not few_left(0, 10)  # none left is 満席, not 残りわずか
    assert few_left(30, 300) and not few_left(31, 300)


def test_remaining_is_the_sum_of_the_open_places():
    status = public_status(OPEN, [Seats(A, 20, 2), Seats(A, 10, 1), Seats(F, 10, 0)])
    assert status.remaining == 3
