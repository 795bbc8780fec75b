"""Log lines without secrets: the private link's token never reaches a log.

`RedactingFilter` rewrites a record's message with `/r/<token>` replaced by
`/r/[redacted]`. It is put on the loggers that write request lines and errors:
werkzeug's (the development server), the app's, and gunicorn's access and error
logs (also by `gunicorn.conf.py`, whose logger class adds it).

Error logs carry no personal data: the engine hides SQL parameters
(`hide_parameters`), and `describe_exception` writes a database error without
the server's own message, whose DETAIL may quote a row ("Key (email)=(...)").
"""
from __future__ import annotations

import logging
import traceback

from app.domain.manage_links import redact_path

REDACTED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business
            return True
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_FILTER = RedactingFilter()


def redact(logger: logging.Logger) -> None:
    """Add the filter to `logger` (once)."""
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(_FILTER)


def init_app(app) -> None:
    for name in REDACTED_LOGGERS:
        redact(logging.getLogger(name))
    redact(app.logger)


def _database_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("psycopg", "psycopg2", "sqlite3")


def _database_message(exc: BaseException) -> str:
    """What went wrong in the database, by names only (SQLSTATE, constraint, table, column)."""
    diag = getattr(exc, "diag", None)
    if diag is not None:  # PostgreSQL: its message and DETAIL may quote values
        names = [("sqlstate", getattr(diag, "sqlstate", None))]
        names += [(n, getattr(diag, f"{n}_name", None)) for n in ("constraint", "table", "column")]
        return ", ".join(f"{name} {value}" for name, value in names if value)
    return str(exc).splitlines()[0] if str(exc) else ""  # SQLite names the constraint, never a value


def safe_message(exc: BaseException) -> str:
    from sqlalchemy.exc import StatementError

    if isinstance(exc, StatementError):
        orig = exc.orig
        inner = f"{type(orig).__name__}: {_database_message(orig)}" if orig is not None else ""
        return f"{inner}\n[SQL: {exc.statement}]\n[SQL parameters hidden]"
    if _database_error(exc):
        return _database_message(exc)
    return redact_path(str(exc))


def describe_exception(err: BaseException) -> str:
    """The traceback of `err` and its causes, with `safe_message` for each exception."""
    chain: list[BaseException] = []
    exc: BaseException | None = err
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    parts = []
    for exc in reversed(chain):
        if parts:
            parts.append("\nThe above exception led to the following one:\n\n")
        parts.append("Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc.__traceback__)))
        parts.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {safe_message(exc)}\n")
    return "".join(parts).rstrip("\n")
