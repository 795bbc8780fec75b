"""Database engine set-up: SQLite pragmas and write transactions.

SQLite runs in WAL mode with a busy timeout. A transaction that may write
starts with ``BEGIN IMMEDIATE`` so that two writers never race from a shared
read snapshot (which SQLite would answer with SQLITE_BUSY instead of waiting).
Read-only web requests (GET/HEAD) begin deferred so readers run side by side.
PostgreSQL needs none of this: services lock rows with SELECT ... FOR UPDATE.
"""
from __future__ import annotations

import contextvars
import time
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


def ping_after_idle(url: str, setting: str | bool | None = "auto", idle_seconds: float = 1.0) -> float | None:
    """How long a pooled connection may sit idle before it is pinged at checkout (None: never).

    ``auto`` (the default): a database server (PostgreSQL) pings connections idle for
    `idle_seconds` or more, SQLite never. ``true``: every checkout (SQLAlchemy's pre-ping).
    ``false``: never. A connection the server dropped (restart, failover,
    pg_terminate_backend, a proxy's idle timeout) is then found and replaced before a
    request uses it; a connection in steady use (a flash crowd reuses each within
    milliseconds) is not pinged, so a busy server pays no round trip. Should the server
    drop connections while they are busy, the one request that meets a dead connection is
    answered 503 and SQLAlchemy renews that worker's whole pool.
    """
    if isinstance(setting, str):
        setting = setting.strip().lower()
        if setting in ("", "auto"):
            return None if url.startswith("sqlite") else max(float(idle_seconds), 0.0)
        setting = setting in ("1", "true", "yes", "on")
    return 0.0 if setting else None


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping (and, if dead, replace) a pooled connection idle for `idle_seconds` or more at checkout."""
    from sqlalchemy import exc as sa_exc

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, connection_record):
        connection_record.info["tsudoi_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, connection_record, connection_proxy):
        since = connection_record.info.pop("tsudoi_idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just opened, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool opens a new connection and tries again
            raise sa_exc.DisconnectionError(f"pooled connection was dropped: {type(exc).__name__}") from exc


def is_unavailable(exc: BaseException) -> bool:
    """Is this error the database being out of reach (not a bug in a query)?"""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
    return False


def configure_engine(engine: Engine, ping_idle_seconds: float | None = None) -> None:
    if ping_idle_seconds is not None:
        ping_idle_connections(engine, ping_idle_seconds)
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
