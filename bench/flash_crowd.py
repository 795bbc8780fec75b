"""Flash-crowd benchmark: many people register for the same 参加枠 at the same moment.

For each database (PostgreSQL, SQLite) it builds a fresh database with Tsudoi's
migrations, creates the events, starts Tsudoi under gunicorn (4 sync workers)
and the floor (bench/floor_app.py, the bare minimum of the same work) the same
way, fires the same requests at both from the same load generator and prints
the rate, the latencies, the answers and the confirmed count read back from
the database. Exits 1 if any run oversold (or lost count), 3 if Tsudoi's API
is missing, 0 otherwise; missing the speed targets is reported, not fatal.

    make bench                                   # both databases, defaults below
    .venv/bin/python bench/flash_crowd.py --db postgres --requests 2000 --clients 16 --workers 4
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import floor_app, harness, loadgen  # noqa: E402

PG_HOST = "127.0.0.1"
PG_DB = "tsudoi_bench"
PG_URL = f"postgresql://postgres@{PG_HOST}/{PG_DB}"
TSUDOI_PATH = "/api/v1/events/{event_id}/registrations"
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
WARMUP_KEY = "warmup"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- databases ---------------------------------------------------------------------------------

def ensure_postgres() -> None:
    if subprocess.run(["pg_isready", "-q", "-h", PG_HOST, "-p", "5432"]).returncode == 0:
        return
    log("starting PostgreSQL")
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
    for _ in range(30):
        if subprocess.run(["pg_isready", "-q", "-h", PG_HOST, "-p", "5432"]).returncode == 0:
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL did not start")


def fresh_database(kind: str, tmpdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmpdir / 'bench.sqlite3'}"
    import psycopg

    ensure_postgres()
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_URL


def tsudoi_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        TSUDOI_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        RATELIMIT_ENABLED="false",
        MAIL_SUPPRESS_SEND="true",
        FLASK_APP="wsgi.py",
        PYTHONPATH=str(ROOT),
    )
    return env


def migrate_and_seed(url: str, wanted: list[dict]) -> dict[str, tuple[int, int]]:
    env = tsudoi_env(url)
    done = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{done.stderr[-3000:]}")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "seed.py")], cwd=ROOT, env=env,
                          input=json.dumps(wanted), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"seeding the events failed:\n{done.stderr[-3000:]}")
    return {key: tuple(ids) for key, ids in json.loads(done.stdout).items()}


def tsudoi_counts(url: str, ticket_type_id: int) -> tuple[int, int]:
    """(confirmed registrations, the 参加枠's confirmed_count) read straight from the database."""
    pg = floor_app.is_postgres(url)
    mark = "%s" if pg else "?"
    conn = floor_app.connect(url)
    try:
        rows = conn.execute(
            f"SELECT count(*) FROM registrations WHERE ticket_type_id = {mark} AND status = 'confirmed'",
            (ticket_type_id,),
        ).fetchone()[0]
        counter = conn.execute(f"SELECT confirmed_count FROM ticket_types WHERE id = {mark}",
                               (ticket_type_id,)).fetchone()[0]
        return rows, counter
    finally:
        conn.close()


# --- servers -----------------------------------------------------------------------------------

class Server:
    def __init__(self, name: str, app_spec: str, env: dict, workers: int, logdir: Path, health: str):
        self.name, self.port, self.health = name, free_port(), health
        self.logfile = open(logdir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        cmd = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
               "--log-level", "warning", app_spec]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.logfile, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited at start; see {self.logfile.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.health)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logfile.close()


# --- requests ----------------------------------------------------------------------------------

def body_maker(tag: str, ticket_type_id: int | None):
    """Unique, valid registrations (unique email and company) as Tsudoi's API takes them."""

    def body(i: int) -> bytes:
        data = {
            "family_name": "山田", "given_name": f"太郎{i}", "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
            "email": f"{tag}-{i}@example.jp", "phone": "022-221-4876",
            "organization": f"株式会社計測{tag}{i}", "organization_type": "company", "prefecture": "04",
            "consent": True,
        }
        if ticket_type_id is not None:
            data["ticket_type_id"] = ticket_type_id
        return json.dumps(data, ensure_ascii=False).encode()

    return body


def fire(args, port: int, path: str, body, *, requests: int, clients: int):
    if args.loadgen == "wrk":
        # A cheap GET, no database, for wrk threads done with their share (see wrk_flash.lua).
        idle = "/floor/health" if path.startswith("/floor/") else "/static/style.css"
        return loadgen.fire_wrk("127.0.0.1", port, path, body, requests=requests, clients=clients, idle_path=idle)
    return loadgen.fire("127.0.0.1", port, path, body, requests=requests, clients=clients)


def one_run(args, *, app: str, database: str, scenario: str, capacity: int, port: int, path: str,
            ticket_type_id: int | None, requests: int, clients: int, tag: str) -> harness.Run:
    samples, wall, cpu, errors = fire(args, port, path, body_maker(tag, ticket_type_id),
                                      requests=requests, clients=clients)
    return harness.Run(app=app, database=database, scenario=scenario, capacity=capacity, clients=clients,
                       wall=wall, samples=samples, client_cpu=cpu, errors=errors)


def warm_up(args, port: int, path: str, ticket_type_id: int | None, tag: str) -> dict[int, int]:
    samples, _, _, _ = fire(args, port, path, body_maker(tag, ticket_type_id),
                            requests=args.clients * 8, clients=args.clients)
    return dict(Counter(s.status for s in samples))


# --- the benchmark -----------------------------------------------------------------------------

def bench_database(database: str, args, scenarios: list[tuple[str, int]], workdir: Path,
                   with_ceiling: bool) -> tuple[list[harness.Run], bool]:
    """All scenarios on one database; returns the runs and whether Tsudoi's API answered."""
    url = fresh_database(database, workdir)
    log(f"{database}: fresh database, migrations, events")
    wanted = [{"key": WARMUP_KEY, "capacity": None}]
    wanted += [{"key": f"{name}-{r}", "capacity": cap} for name, cap in scenarios for r in range(args.rounds)]
    ids = migrate_and_seed(url, wanted)
    quotas = {1: 10**9}
    quota_ids = {}
    for n, (name, cap) in enumerate((name, cap) for name, cap in scenarios for _ in range(args.rounds)):
        quota_ids.setdefault(name, []).append(n + 2)
        quotas[n + 2] = cap
    floor_app.create_schema(url, quotas)

    floor_env = dict(os.environ, FLOOR_DATABASE_URL=url, FLOOR_LOCK=args.floor_lock)
    servers = {
        "floor": Server("floor", "bench.floor_app:app", floor_env, args.workers, workdir, "/floor/health"),
        "tsudoi": Server("tsudoi", args.tsudoi_app, tsudoi_env(url), args.workers, workdir, "/"),
    }
    runs: list[harness.Run] = []
    api_ok = True
    try:
        for server in servers.values():
            server.wait_ready()
        floor_port, tsudoi_port = servers["floor"].port, servers["tsudoi"].port
        warm_up(args, floor_port, "/floor/1/registrations", None, f"{database}-warm-floor")
        warm = warm_up(args, tsudoi_port, TSUDOI_PATH.format(event_id=ids[WARMUP_KEY][0]), ids[WARMUP_KEY][1],
                       f"{database}-warm-tsudoi")
        if warm.get(201, 0) == 0:
            api_ok = False
            log(f"Tsudoi's API did not register anyone during the warm-up (answers {warm}); "
                f"is {TSUDOI_PATH} there yet? See bench/results/tsudoi.log")
        if with_ceiling:
            run = one_run(args, app="noop", database="-", scenario="ceiling", capacity=0, port=floor_port,
                          path="/floor/noop", ticket_type_id=None, requests=args.requests, clients=args.clients,
                          tag="noop")
            runs.append(run)
        for name, cap in scenarios:
            for r in range(args.rounds):
                tag = f"{database}-{name}-{r}"
                label = name if args.rounds == 1 else f"{name}#{r + 1}"
                quota = quota_ids[name][r]
                run = one_run(args, app="floor", database=database, scenario=label, capacity=cap, port=floor_port,
                              path=f"/floor/{quota}/registrations", ticket_type_id=None,
                              requests=args.requests, clients=args.clients, tag=tag + "-f")
                run.confirmed_db, run.counter_db = floor_app.count(url, quota)
                runs.append(run)
                log(f"{database} {label} floor: {run.rate:.0f} req/s")
                if not api_ok:
                    continue
                event_id, tt_id = ids[f"{name}-{r}"]
                run = one_run(args, app="tsudoi", database=database, scenario=label, capacity=cap, port=tsudoi_port,
                              path=TSUDOI_PATH.format(event_id=event_id), ticket_type_id=tt_id,
                              requests=args.requests, clients=args.clients, tag=tag + "-t")
                run.confirmed_db, run.counter_db = tsudoi_counts(url, tt_id)
                runs.append(run)
                log(f"{database} {label} tsudoi: {run.rate:.0f} req/s")
    finally:
        for server in servers.values():
            server.stop()
    return runs, api_ok


def report(runs: list[harness.Run], args) -> int:
    print()
    print(f"Flash crowd: {args.requests} registrations from {args.clients} clients, gunicorn -w {args.workers} "
          f"(sync), floor lock: {args.floor_lock}, load generator: {args.loadgen}, {os.cpu_count()} CPUs (shared)")
    print(harness.format_table(runs))
    status = 0
    print()
    for run in runs:
        if run.app == "noop":
            continue
        phases = harness.format_phases(run)
        if phases and args.phases:
            print(f"  {run.database} {run.scenario}:")
            print(phases)
        for problem in harness.oversell_problems(run):
            print(f"  !! {run.database} {run.scenario} {run.app}: {problem}")
            status = 1
        for error in run.errors:
            print(f"  other answer ({run.database} {run.scenario} {run.app}): {error}")
    print()
    by_key = {(r.database, r.scenario, r.app): r for r in runs}
    for (database, scenario, app), run in by_key.items():
        if app != "tsudoi" or (database, scenario, "floor") not in by_key:
            continue
        v = harness.verdict(run, by_key[(database, scenario, "floor")])
        print(f"{database:<9} {scenario:<9} {harness.format_verdict(v)}")
    print("zero oversell: " + ("yes" if status == 0 else "NO"))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=100, help="the headline scenario's capacity")
    parser.add_argument("--large-capacity", type=int, default=5000,
                        help="second scenario where every request is confirmed (0: skip it)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat each scenario (fresh 参加枠 each time)")
    parser.add_argument("--floor-lock", choices=["update", "for-update"], default="update",
                        help="the floor's seat taking: conditional UPDATE or SELECT ... FOR UPDATE")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto",
                        help="wrk (C, needs `apt-get install wrk`) or the stdlib threads; auto: wrk when installed")
    parser.add_argument("--tsudoi-app", default="wsgi:app",
                        help="gunicorn app spec for Tsudoi (to measure a variant of the app)")
    parser.add_argument("--no-phases", dest="phases", action="store_false",
                        help="do not print the confirmed / full phases separately")
    args = parser.parse_args(argv)
    if args.loadgen == "auto":
        args.loadgen = "wrk" if loadgen.wrk_available() else "python"

    databases = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    scenarios = [(f"cap{args.capacity}", args.capacity)]
    if args.large_capacity:
        scenarios.append((f"cap{args.large_capacity}", args.large_capacity))
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="tsudoi-bench-"))
    runs: list[harness.Run] = []
    api_ok = True
    try:
        for n, database in enumerate(databases):
            db_runs, ok = bench_database(database, args, scenarios, workdir, with_ceiling=n == 0)
            runs += db_runs
            api_ok = api_ok and ok
    finally:
        for log_name in ("floor.log", "tsudoi.log"):
            if (workdir / log_name).exists():
                shutil.copy(workdir / log_name, RESULTS / log_name)
        shutil.rmtree(workdir, ignore_errors=True)
    status = report(runs, args)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps({
        "args": vars(args),
        "runs": [{**{k: v for k, v in asdict(r).items() if k != "samples"},
                  "summary": asdict(harness.summarise(r.samples, r.wall))} for r in runs],
    }, indent=1, ensure_ascii=False))
    print(f"results: {out.relative_to(ROOT)} (server logs beside it)")
    if not api_ok:
        print("Tsudoi's registration API did not answer 201: only the floor was measured.")
        return status or 3
    return status


if __name__ == "__main__":
    raise SystemExit(main())
