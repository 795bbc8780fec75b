"""Statistics benchmark: the stats pages over 1,000,000 registrations, 10 年度 and 5,000 events.

Builds a fresh PostgreSQL database with Tsudoi's migrations, loads 5,000 finished events
over 令和元年度–令和10年度 (FY2019–FY2028 would be in the future: it uses FY2016–FY2025), each
with one session and one 参加枠, 1,000,000 registrations drawn from 150,000 people and
20,000 organisations (80 % confirmed, the rest cancelled, waitlisted or not drawn), and an
attendance for about 70 % of the confirmed ones; defines three KPIs. Then it starts Tsudoi
under gunicorn (4 sync workers) and times each stats page from 4 clients at once:

- per event: GET /api/v1/events/{id}/stats and the HTML page /organizer/stats/events/{id};
- across events: GET /api/v1/stats/fiscal-years (10 年度, with and without filters), the HTML
  年度 page, the 開催実績一覧 XLSX, GET /api/v1/kpis.

It prints the median and p95 of each and the targets (p95 ≤ 300 ms per event, ≤ 1 s across
events). Timings are printed, never asserted.

    make bench-stats
    .venv/bin/python bench/stats_load.py --registrations 1000000 --events 5000
"""
from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.flash_crowd import BIN, PG_HOST, Server, ensure_postgres, log, tsudoi_env  # noqa: E402
from bench.harness import percentile  # noqa: E402

PG_DB = "tsudoi_bench_stats"
PG_URL = f"postgresql://postgres@{PG_HOST}/{PG_DB}"
FIRST_FY, YEARS = 2016, 10
PASSWORD = "bench-stats-password"


def fresh_database() -> str:
    import psycopg

    ensure_postgres()
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_URL


