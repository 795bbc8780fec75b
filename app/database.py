"""Database engine set-up: SQLite pragmas and write transactions.

SQLite runs in WAL mode with a busy timeout. A transaction that may write
starts with ``BEGIN IMMEDIATE`` so that two writers never race from a shared
read snapshot (which SQLite would answer with SQLITE_BUSY instead of waiting).
Read-only web requests (GET/HEAD) begin deferred so readers run side by side.
PostgreSQL needs none of this: services lock rows with SELECT ... FOR UPDATE.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

_read_only: contextvars.ContextVar[bool] = contextvars.ContextVar("tsudoi_read_only", default=False)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def set_read_only(value: bool) -> contextvars.Token:
    return _read_only.set(value)


def reset_read_only(token: contextvars.Token) -> None:
    _read_only.reset(token)


@contextmanager
def read_only():
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


@contextmanager
def reads_first(session):
    """Reads that may answer a request before anything is written (a refusal, say).

    SQLite: they run in a deferred transaction, side by side with other readers,
    which is ended on leaving the block so that the writes that follow begin
    IMMEDIATE (upgrading a read snapshot to a writer could fail with SQLITE_BUSY).
    PostgreSQL: nothing changes; it is one transaction throughout.
    """
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)
        if session.get_bind().dialect.name == "sqlite" and session().in_transaction():
            session.rollback()


def engine_options(url: str, pre_ping: str | bool | None = "auto") -> dict:
    """Pool options: `pool_pre_ping` on for a database server (PostgreSQL), off for SQLite.

    With pre-ping, a connection the server dropped (restart, pg_terminate_backend, an idle
    timeout in a proxy) is noticed at checkout and replaced; without it the request that
    draws it fails. The cost is one "SELECT 1" round trip per checkout (see README).
    """
    if isinstance(pre_ping, str):
        pre_ping = pre_ping.strip().lower()
        pre_ping = (not url.startswith("sqlite")) if pre_ping in ("", "auto") else pre_ping in (
            "1", "true", "yes", "on")
    return {"pool_pre_ping": bool(pre_ping)}


def is_unavailable(exc: BaseException) -> bool:
    """Is this error the database being out of reach (not a bug in a query)?"""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
    return False


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):  # pragma: no cover - trivial
        # Let SQLAlchemy (not the sqlite3 module) emit BEGIN, so we choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # one statement at a time, no transaction (sqlite3 with isolation_level None)
        conn.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


def is_postgres() -> bool:
    from app.extensions import db

    return db.engine.dialect.name == "postgresql"
