"""Door check-in benchmark: 8 door phones check in the 2,000 registrants of one event at once.

Builds a fresh database with Tsudoi's migrations (PostgreSQL by default), creates
one event starting now with 2,000 confirmed registrants and 8 door staff
accounts (role checkin, assigned, one API token each: one per phone), starts
Tsudoi under gunicorn (4 sync workers), warms it up, then fires every 受付票's QR
payload at ``POST /api/v1/events/{id}/checkins`` from 8 clients that never pause,
each with its own token. Every 受付票 is scanned twice (a double scan, by another
phone most of the time): 2,000 answers must be 201 and 2,000 must be 200
``already``. Afterwards it reads the database: one attendance per registrant,
no registrant twice, one audit row per check-in.

Prints the rate and the median / p90 / p99 answer times (target p99 ≤ 100 ms).
Exit status 1 on any double or missing check-in or unexpected answer; missing
the speed target is reported, not fatal.

    make bench-checkin
    .venv/bin/python bench/checkin.py [--db postgres|sqlite] [--registrants 2000] [--phones 8] [--workers 4]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import floor_app, harness, loadgen  # noqa: E402
from bench.flash_crowd import BIN, PG_HOST, Server, ensure_postgres, log, tsudoi_env  # noqa: E402

PG_DB = "tsudoi_bench_checkin"
PATH = "/api/v1/events/{event_id}/checkins"
TARGET_P99_MS = 100.0


def fresh_database(kind: str, tmpdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmpdir / 'bench-checkin.sqlite3'}"
    import psycopg

    ensure_postgres()
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgresql://postgres@{PG_HOST}/{PG_DB}"


def migrate_and_seed(url: str, env: dict, registrants: int, phones: int, out: Path) -> int:
    done = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{done.stderr[-3000:]}")
    wanted = [{"key": "door", "capacity": None, "registrants": registrants, "door_staff": phones,
               "starts_now": True, "out": str(out)}]
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "seed.py")], cwd=ROOT, env=env,
                          input=json.dumps(wanted), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"seeding the event failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)["door"][0]


def database_counts(url: str, event_id: int) -> dict[str, int]:
    """What the database says afterwards (read straight, not through Tsudoi)."""
    mark = "%s" if floor_app.is_postgres(url) else "?"
    conn = floor_app.connect(url)
    try:
        def one(sql: str) -> int:
            return conn.execute(sql, (event_id,)).fetchone()[0]

        return {
            "attendances": one(f"SELECT count(*) FROM attendances WHERE event_id = {mark}"),
            "registrants_checked_in": one(f"SELECT count(DISTINCT registration_id) FROM attendances "
                                          f"WHERE event_id = {mark}"),
            "twice": one(f"SELECT count(*) FROM (SELECT registration_id, session_id FROM attendances "
                         f"WHERE event_id = {mark} GROUP BY registration_id, session_id "
                         f"HAVING count(*) > 1) AS d"),
            "checked_in_at": one(f"SELECT count(*) FROM registrations WHERE event_id = {mark} "
                                 f"AND checked_in_at IS NOT NULL"),
            "audit_recorded": one(f"SELECT count(*) FROM audit_log WHERE event_id = {mark} "
                                  f"AND action = 'attendance.recorded'"),
        }
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--registrants", type=int, default=2000)
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--scans", type=int, default=2, help="times each 受付票 is scanned (2: a double scan)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="tsudoi-bench-checkin-"))
    url = fresh_database(args.db, workdir)
    env = tsudoi_env(url)
    log(f"{args.db}: fresh database, migrations, an event with {args.registrants} registrants, "
        f"{args.phones} door phones")
    seeded = workdir / "door.json"
    event_id = migrate_and_seed(url, env, args.registrants, args.phones, seeded)
    door = json.loads(seeded.read_text())
    codes, tokens = door["codes"], door["tokens"]
    path = PATH.format(event_id=event_id)
    # Scan i of the run is 受付票 i % N: the second pass scans every 受付票 again, mostly from another phone.
    bodies = [json.dumps({"code": codes[i % len(codes)]}).encode() for i in range(len(codes) * args.scans)]
    phone_headers = [{"Authorization": f"Bearer {t}"} for t in tokens]

    server = Server("tsudoi-checkin", "wsgi:app", env, args.workers, workdir, "/")
    try:
        server.wait_ready()
        # Warm-up: forged codes (404) through the same endpoint, tokens and locks untouched.
        forged = [json.dumps({"code": codes[i % len(codes)][:-6] + "000000"}).encode() for i in range(160)]
        warm, _, _, _ = loadgen.fire("127.0.0.1", server.port, path, lambda i: forged[i], requests=len(forged),
                                     clients=args.phones, client_headers=phone_headers, expected=(404,))
        log(f"warm-up answers: {dict(Counter(s.status for s in warm))}")
        started = time.strftime("%H:%M:%S")
        samples, wall, cpu, errors = loadgen.fire("127.0.0.1", server.port, path, lambda i: bodies[i],
                                                  requests=len(bodies), clients=args.phones,
                                                  client_headers=phone_headers, expected=(200, 201))
    finally:
        server.stop()
    counts = database_counts(url, event_id)

    latencies = [s.latency * 1000 for s in samples]
    statuses = Counter(s.status for s in samples)
    p50, p90, p99 = (harness.percentile(latencies, p) for p in (50, 90, 99))
    print()
    print(f"Door check-in ({args.db}, started {started}): {len(codes)} registrants, each 受付票 scanned "
          f"{args.scans}x, {args.phones} phones (one token each), gunicorn -w {args.workers} (sync), "
          f"{os.cpu_count()} CPUs (shared)")
    print(f"  requests {len(samples)}  wall {wall:.2f} s  rate {len(samples) / wall:.0f} req/s  "
          f"load generator cpu {cpu / wall * 100:.0f}%")
    print(f"  median {p50:.1f} ms   p90 {p90:.1f} ms   p99 {p99:.1f} ms   max {max(latencies):.1f} ms")
    print(f"  answers: {dict(sorted(statuses.items()))}  (201 first check-in, 200 already)")
    print(f"  database: {counts}")
    problems = []
    if statuses.get(201, 0) != len(codes):
        problems.append(f"{statuses.get(201, 0)} first check-ins answered for {len(codes)} registrants")
    if statuses.get(200, 0) != len(codes) * (args.scans - 1):
        problems.append(f"{statuses.get(200, 0)} 'already' answers, expected {len(codes) * (args.scans - 1)}")
    if counts["twice"]:
        problems.append(f"{counts['twice']} registrants checked in twice for one session")
    for key in ("attendances", "registrants_checked_in", "checked_in_at", "audit_recorded"):
        if counts[key] != len(codes):
            problems.append(f"{key} = {counts[key]}, expected {len(codes)}")
    for error in errors:
        print(f"  other answer: {error}")
    for problem in problems:
        print(f"  !! {problem}")
    print(f"  no double check-in: {'yes' if not counts['twice'] and not problems else 'NO'}")
    print(f"  p99 ≤ {TARGET_P99_MS:.0f} ms: {'yes' if p99 <= TARGET_P99_MS else 'no'} ({p99:.1f} ms)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