def seed(url: str, *, events: int, registrations: int, seed_value: int) -> tuple[str, list[int]]:
    """Load the rows in-process through SQLAlchemy Core (batched INSERTs). Returns (token, event ids)."""
    os.environ.update(tsudoi_env(url))
    from sqlalchemy import insert, select, text

    from app import create_app
    from app.domain import dates
    from app.domain import kpi as kpi_rules
    from app.domain.people import key_of
    from app.extensions import db
    from app.models import (
        ApiToken,
        Attendance,
        Event,
        EventSeries,
        EventSession,
        Kpi,
        KpiTarget,
        Organizer,
        Registration,
        TicketType,
    )

    rng = random.Random(seed_value)
    app = create_app()
    with app.app_context():
        now = datetime.now(UTC)
        viewer = Organizer(email="viewer@bench.example.jp", role="viewer", display_name="bench")
        viewer.set_password(PASSWORD)
        db.session.add(viewer)
        token = secrets.token_urlsafe(32)
        db.session.flush()
        db.session.add(ApiToken(organizer_id=viewer.id, token_hash=ApiToken.hash_token(token), name="bench",
                                created_at=now))
        series = [EventSeries(slug=f"series-{i}", name=f"シリーズ{i}", created_at=now) for i in range(50)]
        db.session.add_all(series)
        db.session.flush()
        start = dates.fiscal_year_bounds(FIRST_FY)[0]
        span = dates.fiscal_year_bounds(FIRST_FY + YEARS - 1)[1] - start
        categories = ("seminar", "workshop", "symposium", "exchange", "summit", "training_series")
        event_rows = []
        for i in range(events):
            when = start + span * (i + 0.5) / events + timedelta(hours=4)
            event_rows.append({
                "slug": f"bench-{i}", "title": f"ベンチマークイベント{i}", "status": "finished", "starts_at": when,
                "category": categories[i % len(categories)], "format": ("in_person", "online", "hybrid")[i % 3],
                "prefecture": f"{2 + i % 6:02d}", "series_id": series[i % 50].id if i % 4 else None,
                "created_at": now, "updated_at": now})
        event_ids = db.session.execute(insert(Event).returning(Event.id, sort_by_parameter_order=True),
                                       event_rows).scalars().all()
        starts = {eid: row["starts_at"] for eid, row in zip(event_ids, event_rows, strict=True)}
        session_ids = db.session.execute(
            insert(EventSession).returning(EventSession.id, sort_by_parameter_order=True),
            [{"event_id": e, "starts_at": starts[e], "ends_at": starts[e] + timedelta(hours=2)} for e in event_ids]
        ).scalars().all()
        ticket_ids = db.session.execute(
            insert(TicketType).returning(TicketType.id, sort_by_parameter_order=True),
            [{"event_id": e, "name": "一般", "capacity": None, "position": 0} for e in event_ids]).scalars().all()
        session_of = dict(zip(event_ids, session_ids, strict=True))
        ticket_of = dict(zip(event_ids, ticket_ids, strict=True))
        db.session.commit()
        log(f"{events} events loaded; loading {registrations:,} registrations")

        statuses = ["confirmed"] * 16 + ["cancelled", "cancelled", "waitlisted", "lost"]
        org_types = ("company",) * 6 + ("municipality", "academia", "association", "student")
        weights = [rng.random() + 0.2 for _ in event_ids]
        picks = rng.choices(event_ids, weights=weights, k=registrations)
        columns = [c for c in Registration.__table__.columns if c.name != "id"]
        fixed = {}
        for c in columns:  # the Python-side defaults that a COPY does not apply
            if c.default is not None and c.default.is_scalar:
                fixed[c.name] = c.default.arg
            elif c.default is not None and c.default.is_callable:
                fixed[c.name] = c.default.arg(None)
        names = ["id"] + [c.name for c in columns]
        taken: set[tuple[int, int]] = set()  # (event, person): one active registration each
        attended = 0
        raw = db.session.connection().connection.dbapi_connection
        with raw.cursor() as cur:
            attendances = []
            with cur.copy(f"COPY registrations ({', '.join(names)}) FROM STDIN") as copy:
                for n, event_id in enumerate(picks, start=1):
                    person = int(rng.paretovariate(1.2)) % 150_000 if n % 3 else rng.randrange(150_000)
                    while (event_id, person) in taken:
                        person = rng.randrange(150_000)
                    taken.add((event_id, person))
                    org = person % 20_000
                    status = rng.choice(statuses)
                    row = dict(fixed)
                    row.update({
                        "event_id": event_id, "ticket_type_id": ticket_of[event_id], "status": status,
                        "manage_token_hash": secrets.token_hex(32), "email": f"p{person}@example.jp",
                        "email_normalized": f"p{person}@example.jp",
                        "person_key": key_of(f"p{person}@example.jp"), "family_name": "東北", "given_name": f"{person}",
                        "organization": f"株式会社テスト{org}", "organization_key": f"name:テスト{org}",
                        "organization_type": org_types[org % len(org_types)], "prefecture": f"{2 + org % 6:02d}",
                        "created_at": starts[event_id] - timedelta(days=rng.randrange(1, 60), minutes=rng.randrange(1440)),
                        "updated_at": now, "origin": "web", "answers": "{}"})
                    copy.write_row([n] + [row.get(c.name) for c in columns])
                    if status == "confirmed" and rng.random() < 0.7:
                        attendances.append((event_id, session_of[event_id], n, "door", starts[event_id]))
                    if n % 200_000 == 0:
                        log(f"  {n:,} registrations")
            with cur.copy("COPY attendances (event_id, session_id, registration_id, method, attended_at) FROM STDIN") as copy:
                for a in attendances:
                    copy.write_row(a)
            attended = len(attendances)
            cur.execute("SELECT setval('registrations_id_seq', %s)", (len(picks),))
        db.session.commit()
        log(f"{attended:,} attendances; counting them into the statistics' summary tables")
        from app.services import participation
        began = time.perf_counter()
        participation.rebuild()  # the rows were copied around the application: count them
        log(f"summary tables rebuilt in {time.perf_counter() - began:.0f} s")
        for kpi in (
            Kpi(name="研修修了者", fiscal_year_from=2021, fiscal_year_to=2025, measure=kpi_rules.PEOPLE, target=50_000,
                series_ids=[series[1].id, series[2].id], event_ids=[], created_at=now, updated_at=now),
            Kpi(name="支援企業数", fiscal_year_from=2016, fiscal_year_to=2025, measure=kpi_rules.ORGANIZATIONS,
                target=10_000, series_ids=[], event_ids=[], created_at=now, updated_at=now),
            Kpi(name="牽引企業のDX", fiscal_year_from=2020, fiscal_year_to=2025, measure=kpi_rules.TARGET_SHARE,
                target=10, series_ids=[s.id for s in series[:10]], event_ids=[], created_at=now, updated_at=now,
                targets=[KpiTarget(position=i + 2, name=f"テスト{i * 7}株式会社") for i in range(1000)]),
        ):
            db.session.add(kpi)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        counted = db.session.scalar(select(db.func.count()).select_from(Registration))
        log(f"loaded {counted:,} registrations and "
            f"{db.session.scalar(select(db.func.count()).select_from(Attendance)):,} attendances")
        return token, list(event_ids)


def reuse(url: str) -> tuple[str, list[int]]:
    """The database a previous run loaded (and that the migrations have brought up to date):
    a new API token for its viewer, and its event ids."""
    os.environ.update(tsudoi_env(url))
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import ApiToken, Event, Organizer

    app = create_app()
    with app.app_context():
        viewer = db.session.scalar(select(Organizer).where(Organizer.email == "viewer@bench.example.jp"))
        if viewer is None:
            raise SystemExit(f"{PG_DB} holds no earlier load: run without --reuse")
        token = secrets.token_urlsafe(32)
        db.session.add(ApiToken(organizer_id=viewer.id, token_hash=ApiToken.hash_token(token), name="bench",
                                created_at=datetime.now(UTC)))
        db.session.commit()
        return token, list(db.session.scalars(select(Event.id).order_by(Event.id)))


