"""The floor: a bare Flask app doing only the essential work of a first-come registration.

No Tsudoi code. One endpoint, one transaction on the same database as Tsudoi:
take a seat with a conditional UPDATE (or SELECT ... FOR UPDATE when
FLOOR_LOCK=for-update), insert one registration row, commit; 201 or 409 "full".
It is what any correct implementation must at least pay for, so Tsudoi's rate
is reported as a fraction of it.

    FLOOR_DATABASE_URL=postgresql://postgres@127.0.0.1/tsudoi_bench  (or sqlite:////tmp/x.sqlite3)
    gunicorn -w 4 -b 127.0.0.1:8001 --chdir bench floor_app:app

POST /floor/<quota_id>/registrations  the measured endpoint (same JSON body as Tsudoi's API)
POST /floor/noop                      parses the JSON and answers 201 without a database:
                                      the ceiling of gunicorn + Flask + the load generator
GET  /floor/health                    readiness
"""
from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, jsonify, request

SCHEMA = {
    "floor_quota": """
        CREATE TABLE IF NOT EXISTS floor_quota (
            id INTEGER PRIMARY KEY,
            capacity INTEGER NOT NULL,
            taken INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0)
        )""",
    "floor_registrations": """
        CREATE TABLE IF NOT EXISTS floor_registrations (
            id {serial},
            quota_id INTEGER NOT NULL REFERENCES floor_quota (id),
            status VARCHAR(20) NOT NULL,
            email VARCHAR(254) NOT NULL,
            family_name VARCHAR(100) NOT NULL,
            given_name VARCHAR(100) NOT NULL,
            family_name_kana VARCHAR(100) NOT NULL,
            given_name_kana VARCHAR(100) NOT NULL,
            phone VARCHAR(20) NOT NULL,
            organization VARCHAR(200) NOT NULL,
            organization_type VARCHAR(30) NOT NULL,
            prefecture VARCHAR(2),
            created_at {timestamp} NOT NULL,
            UNIQUE (quota_id, email)
        )""",
}
FIELDS = ("email", "family_name", "given_name", "family_name_kana", "given_name_kana", "phone", "organization",
          "organization_type", "prefecture")


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def connect(url: str):
    """A DB-API connection in autocommit mode: the endpoint issues BEGIN / COMMIT itself."""
    if is_postgres(url):
        import psycopg

        return psycopg.connect(url, autocommit=True)
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # The same settings as Tsudoi's app.database.
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def create_schema(url: str, quotas: dict[int, int]) -> None:
    """Create the floor's two tables (beside Tsudoi's) and its quota rows {id: capacity}."""
    pg = is_postgres(url)
    conn = connect(url)
    try:
        for ddl in SCHEMA.values():
            conn.execute(ddl.format(serial="SERIAL PRIMARY KEY" if pg else "INTEGER PRIMARY KEY AUTOINCREMENT",
                                    timestamp="TIMESTAMPTZ" if pg else "VARCHAR(40)"))
        mark = "%s" if pg else "?"
        for quota_id, capacity in quotas.items():
            conn.execute(f"INSERT INTO floor_quota (id, capacity, taken) VALUES ({mark}, {mark}, 0)",
                         (quota_id, capacity))
    finally:
        conn.close()


def count(url: str, quota_id: int) -> tuple[int, int]:
    """(confirmed rows, the quota's `taken` counter) for the verdict."""
    mark = "%s" if is_postgres(url) else "?"
    conn = connect(url)
    try:
        rows = conn.execute(
            f"SELECT count(*) FROM floor_registrations WHERE quota_id = {mark} AND status = 'confirmed'", (quota_id,)
        ).fetchone()[0]
        taken = conn.execute(f"SELECT taken FROM floor_quota WHERE id = {mark}", (quota_id,)).fetchone()[0]
        return rows, taken
    finally:
        conn.close()


def create_app() -> Flask:
    url = os.environ["FLOOR_DATABASE_URL"]
    pg = is_postgres(url)
    mark = "%s" if pg else "?"
    for_update = os.environ.get("FLOOR_LOCK", "update") == "for-update"
    begin = "BEGIN" if pg else "BEGIN IMMEDIATE"
    take_seat = f"UPDATE floor_quota SET taken = taken + 1 WHERE id = {mark} AND taken < capacity"
    lock_row = f"SELECT taken, capacity FROM floor_quota WHERE id = {mark}" + (" FOR UPDATE" if pg else "")
    bump = f"UPDATE floor_quota SET taken = taken + 1 WHERE id = {mark}"
    insert = (f"INSERT INTO floor_registrations (quota_id, status, {', '.join(FIELDS)}, created_at) "
              f"VALUES ({', '.join([mark] * (len(FIELDS) + 3))}) RETURNING id")
    app = Flask(__name__)
    state: dict = {}

    def conn():
        # One connection per worker process, opened after gunicorn forks.
        if "conn" not in state:
            state["conn"] = connect(url)
        return state["conn"]

    @app.get("/floor/health")
    def health():
        return jsonify(ok=True)

    @app.post("/floor/noop")
    def noop():
        data = request.get_json(silent=True) or {}
        return jsonify(id=0, status="confirmed", email=data.get("email")), 201

    @app.post("/floor/<int:quota_id>/registrations")
    def register(quota_id: int):
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not data.get("email") or data.get("consent") is not True:
            return jsonify(error="invalid"), 400
        c = conn()
        c.execute(begin)
        try:
            if for_update:
                taken, capacity = c.execute(lock_row, (quota_id,)).fetchone()
                seated = taken < capacity
                if seated:
                    c.execute(bump, (quota_id,))
            else:
                seated = c.execute(take_seat, (quota_id,)).rowcount == 1
            if not seated:
                c.execute("ROLLBACK")
                return jsonify(error="full"), 409
            values = [str(data.get(name) or "") for name in FIELDS]
            now = datetime.now(UTC)
            new_id = c.execute(insert, (quota_id, "confirmed", *values, now if pg else now.isoformat())).fetchall()[0][0]
            c.execute("COMMIT")
        except Exception:
            c.execute("ROLLBACK")
            raise
        return jsonify(id=new_id, status="confirmed"), 201

    return app


app = create_app() if os.environ.get("FLOOR_DATABASE_URL") else None
