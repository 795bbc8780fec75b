"""Registrant list benchmark: the organizer's list page at 20,000 registrations, and exports of
100,000 rows in each format (time and peak memory).

    .venv/bin/python bench/registrant_list.py [--database-url URL] [--list-rows 20000]
        [--export-rows 100000] [--small-export-rows 10000] [--repeat 5]

Without --database-url it uses a temporary SQLite file. With a PostgreSQL URL it creates
Tsudoi's tables in that database (it must be a scratch database: the tables are dropped
first and at the end).

It fills one event with --list-rows registrations and times GET /organizer/events/<id>/registrants
(signed in as an organizer, through the WSGI app, 100 rows a page) for the default list, a kana
search matching many, a sort by kana descending and a filter; the median of --repeat runs.

Each export runs in its own Python process (so its peak memory is its own):
``exports.run`` as the organizer page runs it, on an event of --small-export-rows and one of
--export-rows registrations (1 % with characters CP932 cannot hold; every column, answers included).
It prints the time, the file size, the process's resident memory before the export and its peak
(ru_maxrss), and with --heap the Python heap's peak during the export (tracemalloc). Memory that stays flat
from 10,000 to 100,000 rows is what "bounded" means here. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 123"
SURNAMES = [("山田", "ヤマダ"), ("佐藤", "サトウ"), ("髙橋", "タカハシ"), ("鈴木", "スズキ"), ("田中", "タナカ"),
            ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山﨑", "ヤマザキ"), ("中村", "ナカムラ"), ("小林", "コバヤシ")]
GIVEN = [("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("𠮷男", "ヨシオ"), ("美咲", "ミサキ")]


def _app(url: str):
    from app import create_app
    from config import TestingConfig

    class Cfg(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = False

    return create_app(Cfg)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _fill(event_id: int, ticket_ids: list[int], question_id: int, rows: int, start: int) -> None:
    """Insert `rows` registrations with Core (fast), the search text computed as the model would."""
    from sqlalchemy import insert

    from app.db_types import utcnow
    from app.domain.people import key_of
    from app.domain.registrant_list import search_text
    from app.extensions import db
    from app.models import Registration

    now = utcnow()
    batch = []
    for i in range(start, start + rows):
        fam, fam_k = SURNAMES[i % len(SURNAMES)]
        giv, giv_k = GIVEN[(i // 10) % len(GIVEN)] if i % 100 == 0 else GIVEN[(i // 10) % 3]
        org = f"株式会社東北テック{i % 997}" + ("🚀" if i % 100 == 50 else "")
        email = f"user{i}@example.jp"
        batch.append({
            "event_id": event_id, "ticket_type_id": ticket_ids[i % len(ticket_ids)], "status": "confirmed",
            "manage_token_hash": f"{i:064d}", "email": email, "email_normalized": email,
            "person_key": key_of(email),
            "family_name": fam, "given_name": giv, "family_name_kana": fam_k, "given_name_kana": giv_k,
            "phone": f"0{(222214876 + i) % 10**9:09d}", "organization": org, "organization_key": f"name:{org}",
            "department": "DX推進室", "job_title": "課長", "organization_type": "company",
            "prefecture": f"{1 + i % 47:02d}", "corporate_number": "", "answers": {str(question_id): f"回答{i}"},
            "language": "ja", "origin": "web", "note": "", "created_at": now - timedelta(seconds=i),
            "updated_at": now, "confirmed_at": now,
            "search_text": search_text(family_name=fam, given_name=giv, family_name_kana=fam_k,
                                       given_name_kana=giv_k, organization=org, email=email),
        })
        if len(batch) == 5000:
            db.session.execute(insert(Registration), batch)
            batch = []
    if batch:
        db.session.execute(insert(Registration), batch)
    db.session.commit()


def _event(title: str, rows: int, start: int) -> int:
    from app.extensions import db
    from app.models import Question
    from tests.factories import create_event

    event = create_event(title=title, capacity=None, ticket_types=[("一般", None), ("学生", None)], sessions=2)
    q = Question(event_id=event.id, kind="text", label="ご質問", position=0)
    db.session.add(q)
    db.session.commit()
    _fill(event.id, [tt.id for tt in event.ticket_types], q.id, rows, start)
    return event.id


def setup(url: str, list_rows: int, export_rows: int, small_rows: int) -> dict:
    from app.extensions import db
    from tests.factories import create_organizer

    app = _app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = create_organizer(email="bench@example.jp", password=PASSWORD)
        t = time.perf_counter()
        ids = {"list": _event("一覧ベンチ", list_rows, 0),
               "small": _event("エクスポート小", small_rows, 1_000_000),
               "large": _event("エクスポート大", export_rows, 2_000_000)}
        print(f"filled {list_rows + small_rows + export_rows:,} registrations in {time.perf_counter() - t:.1f} s")
        ids["user"] = user.id
    return ids


def time_list(url: str, event_id: int, repeat: int) -> None:
    app = _app(url)
    client = app.test_client()
    with app.app_context():
        r = client.post("/login", data={"email": "bench@example.jp", "password": PASSWORD})
        assert r.status_code == 302, r.status_code
        cases = {
            "default list (100 rows)": {},
            "search カナ 'やまだ' (2,000 match)": {"q": "やまだ"},
            "sort by kana, descending": {"sort": "-full_name_kana"},
            "filter prefecture 04 + 参加枠": {"prefecture": "04", "ticket_type": None},
            "page 150, every column": {"page": "150", "columns": "reference,status,ticket_type,full_name,"
                                       "full_name_kana,email,phone,organization,department,job_title,"
                                       "organization_type,prefecture,corporate_number,created_at,"
                                       "attended_sessions"},
        }
        from app.extensions import db
        from app.models import Event

        tt = db.session.get(Event, event_id).ticket_types[0].id
        for name, params in cases.items():
            params = {k: (str(tt) if v is None else v) for k, v in params.items()}
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                r = client.get(f"/organizer/events/{event_id}/registrants", query_string=params)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.status_code
            print(f"  {name:<40} median {statistics.median(times):7.1f} ms  (min {min(times):.1f}, "
                  f"max {max(times):.1f}, {repeat} runs)")


def child_export(url: str, event_id: int, user_id: int, fmt: str, heap: bool) -> None:
    """Run in a fresh process: one export, then print JSON figures."""
    import tracemalloc

    from werkzeug.datastructures import MultiDict

    from app.db_types import utcnow
    from app.domain import registrant_list
    from app.extensions import db
    from app.models import Event, Organizer
    from app.services import exports

    app = _app(url)
    with app.test_request_context("/"):
        event = db.session.get(Event, event_id)
        user = db.session.get(Organizer, user_id)
        qids = [q.id for q in event.questions]
        f, errors = registrant_list.parse(
            MultiDict({"columns": ",".join(registrant_list.available_columns(qids))}).getlist,
            ticket_type_ids=[t.id for t in event.ticket_types], session_ids=[s.id for s in event.sessions],
            question_ids=qids)
        assert not errors
        db.session.commit()
        rss_before = _rss_mb()
        if heap:
            tracemalloc.start()
        t = time.perf_counter()
        log, path = exports.run(event, f, fmt, actor=user, now=utcnow(), via="web")
        elapsed = time.perf_counter() - t
        heap_peak = tracemalloc.get_traced_memory()[1] if heap else 0
        tracemalloc.stop()
        size = os.path.getsize(path)
        os.unlink(path)
        print(json.dumps({"rows": log.row_count, "seconds": elapsed, "bytes": size, "rss_before_mb": rss_before,
                          "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "heap_peak_mb": heap_peak / 2**20, "replaced": log.replaced_cells}))
        db.session.rollback()


def time_exports(url: str, ids: dict, heap: bool) -> None:
    from app.services.exports import FORMATS

    for label, key in (("small", "small"), ("large", "large")):
        for fmt in FORMATS:
            out = subprocess.run([sys.executable, __file__, "--database-url", url, "--child", fmt,
                                  "--event", str(ids[key]), "--user", str(ids["user"])] + (["--heap"] if heap else []),
                                 capture_output=True, text=True, cwd=ROOT, check=False)
            if out.returncode != 0:
                print(out.stderr[-2000:])
                raise SystemExit(f"export {fmt} failed")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {label:<5} {fmt:<10} {r['rows']:>7,} rows  {r['seconds']:6.1f} s  "
                  f"{r['bytes'] / 2**20:6.1f} MB file  RSS {r['rss_before_mb']:5.0f} → peak {r['rss_peak_mb']:5.0f} MB"
                  + (f"  Python heap peak {r['heap_peak_mb']:5.1f} MB" if heap else "")
                  + f"  ({r['replaced']:,} cells changed)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--list-rows", type=int, default=20_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--small-export-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-exports", action="store_true", help="time the list page only")
    parser.add_argument("--heap", action="store_true",
                        help="also trace the Python heap's peak (tracemalloc; the exports run 2-3 times slower)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--event", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_export(args.database_url, args.event, args.user, args.child, args.heap)
        return 0
    from config import normalise_database_url

    tmp = None
    if args.database_url:
        url = normalise_database_url(args.database_url)
    else:
        tmp = tempfile.mkdtemp(prefix="tsudoi-bench-list-")
        url = f"sqlite:///{tmp}/bench.sqlite3"
    print(f"database: {url.split('@')[-1]}")
    if args.skip_exports:
        args.export_rows = args.small_export_rows = 0
    ids = setup(url, args.list_rows, args.export_rows, args.small_export_rows)
    print(f"list page, {args.list_rows:,} registrations in the event:")
    time_list(url, ids["list"], args.repeat)
    if not args.skip_exports:
        print("exports (one process each):")
        time_exports(url, ids, args.heap)
    if tmp is None:
        from app.extensions import db

        with _app(url).app_context():
            db.drop_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