def _session_cookie(port: int) -> str:
    """Sign in through the login form (CSRF token and all) and return the Cookie header.

    Production cookies are Secure, which an HTTP client would not send back over plain
    HTTP to 127.0.0.1: the cookie is carried by hand.
    """
    import http.client
    from urllib.parse import urlencode

    def cookies(response) -> dict[str, str]:
        found = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                found[key] = rest.split(";", 1)[0]
        return found

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    jar = cookies(response)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    body = urlencode({"csrf_token": csrf.group(1) if csrf else "", "email": "viewer@bench.example.jp",
                      "password": PASSWORD})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"could not sign in: {response.status}")
    jar.update(cookies(response))
    conn.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def timed(port: int, paths: list[str], headers: dict, clients: int) -> tuple[list[float], list[int]]:
    """GET each path once, from `clients` threads; (latencies in seconds, statuses)."""
    import http.client

    latencies, statuses, lock = [], [], threading.Lock()
    queue = list(paths)

    def worker():
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            began = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # sync workers close each one
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            conn.close()
            with lock:
                latencies.append(elapsed)
                statuses.append(response.status)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true",
                        help=f"time the pages over the rows an earlier run left in {PG_DB} (migrated, not reloaded)")
    args = parser.parse_args()

    url = PG_URL if args.reuse else fresh_database()
    env = tsudoi_env(url)
    done = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{done.stderr[-3000:]}")
    began = time.perf_counter()
    if args.reuse:
        token, event_ids = reuse(url)
    else:
        token, event_ids = seed(url, events=args.events, registrations=args.registrations, seed_value=args.seed)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:  # what autovacuum would do after a bulk load
        conn.execute("VACUUM ANALYZE")
    log(f"{'reused' if args.reuse else 'seeded'} in {time.perf_counter() - began:.0f} s")

    logdir = Path(tempfile.mkdtemp(prefix="tsudoi-bench-stats-"))
    server = Server("tsudoi", "wsgi:app", env, args.workers, logdir, "/api/v1/openapi.json")
    try:
        server.wait_ready()
        rng = random.Random(args.seed)
        api = {"Authorization": f"Bearer {token}"}
        web = {"Cookie": _session_cookie(server.port)}
        last = FIRST_FY + YEARS - 1
        some_events = rng.sample(event_ids, 200)
        fy_queries = [f"from={FIRST_FY}&to={last}", f"from={FIRST_FY}&to={last}&category=seminar",
                      f"from={FIRST_FY}&to={last}&prefecture=04", f"from=2020&to={last}&format=online",
                      f"from={FIRST_FY}&to={last}&series=2"]
        scenarios = [
            ("per event", "API  /api/v1/events/{id}/stats", [f"/api/v1/events/{e}/stats" for e in some_events], api),
            ("per event", "page /organizer/stats/events/{id}",
             [f"/organizer/stats/events/{e}" for e in some_events[:100]], web),
            ("across", "API  /api/v1/stats/fiscal-years (10 年度)",
             [f"/api/v1/stats/fiscal-years?{q}" for q in fy_queries * 8], api),
            ("across", "page /organizer/stats/ (10 年度)", [f"/organizer/stats/?{q}" for q in fy_queries * 4], web),
            ("across", "XLSX 開催実績一覧 (5,000 events)",
             [f"/organizer/stats/held-events.xlsx?from={FIRST_FY}&to={last}"] * 8, web),
            ("across", "API  /api/v1/kpis (3 KPIs)", ["/api/v1/kpis"] * 12, api),
        ]
        for _, _, paths, headers in scenarios:  # warm each kind of page once per worker
            timed(server.port, paths[:args.workers], headers, args.clients)
        print()
        print(f"Stats pages over {args.registrations:,} registrations, {args.events:,} events, {YEARS} 年度; "
              f"gunicorn -w {args.workers}, {args.clients} clients at once")
        print(f"{'page':<46} {'n':>4} {'median':>9} {'p95':>9} {'max':>9}  target")
        for kind, name, paths, headers in scenarios:
            lat, statuses = timed(server.port, paths, headers, args.clients)
            bad = [s for s in statuses if s != 200]
            target = 0.3 if kind == "per event" else 1.0
            p95 = percentile(lat, 95)
            mark = "ok" if p95 <= target else "MISSED"
            print(f"{name:<46} {len(lat):>4} {percentile(lat, 50) * 1000:>7.0f}ms {p95 * 1000:>7.0f}ms "
                  f"{max(lat) * 1000:>7.0f}ms  p95 ≤ {target * 1000:.0f} ms: {mark}"
                  + (f"  ({len(bad)} non-200: {sorted(set(bad))})" if bad else ""))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
