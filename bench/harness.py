"""Pure parts of the flash-crowd benchmark: statistics, verdicts and printing.

Nothing here talks to a database, a server or the network, so that
tests/services/test_bench_harness.py can check it without running the benchmark.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    """One request as the load generator saw it (times in seconds, from the run's start)."""

    started: float
    latency: float
    status: int  # HTTP status; 0 when the connection failed


@dataclass
class Run:
    """One app hit by the load generator once."""

    app: str  # "tsudoi" or "floor"
    database: str  # "postgres" or "sqlite"
    scenario: str  # "cap100", "cap5000", ...
    capacity: int
    clients: int
    wall: float  # seconds from the first request sent to the last answer
    samples: list[Sample]
    client_cpu: float = 0.0  # CPU seconds the load generator itself used
    confirmed_db: int | None = None  # confirmed rows counted in the database afterwards
    counter_db: int | None = None  # the capacity counter (taken / confirmed_count) afterwards
    errors: list[str] = field(default_factory=list)  # a few "other" answers, for the report

    @property
    def counts(self) -> Counter:
        return Counter(s.status for s in self.samples)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall if self.wall > 0 else 0.0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method; NaN for no values.

    Nearest rank: the smallest value such that at least p% of the values are <= it,
    so the p99 of 2,000 samples is the 1,980th smallest, a value that was observed.
    """
    if not values:
        return math.nan
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    requests: int
    rate: float  # requests per second over the whole run
    p50: float  # milliseconds
    p90: float
    p99: float
    created: int  # 201
    full: int  # 409
    other: int


def summarise(samples: list[Sample], wall: float) -> Summary:
    latencies = [s.latency * 1000 for s in samples]
    counts = Counter(s.status for s in samples)
    return Summary(
        requests=len(samples),
        rate=len(samples) / wall if wall > 0 else 0.0,
        p50=percentile(latencies, 50),
        p90=percentile(latencies, 90),
        p99=percentile(latencies, 99),
        created=counts.get(201, 0),
        full=counts.get(409, 0),
        other=len(samples) - counts.get(201, 0) - counts.get(409, 0),
    )


def phase_summaries(samples: list[Sample]) -> dict[str, Summary]:
    """Split a run into the confirmed phase (answered 201) and the full phase (409).

    The rate of a phase is its answers divided by the span from its first request
    sent to its last answer received; the phases overlap a little at the turn.
    """
    out: dict[str, Summary] = {}
    for name, status in (("confirmed (201)", 201), ("full (409)", 409)):
        chosen = [s for s in samples if s.status == status]
        if not chosen:
            continue
        span = max(s.started + s.latency for s in chosen) - min(s.started for s in chosen)
        out[name] = summarise(chosen, span)
    return out


def oversell_problems(run: Run) -> list[str]:
    """Reasons the run broke the capacity rule or lost count; empty when it is sound."""
    problems = []
    created = run.counts.get(201, 0)
    if run.confirmed_db is None:
        problems.append("confirmed count not read from the database")
        return problems
    if run.confirmed_db > run.capacity:
        problems.append(f"OVERSOLD: {run.confirmed_db} confirmed for a capacity of {run.capacity}")
    if run.counter_db is not None and run.counter_db != run.confirmed_db:
        problems.append(f"counter says {run.counter_db} but {run.confirmed_db} rows are confirmed")
    if created != run.confirmed_db:
        problems.append(f"{created} answers were 201 but {run.confirmed_db} rows are confirmed")
    expected = min(run.capacity, len(run.samples))
    if run.confirmed_db < expected and not run.counts.keys() - {201, 409}:
        problems.append(f"only {run.confirmed_db} confirmed although {len(run.samples)} asked for {run.capacity} seats")
    return problems


def _fmt_ms(value: float) -> str:
    return "   n/a" if math.isnan(value) else f"{value:6.1f}"


def format_table(runs: list[Run]) -> str:
    """The side-by-side table: one line per (database, scenario, app)."""
    header = (
        f"{'database':<9} {'scenario':<9} {'app':<7} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
        f"{'201':>5} {'409':>5} {'other':>5} {'confirmed':>9} {'client cpu':>10}"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        s = summarise(run.samples, run.wall)
        confirmed = "-" if run.confirmed_db is None else f"{run.confirmed_db}/{run.capacity}"
        cpu = f"{100 * run.client_cpu / run.wall:.0f}%" if run.wall > 0 else "n/a"
        lines.append(
            f"{run.database:<9} {run.scenario:<9} {run.app:<7} {s.rate:7.1f} {_fmt_ms(s.p50):>7} {_fmt_ms(s.p90):>7} "
            f"{_fmt_ms(s.p99):>7} {s.created:5d} {s.full:5d} {s.other:5d} {confirmed:>9} {cpu:>10}"
        )
    return "\n".join(lines)


def format_phases(run: Run) -> str:
    lines = []
    for name, s in phase_summaries(run.samples).items():
        lines.append(
            f"    {run.app:<7} {name:<16} n={s.requests:<5d} {s.rate:7.1f} req/s  p50 {_fmt_ms(s.p50)}  "
            f"p90 {_fmt_ms(s.p90)}  p99 {_fmt_ms(s.p99)} ms"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Verdict:
    ratio: float  # Tsudoi's rate / the floor's rate
    p99: float  # Tsudoi's p99 in ms
    ratio_ok: bool
    p99_ok: bool

    @property
    def ok(self) -> bool:
        return self.ratio_ok and self.p99_ok


def verdict(tsudoi: Run, floor: Run, *, min_ratio: float = 0.5, max_p99_ms: float = 100.0) -> Verdict:
    t = summarise(tsudoi.samples, tsudoi.wall)
    f = summarise(floor.samples, floor.wall)
    ratio = t.rate / f.rate if f.rate > 0 else math.nan
    return Verdict(ratio=ratio, p99=t.p99, ratio_ok=ratio >= min_ratio, p99_ok=t.p99 <= max_p99_ms)


def format_verdict(v: Verdict, *, min_ratio: float = 0.5, max_p99_ms: float = 100.0) -> str:
    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    return (
        f"Tsudoi/floor rate {100 * v.ratio:.0f}% (target >= {100 * min_ratio:.0f}%: {mark(v.ratio_ok)}), "
        f"Tsudoi p99 {v.p99:.1f} ms (target <= {max_p99_ms:.0f} ms: {mark(v.p99_ok)})"
    )
