"""The flash-crowd benchmark's pure parts: percentiles, summaries, the oversell check, the table.

No timing is asserted: the numbers below are made up and only feed the arithmetic.
"""
from __future__ import annotations

import json
import math

import pytest

from bench import harness
from bench.flash_crowd import body_maker
from bench.harness import Run, Sample


def _run(statuses: list[int], *, capacity: int = 2, confirmed: int | None = 2, counter: int | None = 2,
         app: str = "tsudoi", wall: float = 2.0) -> Run:
    samples = [Sample(started=i * 0.1, latency=0.01 * (i + 1), status=s) for i, s in enumerate(statuses)]
    return Run(app=app, database="sqlite", scenario="cap2", capacity=capacity, clients=2, wall=wall,
               samples=samples, confirmed_db=confirmed, counter_db=counter)


def test_percentile_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert harness.percentile(values, 50) == 50
    assert harness.percentile(values, 90) == 90
    assert harness.percentile(values, 99) == 99
    assert harness.percentile(values, 100) == 100
    assert harness.percentile(values, 0) == 1
    assert harness.percentile([7.0], 99) == 7.0
    assert harness.percentile([3, 1, 2], 50) == 2  # unsorted input
    assert math.isnan(harness.percentile([], 50))
    with pytest.raises(ValueError):
        harness.percentile([1], 101)


def test_percentile_of_2000_samples_is_an_observed_value():
    values = [float(i) for i in range(2000)]
    assert harness.percentile(values, 99) == 1979.0  # the 1,980th smallest


def test_summary_counts_rate_and_milliseconds():
    run = _run([201, 201, 409, 409, 409, 500, 0, 409])
    s = harness.summarise(run.samples, run.wall)
    assert (s.requests, s.created, s.full, s.other) == (8, 2, 4, 2)
    assert s.rate == pytest.approx(4.0)
    assert s.p50 == pytest.approx(40.0)  # latencies 10..80 ms
    assert s.p99 == pytest.approx(80.0)


def test_phases_split_confirmed_and_full():
    run = _run([201, 201, 409, 409])
    phases = harness.phase_summaries(run.samples)
    assert set(phases) == {"confirmed (201)", "full (409)"}
    assert phases["confirmed (201)"].requests == 2
    # From the first 201 sent (t=0) to the last answered (t=0.1 + 0.02).
    assert phases["confirmed (201)"].rate == pytest.approx(2 / 0.12)
    assert harness.phase_summaries(_run([201, 201]).samples).keys() == {"confirmed (201)"}


def test_sound_run_has_no_problem():
    assert harness.oversell_problems(_run([201, 409, 201, 409])) == []


def test_oversell_is_reported():
    problems = harness.oversell_problems(_run([201, 201, 201], capacity=2, confirmed=3, counter=3))
    assert any("OVERSOLD" in p for p in problems)


def test_lost_count_and_counter_drift_are_reported():
    assert harness.oversell_problems(_run([201, 409, 409], confirmed=2, counter=2))  # 1 answer, 2 rows
    assert harness.oversell_problems(_run([201, 201, 409], confirmed=2, counter=1))  # counter drifted
    assert harness.oversell_problems(_run([201, 201], confirmed=None))  # never read back


def test_seats_left_empty_while_people_were_refused_is_reported():
    problems = harness.oversell_problems(_run([201, 409, 409], capacity=2, confirmed=1, counter=1))
    assert any("only 1 confirmed" in p for p in problems)


def test_table_has_a_line_per_run():
    runs = [_run([201, 201, 409], app="floor"), _run([201, 201, 409], app="tsudoi", wall=4.0)]
    table = harness.format_table(runs).splitlines()
    assert len(table) == 4
    assert "req/s" in table[0] and "p99 ms" in table[0]
    assert table[2].split()[2] == "floor" and table[3].split()[2] == "tsudoi"
    assert "2/2" in table[3]


def test_verdict_ratio_and_p99():
    floor = _run([201] * 10, app="floor", wall=1.0)
    fast = _run([201] * 10, wall=1.5)  # latencies up to 100 ms
    v = harness.verdict(fast, floor)
    assert v.ratio == pytest.approx(10 / 1.5 / 10)
    assert v.ratio_ok and v.p99_ok and v.ok
    slow = _run([201] * 10, wall=4.0)
    v = harness.verdict(slow, floor)
    assert not v.ratio_ok and not v.ok
    assert "MISSED" in harness.format_verdict(v)


def test_request_bodies_are_valid_json_and_unique():
    make = body_maker("t", 7)
    a, b = json.loads(make(1)), json.loads(make(2))
    assert a["email"] != b["email"] and a["organization"] != b["organization"]
    assert a["ticket_type_id"] == 7 and a["consent"] is True and a["prefecture"] == "04"
    # The wrk template: the placeholder survives JSON encoding, to be replaced per request.
    assert "@@N@@" in make("@@N@@").decode()
