"""Where does one registration's time go? Profile Tsudoi's API path in one process, no HTTP server.

    DATABASE_URL=postgresql://postgres@127.0.0.1/tsudoi_bench .venv/bin/python bench/profile_register.py
    .venv/bin/python bench/profile_register.py --requests 500 --capacity 100   # SQLite temp file by default

Builds the schema (create_all) in the given database, which must be a throwaway one
(the bench's own: tsudoi_bench, or a temp SQLite file), creates one event, sends the
requests through Flask's test client with the production settings, and prints the
mean time per request (201 and 409 apart) and the cProfile top entries by
cumulative and by own time. Single-process CPU time: it shows the cost that
4 workers on 2 cores share, not the lock waits.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative,tottime")
    parser.add_argument("--callees", default="", help="also print what these functions call (comma-separated)")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="only time the requests")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsudoi-prof-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/prof.sqlite3")
    os.environ.update(TSUDOI_ENV="production", SECRET_KEY=secrets.token_hex(32), RATELIMIT_ENABLED="false",
                      MAIL_SUPPRESS_SEND="true")
    import json

    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from bench.flash_crowd import body_maker

    app = create_app()
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    import subprocess

    ids = json.loads(subprocess.run([sys.executable, str(ROOT / "bench" / "seed.py")], cwd=ROOT,
                                    input=json.dumps([{"key": "p", "capacity": args.capacity},
                                                      {"key": "w", "capacity": None}]),
                                    capture_output=True, text=True, check=True).stdout)
    event_id, tt_id = ids["p"]
    client = app.test_client()
    headers = {"Content-Type": "application/json"}
    # Warm up on another event: imports, template compilation, SQL compilation caches.
    wev, wtt = ids["w"]
    warm = body_maker("warm", wtt)
    for i in range(30):
        client.post(f"/api/v1/events/{wev}/registrations", data=warm(i), headers=headers)

    make = body_maker("prof", tt_id)
    times: dict[int, list[float]] = {}
    cpu: dict[int, list[float]] = {}
    profiler = cProfile.Profile()
    for i in range(args.requests):
        body = make(i)
        t = time.perf_counter()
        c = time.process_time()
        if args.profile:
            profiler.enable()
        response = client.post(f"/api/v1/events/{event_id}/registrations", data=body, headers=headers)
        if args.profile:
            profiler.disable()
        times.setdefault(response.status_code, []).append(time.perf_counter() - t)
        cpu.setdefault(response.status_code, []).append(time.process_time() - c)
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}  requests: {args.requests}  capacity: {args.capacity}")
    for status, values in sorted(times.items()):
        own = cpu[status]
        print(f"  {status}: n={len(values)}  mean {1000 * sum(values) / len(values):.2f} ms"
              f" (this process's CPU {1000 * sum(own) / len(own):.2f} ms; the rest is the database and waits)"
              + (" (profiled, so inflated)" if args.profile else ""))
    for key in args.sort.split(",") if args.profile else []:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(args.top)
        print(out.getvalue())
    for name in filter(None, args.callees.split(",")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_callees(name)
        print(out.getvalue())


if __name__ == "__main__":
    main()
